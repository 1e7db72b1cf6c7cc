#!/usr/bin/env python3
"""storage-worker against `kcat -C -e`, both copying the same preloaded topic
into a file, measured the same way, in alternating rounds. See run.sh for
the command line; docs/benchmarks-storage-worker.md for results.

How each side is timed: a sampler thread looks every millisecond at how many
bytes of the output are done, and keeps each change. The clock stops at the
first sample that sees all of it. It starts
  - for kcat at the first sample that sees data (only the lines written after
    it count), so kcat is not charged its connection, metadata and offset
    look-ups, nor its first fetch;
  - for the worker when it logs its partition assignment (all lines count),
    the moment its consumer may start fetching: it is not charged its group
    join (a fixed few seconds with the dev broker), but it is charged its
    first fetch and filling its pipeline (first batch collected, decoded and
    stored). Starting its clock at its first stored batch instead would let
    librdkafka prefetch meanwhile, off the clock (up to its queue limits).
  So the rule leans towards kcat, if anything.
  "Done" bytes: for kcat, the size of its output file (kcat never syncs; its
  last stdio buffer is flushed at exit). For the worker, the events.log
  length recorded in events.log.checkpoint, which the worker writes only after
  the lines' fdatasync: its lines count once durable, the default durability
  the issue asks for.
CPU and peak RSS are the whole process's (start-up and shutdown included),
as GNU time reports them for both. Rounds alternate who runs first.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SAMPLE_INTERVAL_S = 0.001
RUN_DEADLINE_S = 300


def visit(partition, index):
    """A realistic visit: browser user agent, referrer, IPv4 (~250 bytes)."""
    return ('{"Timestamp":"2024-03-23T17:%02d:%02d.%07dZ",'
            '"Referrer":"https://shop.example/products/%d?ref=p%d",'
            '"UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
            '(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",'
            '"IpAddress":"10.%d.%d.%d"}\n'
            % (index // 60 % 60, index % 60, index, index, partition, partition,
               index // 256 % 256, index % 256))


class Sampler(threading.Thread):
    """Calls probe() every millisecond and keeps each (time, value) at which
    the value changed; probe() returns how many bytes of the output file are
    written (kcat) or durable (the worker), and whether that is all."""

    def __init__(self, probe):
        super().__init__(daemon=True)
        self.probe = probe
        self.changes = []  # (monotonic seconds, bytes)
        self.started = None  # when set: the clock's start, with 0 bytes done
        self.stop = False

    def run(self):
        while not self.stop:
            now = time.monotonic()
            size, complete = self.probe()
            if size > 0 and (not self.changes or self.changes[-1][1] != size):
                self.changes.append((now, size))
            if complete:
                return
            time.sleep(SAMPLE_INTERVAL_S)


def count_lines(path, prefix_bytes=None):
    """Lines in the file (or in its first prefix_bytes), read in chunks: this
    process's own RSS would otherwise show up in the next child's peak RSS."""
    lines, left = 0, os.path.getsize(path) if prefix_bytes is None else prefix_bytes
    with open(path, "rb") as handle:
        while left > 0:
            chunk = handle.read(min(left, 1 << 20))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            left -= len(chunk)
    return lines


def timed(argv, time_file, **popen_args):
    """Starts argv under GNU time, which reports the child's own CPU and peak
    RSS (rusage straight from Python would carry this interpreter's RSS into
    a vfork'ed child's figure)."""
    return subprocess.Popen(["/usr/bin/time", "-f", "%U %S %M", "-o", time_file, *argv],
                            **popen_args)


def read_time(time_file):
    """(CPU seconds, peak RSS KiB) as GNU time wrote them."""
    with open(time_file) as handle:
        user, system, rss = handle.read().split()[-3:]
    return float(user) + float(system), int(rss)


def result(name, sampler, path, time_file, total):
    """Events/s between the first sample that saw data and the first sample
    that saw all of it, counting only the lines written in between."""
    lines = count_lines(path)
    final_size = os.path.getsize(path)
    if lines != total or not sampler.changes or sampler.changes[-1][1] != final_size:
        sys.exit(f"{name}: wrote {lines} of {total} lines")
    first_time, first_size = sampler.changes[0]
    if sampler.started is not None:
        first_time, first_size = sampler.started, 0
    last_time = sampler.changes[-1][0]
    counted = lines - count_lines(path, first_size)
    seconds = last_time - first_time
    cpu, rss_kib = read_time(time_file)
    return {"rate": counted / seconds, "seconds": seconds, "counted": counted, "cpu": cpu,
            "rss_kib": rss_kib}


def file_size(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def run_kcat(bootstrap, work, total, extra_args):
    out = os.path.join(work, "kcat.out")
    sampler = Sampler(lambda: (file_size(out), False))
    time_file = os.path.join(work, "kcat.time")
    with open(out, "wb") as handle:
        process = timed(["kcat", "-C", "-q", "-e", "-o", "beginning", "-b", bootstrap,
                         "-t", "user-events", "-f", "%s\n", *extra_args], time_file, stdout=handle)
        sampler.start()
        status = process.wait()
    # One more sample after the exit (its last buffer is flushed then), and stop.
    time.sleep(2 * SAMPLE_INTERVAL_S)
    sampler.stop = True
    sampler.join()
    if status != 0:
        sys.exit(f"kcat exited {status}")
    measured = result("kcat", sampler, out, time_file, total)
    os.remove(out)
    return measured


def read_checkpoint(path):
    """(durable length of events.log, sum of next offsets) from the worker's
    checkpoint file, (0, 0) while there is none."""
    length, offsets = 0, 0
    try:
        with open(path) as handle:
            for line in handle:
                fields = line.split()
                if fields[0] == "file":
                    length = int(fields[3])
                elif fields[0] == "offset":
                    offsets += int(fields[3])
    except (FileNotFoundError, IndexError, ValueError):
        return 0, 0
    return length, offsets


def run_worker(build, bootstrap, work, total, round_index, extra_env):
    data = os.path.join(work, f"worker-{round_index}")
    events = os.path.join(data, "events.log")
    env = dict(os.environ, TRACKER__KAFKA__SERVERS=bootstrap, TRACKER__ADMIN__PORT="0",
               TRACKER__ADMIN__ADDRESS="127.0.0.1",
               TRACKER__WORKER__GROUPID=f"bench-{os.getpid()}-{round_index}",
               TRACKER__FILEEVENTSTORE__FILE=events, **extra_env)

    log_path = os.path.join(work, f"worker-{round_index}.log")

    def probe():
        if sampler.started is None:
            # Logged right before the consumer is given its partitions.
            with open(log_path, "rb") as log_file:
                if b"kafka consumer: assigned" in log_file.read():
                    sampler.started = time.monotonic()
            return 0, False
        # The checkpoint is written after the fdatasync: its length is durable.
        length, offsets = read_checkpoint(events + ".checkpoint")
        return length, offsets == total

    sampler = Sampler(probe)
    time_file = os.path.join(work, f"worker-{round_index}.time")
    with open(log_path, "wb") as log:
        process = timed([os.path.join(build, "bin", "storage-worker")], time_file, env=env,
                        stdout=log, stderr=subprocess.STDOUT)
        sampler.start()
        sampler.join(RUN_DEADLINE_S)
        sampler.stop = True
        # The worker is GNU time's only child; SIGTERM is its graceful stop.
        with open(f"/proc/{process.pid}/task/{process.pid}/children") as children:
            os.kill(int(children.read().split()[0]), signal.SIGTERM)
        status = process.wait()
    if status != 0:
        sys.exit(f"storage-worker exited {status}; log in {log_path}")
    measured = result("storage-worker", sampler, events, time_file, total)
    shutil.rmtree(data)
    return measured


def preload(bootstrap, work, partitions, per_partition):
    for partition in range(partitions):
        values = os.path.join(work, f"values.{partition}")
        with open(values, "w") as handle:
            handle.writelines(visit(partition, i) for i in range(per_partition))
        subprocess.run(["kcat", "-P", "-q", "-z", "lz4", "-b", bootstrap, "-t", "user-events",
                        "-p", str(partition), "-l", values], check=True)
        os.remove(values)


def start_broker(build, work, partitions):
    bootstrap_file = os.path.join(work, "bootstrap")
    broker = subprocess.Popen([os.path.join(build, "bin", "kafka-dev-broker"), "--partitions",
                               str(partitions), "--bootstrap-file", bootstrap_file],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(bootstrap_file) and os.path.getsize(bootstrap_file) > 0:
            with open(bootstrap_file) as handle:
                return broker, handle.readline().strip()
        time.sleep(0.1)
    broker.kill()
    sys.exit("kafka-dev-broker did not start")


def cpu_seconds(pid):
    """User + system CPU of a running process, from /proc."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def show(name, row, total):
    print(f"  {name:<15}{row['rate']:>9.0f} events/s  ({row['counted']:.0f} events in "
          f"{row['seconds']:.3f} s; CPU {row['cpu']:.2f} s = {row['cpu'] / total * 1e6:.2f} us/event, "
          f"dev broker meanwhile {row['broker_cpu']:.2f} s; peak RSS {row['rss_kib'] / 1024:.1f} MiB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default="build")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--per-partition", type=int, default=60000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--env", action="append", default=[],
                        help="extra KEY=VALUE for the worker (e.g. TRACKER__WORKER__BATCHMAXEVENTS=5000)")
    parser.add_argument("--kcat-property", action="append", default=[],
                        help="extra librdkafka PROPERTY=VALUE for kcat (-X), e.g. the worker's "
                             "queued.min.messages=1000000")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    kcat_args = [arg for item in args.kcat_property for arg in ("-X", item)]
    total = args.partitions * args.per_partition

    work = tempfile.mkdtemp(prefix="bench-worker-")
    broker, bootstrap = start_broker(args.build, work, args.partitions)
    try:
        preload(bootstrap, work, args.partitions, args.per_partition)
        print(f"events: {total} ({args.partitions} partitions x {args.per_partition}, lz4); "
              f"worker env: {extra_env or 'defaults'}; kcat -X: {args.kcat_property or 'none'}")
        kcat_rows, worker_rows = [], []
        for index in range(args.rounds):
            # Alternate who goes first, so neither always meets a warmer broker.
            order = ["kcat", "worker"] if index % 2 == 0 else ["worker", "kcat"]
            for side in order:
                # The dev broker shares the machine's cores with the side measured.
                broker_cpu = cpu_seconds(broker.pid)
                if side == "kcat":
                    kcat_rows.append(run_kcat(bootstrap, work, total, kcat_args))
                else:
                    worker_rows.append(run_worker(args.build, bootstrap, work, total, index, extra_env))
                rows = kcat_rows if side == "kcat" else worker_rows
                rows[-1]["broker_cpu"] = cpu_seconds(broker.pid) - broker_cpu
            print(f"round {index + 1} ({' first, '.join(order)} second):")
            show("kcat -C -e", kcat_rows[-1], total)
            show("storage-worker", worker_rows[-1], total)
            print(f"  ratio          {worker_rows[-1]['rate'] / kcat_rows[-1]['rate']:.2f}x")
        ratios = [w["rate"] / k["rate"] for w, k in zip(worker_rows, kcat_rows)]
        print(f"median of {args.rounds} rounds:")
        for name, rows in (("kcat -C -e", kcat_rows), ("storage-worker", worker_rows)):
            median = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
            show(name, median, total)
        print(f"  ratio          {statistics.median(ratios):.2f}x (median of per-round ratios; "
              f"range {min(ratios):.2f}-{max(ratios):.2f})")
    finally:
        broker.send_signal(signal.SIGTERM)
        broker.wait(30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
