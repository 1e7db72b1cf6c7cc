#!/usr/bin/env python3
"""Scenario 6, disk full under the worker: events.log (and its checkpoint) on
a small tmpfs (`mount -t tmpfs -o size=...`, needs root). The disk is filled
while visits stream; the worker's writes fail with ENOSPC, it pauses and
retries.
Round 1: space is freed again; the same worker resumes. Round 2: the disk is
filled again and the worker is killed with SIGKILL while failing; space is
freed and a new worker starts. If the worker had committed offsets past what
it wrote, round 2 would lose those events (a restarted worker starts at the
further of its checkpoint and the group's offset).
Pass rules: while the disk is full the worker counts store errors and writes
no partial line; after each round 0 missing, 0 duplicates, 0 partial lines;
the worker did not exit on ENOSPC.
Full: 3,000 visits per round at 200/s, 2 MiB tmpfs. Short (ctest): 600 per
round at 100/s."""
import errno
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402


def fill(directory):
    """Writes a filler file until the file system is full; returns its path."""
    path = os.path.join(directory, "filler")
    block = b"\0" * 4096
    with open(path, "wb", buffering=0) as handle:
        while True:
            try:
                handle.write(block)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                break
    return path


def store_errors(worker):
    return sum(v for k, v in harness.metrics(worker.admin_port).items()
               if k.startswith("tracker_worker_store_errors_total"))


def main():
    args = harness.parse_args(__doc__)
    visits, rate = (600, 100) if args.short else (3000, 200)
    verdict = harness.Verdict("disk-full")
    with harness.Stack(args, "disk") as stack:
        disk = stack.path("disk")
        os.mkdir(disk)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk],
                                 capture_output=True, text=True, check=False)
        if mounted.returncode != 0:
            verdict.rule("tmpfs mounted (needs root or CAP_SYS_ADMIN)", False, mounted.stderr.strip())
            return verdict.exit_code()
        stack.cleanups.append(lambda: subprocess.run(["umount", "-l", disk], check=False))
        events = os.path.join(disk, "events.log")
        stack.start_broker()
        worker = stack.start_worker(events)
        pixel = stack.start_pixel()

        # Round 1: full, then freed under the same worker.
        filler = fill(disk)
        load = stack.start_load(pixel, "disk1", rate, visits, connections=8)
        harness.wait_until(lambda: store_errors(worker) > 0, 60, "store errors while the disk is full")
        counts = harness.check_ids.check([], [events])
        verdict.rule("round 1: no partial line while the disk is full", counts["partial"] == 0)
        load.finish()
        errors = store_errors(worker)
        os.remove(filler)
        counts = harness.wait_all_stored(verdict, load.ids(), [events], 120)
        verdict.figure(f"round 1: {errors:.0f} failed store attempts while full; worker exit code "
                       f"{worker.popen.poll()} (None = still running)")
        verdict.rule("round 1: worker kept running", worker.popen.poll() is None)
        verdict.rule("round 1: 0 missing", counts["missing"] == 0)
        verdict.rule("round 1: 0 duplicates", counts["duplicates"] == 0)
        verdict.rule("round 1: 0 partial lines", counts["partial"] == 0)

        # Round 2: full, worker killed while failing, space freed, new worker.
        filler = fill(disk)
        before = store_errors(worker)
        load = stack.start_load(pixel, "disk2", rate, visits, connections=8)
        time.sleep(max(0.0, load.started + visits / rate / 2 - time.time()))
        harness.wait_until(lambda: store_errors(worker) > before, 60, "store errors in round 2")
        worker.signal(signal.SIGKILL)
        verdict.rule("round 2: worker died of SIGKILL", worker.wait_exit(10) == -signal.SIGKILL)
        load.finish()
        os.remove(filler)
        worker = stack.start_worker(events)
        counts = harness.wait_all_stored(verdict, load.ids(), [events], 120)
        verdict.rule("round 2: 0 missing (nothing was committed past what was written)", counts["missing"] == 0)
        verdict.rule("round 2: 0 duplicates", counts["duplicates"] == 0)
        verdict.rule("round 2: 0 partial lines", counts["partial"] == 0)
        both = harness.check_ids.check(harness.check_ids.read_ids(stack.path("disk1.ids")), [events])
        verdict.rule("round 1's visits still stored exactly once", both["missing"] == 0 and both["duplicates"] == 0)
    return verdict.exit_code()


if __name__ == "__main__":
    harness.run_scenario(main)
