#!/usr/bin/env python3
"""Scenario 8, HTTP abuse against the pixel (brokers up, no worker needed):
64 KiB headers, garbage bytes, conflicting Content-Length/Transfer-Encoding,
pipelining floods, slowloris connections dribbling header lines and idle
connections, while a normal client (loadgen, a fresh connection per request)
measures latency against a baseline taken before and after (pooled: this
machine's own latency spikes come and go over seconds, and one window of
them either side is a fairer floor than either alone).
Pass rules (asserted): 64 KiB header -> 431 and close; garbage -> 400 and
close; CL+TE -> 400 and close; every pipelined request answered 200 in one
connection; every slowloris and idle connection closed by the server (none
held past 3x the header timeout); the normal client gets only 200s; the
pixel still answers afterwards. Reported: the normal client's p99 during
abuse vs baseline (goal <= 2x), pixel VmHWM, time to close of slow/idle
connections.
Full: 1,000 slowloris + 10,000 idle connections (default header timeout
10 s), 20 floods x 2,000 pipelined requests. Short (ctest): 200 + 1,000,
header timeout 3 s, 5 x 500."""
import asyncio
import os
import resource
import sys
import time

sys.dont_write_bytecode = True
import abuse_clients as clients  # noqa: E402
import harness  # noqa: E402
import load_results  # noqa: E402


def raise_fd_limit(wanted):
    """Soft (and if allowed hard) RLIMIT_NOFILE up to `wanted`; the pixel inherits it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def spread(times):
    closed = sorted(t for t in times if t is not None)
    if not closed:
        return "none closed"
    return (f"{len(closed)}/{len(times)} closed, after {closed[0]:.1f}..{closed[-1]:.1f} s "
            f"(median {closed[len(closed) // 2]:.1f} s)")


async def abuse(port, slow, idle, floods, flood_size, limit_s):
    return await asyncio.gather(clients.slowloris(port, slow, 1.0, limit_s),
                                clients.idle(port, idle, limit_s),
                                *(clients.pipelined(port, flood_size) for _ in range(floods)))


def main():
    args = harness.parse_args(__doc__, lambda p: p.add_argument(
        "--max-connections", type=int, default=None,
        help="TRACKER__HTTP__MAXCONNECTIONS for the pixel (default: the pixel's own, 10,000)"))
    slow, idle, floods, flood_size, header_ms = (200, 1000, 5, 500, 3000) if args.short \
        else (1000, 10000, 20, 2000, 10000)
    rate, baseline_s = 200, 5 if args.short else 10
    verdict = harness.Verdict("http-abuse")
    fd_limit = raise_fd_limit(65536)
    verdict.figure(f"RLIMIT_NOFILE {fd_limit}")
    # The abusers stand for remote clients: they get their own core, as they
    # would their own machines, and this script runs there too. The pixel and
    # the normal client (200 req/s, little CPU) share the other core.
    server_cpus, client_cpus = harness.split_cpus()
    if client_cpus:
        os.sched_setaffinity(0, client_cpus)
    verdict.figure(f"CPUs: pixel + normal client {sorted(server_cpus or [])}, "
                   f"broker + abusers {sorted(client_cpus or [])}")
    with harness.Stack(args, "abuse") as stack:
        stack.start_broker(cpus=client_cpus)
        env = {"TRACKER__HTTP__HEADERTIMEOUTMS": str(header_ms)}
        if args.max_connections:
            env["TRACKER__HTTP__MAXCONNECTIONS"] = str(args.max_connections)
        pixel = stack.start_pixel(env, cpus=server_cpus)
        base = stack.start_load(pixel, "base", rate, rate * baseline_s, 8, ["--fresh-connections"],
                                cpus=server_cpus).finish()
        verdict.figure("baseline before (normal client): " + load_results.fmt_summary(base.summary()))
        rss_before = pixel.vm_hwm_kib()

        big = b"GET /track HTTP/1.1\r\nHost: px\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"
        statuses, closed = asyncio.run(clients.one_shot(port := pixel.port, big))
        verdict.rule("64 KiB header -> 431 and close", statuses == [431] and closed, f"{statuses} closed={closed}")
        garbage = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n"
        statuses, closed = asyncio.run(clients.one_shot(port, garbage))
        verdict.rule("garbage bytes -> 400 and close", statuses == [400] and closed, f"{statuses} closed={closed}")
        for method in (b"GET", b"POST"):
            smuggle = (method + b" /track HTTP/1.1\r\nHost: px\r\nContent-Length: 5\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /track?smuggled=1 HTTP/1.1\r\nHost: px\r\n\r\n")
            statuses, closed = asyncio.run(clients.one_shot(port, smuggle))
            verdict.rule(f"{method.decode()} with Content-Length and Transfer-Encoding -> 400 and close",
                         statuses == [400] and closed, f"{statuses} closed={closed}")

        load = stack.start_load(pixel, "abuse", rate, int(rate * (3 * header_ms / 1000 + 4)), 8,
                                ["--fresh-connections", "--timeout-ms", str(4 * header_ms)],
                                cpus=server_cpus)
        started, started_unix = time.monotonic(), time.time()
        (slow_times, slow_status, slow_failed), (idle_times, idle_failed), *flooded = asyncio.run(
            abuse(port, slow, idle, floods, flood_size, 3 * header_ms / 1000))
        abuse_s = time.monotonic() - started
        ended_unix = time.time()
        load.finish()
        # Only the requests sent while the abuse lasted (the load runs on after it).
        whole = load.summary()
        during = load.summary(started_unix, ended_unix)
        verdict.figure(f"slowloris {slow} (1 header line/s): {spread(slow_times)}; open failed {slow_failed}; "
                       f"statuses sent {sorted(set(s for s in slow_status if s))}")
        verdict.figure(f"idle {idle}: {spread(idle_times)}; open failed {idle_failed}")
        verdict.figure(f"pipelining floods: {floods} x {flood_size}: answered {flooded}")
        verdict.figure("during abuse (normal client): " + load_results.fmt_summary(during))
        base_after = stack.start_load(pixel, "base-after", rate, rate * baseline_s, 8, ["--fresh-connections"],
                                      cpus=server_cpus).finish()
        verdict.figure("baseline after (normal client): " + load_results.fmt_summary(base_after.summary()))
        base_s = load_results.records_summary(base.records + base_after.records)
        verdict.figure("baseline, both pooled: " + load_results.fmt_summary(base_s))
        ratio = during["p99_ms"] / base_s["p99_ms"] if base_s["p99_ms"] else float("inf")
        verdict.figure(f"normal client p99 during abuse / baseline = {ratio:.2f} (goal <= 2); abuse lasted {abuse_s:.1f} s")
        verdict.figure(f"pixel VmHWM {rss_before / 1024:.1f} MiB before abuse, {pixel.vm_hwm_kib() / 1024:.1f} MiB after")
        samples = harness.metrics(pixel.admin_port)
        timeouts = {w: int(samples.get(f'tracker_pixel_http_timeouts_total{{waiting="{w}"}}', 0))
                    for w in ("first_request", "next_request", "header", "reply", "linger")}
        evicted = int(samples.get("tracker_pixel_http_connections_evicted_total", 0))
        verdict.figure("pixel timeouts by what they waited for: "
                       + ", ".join(f"{w} {n}" for w, n in timeouts.items()) + f"; evicted at the cap {evicted}")

        verdict.rule("every slowloris connection closed by the server",
                     None not in slow_times and slow_failed == 0)
        verdict.rule("every idle connection closed by the server", None not in idle_times and idle_failed == 0)
        # What an operator sees of it: each slow or idle connection counted
        # as a timeout (header, or first_request) or as evicted at the cap.
        verdict.rule("every slowloris and idle connection counted in /metrics",
                     timeouts["header"] + timeouts["first_request"] + evicted >= slow + idle,
                     f"{timeouts['header']} + {timeouts['first_request']} + {evicted} for {slow + idle}")
        verdict.rule("every pipelined request answered 200", all(n == flood_size for n in flooded))
        verdict.rule("normal client: every request answered 200", whole["ok"] == whole["sent"] > 0,
                     load_results.fmt_summary(whole))
        after = stack.start_load(pixel, "after", 50, 50, cpus=server_cpus).finish().summary()
        verdict.rule("pixel still answers afterwards", after["ok"] == 50)
    return verdict.exit_code()


if __name__ == "__main__":
    harness.run_scenario(main)
