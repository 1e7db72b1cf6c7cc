#!/usr/bin/env python3
"""The reliability suite's set checker (bench/reliability/check_ids.py) on
hand-made events.log files: a checker that cannot see a missing id, a
duplicate or a partial line would make every scenario pass."""
import os
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "reliability"))
import check_ids  # noqa: E402

TS = "2024-03-23T17:24:07.6960681Z"


def line(user_agent, referrer="null", ip="127.0.0.1"):
    return f"{TS}|{referrer}|{user_agent}|{ip}\n"


class CheckIdsTest(unittest.TestCase):
    def check(self, ids, *contents):
        paths = []
        with tempfile.TemporaryDirectory() as directory:
            for index, content in enumerate(contents):
                path = os.path.join(directory, f"events-{index}.log")
                with open(path, "wb") as handle:
                    handle.write(content.encode("utf-8", "surrogateescape"))
                paths.append(path)
            return check_ids.check(ids, paths)

    def test_counts_every_answered_id_stored_once_as_clean(self):
        counts = self.check(["r-0", "r-1"], line("r-0") + line("r-1"))
        self.assertEqual((counts["answered"], counts["stored"], counts["missing"], counts["duplicates"],
                          counts["partial"]), (2, 2, 0, 0, 0))

    def test_counts_an_absent_id_as_missing(self):
        counts = self.check(["r-0", "r-1"], line("r-0"))
        self.assertEqual(counts["missing"], 1)
        self.assertEqual(counts["missing_ids"], ["r-1"])

    def test_counts_duplicates_across_files(self):
        counts = self.check(["r-0", "r-1"], line("r-0") + line("r-1") + line("r-1"), line("r-0"))
        self.assertEqual((counts["stored"], counts["duplicates"]), (4, 2))

    def test_a_last_line_without_newline_is_partial_not_stored(self):
        counts = self.check(["r-0", "r-1"], line("r-0") + line("r-1")[:-1])
        self.assertEqual((counts["partial"], counts["missing"]), (1, 1))

    def test_lines_with_the_wrong_field_count_or_escape_are_partial(self):
        counts = self.check(["r-0"], line("r-0") + f"{TS}|null|r-1\n" + line("bad\\q"))
        self.assertEqual(counts["partial"], 2)

    def test_unescapes_fields_as_the_worker_writes_them(self):
        # User-Agent "a|b\c<TAB>" is written a\pb\\c\t; a referrer "null" as \x6eull.
        counts = self.check(["a|b\\c\t"], line("a\\pb\\\\c\\t", referrer="\\x6eull"))
        self.assertEqual((counts["stored"], counts["partial"]), (1, 0))
        self.assertEqual(check_ids.parse_line(line("x", referrer="\\x6eull"))[1], "null")
        self.assertIsNone(check_ids.parse_line(line("x", referrer="null"))[1])

    def test_lines_of_other_runs_are_counted_apart(self):
        counts = self.check(["r-0"], line("r-0") + line("s-0"))
        self.assertEqual((counts["stored"], counts["other"]), (1, 1))


if __name__ == "__main__":
    unittest.main()
