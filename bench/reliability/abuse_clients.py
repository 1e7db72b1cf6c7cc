"""Abusive HTTP clients for the http_abuse scenario, on asyncio: slow and
idle connections, oversized and malformed requests, pipelining floods. Each
returns what the server did (status, bytes, time to close)."""
import asyncio
import re
import time

HOST = "127.0.0.1"
STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


async def open_many(port, count, batch=200):
    """`count` connections, opened `batch` at a time (the accept backlog is
    finite); the ones that failed to open are counted, not raised."""
    streams, failed = [], 0
    for first in range(0, count, batch):
        results = await asyncio.gather(*(asyncio.open_connection(HOST, port)
                                         for _ in range(min(batch, count - first))),
                                       return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                failed += 1
            else:
                streams.append(result)
    return streams, failed


async def time_to_close(reader, writer, started, limit_s, dribble_every_s=None):
    """Seconds until the server closes (EOF or reset), None if still open at
    `limit_s`; with `dribble_every_s`, one more header byte pair is sent at
    that interval meanwhile. Also returns the status the server sent, if any."""
    status = None
    while time.monotonic() - started < limit_s:
        wait = dribble_every_s or (limit_s - (time.monotonic() - started))
        try:
            data = await asyncio.wait_for(reader.read(4096), timeout=max(0.01, wait))
        except asyncio.TimeoutError:
            try:
                writer.write(b"X-Slow: 1\r\n")
                await writer.drain()
            except (ConnectionError, OSError):
                return time.monotonic() - started, status
            continue
        except (ConnectionError, OSError):
            return time.monotonic() - started, status
        if not data:
            return time.monotonic() - started, status
        match = STATUS.search(data)
        if match and status is None:
            status = int(match.group(1))
    return None, status


async def slowloris(port, count, dribble_every_s, limit_s):
    """Connections that send a request line, then a header line every
    `dribble_every_s`, never finishing; (times to close, statuses, failed opens)."""
    streams, failed = await open_many(port, count)
    started = time.monotonic()
    for _, writer in streams:
        writer.write(b"GET /track HTTP/1.1\r\nHost: px\r\n")
    results = await asyncio.gather(*(time_to_close(r, w, started, limit_s, dribble_every_s)
                                     for r, w in streams))
    for _, writer in streams:
        writer.close()
    return [t for t, _ in results], [s for _, s in results], failed


async def idle(port, count, limit_s):
    """Connections that send nothing; (times to close, failed opens)."""
    streams, failed = await open_many(port, count)
    started = time.monotonic()
    results = await asyncio.gather(*(time_to_close(r, w, started, limit_s) for r, w in streams))
    for _, writer in streams:
        writer.close()
    return [t for t, _ in results], failed


async def one_shot(port, payload, limit_s=15):
    """Sends `payload`, reads to EOF; (statuses seen in order, closed by server)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    received = b""
    closed = False
    try:
        writer.write(payload)
        await writer.drain()
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            data = await asyncio.wait_for(reader.read(65536), timeout=deadline - time.monotonic())
            if not data:
                closed = True
                break
            received += data
    except (ConnectionError, OSError):
        closed = True
    except asyncio.TimeoutError:
        pass
    writer.close()
    return [int(m) for m in STATUS.findall(received)], closed


async def pipelined(port, requests, limit_s=30):
    """`requests` GETs written in one go on one connection; the 200s read back."""
    reader, writer = await asyncio.open_connection(HOST, port)
    payload = b"".join(b"GET /track?pipe=%d HTTP/1.1\r\nHost: px\r\n\r\n" % i for i in range(requests))
    writer.write(payload)
    received = b""
    deadline = time.monotonic() + limit_s
    try:
        await writer.drain()
        while received.count(b"HTTP/1.1 200 ") < requests and time.monotonic() < deadline:
            data = await asyncio.wait_for(reader.read(1 << 16), timeout=deadline - time.monotonic())
            if not data:
                break
            received += data
    except (ConnectionError, OSError, asyncio.TimeoutError):
        pass
    writer.close()
    return received.count(b"HTTP/1.1 200 ")
