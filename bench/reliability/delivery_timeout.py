#!/usr/bin/env python3
"""Scenario 2, outage longer than the delivery timeout: the pixel's
message.timeout.ms is set short, and Kafka stays away longer than it, twice:
first the brokers go down (they refuse connections), then the broker hangs
(SIGSTOP: connections stay open, nothing is answered).
Pass rules, for each outage: every request answered 200; answered = produced
+ dropped (0 dropped here) and produced = delivered + failed, as /metrics
reports; failed > 0 (the timeout did fire); 0 duplicates; and once Kafka is
back, a further load is delivered and stored completely. Missing ids: an
event sent to Kafka without a reply may have been stored all the same, and
/metrics counts those apart (failed_possibly_stored), so the rule is
failed - possibly stored <= missing <= failed. Brokers that refuse
connections leave none sent, so there missing = failed exactly; a hung
broker stores what it took in once it runs again.
Full: 1,000 req/s for 60 s, Kafka away 15..45 s, timeout 5 s.
Short (ctest): 300 req/s for 12 s, Kafka away 3..9 s, timeout 2 s."""
import sys
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402
import load_results  # noqa: E402


def outage(stack, verdict, pixel, events, kind, timing):
    """One load with Kafka away in its middle; its pass rules."""
    rate, seconds, away_at, back_at, _ = timing
    go_away, come_back = {"down": (stack.brokers_down, stack.brokers_up),
                          "hang": (stack.broker_hang, stack.broker_resume)}[kind]
    before = harness.pixel_events(pixel)
    load = stack.start_load(pixel, f"timeout-{kind}", rate, rate * seconds, connections=16)
    time.sleep(max(0.0, load.started + away_at - time.time()))
    go_away()
    time.sleep(max(0.0, load.started + back_at - time.time()))
    come_back()
    load.finish()
    total = load.summary()
    verdict.figure(f"[{kind}] load {rate}/s for {seconds} s, Kafka away {back_at - away_at} s")
    verdict.figure(f"[{kind}] load: " + load_results.fmt_summary(total))
    verdict.rule(f"[{kind}] every request answered 200", total["ok"] == total["sent"] == rate * seconds)

    settled = harness.wait_pixel_settled(pixel, before["produced"] + before["dropped"] + total["ok"])
    counts = {k: settled[k] - before[k] for k in ("produced", "delivered", "failed", "dropped",
                                                  "failed_possibly_stored")}
    verdict.figure(f"[{kind}] pixel /metrics, this load: {counts}")
    verdict.rule(f"[{kind}] answered = produced + dropped",
                 total["ok"] == counts["produced"] + counts["dropped"])
    verdict.rule(f"[{kind}] produced = delivered + failed",
                 counts["produced"] == counts["delivered"] + counts["failed"])
    verdict.rule(f"[{kind}] the delivery timeout fired (failed > 0)", counts["failed"] > 0)

    # The producer must not stay broken after timing messages out; and once
    # this load is stored, so is everything the broker took in before it.
    after = stack.start_load(pixel, f"timeout-{kind}-after", rate, rate * 2, connections=16).finish()
    after_counts = harness.wait_all_stored(verdict, after.ids(), [events], 60)
    verdict.rule(f"[{kind}] after recovery: every event delivered and stored once",
                 after_counts["answered"] == rate * 2 and after_counts["missing"] == 0
                 and after_counts["duplicates"] == 0)

    stored = harness.check_ids.check(load.ids(), [events])
    verdict.figure(f"[{kind}] " + harness.check_ids.describe(stored))
    failed, possibly = counts["failed"] + counts["dropped"], counts["failed_possibly_stored"]
    verdict.rule(f"[{kind}] failed - possibly stored <= missing <= failed (from /metrics)",
                 failed - possibly <= stored["missing"] <= failed,
                 f"missing {stored['missing']}, failed {failed}, of them sent without a reply "
                 f"{possibly}: {failed - stored['missing']} of those stored all the same")
    verdict.rule(f"[{kind}] 0 duplicates", stored["duplicates"] == 0)
    verdict.rule(f"[{kind}] 0 partial lines", stored["partial"] == 0)


def main():
    args = harness.parse_args(__doc__)
    timing = (300, 12, 3, 9, 2000) if args.short else (1000, 60, 15, 45, 5000)
    verdict = harness.Verdict("delivery-timeout")
    with harness.Stack(args, "timeout") as stack:
        stack.start_broker()
        events = stack.path("events.log")
        stack.start_worker(events)
        pixel = stack.start_pixel({"TRACKER__KAFKA__CONFIG__MESSAGE_TIMEOUT_MS": str(timing[4])})
        verdict.figure(f"message.timeout.ms {timing[4]}")
        outage(stack, verdict, pixel, events, "down", timing)
        outage(stack, verdict, pixel, events, "hang", timing)
    return verdict.exit_code()


if __name__ == "__main__":
    harness.run_scenario(main)
