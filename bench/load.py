"""A closed-loop HTTP load generator: several processes, each with a few threads, each thread
on one keep-alive connection, sending requests built by a callback for a fixed time and timing
every answer. Used by bench/webhooks.py; runs in processes of its own so its CPU is not the
server's."""

from __future__ import annotations

import http.client
import multiprocessing
import statistics
import threading
import time
from collections.abc import Callable

#: kind -> (method, path, headers, body); called with the request's sequence number
Build = Callable[[int], tuple[str, str, str, dict, bytes]]


def _thread(port, build: Build, start: int, step: int, until: float, out: list) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    number = start
    while time.monotonic() < until:
        label, method, path, headers, body = build(number)
        began = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        out.append((label, status, time.perf_counter() - began, number))
        number += step
    connection.close()


def _process(port, build, index, processes, threads, seconds, queue) -> None:
    until = time.monotonic() + seconds
    results: list = []
    workers = [
        threading.Thread(
            target=_thread,
            args=(port, build, index * threads + t, processes * threads, until, results),
        )
        for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(results)


def run(port: int, build: Build, *, seconds: float, processes: int = 2, threads: int = 8):
    """Load the server for ``seconds``; returns every (label, status, latency s, number)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [
        context.Process(target=_process, args=(port, build, i, processes, threads, seconds, queue))
        for i in range(processes)
    ]
    for child in children:
        child.start()
    results = [row for _ in children for row in queue.get()]
    for child in children:
        child.join()
    return results


def summary(results, seconds: float) -> dict:
    latencies = sorted(latency for _, _, latency, _ in results)
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(results),
        "requests_per_second": round(len(results) / seconds, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p95_ms": round(quantiles[94] * 1000, 1),
        "p99_ms": round(quantiles[98] * 1000, 1),
        "5xx": sum(1 for _, status, _, _ in results if status >= 500 or status == 0),
    }
