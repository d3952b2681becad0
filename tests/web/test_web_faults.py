"""The server under faults, run as ``make serve`` runs it (gunicorn.conf.py) on 127.0.0.1:
slow and half-open clients, requests gunicorn itself rejects, a worker killed under load, and
the site rebuilt under a running server. Behaviour, not timings: a request the server starves
fails on its client's 5 s timeout (benchmarks/bench_load.py measures latencies). Waits are on
state (answers counted, workers listed), never fixed sleeps.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from harness.servers import ServerError, start_gunicorn, stop, wait_until
from harness.sites import write_tiny_site
from server.http import SECURITY_HEADERS
from sitebuild.build import build_site
from sitebuild.catalogue import POPULAR_MARKER
from sitebuild.common import SiteConfig
from sitebuild.manifest import PRECACHE_PLACEHOLDER
from sitebuild.tfjs import TFJS_LICENSE, TFJS_PACKAGES
from tests.conftest import ESBUILD
from tests.web.conftest import write_tiny_node_modules

pytestmark = pytest.mark.slow  # real gunicorn servers, killed and rebuilt under load


HALF_OPEN = 500


@pytest.fixture
def serve(tmp_path):
    """Start gunicorn (2 workers) on a site directory; stopped after the test."""
    procs = []

    def start(static_dir: Path) -> tuple[int, subprocess.Popen]:
        try:
            base, proc = start_gunicorn(static_dir, tmp_path / f"gunicorn-{len(procs)}.log", workers=2)
        except ServerError as error:
            pytest.fail(str(error))
        procs.append(proc)
        return int(base.rsplit(":", 1)[1].strip("/")), proc

    yield start
    for proc in procs:
        stop(proc)


@pytest.fixture(scope="module")
def tiny_port(tmp_path_factory) -> int:
    """One server on the hand-made site for the tests that leave it as it was."""
    base = tmp_path_factory.mktemp("faults")
    write_tiny_site(base / "static")
    try:
        url, proc = start_gunicorn(base / "static", base / "gunicorn.log", workers=2)
    except ServerError as error:
        pytest.fail(str(error))
    yield int(url.rsplit(":", 1)[1].strip("/"))
    stop(proc)


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw_request(port: int, data: bytes, timeout: float = 5) -> tuple[int, dict, bytes]:
    """Send bytes as they are; read the answer until the server closes (``timeout`` s per read)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


# ---------------------------------------------------------------------------------------
# Slow clients and gunicorn's own rejections


def test_half_open_connections_do_not_starve_the_server(tiny_port):
    held = []
    try:
        for _ in range(HALF_OPEN):
            sock = socket.create_connection(("127.0.0.1", tiny_port), timeout=5)
            sock.sendall(b"GET /api/books?q=a HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            held.append(sock)
        for path in ("/healthz", "/api/books?q=prince", "/index.html"):
            status, _, _ = get(tiny_port, path)  # a starved request times out (5 s) and fails
            assert status == 200
    finally:
        for sock in held:
            sock.close()


@pytest.mark.parametrize(
    ("request_bytes", "status", "message_part"),
    [
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 400, "Request Line is too large"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431, "Too Large"),
        (
            b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n",
            431,
            "Too Large",
        ),
        (b"NOT AN HTTP REQUEST\r\n\r\n", 400, "Bad Request"),
        # Bare LF line ends: gunicorn waited 5 s for a CRLF that never comes, then closed.
        (b"GET / HTTP/1.1\nHost: x\n\n", 400, "not a bare LF"),
        (b"GET / HTTP/1.1\r\nHost: x\n\n", 400, "not a bare LF"),
        (b"GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n", 400, "not a bare LF"),
    ],
    ids=["5 KB request line", "9 KB header", "120 headers", "garbage", "bare LF", "LF headers", "one LF"],
)
def test_gunicorn_rejections_are_json_with_security_headers(tiny_port, request_bytes, status, message_part):
    # Answered and closed: a connection left open to the 5 s keepalive times out this read.
    got_status, headers, body = raw_request(tiny_port, request_bytes, timeout=3)
    assert got_status == status
    assert headers["Content-Type"] == "application/json"
    answer = json.loads(body)
    assert answer["status"] == status and message_part in answer["error"]
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value


# ---------------------------------------------------------------------------------------
# Load, for the two tests below


class Load:
    """``clients`` threads, each on its own keep-alive connection, GETting ``paths`` in turn.

    Every answer is kept as (time, path, status or error, body); a failed connection is
    replaced by a new one for the next request (no retries: each failure is counted).
    """

    def __init__(self, port: int, paths: list[str], clients: int = 8):
        self.port, self.paths, self.clients = port, paths, clients
        self.results: list[tuple[float, str, int | str, bytes]] = []
        self._answered = threading.Condition()  # notified on every answer
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(clients)]

    def _run(self, offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        i = offset
        while not self._stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                self._record(path, response.status, response.read())
            except (OSError, http.client.HTTPException) as error:
                self._record(path, type(error).__name__, b"")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.close()

    def _record(self, path: str, status: int | str, body: bytes) -> None:
        with self._answered:
            self.results.append((time.monotonic(), path, status, body))
            self._answered.notify_all()

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def wait_for(self, answers: int, timeout: float = 30) -> None:
        """Block until ``answers`` more answers have come (any status), at most ``timeout`` s."""
        with self._answered:
            target = len(self.results) + answers
            arrived = self._answered.wait_for(lambda: len(self.results) >= target, timeout)
            assert arrived, f"only {len(self.results)} answers"

    def failures(self) -> list:
        return [r for r in self.results if r[2] != 200]


def worker_pids(master: int) -> set[int]:
    """gunicorn's workers: the master's child processes."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


# ---------------------------------------------------------------------------------------
# A worker killed under load


def test_a_killed_worker_costs_only_its_requests_in_flight(serve, tiny_site):
    port, proc = serve(tiny_site)
    paths = ["/api/books?q=prince", "/api/books/10/similar", "/healthz", "/index.html"]
    with Load(port, paths) as load:
        load.wait_for(200)
        before = worker_pids(proc.pid)
        assert len(before) == 2
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        # gunicorn starts a replacement
        assert wait_until(lambda: len(worker_pids(proc.pid) - {victim}) >= 2, 20), "no replacement worker"
        load.wait_for(200)
    failures = load.failures()
    after = [r for r in load.results if r[0] > killed_at]
    print(f"worker killed: {len(failures)} of {len(load.results)} failed; {len(after)} came after the kill")
    # Each client had at most one request on the killed worker's connections.
    assert len(failures) <= load.clients
    assert all(r[0] >= killed_at for r in failures)
    # Once the failures are over, everything is answered.
    last_failure = max((r[0] for r in failures), default=killed_at)
    later = [r[2] for r in after if r[0] > last_failure]
    assert later and set(later) == {200}


# ---------------------------------------------------------------------------------------
# The site rebuilt under a running server


def make_site_inputs(base: Path) -> dict[str, Path]:
    """Two artifacts directories (A and B: every title ends in " B") plus the page's sources
    and a node_modules, for the site build (sitebuild/); all tiny."""
    inputs = {}
    for variant in ("A", "B"):
        artifacts = base / f"artifacts-{variant}"
        write_tiny_site(artifacts / "model" / "web")
        web = artifacts / "model" / "web"
        for name in ("index.html", ".secret", "js"):
            target = web / name
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        if variant == "B":
            books = json.loads((web / "books.json").read_text())
            for book in books:
                book["title"] += " B"
            (web / "books.json").write_text(json.dumps(books))
            metadata = json.loads((web / "metadata.json").read_text())
            (web / "metadata.json").write_text(json.dumps({**metadata, "created_at": "B"}))
        inputs[variant] = artifacts
    sources = base / "web"
    sources.mkdir()
    (sources / "index.html").write_text(f"<!doctype html><title>Shelf</title>\n{POPULAR_MARKER}")
    (sources / "sw.js").write_text(f"const PRECACHE = {PRECACHE_PLACEHOLDER};\n")
    (sources / "vendor").mkdir()
    (sources / TFJS_LICENSE).write_text(f"{', '.join(TFJS_PACKAGES)}: Apache License 2.0\n")
    inputs["web"], inputs["node_modules"] = sources, write_tiny_node_modules(base / "node_modules")
    return inputs


def variant_of(titles: list[str]) -> str:
    """ "A" or "B" when every title is of one build; "mix" otherwise."""
    kinds = {title.endswith(" B") for title in titles}
    return "mix" if len(kinds) != 1 else ("B" if kinds == {True} else "A")


def titles_in(path: str, body: bytes) -> list[str]:
    data = json.loads(body)
    if path == "/books.json":
        return [book["title"] for book in data]
    if path.startswith("/api/books?"):
        return [book["title"] for book in data["books"]]
    if path.endswith("/similar?k=4"):
        return [data["book"]["title"]] + [book["title"] for book in data["similar"]]
    return [data["title"]]


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_rebuilding_under_a_running_server_never_mixes_builds(serve, tmp_path):
    inputs = make_site_inputs(tmp_path)
    static_dir = tmp_path / "static"

    def build(variant: str) -> None:
        config = SiteConfig(inputs[variant], static_dir, inputs["web"], inputs["node_modules"])
        build_site(config)

    build("A")
    port, _ = serve(static_dir)
    paths = ["/api/books/10", "/api/books/20/similar?k=4", "/api/books?q=prince", "/books.json", "/healthz"]
    with Load(port, paths) as load:
        load.wait_for(100)
        for variant in ["B", "A", "B", "A", "B", "A", "B"]:
            build(variant)
            # As soon as the build is in place, the API and the static files both serve it.
            assert variant_of(titles_in("/books.json", get(port, "/books.json")[2])) == variant
            assert variant_of(titles_in("/api/books/10", get(port, "/api/books/10")[2])) == variant
            load.wait_for(50)
    assert load.failures() == []
    seen = Counter(variant_of(titles_in(p, body)) for _, p, _, body in load.results if p != "/healthz")
    assert seen["mix"] == 0 and seen["A"] > 0 and seen["B"] > 0, seen


def test_pipelined_requests_with_crlf_are_all_answered(tiny_port):
    """The bare-LF check reads only the head: pipelined requests (and their line ends) pass."""
    one = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", tiny_port), timeout=5) as sock:
        sock.sendall(one + one + last)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    assert b"".join(chunks).count(b"HTTP/1.1 200 OK\r\n") == 3
