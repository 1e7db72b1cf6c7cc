#!/usr/bin/env python3
"""Scenario 7, poison messages: while valid visits stream through the pixel,
kcat writes messages that are not visit events straight onto user-events:
random bytes, truncated JSON, wrong types, 1 MiB values, invalid UTF-8,
empty and NULL values, JSON that is not an object. Pass rules: every poison message
is on user-events.dlq with a `reason` header; every valid visit is stored
(0 missing, 0 duplicates, 0 partial lines); the worker never restarts (the
same PID throughout, one start in its log).
Full: 3 rounds of poison in 6,000 visits (200/s). Short (ctest): 3 rounds in
1,000 visits (100/s)."""
import random
import sys
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402
import load_results  # noqa: E402
import kcat_tools  # noqa: E402

TIMESTAMP = b'"Timestamp":"2024-03-23T17:24:07.6960681Z"'


def poison_round(rng):
    """One round of poison values: (kind, bytes)."""
    return [
        ("random bytes", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))),
        ("truncated JSON", b'{' + TIMESTAMP + b',"UserAgent":"Mozilla/5.0 (X11; Lin'),
        ("wrong types", b'{"Timestamp":20240323,"UserAgent":["a"],"IpAddress":true}'),
        ("wrong field type", b'{' + TIMESTAMP + b',"UserAgent":{"x":1},"IpAddress":"10.0.0.1"}'),
        ("bad timestamp", b'{"Timestamp":"yesterday","IpAddress":"10.0.0.1"}'),
        ("1 MiB value", b'{' + TIMESTAMP + b',"UserAgent":"' + b"\xff" * (1 << 20) + b'"}'),
        ("1 MiB garbage", bytes(rng.randrange(256) for _ in range(1 << 20))),
        ("invalid UTF-8", b'{' + TIMESTAMP + b',"UserAgent":"\xc3\x28\xa0\xa1","IpAddress":"10.0.0.1"}'),
        ("JSON array", b'[1,2,3]'),
        ("JSON null", b"null"),
    ]


def main():
    args = harness.parse_args(__doc__)
    visits, rate = (1000, 100) if args.short else (6000, 200)
    rng = random.Random(7)
    verdict = harness.Verdict("poison-messages")
    with harness.Stack(args, "poison") as stack:
        stack.start_broker()
        events = stack.path("events.log")
        worker = stack.start_worker(events)
        worker_pid = worker.pid
        pixel = stack.start_pixel()
        load = stack.start_load(pixel, "poison", rate, visits, connections=8)
        poison = []
        for round_index in range(3):
            time.sleep(max(0.0, load.started + (round_index + 1) * visits / rate / 4 - time.time()))
            values = poison_round(rng)
            kcat_tools.kcat_produce(stack.bootstrap, "user-events", [v for _, v in values], stack.work)
            poison += values
            kcat_tools.kcat_produce_empty(stack.bootstrap, "user-events")
            poison += [("empty value", b""), ("null value", b"")]
        load.finish()
        total = load.summary()
        verdict.figure(f"{len(poison)} poison messages ({', '.join(k for k, _ in poison[:len(poison) // 3])}) "
                       f"in 3 rounds among {visits} visits")
        verdict.figure("load: " + load_results.fmt_summary(total))
        verdict.rule("every request answered 200", total["ok"] == total["sent"] == visits)

        counts = harness.wait_all_stored(verdict, load.ids(), [events], 120)
        verdict.rule("every valid visit stored: 0 missing", counts["missing"] == 0)
        verdict.rule("0 duplicates", counts["duplicates"] == 0)
        verdict.rule("0 partial lines", counts["partial"] == 0)

        def all_dead_lettered():
            rows = kcat_tools.kcat_headers(stack.bootstrap, "user-events.dlq")
            return rows if len(rows) >= len(poison) else None
        try:
            dead = harness.wait_until(all_dead_lettered, 60, "every poison message on user-events.dlq")
        except TimeoutError:
            dead = kcat_tools.kcat_headers(stack.bootstrap, "user-events.dlq")
        with_reason = [row for row in dead if "reason=" in row[2]]
        verdict.figure(f"dead letters: {len(dead)}; reasons:")
        for reason in sorted({row[2].split("reason=", 1)[1].split(",original-topic=")[0] for row in with_reason}):
            verdict.figure(f"  {reason[:120]}")
        sizes = sorted(row[1] for row in dead)
        verdict.rule("every poison message dead-lettered with a reason",
                     len(dead) == len(poison) and len(with_reason) == len(dead),
                     f"{len(dead)} dead letters for {len(poison)} poison messages")
        # The worker keeps at most 64 KiB of an oversized value (its reason says so).
        verdict.rule("dead letters keep the original bytes (up to the worker's 64 KiB cut)",
                     sizes == sorted(min(len(v), 65536) for _, v in poison))
        samples = harness.metrics(worker.admin_port)
        dead_metric = sum(v for k, v in samples.items() if k.startswith("tracker_worker_dead_lettered_total"))
        verdict.figure(f"tracker_worker_dead_lettered_total (all reasons) = {dead_metric:.0f}")
        verdict.rule("worker never restarted (same PID, one start)",
                     worker.popen.poll() is None and worker.pid == worker_pid
                     and worker.log().count("storage-worker started") == 1)
        verdict.figure(f"worker VmHWM {worker.vm_hwm_kib() / 1024:.1f} MiB")
    return verdict.exit_code()


if __name__ == "__main__":
    harness.run_scenario(main)
