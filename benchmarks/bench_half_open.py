"""How fast a normal request is answered while many clients hold half-sent requests open.

    .venv/bin/python benchmarks/bench_half_open.py [--half-open 500] [--runs 5]

Starts gunicorn as ``make serve`` does (gunicorn.conf.py, 2 workers) on the tests' tiny site
on a free 127.0.0.1 port, opens ``--half-open`` connections that each send half a request and
wait, then times ``/healthz``, a search and ``/index.html`` ``--runs`` times each. Prints the
latencies (the test, tests/web/test_web_faults.py, checks only that they are answered).
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.servers import machine_line, start_gunicorn, stop  # noqa: E402
from harness.sites import write_tiny_site  # noqa: E402

PATHS = ("/healthz", "/api/books?q=prince", "/index.html")


def timed_get(port: int, path: str) -> tuple[int, float]:
    """(status, seconds) of one GET on a new connection."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half-open", type=int, default=500, help="connections holding half a request")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per path")
    args = parser.parse_args(argv)
    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        static = Path(tmp) / "static"
        write_tiny_site(static)
        base, proc = start_gunicorn(static, Path(tmp) / "gunicorn.log", workers=2)
        port = int(base.rsplit(":", 1)[1].strip("/"))
        held = []
        try:
            for _ in range(args.half_open):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.sendall(b"GET /api/books?q=a HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
                held.append(sock)
            print(f"{args.half_open} half-open connections held; {args.runs} requests per path:")
            for path in PATHS:
                timings = [timed_get(port, path) for _ in range(args.runs)]
                statuses = sorted({status for status, _ in timings})
                ms = sorted(seconds * 1000 for _, seconds in timings)
                median, worst = ms[len(ms) // 2], ms[-1]
                print(f"  {path:<22} status {statuses}  median {median:.1f} ms  max {worst:.1f} ms")
        finally:
            for sock in held:
                sock.close()
            stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
