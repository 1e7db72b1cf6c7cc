#!/usr/bin/env python3
"""Scenario 2, outage longer than the delivery timeout: the pixel's
message.timeout.ms is set short, and the brokers stay down longer than it.
Pass rules: every request answered 200; answered = produced + dropped (0
dropped here) and produced = delivered + failed, as /metrics reports; the ids
missing from events.log are exactly as many as the failed deliveries; failed
> 0 (the timeout did fire); 0 duplicates; and once the brokers are back,
a further load is delivered and stored completely.
Full: 1,000 req/s for 60 s, brokers down 15..45 s, timeout 5 s.
Short (ctest): 300 req/s for 12 s, brokers down 3..9 s, timeout 2 s."""
import sys
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402


def main():
    args = harness.parse_args(__doc__)
    rate, seconds, down_at, up_at, timeout_ms = (300, 12, 3, 9, 2000) if args.short else (1000, 60, 15, 45, 5000)
    verdict = harness.Verdict("delivery-timeout")
    with harness.Stack(args, "timeout") as stack:
        stack.start_broker()
        events = stack.path("events.log")
        stack.start_worker(events)
        pixel = stack.start_pixel({"TRACKER__KAFKA__CONFIG__MESSAGE_TIMEOUT_MS": str(timeout_ms)})
        load = stack.start_load(pixel, "timeout", rate, rate * seconds, connections=16)
        time.sleep(max(0.0, load.started + down_at - time.time()))
        stack.brokers_down()
        time.sleep(max(0.0, load.started + up_at - time.time()))
        stack.brokers_up()
        load.finish()
        total = load.summary()
        verdict.figure(f"load {rate}/s for {seconds} s, brokers down {up_at - down_at} s, "
                       f"message.timeout.ms {timeout_ms}")
        verdict.figure("load: " + harness.fmt_summary(total))
        verdict.rule("every request answered 200", total["ok"] == total["sent"] == rate * seconds)

        pixel_counts = harness.wait_pixel_settled(pixel, total["ok"])
        verdict.figure(f"pixel /metrics: {pixel_counts}")
        verdict.rule("answered = produced + dropped",
                     total["ok"] == pixel_counts["produced"] + pixel_counts["dropped"])
        verdict.rule("produced = delivered + failed",
                     pixel_counts["produced"] == pixel_counts["delivered"] + pixel_counts["failed"])
        verdict.rule("the delivery timeout fired (failed > 0)", pixel_counts["failed"] > 0)

        counts = harness.wait_stored_count(load.ids(), [events], pixel_counts["delivered"])
        # Late duplicates or strays would only show after a pause; the worker
        # has nothing more to read once it stored every delivered event.
        verdict.figure(harness.check_ids.describe(counts))
        verdict.rule("missing = failed deliveries (from /metrics)",
                     counts["missing"] == pixel_counts["failed"] + pixel_counts["dropped"],
                     f"missing {counts['missing']}, failed {pixel_counts['failed']}")
        verdict.rule("0 duplicates", counts["duplicates"] == 0)
        verdict.rule("0 partial lines", counts["partial"] == 0)

        # The producer must not stay broken after timing messages out.
        after = stack.start_load(pixel, "timeout-after", rate, rate * 2, connections=16).finish()
        after_counts = harness.wait_all_stored(verdict, after.ids(), [events], 60)
        verdict.rule("after recovery: every event delivered and stored once",
                     after_counts["answered"] == rate * 2 and after_counts["missing"] == 0
                     and after_counts["duplicates"] == 0)
    return verdict.exit_code()


if __name__ == "__main__":
    harness.run_scenario(main)
