"""What a loadgen run reports: its per-request records (n, scheduled_us,
status, latency_us), and counts and latency percentiles over them."""
import re
import time

import check_ids


class LoadRun:
    def __init__(self, popen, out, ids, records, out_path, planned_s):
        self.popen, self.out, self.ids_path, self.records_path = popen, out, ids, records
        self.out_path, self.planned_s = out_path, planned_s
        self.started = time.time()

    def finish(self):
        code = self.popen.wait(timeout=self.planned_s + 120)
        self.out.close()
        with open(self.out_path) as handle:
            self.output = handle.read()
        if code != 0:
            raise RuntimeError(f"loadgen failed ({code}): {self.output}")
        self.start_unix_ms = int(re.search(r"start_unix_ms (\d+)", self.output).group(1))
        self.total = self.output.strip().splitlines()[-1]
        self.records = []
        with open(self.records_path) as handle:
            next(handle)
            for line in handle:
                n, scheduled, status, latency = (int(x) for x in line.split(","))
                self.records.append((n, scheduled, status, latency))
        return self

    def ids(self):
        return check_ids.read_ids(self.ids_path)

    def summary(self, from_unix=None, to_unix=None):
        """Counts and latency percentiles (ms) of the requests scheduled in [from, to)."""
        lo = -1e18 if from_unix is None else (from_unix * 1000 - self.start_unix_ms) * 1000
        hi = 1e18 if to_unix is None else (to_unix * 1000 - self.start_unix_ms) * 1000
        return records_summary([r for r in self.records if lo <= r[1] < hi])


def records_summary(records):
    """Counts and latency percentiles (ms) of loadgen records (n, scheduled_us, status, latency_us)."""
    latencies = sorted(r[3] for r in records)

    def pct(fraction):
        if not latencies:
            return 0.0
        index = min(len(latencies) - 1, max(0, int(-(-fraction * len(latencies) // 1)) - 1))
        return latencies[index] / 1000.0
    return {"sent": len(records), "ok": sum(1 for r in records if r[2] == 200),
            "non_200": sum(1 for r in records if r[2] not in (0, 200)),
            "errors": sum(1 for r in records if r[2] == 0),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": latencies[-1] / 1000.0 if latencies else 0.0}


def fmt_summary(s):
    return (f"sent {s['sent']} ok {s['ok']} non_200 {s['non_200']} errors {s['errors']} "
            f"p50 {s['p50_ms']:.2f} ms p99 {s['p99_ms']:.2f} ms max {s['max_ms']:.2f} ms")
