"""Open-loop load on the search API: a fixed offered rate, whatever the server does.

    .venv/bin/python benchmarks/bench_load.py [--static static | --artifacts artifacts]
        [--rates 100,300,1000] [--seconds 30] [--knee] [--kill-worker-after S]

Starts the server as ``make serve`` does (gunicorn.conf.py) on a free 127.0.0.1 port, warms
every worker, then for each rate sends ``GET /api/books?q=<prefix>&limit=20`` at exactly that
many requests per second for ``--seconds``: request i is due at start + i / rate and is sent
then on an idle keep-alive connection, or a new one, never waiting for an earlier answer
(closed-loop clients slow down with the server and hide its queueing). Latency is counted from
the moment a request was due, so time spent queued in the generator counts too.

Queries are prefixes (2 to 12 characters) of real titles and author names, drawn from
``--queries`` of them, so the server's per-query cache helps only as much as real repeats do.
``--knee`` then searches (bisection, shorter runs) for the rate where p99 passes 100 ms.
``--kill-worker-after S`` SIGKILLs one gunicorn worker S seconds into each run and reports
what failed. The load generator runs on the same machine as the server (2 cores here).
Prints numbers; asserts nothing. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import runpy
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.servers import build_site_into, machine_line, start_gunicorn, stop  # noqa: E402

TIMEOUT = 10.0  # seconds before a request counts as an error
KNEE_MS = 100.0


@dataclass
class LoadConfig:
    static: Path | None
    artifacts: Path
    rates: list[int]
    seconds: float
    queries: int
    workers: int | None
    knee: bool
    knee_seconds: float
    kill_worker_after: float | None


def parse_args(argv: list[str] | None = None) -> LoadConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", default=None, help="a built site to serve (default: build one)")
    parser.add_argument("--artifacts", default="artifacts", help="artifacts to build the site from")
    parser.add_argument("--rates", default="100,300,1000", help="offered rates, requests per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run")
    parser.add_argument("--queries", type=int, default=20_000, help="distinct prefixes drawn from")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    parser.add_argument("--knee", action="store_true", help=f"find where p99 passes {KNEE_MS:.0f} ms")
    parser.add_argument("--knee-seconds", type=float, default=10.0, help="length of each --knee run")
    parser.add_argument(
        "--kill-worker-after", type=float, default=None, help="SIGKILL a worker this long into each run (s)"
    )
    args = parser.parse_args(argv)
    return LoadConfig(
        Path(args.static) if args.static else None,
        Path(args.artifacts),
        [int(rate) for rate in args.rates.split(",")],
        args.seconds,
        args.queries,
        args.workers,
        args.knee,
        args.knee_seconds,
        args.kill_worker_after,
    )


def queries_from(books: list[dict], count: int, seed: int = 0) -> list[str]:
    """Prefixes (2..12 characters) of real titles and author names: what people type."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        book = rng.choice(books)
        text = book["title"] if rng.random() < 0.7 else book["authors"]
        out.append(text[: rng.randint(2, 12)])
    return out


# ---------------------------------------------------------------------------------------
# The open-loop client


@dataclass
class RunResult:
    rate: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: list[str] = field(default_factory=list)
    max_send_lag: float = 0.0  # how late the generator sent its most delayed request
    connections: int = 0
    retried: int = 0  # requests resent because a kept-alive connection had just been closed
    killed: str = ""
    server_cpu: float = 0.0  # CPU seconds the workers used during the run

    def percentile(self, q: float) -> float:
        values = sorted(self.latencies)
        return values[min(len(values) - 1, int(len(values) * q))] * 1000 if values else float("nan")


class Client:
    """Keep-alive connections to one port; a request takes an idle one or opens another.

    Like browsers and urllib3, a request whose reused connection turns out to be closed
    before any answer byte (the server's keep-alive timeout won the race) is sent again on a
    new connection; ``retried`` counts those.
    """

    def __init__(self, port: int):
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0
        self.retried = 0

    async def get(self, path: str) -> int:
        while self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self._exchange(reader, writer, path)
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                if isinstance(error, asyncio.IncompleteReadError) and error.partial:
                    raise
                self.retried += 1
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.opened += 1
        return await self._exchange(reader, writer, path)

    async def _exchange(self, reader, writer, path: str) -> int:
        try:
            request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n"
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        if b"connection: close" in head.lower():
            writer.close()
        else:
            self.idle.append((reader, writer))
        return status


async def run_rate(
    port: int, rate: int, seconds: float, queries: list[str], kill_after: float | None, master: int
) -> RunResult:
    """Offer ``rate`` requests per second for ``seconds``; SIGKILL a worker at ``kill_after``."""
    result = RunResult(rate, seconds)
    client = Client(port)
    rng = random.Random(rate)
    loop = asyncio.get_running_loop()
    tasks = []

    async def one(path: str, due: float) -> None:
        try:
            status = await asyncio.wait_for(client.get(path), TIMEOUT)
            if status == 200:
                result.latencies.append(loop.time() - due)
            else:
                result.errors.append(f"HTTP {status}")
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            result.errors.append(type(error).__name__)

    async def killer() -> None:
        await asyncio.sleep(kill_after)
        victim = sorted(worker_pids(master))[0]
        errors, resent = len(result.errors), client.retried
        os.kill(victim, signal.SIGKILL)
        await asyncio.sleep(seconds - kill_after)
        failed, resent = len(result.errors) - errors, client.retried - resent
        result.killed = (
            f"worker {victim} SIGKILLed at {kill_after:.0f} s: then {failed} requests failed and "
            f"{resent} were resent (their kept-alive connection had died)"
        )

    if kill_after is not None:
        tasks.append(asyncio.ensure_future(killer()))
    start = loop.time() + 0.05
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        result.max_send_lag = max(result.max_send_lag, loop.time() - due)
        path = "/api/books?limit=20&q=" + quote(rng.choice(queries))
        tasks.append(asyncio.ensure_future(one(path, due)))
    await asyncio.gather(*tasks)
    for _, writer in client.idle:
        writer.close()
    result.connections = client.opened
    result.retried = client.retried
    return result


def measure(
    port: int, rate: int, seconds: float, queries: list[str], kill_after: float | None, master: int
) -> RunResult:
    """``run_rate``, plus the CPU time the server's workers spent on it."""
    before = cpu_seconds(worker_pids(master))
    result = asyncio.run(run_rate(port, rate, seconds, queries, kill_after, master))
    result.server_cpu = cpu_seconds(worker_pids(master)) - before
    return result


def worker_pids(master: int) -> set[int]:
    return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def cpu_seconds(pids) -> float:
    """User + system CPU time of processes (a killed worker's is lost)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_ready(log_path: Path, workers: int, timeout: float = 120) -> float:
    """Wait for every worker's "worker ready" line (gunicorn.conf.py's post_worker_init)."""
    started = time.perf_counter()
    while log_path.read_text().count("worker ready") < workers:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"workers not ready after {timeout:.0f} s:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.1)
    return time.perf_counter() - started


def report(result: RunResult) -> None:
    done = len(result.latencies)
    print(
        f"| {result.rate:>5} | {done / result.seconds:>8.0f} | {result.percentile(0.5):>7.1f} | "
        f"{result.percentile(0.9):>7.1f} | {result.percentile(0.99):>7.1f} | "
        f"{max(result.latencies, default=float('nan')) * 1000:>7.0f} | {len(result.errors):>6} | "
        f"{result.connections:>5} | {result.retried:>4} | {result.max_send_lag * 1000:>6.1f} | "
        f"{result.server_cpu / max(done, 1) * 1000:>5.2f} |" + (f" {result.killed}" if result.killed else ""),
        flush=True,
    )


def header() -> None:
    columns = ["offered req/s", "answered req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "conns"]
    columns += ["resent", "gen lag ms", "server CPU ms/req"]
    print("| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|", flush=True)


def find_knee(cfg: LoadConfig, port: int, queries: list[str], master: int, results: list[RunResult]) -> None:
    """Bisect for the lowest rate whose p99 passes KNEE_MS (errors count as passing it)."""

    def over(result: RunResult) -> bool:
        return bool(result.errors) or result.percentile(0.99) > KNEE_MS

    below = max((r.rate for r in results if not over(r)), default=50)
    above = min((r.rate for r in results if over(r)), default=None)
    rate = above or below * 2
    print(f"\n## Knee: bisection with {cfg.knee_seconds:.0f} s runs\n")
    header()
    while above is None or above - below > max(25, below // 10):
        result = measure(port, rate, cfg.knee_seconds, queries, None, master)
        report(result)
        if over(result):
            above = rate
        else:
            below = rate
        rate = (below + above) // 2 if above is not None else rate * 2
    print(f"\np99 passes {KNEE_MS:.0f} ms between {below} and {above} req/s offered.")


def serve_and_measure(cfg: LoadConfig, static_dir: Path, log_dir: Path) -> None:
    books = json.loads((static_dir / "books.json").read_text())
    queries = queries_from(books, cfg.queries)
    print(
        machine_line("; server and load generator share them")
        + f"\n# {len(books)} books; {len(set(queries))} distinct "
        f"queries; each run {cfg.seconds:.0f} s, request timeout {TIMEOUT:.0f} s"
    )
    base, proc = start_gunicorn(static_dir, log_dir / "gunicorn.log", workers=cfg.workers)
    try:
        master = proc.pid
        workers = cfg.workers or runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
        print(f"# gunicorn.conf.py: {workers} workers")
        waited = wait_until_ready(log_dir / "gunicorn.log", workers)
        print(f"# every worker loaded the catalogue before serving ({waited:.1f} s after the first)\n")
        port = int(base.rsplit(":", 1)[1].strip("/"))
        header()
        results = []
        for rate in cfg.rates:
            result = measure(port, rate, cfg.seconds, queries, cfg.kill_worker_after, master)
            report(result)
            results.append(result)
            if result.errors:
                print(f"  errors: {sorted(set(result.errors))[:5]}")
        if cfg.knee:
            find_knee(cfg, port, queries, master, results)
    finally:
        stop(proc)


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shelf-load-") as tmp:
        static_dir = cfg.static
        if static_dir is None:
            static_dir = Path(tmp) / "static"
            error = build_site_into(static_dir, cfg.artifacts)
            if error:
                print(f"bench_load: {error}", file=sys.stderr)
                return 1
        serve_and_measure(cfg, static_dir, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
