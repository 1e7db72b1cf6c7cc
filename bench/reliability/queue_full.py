#!/usr/bin/env python3
"""Scenario 3, queue full: a small producer bound
(TRACKER__KAFKA__PRODUCER__QUEUEMAXMESSAGES) and the brokers down for the
whole load. Pass rules: every request answered 200; the excess is dropped and
counted (tracker_pixel_events_dropped_total{reason="queue_full"} > 0 and
answered = produced + dropped); after the brokers come back, every accepted
event is delivered (0 failed) and stored: missing = dropped exactly,
0 duplicates. Reported: p99 while the queue is full.
Full: bound 10,000, 2,000 req/s for 30 s. Short (ctest): bound 500, 300 req/s for 8 s."""
import sys

sys.dont_write_bytecode = True
import harness  # noqa: E402
import load_results  # noqa: E402


def main():
    args = harness.parse_args(__doc__)
    bound, rate, seconds = (500, 300, 8) if args.short else (10000, 2000, 30)
    verdict = harness.Verdict("queue-full")
    with harness.Stack(args, "queue") as stack:
        stack.start_broker()
        events = stack.path("events.log")
        stack.start_worker(events)
        pixel = stack.start_pixel({"TRACKER__KAFKA__PRODUCER__QUEUEMAXMESSAGES": str(bound)})
        stack.brokers_down()
        load = stack.start_load(pixel, "queue", rate, rate * seconds, connections=16).finish()
        total = load.summary()
        verdict.figure(f"bound {bound} events, brokers down, load {rate}/s for {seconds} s")
        verdict.figure("load while the queue is full: " + load_results.fmt_summary(total))
        verdict.rule("every request answered 200", total["ok"] == total["sent"] == rate * seconds)
        stack.brokers_up()

        pixel_counts = harness.wait_pixel_settled(pixel, total["ok"])
        verdict.figure(f"pixel /metrics: {pixel_counts}")
        verdict.rule("excess dropped and counted as queue_full",
                     pixel_counts["dropped_queue_full"] > 0
                     and pixel_counts["dropped_queue_full"] == pixel_counts["dropped"])
        verdict.rule("answered = produced + dropped",
                     total["ok"] == pixel_counts["produced"] + pixel_counts["dropped"])
        verdict.rule("accepted events all delivered (0 failed)",
                     pixel_counts["failed"] == 0 and pixel_counts["delivered"] == pixel_counts["produced"])

        counts = harness.wait_stored_count(load.ids(), [events], pixel_counts["delivered"])
        verdict.figure(harness.check_ids.describe(counts))
        verdict.rule("missing = dropped exactly", counts["missing"] == pixel_counts["dropped"],
                     f"missing {counts['missing']}, dropped {pixel_counts['dropped']}")
        verdict.rule("0 duplicates", counts["duplicates"] == 0)
        verdict.rule("0 partial lines", counts["partial"] == 0)
    return verdict.exit_code()


if __name__ == "__main__":
    harness.run_scenario(main)
