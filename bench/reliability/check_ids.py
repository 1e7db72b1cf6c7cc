#!/usr/bin/env python3
"""Counts loss and duplicates as sets: the ids a load run saw answered 200
against the User-Agent field of events.log lines.

  check_ids.py ANSWERED_IDS_FILE EVENTS_LOG [EVENTS_LOG...]
  -> answered N, stored N, missing N, duplicates N, partial lines N

missing    = ids answered 200 whose visit is in no events.log line
duplicates = stored lines beyond the first for an id (summed over ids)
partial    = lines that are not one complete record: no final '\n', not
             exactly four '|'-separated fields, or a field that does not
             unescape under docs/storage-worker.md's rules
Lines whose User-Agent is not one of the answered ids are counted as "other"
(e.g. requests that failed on the client side yet reached the pixel).
"""
import collections
import sys

_SIMPLE = {"\\": "\\", "p": "|", "r": "\r", "n": "\n", "t": "\t"}
_HEX = "0123456789abcdefABCDEF"


def unescape_field(field):
    """The reverse of the worker's escape_field; None if not a valid field."""
    if "|" in field or "\r" in field or "\n" in field:
        return None
    out = bytearray()
    raw = field.encode("utf-8", "surrogateescape")
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte != 0x5C:  # '\'
            out.append(byte)
            i += 1
            continue
        if i + 1 >= len(raw):
            return None
        code = chr(raw[i + 1])
        if code in _SIMPLE:
            out += _SIMPLE[code].encode()
            i += 2
        elif code == "x" and i + 3 < len(raw) and chr(raw[i + 2]) in _HEX and chr(raw[i + 3]) in _HEX:
            out.append(int(raw[i + 2:i + 4].decode(), 16))
            i += 4
        else:
            return None
    return out.decode("utf-8", "surrogateescape")


def parse_line(line):
    """(timestamp, referrer, user_agent, ip) with None for a `null` field, or
    None when the line is partial or malformed. `line` still ends in '\n'."""
    if not line.endswith("\n"):
        return None
    fields = line[:-1].split("|")
    if len(fields) != 4:
        return None
    values = []
    for index, field in enumerate(fields):
        if index > 0 and field == "null":
            values.append(None)
            continue
        value = unescape_field(field)
        if value is None:
            return None
        values.append(value)
    return tuple(values)


def read_log_lines(path):
    with open(path, "rb") as handle:
        data = handle.read().decode("utf-8", "surrogateescape")
    return data.splitlines(keepends=True)


def check(answered_ids, log_paths):
    """Returns a dict of the counts; `answered_ids` is an iterable of ids."""
    answered = set(answered_ids)
    stored = collections.Counter()
    partial = 0
    other = 0
    for path in log_paths:
        for line in read_log_lines(path):
            record = parse_line(line)
            if record is None:
                partial += 1
                continue
            user_agent = record[2]
            if user_agent in answered:
                stored[user_agent] += 1
            else:
                other += 1
    return {
        "answered": len(answered),
        "stored": sum(stored.values()),
        "missing": len(answered - set(stored)),
        "duplicates": sum(count - 1 for count in stored.values() if count > 1),
        "partial": partial,
        "other": other,
        "missing_ids": sorted(answered - set(stored))[:10],
    }


def read_ids(path):
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def describe(counts):
    return (f"answered {counts['answered']}, stored {counts['stored']}, missing {counts['missing']}, "
            f"duplicates {counts['duplicates']}, partial lines {counts['partial']}")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    counts = check(read_ids(argv[1]), argv[2:])
    print(describe(counts))
    if counts["other"]:
        print(f"other lines (not an answered id) {counts['other']}")
    if counts["missing_ids"]:
        print("first missing ids: " + " ".join(counts["missing_ids"]))
    return 0 if counts["missing"] == 0 and counts["duplicates"] == 0 and counts["partial"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
