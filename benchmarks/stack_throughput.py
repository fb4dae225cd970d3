"""The production shape under load: nginx (TLS, HTTP/1.1 keep-alive off, as many phones are) in
front of STACK_INSTANCES gunicorn instances of STACK_WORKERS sync workers each, on PostgreSQL with
the demo kampung, the page cache on Redis. 16 clients ask for each page for BENCH_SECONDS; prints
requests per second and latency percentiles as the clients see them, and the server time
(Server-Timing) at p95. Run with `PYTHONPATH=. .venv/bin/python benchmarks/stack_throughput.py`.
"""

from __future__ import annotations

import http.client
import os
import ssl
import sys
import tempfile
import threading
import time
from pathlib import Path

from deploy.stack import Stack, free_port
from tests.conftest import fresh_postgres

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
CLIENTS = 16
PAGES = ["/healthz", "/", "/produk", "/cari?q=nasi", "/kelurahan", "/static/css/app.css"]


def load(stack: Stack, path: str) -> tuple[int, list[float], list[float], int]:
    context = ssl.create_default_context(cafile=str(stack.workdir / "tls" / "cert.pem"))
    latencies: list[float] = []
    served: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def client():
        mine, theirs, failed = [], [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection = http.client.HTTPSConnection(
                "localhost", stack.https_port, context=context, timeout=30
            )
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
                    continue
                mine.append((time.perf_counter() - started) * 1000)
                timing = response.getheader("Server-Timing", "")
                if "dur=" in timing:
                    theirs.append(float(timing.split("dur=", 1)[1]))
            except OSError:
                failed += 1
            finally:
                connection.close()
        with lock:
            latencies.extend(mine)
            served.extend(theirs)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies, served, errors[0]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> int:
    instances = int(os.environ.get("STACK_INSTANCES", "2"))
    workers = int(os.environ.get("STACK_WORKERS", "2"))
    with tempfile.TemporaryDirectory() as folder, fresh_postgres("pkk_bench_stack") as url:
        stack = Stack(
            workdir=Path(folder),
            database_url=url,
            redis_base=10,
            https_port=free_port(),
            instances=instances,
            workers=workers,
        )
        try:
            stack.prepare(demo=True)
            stack.start()
        except Exception as error:  # noqa: BLE001 - a benchmark reports and goes on
            print(f"stack_throughput: the stack did not start: {error}")
            return 0
        try:
            print(
                f"Production shape: nginx (TLS) + {instances} instances x {workers} sync workers, "
                f"demo data on PostgreSQL, page cache on; {CLIENTS} clients x {SECONDS:g} s, "
                "a new TLS connection per request"
            )
            columns = ("req/s", "p50 ms", "p95 ms", "p99 ms", "srv p95", "err")
            print(f"{'page':24}" + "".join(f"{c:>9}" for c in columns))
            for path in PAGES:
                load(stack, path)  # warm: the page cache and the connections
                answers, latencies, served, errors = load(stack, path)
                cells = (
                    f"{answers / SECONDS:.1f}",
                    f"{percentile(latencies, 0.5):.1f}",
                    f"{percentile(latencies, 0.95):.1f}",
                    f"{percentile(latencies, 0.99):.1f}",
                    f"{percentile(served, 0.95):.1f}" if served else "-",
                    str(errors),
                )
                print(f"{path:24}" + "".join(f"{c:>9}" for c in cells))
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
