#!/usr/bin/env python3
"""Scenario 4, worker kill -9 loop: a stream of visits through the pixel while
the storage worker is killed with SIGKILL at random moments and restarted
each time (short consumer session, so the restarted member gets its
partitions back quickly). Each kill lands a random 0.1..spacing s after the
worker has its partitions again, so it hits the worker while it is
consuming. Pass rules: every request answered 200; after the last restart
0 missing, 0 duplicates, 0 partial lines in events.log.
Full: 20 kills over 50,000 visits (250/s). Short (ctest): 4 kills over
4,000 visits (100/s)."""
import random
import signal
import sys
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402
import load_results  # noqa: E402


def main():
    args = harness.parse_args(__doc__, lambda p: p.add_argument("--seed", type=int, default=None))
    kills, visits, rate = (4, 4000, 100) if args.short else (20, 50000, 250)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    verdict = harness.Verdict("worker-kill-loop")
    verdict.figure(f"seed {seed} (rerun with --seed {seed})")
    with harness.Stack(args, "kill") as stack:
        stack.start_broker()
        events = stack.path("events.log")
        worker = stack.start_worker(events)
        pixel = stack.start_pixel()
        load = stack.start_load(pixel, "kill", rate, visits, connections=8)
        # Spread the kills over the stream: after each (re)assignment, wait a
        # random part of the remaining time per remaining kill.
        cycle_times = []
        for done in range(kills):
            remaining = max(1.0, load.started + visits / rate - time.time())
            spacing = max(0.5, remaining / (kills - done) - 7)
            time.sleep(rng.uniform(0.1, spacing))
            lines_before = harness.check_ids.read_log_lines(events) if harness.os.path.exists(events) else []
            killed_at = time.monotonic()
            worker.signal(signal.SIGKILL)
            code = worker.wait_exit(10)
            verdict.rule(f"kill {done + 1}: worker died of SIGKILL", code == -signal.SIGKILL, f"exit {code}")
            worker = stack.start_worker(events)  # waits for its partitions
            cycle_times.append(time.monotonic() - killed_at)
            verdict.figure(f"kill {done + 1}: {len(lines_before)} lines in the file at the kill; "
                           f"partitions back after {cycle_times[-1]:.1f} s")
        load.finish()
        total = load.summary()
        verdict.figure("load: " + load_results.fmt_summary(total))
        verdict.rule("every request answered 200", total["ok"] == total["sent"] == visits)
        harness.wait_pixel_settled(pixel, total["ok"])
        counts = harness.wait_all_stored(verdict, load.ids(), [events], 120)
        verdict.rule("0 missing", counts["missing"] == 0)
        verdict.rule("0 duplicates", counts["duplicates"] == 0)
        verdict.rule("0 partial lines", counts["partial"] == 0)
        log = worker.log()
        verdict.figure(f"{kills} kills, {log.count('storage-worker started')} worker starts, "
                       f"{log.count('written after the last checkpoint')} recoveries cut an unrecorded tail, "
                       f"mean time to partitions again {sum(cycle_times) / len(cycle_times):.1f} s")
    return verdict.exit_code()


if __name__ == "__main__":
    harness.run_scenario(main)
