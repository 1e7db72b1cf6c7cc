#!/usr/bin/env python3
"""How often this machine keeps a ready task off a CPU: sleeps 1 ms in a loop
on the given CPU and prints every wake-up that came more than --late-ms late
(wall-clock time, lateness in ms), then a summary. A task that only waits
behind another process on that CPU gets it back within about a millisecond;
longer lateness is time the CPU was not available at all (the hypervisor, or
kernel work that cannot be preempted). Run it next to a benchmark to see
which of its slow requests fall on such stalls.

  bench/wakeup_probe.py [--cpu 0] [--seconds 20] [--late-ms 2]"""
import argparse
import os
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cpu", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--late-ms", type=float, default=2)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    wakeups, late, worst = 0, 0, 0.0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        before = time.monotonic()
        time.sleep(0.001)
        lateness_ms = (time.monotonic() - before - 0.001) * 1000
        wakeups += 1
        worst = max(worst, lateness_ms)
        if lateness_ms > args.late_ms:
            late += 1
            print(f"{time.time():.3f} {lateness_ms:.1f}", flush=True)
    print(f"CPU {args.cpu}, {args.seconds:g} s: {wakeups} wake-ups, {late} more than "
          f"{args.late_ms:g} ms late, worst {worst:.1f} ms")


if __name__ == "__main__":
    main()
