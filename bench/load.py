"""A bounded, closed-loop load generator on threads and http.client.

`concurrency` clients each send a request, wait for the whole answer, and send the next, until
`duration` seconds have passed or `max_requests` have been sent in total: the load is bounded
(never more than `concurrency` requests in flight), so the figure is the server's throughput at
that concurrency, not how many requests a queue can absorb. It runs on the same 2-core machine
as the server, so it takes some of the CPU it measures (a few per cent: one request costs the
client about 0.3 ms of CPU, a page costs the server 10-40 ms).

    .venv/bin/python bench/load.py --port 8000 --path /healthz --concurrency 8 --duration 10
"""
from __future__ import annotations

import argparse
import threading
import time

try:
    from .common import Session, percentile
except ImportError:  # run as a script
    from common import Session, percentile


def run_load(host: str, port: int, path: str, *, cookies: dict | None = None, concurrency: int = 8,
             duration: float = 10.0, max_requests: int = 100_000, warmup: float = 1.0) -> dict:
    """Requests per second, latency percentiles and error count for one path under load.

    The first `warmup` seconds are run but not counted.
    """
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    start = time.perf_counter()
    count_from = start + warmup
    stop_at = count_from + duration
    counted_first: list[float] = []

    def client():
        nonlocal sent
        session = Session(host, port)
        session.cookies = dict(cookies or {})
        while True:
            now = time.perf_counter()
            with lock:
                if now >= stop_at or sent >= max_requests:
                    return
                sent += 1
            try:
                status, _body, seconds = session.get(path)
                key = None if status == 200 else f"HTTP {status}"
            except OSError as exc:
                seconds, key = 0.0, type(exc).__name__
            done = time.perf_counter()
            with lock:
                if key:
                    errors[key] = errors.get(key, 0) + 1
                elif done >= count_from and done <= stop_at:
                    latencies.append(seconds)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = min(time.perf_counter(), stop_at) - count_from
    return {"path": path, "concurrency": concurrency, "seconds": round(elapsed, 2), "requests": len(latencies),
            "rps": len(latencies) / elapsed if elapsed > 0 else 0.0,
            "p50_ms": percentile(latencies, 50) * 1000, "p95_ms": percentile(latencies, 95) * 1000,
            "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description="Closed-loop HTTP load on one path.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--cookie", action="append", default=[], help="name=value, repeatable")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    cookies = dict(c.split("=", 1) for c in args.cookie)
    r = run_load(args.host, args.port, args.path, cookies=cookies, concurrency=args.concurrency,
                 duration=args.duration, max_requests=args.max_requests)
    print(f"{r['path']}: {r['rps']:.1f} req/s at concurrency {r['concurrency']} over {r['seconds']} s, "
          f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, errors {r['errors'] or 0}")


if __name__ == "__main__":
    main()
