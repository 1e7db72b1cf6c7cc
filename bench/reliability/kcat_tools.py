"""kcat (an independent Kafka client) as the poison-messages scenario uses it:
producing arbitrary bytes, empty and NULL values, and reading a topic's
headers back."""
import os
import subprocess
import time


def kcat_produce(bootstrap, topic, values, work_dir):
    """Produces each value (any bytes, possibly empty) as one message: kcat
    sends a file given as an argument as one message."""
    files = []
    for index, value in enumerate(values):
        path = os.path.join(work_dir, f"kcat-{time.monotonic_ns()}-{index}")
        with open(path, "wb") as handle:
            handle.write(value)
        files.append(path)
    result = subprocess.run(["kcat", "-P", "-q", "-b", bootstrap, "-t", topic,
                             "-X", "message.max.bytes=4000000", *files],
                            capture_output=True, timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"kcat produce failed: {result.stderr.decode(errors='replace')}")


def kcat_headers(bootstrap, topic, deadline_s=30):
    """(offset, payload size, headers text) of every message in `topic`."""
    result = subprocess.run(["kcat", "-C", "-q", "-e", "-b", bootstrap, "-t", topic, "-o", "beginning",
                             "-X", "fetch.message.max.bytes=4000000", "-f", "%p:%o\t%S\t%h\n"],
                            capture_output=True, timeout=deadline_s, check=False)
    rows = []
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            rows.append((parts[0], int(parts[1]), parts[2]))
    return rows


def kcat_produce_empty(bootstrap, topic):
    """Two empty messages: an empty value and a NULL value (a tombstone), both
    keyed "k" (kcat skips empty files and empty lines, but not an empty value
    after a key delimiter). Returns how many were produced."""
    for null_flag in ([], ["-Z"]):
        result = subprocess.run(["kcat", "-P", "-q", "-b", bootstrap, "-t", topic, "-K:", *null_flag],
                                input=b"k:\n", capture_output=True, timeout=60, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"kcat produce failed: {result.stderr.decode(errors='replace')}")
    return 2
