"""Many clients at once against the production server on loopback: errors, timeouts, cross-talk, latency.

    python bench/load.py [--clients 16] [--seconds 30]

Every client keeps one connection open and posts real drawn digits (rendered
like the page renders them) in a loop. Each answer is compared with the answer
for the same drawing sent alone, so an answer meant for another request
(cross-talk between threads or workers) is caught. Bounded in time and count.
"""

import argparse
import http.client
import io
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import running_server  # noqa: E402
from recognition.strokes import render_recorded  # noqa: E402
from training.data import DRAWINGS, load_drawings  # noqa: E402


def drawing_pngs(count, strokes=DRAWINGS):
    """PNG bodies of real drawn digits, rendered like the page sends them."""
    pngs = []
    for record in load_drawings(strokes)[:count]:
        buffer = io.BytesIO()
        render_recorded(record["strokes"]).save(buffer, format="PNG")
        pngs.append(buffer.getvalue())
    return pngs


def post_png(connection, png, path="/api/predict"):
    connection.request("POST", path, body=png, headers={"Content-Type": "image/png"})
    response = connection.getresponse()
    return response.status, response.read()


def hammer(url, payloads, clients, seconds, max_requests=100_000, timeout=5.0, path="/api/predict"):
    """Run `clients` threads posting payloads to ``path`` round-robin until time or count runs out.

    Returns a list of (seconds, status, payload index, body); status 0 is a timeout
    or connection error.
    """
    address = urlsplit(url)
    results, lock = [], threading.Lock()
    deadline = time.perf_counter() + seconds
    budget = iter(range(max_requests))

    def client(offset):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
        index = offset
        while time.perf_counter() < deadline:
            with lock:
                if next(budget, None) is None:
                    break
            index = (index + 1) % len(payloads)
            started = time.perf_counter()
            try:
                status, body = post_png(connection, payloads[index], path)
            except (OSError, http.client.HTTPException):
                status, body = 0, b""
                connection.close()
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
            elapsed = time.perf_counter() - started
            with lock:
                results.append((elapsed, status, index, body))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summary(results, seconds):
    latencies = np.array([r[0] for r in results]) * 1000
    return {"requests": len(results), "throughput_per_s": len(results) / seconds,
            "p50_ms": float(np.percentile(latencies, 50)), "p90_ms": float(np.percentile(latencies, 90)),
            "p99_ms": float(np.percentile(latencies, 99)), "max_ms": float(latencies.max())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--drawings", type=int, default=50)
    parser.add_argument("--url", help="a running server (default: start python -m webapp)")
    args = parser.parse_args()
    payloads = drawing_pngs(args.drawings)

    def run(url):
        address = urlsplit(url)
        alone = []
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        for png in payloads:
            alone.append(post_png(connection, png)[1])
        connection.close()
        started = time.perf_counter()
        results = hammer(url, payloads, args.clients, args.seconds)
        return alone, results, time.perf_counter() - started

    if args.url:
        alone, results, elapsed = run(args.url)
    else:
        with running_server() as (url, _):
            alone, results, elapsed = run(url)
    figures = summary(results, elapsed)
    figures["clients"] = args.clients
    figures["errors"] = sum(1 for r in results if r[1] not in (0, 200))
    figures["timeouts"] = sum(1 for r in results if r[1] == 0)
    figures["mismatched_answers"] = sum(1 for r in results if r[1] == 200 and r[3] != alone[r[2]])
    print(f"{args.clients} clients for {elapsed:.1f} s: {figures['requests']} requests, "
          f"{figures['throughput_per_s']:.0f}/s, p50 {figures['p50_ms']:.1f} ms, p90 {figures['p90_ms']:.1f} ms, "
          f"p99 {figures['p99_ms']:.1f} ms, max {figures['max_ms']:.1f} ms; errors {figures['errors']}, "
          f"timeouts {figures['timeouts']}, answers differing from the same drawing sent alone "
          f"{figures['mismatched_answers']}")
    print(json.dumps(figures))
    return 1 if figures["errors"] or figures["timeouts"] or figures["mismatched_answers"] else 0


if __name__ == "__main__":
    sys.exit(main())
