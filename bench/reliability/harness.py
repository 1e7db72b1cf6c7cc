"""Processes and measurements shared by the reliability scenarios: the dev
broker, the pixel service, storage workers, the load generator (its results:
load_results.py), /metrics and the pass/fail report. Every wait has a deadline; no sleep stands in for a
condition (sleeps below only pace polling or *are* the scenario's timing)."""
import argparse
import ctypes
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import check_ids
from load_results import LoadRun

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Short consumer sessions: the dev broker keeps a killed member's partitions
# until its session ends (docs/kafka-dev-broker.md).
WORKER_SESSION_ENV = {
    "TRACKER__KAFKA__CONFIG__SESSION_TIMEOUT_MS": "6000",
    "TRACKER__KAFKA__CONFIG__HEARTBEAT_INTERVAL_MS": "1000",
}


_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Runs in each child before exec: SIGKILL it when this script dies, so a
    scenario killed by a ctest timeout leaves no broker or service behind."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child_setup(cpus):
    """The preexec_fn of every child: die with this script and, if `cpus` is
    given, run on those CPUs only (set before exec, so every thread inherits it)."""
    def setup():
        _die_with_parent()
        if cpus:
            os.sched_setaffinity(0, cpus)
    return setup


def split_cpus():
    """(server CPUs, client CPUs) for scenarios that keep the clients off the
    server's core, as remote clients would be; (None, None) on one CPU."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, set(cpus[1:])


def _exit_on_sigterm(number, _frame):
    raise SystemExit(128 + number)  # unwinds through Stack.__exit__


signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _process_state(pid):
    """The state letter of /proc/PID/stat ("R", "S", "T" for stopped, ...)."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def wait_until(condition, deadline_s, what):
    until = time.monotonic() + deadline_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= until:
            raise TimeoutError(f"timed out after {deadline_s}s waiting for {what}")
        time.sleep(0.05)


def parse_args(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"))
    parser.add_argument("--short", action="store_true", help="the short ctest variant")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    if extra:
        extra(parser)
    return parser.parse_args()


class Process:
    """A child with stdout+stderr in a log file; killed on close()."""

    def __init__(self, name, argv, env, work_dir, cpus=None):
        self.name = name
        self.log_path = os.path.join(work_dir, f"{name}.log")
        full_env = dict(os.environ)
        full_env.update(env)
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(argv, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, preexec_fn=_child_setup(cpus))

    @property
    def pid(self):
        return self.popen.pid

    def log(self):
        with open(self.log_path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def wait_for_log(self, pattern, deadline_s=60, after=0):
        """Waits for `pattern` (regex) in the log past character `after`; the match."""
        def found():
            if self.popen.poll() is not None and not re.search(pattern, self.log()[after:]):
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n{self.log()[-3000:]}")
            return re.search(pattern, self.log()[after:])
        return wait_until(found, deadline_s, f"{self.name}: /{pattern}/")

    def signal(self, number):
        self.popen.send_signal(number)

    def wait_exit(self, deadline_s):
        try:
            return self.popen.wait(timeout=deadline_s)
        except subprocess.TimeoutExpired:
            return None

    def close(self):
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()

    def vm_hwm_kib(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0


def metrics(port):
    """/metrics as {sample: value}, the sample being `name{labels}`."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            sample, _, value = line.rpartition(" ")
            samples[sample] = float(value)
    return samples


def wait_committed(worker, deadline_s=60):
    """Waits until the group holds every offset the worker stored. A member
    joining earlier takes partitions over at the older group offset and
    stores the gap again (see docs/reliability-findings.md, commits refused while the
    group rebalances)."""
    def offsets(samples, name):
        prefix = f"tracker_worker_{name}{{"
        return {key[len(prefix):]: value for key, value in samples.items() if key.startswith(prefix)}

    def caught_up():
        samples = metrics(worker.admin_port)
        stored, committed = offsets(samples, "stored_offset"), offsets(samples, "committed_offset")
        return stored and all(committed.get(labels, -1) >= offset for labels, offset in stored.items())
    return wait_until(caught_up, deadline_s, f"{worker.name}'s commits to reach its stored offsets")


class Stack:
    """The pieces of one scenario run in one work directory, all stopped on exit."""

    def __init__(self, args, name):
        self.args = args
        self.bin = args.bin_dir
        self.work = tempfile.mkdtemp(prefix=f"reliability-{name}-")
        self.processes = []
        self.bootstrap = None
        self.broker = None
        self.cleanups = []  # run after the processes stop, last first

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process in reversed(self.processes):
            if process.popen.poll() is None:
                process.signal(signal.SIGCONT)  # a hung broker would not see the SIGTERM
                process.signal(signal.SIGTERM)
                if process.wait_exit(15) is None:
                    process.close()
        for cleanup in reversed(self.cleanups):
            cleanup()
        if exc[0] is not None or self.args.keep:
            print(f"work directory kept: {self.work}")
        else:
            subprocess.run(["rm", "-rf", self.work], check=False)
        return False

    def path(self, name):
        return os.path.join(self.work, name)

    def start(self, name, program, env, args=(), cpus=None):
        process = Process(name, [os.path.join(self.bin, program), *args], env, self.work, cpus)
        self.processes.append(process)
        return process

    # --- dev broker ----------------------------------------------------
    def start_broker(self, cpus=None):
        bootstrap_file = self.path("bootstrap")
        self.broker = self.start("broker", "kafka-dev-broker", {}, ["--bootstrap-file", bootstrap_file],
                                 cpus)
        wait_until(lambda: os.path.exists(bootstrap_file), 60, "broker bootstrap file")
        with open(bootstrap_file) as handle:
            self.bootstrap = handle.read().strip()
        return self.broker

    def brokers_down(self):
        mark = len(self.broker.log())
        self.broker.signal(signal.SIGUSR1)
        self.broker.wait_for_log("brokers down", 20, after=mark)

    def brokers_up(self):
        mark = len(self.broker.log())
        self.broker.signal(signal.SIGUSR2)
        self.broker.wait_for_log("brokers up", 20, after=mark)

    def broker_hang(self):
        """SIGSTOP: a hung broker. Connections stay open and the kernel takes in
        what clients send; nothing is answered until broker_resume()."""
        self.broker.signal(signal.SIGSTOP)
        wait_until(lambda: _process_state(self.broker.pid) == "T", 5, "broker stopped")

    def broker_resume(self):
        self.broker.signal(signal.SIGCONT)

    def kafka_env(self):
        return {"TRACKER__KAFKA__SERVERS": self.bootstrap, "TRACKER__ADMIN__PORT": "0",
                "TRACKER__ADMIN__ADDRESS": "127.0.0.1"}

    # --- pixel service ---------------------------------------------------
    def start_pixel(self, env=None, name="pixel", cpus=None):
        full = self.kafka_env()
        full.update({"TRACKER__HTTP__PORT": "0", "TRACKER__HTTP__ADDRESS": "127.0.0.1"})
        full.update(env or {})
        pixel = self.start(name, "pixel-service", full, cpus=cpus)
        pixel.port = int(pixel.wait_for_log(r"public HTTP listening on [^ ]*:(\d+)\n").group(1))
        pixel.admin_port = int(pixel.wait_for_log(r"admin listening on [^ ]*:(\d+)\n").group(1))
        return pixel

    # --- storage worker --------------------------------------------------
    def start_worker(self, events_file, env=None, name="worker", wait_assigned=True):
        full = self.kafka_env()
        full.update(WORKER_SESSION_ENV)
        full["TRACKER__FILEEVENTSTORE__FILE"] = events_file
        full.update(env or {})
        mark = 0
        if os.path.exists(os.path.join(self.work, f"{name}.log")):
            with open(os.path.join(self.work, f"{name}.log"), "rb") as handle:
                mark = len(handle.read().decode("utf-8", "replace"))
        worker = self.start(name, "storage-worker", full)
        worker.admin_port = int(worker.wait_for_log(r"admin port (\d+)\n", 60, after=mark).group(1))
        if wait_assigned:
            worker.wait_for_log("assigned", 60, after=mark)
        return worker

    # --- load --------------------------------------------------------------
    def start_load(self, pixel, run_id, rate, count, connections=16, extra=(), cpus=None):
        ids = self.path(f"{run_id}.ids")
        records = self.path(f"{run_id}.csv")
        argv = [os.path.join(self.bin, "loadgen"), "--port", str(pixel.port), "--rate", str(rate),
                "--count", str(count), "--connections", str(connections), "--run-id", run_id,
                "--ids-out", ids, "--records", records, *extra]
        out = open(self.path(f"{run_id}.out"), "wb")
        popen = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_child_setup(cpus))
        return LoadRun(popen, out, ids, records, self.path(f"{run_id}.out"), count / rate)


class Verdict:
    """Collects pass rules; prints each as PASS/FAIL and returns the exit code."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.failed = []

    def figure(self, text):
        print(f"[{self.scenario}] {text}", flush=True)

    def rule(self, name, ok, detail=""):
        print(f"[{self.scenario}] {'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""),
              flush=True)
        if not ok:
            self.failed.append(name)

    def exit_code(self):
        print(f"[{self.scenario}] {'FAILED: ' + ', '.join(self.failed) if self.failed else 'all pass rules hold'}",
              flush=True)
        return 1 if self.failed else 0


def run_scenario(body):
    """Runs body(); any exception is a failure with its message, exit 1."""
    try:
        sys.exit(body())
    except Exception as error:  # noqa: BLE001 - the scenario failed, say why
        print(f"scenario error: {type(error).__name__}: {error}", flush=True)
        sys.exit(1)


def wait_all_stored(verdict, ids, log_paths, deadline_s):
    """Waits until every id is in the logs (or the deadline); returns the counts."""
    until = time.monotonic() + deadline_s
    while True:
        counts = check_ids.check(ids, [p for p in log_paths if os.path.exists(p)])
        if counts["missing"] == 0 or time.monotonic() >= until:
            break
        time.sleep(0.5)
    verdict.figure(check_ids.describe(counts) + (f", other lines {counts['other']}" if counts["other"] else ""))
    if counts["missing_ids"]:
        verdict.figure("first missing ids: " + " ".join(counts["missing_ids"]))
    return counts


def pixel_events(pixel):
    """The pixel's event outcome counters from /metrics."""
    samples = metrics(pixel.admin_port)
    out = {}
    for outcome in ("produced", "delivered", "failed", "dropped"):
        out[outcome] = int(samples.get(f'tracker_pixel_events_total{{outcome="{outcome}"}}', 0))
    out["failed_possibly_stored"] = int(samples.get("tracker_pixel_events_failed_possibly_stored_total", 0))
    out["queue_depth"] = int(samples.get("tracker_pixel_producer_queue_depth", 0))
    out["dropped_queue_full"] = int(samples.get('tracker_pixel_events_dropped_total{reason="queue_full"}', 0))
    return out


def sleep_sampling(seconds, sample, every_s=0.5):
    """Sleeps `seconds` (scenario timing, not synchronisation), calling sample() every `every_s`."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        sample()
        time.sleep(min(every_s, max(0.0, until - time.monotonic())))


def wait_pixel_settled(pixel, answered, deadline_s=120):
    """Waits until the pixel accounted for every answered request (produced or
    dropped) and every produced event has its delivery report; the counters."""
    def settled():
        counts = pixel_events(pixel)
        accounted = counts["produced"] + counts["dropped"] >= answered
        reported = counts["delivered"] + counts["failed"] >= counts["produced"]
        return counts if accounted and reported and counts["queue_depth"] == 0 else None
    return wait_until(settled, deadline_s, "pixel delivery reports for every event")


def wait_stored_count(ids, log_paths, expected_stored, deadline_s=120):
    """Waits until the logs hold `expected_stored` of the ids (or the deadline); the counts."""
    until = time.monotonic() + deadline_s
    while True:
        counts = check_ids.check(ids, [p for p in log_paths if os.path.exists(p)])
        if counts["stored"] >= expected_stored or time.monotonic() >= until:
            return counts
        time.sleep(0.5)

