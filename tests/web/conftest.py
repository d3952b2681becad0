"""Fixtures for the site, server and browser tests.

Two kinds of site:
- ``tiny_site``: a hand-made five-book site whose vectors are chosen so the similar books are
  known in advance (route tests; no TensorFlow, milliseconds).
- ``built_site``: the real thing, trained once per session from ``model.synthetic`` data and
  assembled by ``scripts/build_site.py``; served by real gunicorn and by the real Firebase
  Hosting emulator for the end-to-end tests in headless Chromium.

Everything listens on 127.0.0.1 only, and the browser aborts any request to another host
(covers included, which is how the cover placeholder gets tested offline).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from server import create_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
FIREBASE = ROOT / "node_modules" / ".bin" / "firebase"
TFJS = ROOT / "node_modules" / "@tensorflow" / "tfjs" / "dist" / "tf.fesm.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "web"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# ---------------------------------------------------------------------------------------
# A tiny hand-made site for the route tests

TINY_BOOKS = [
    # book_index 0..4; vectors below make 10 ~ 20 (same direction) and 30 ~ 40.
    {"book_id": 10, "title": "Le Petit Prince", "authors": "Antoine de Saint-Exupéry", "ratings_count": 50},
    {"book_id": 20, "title": "The Little Prince Returns", "authors": "Ann Author", "ratings_count": 500},
    {"book_id": 30, "title": "Émile", "authors": "Jean-Jacques Rousseau", "ratings_count": 40},
    {"book_id": 40, "title": "<img src=x onerror=alert(1)>", "authors": "Hostile Person", "ratings_count": 5},
    {"book_id": 50, "title": "Prince Caspian", "authors": "C. S. Lewis", "ratings_count": 900},
]
TINY_VECTORS = np.array(
    [[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.1, 0.9, 0.0], [0.0, 0.0, 1.0]], np.float32
)


def write_tiny_site(static_dir: Path, dtype: str = "float16") -> None:
    """A minimal built site: index.html, metadata.json, books.json and a TF.js weights file.

    The book_embedding weight sits second in its group (after a dummy bias) so the offset
    arithmetic of the weights reader is exercised; ``dtype`` picks float16 quantisation
    (what model.export writes) or plain float32.
    """
    model_dir = static_dir / "model"
    model_dir.mkdir(parents=True)
    books = [
        {**b, "year": 2000 + i, "cover_url": "", "average_rating": 4.0} for i, b in enumerate(TINY_BOOKS)
    ]
    (static_dir / "books.json").write_text(json.dumps(books, ensure_ascii=False), encoding="utf-8")
    metadata = {
        "format_version": 1,
        "num_books": len(books),
        "embedding_dim": 3,
        "book_ids": [b["book_id"] for b in books],
        "model_url": "model/model.json",
        "similarity_layer": "book_embedding",
        "tfjs_version": "4.22.0",
    }
    (static_dir / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    dummy = np.arange(7, dtype=np.float32)
    if dtype == "float16":
        blob = dummy.astype("<f2").tobytes() + TINY_VECTORS.astype("<f2").tobytes()
        quant = {"quantization": {"dtype": "float16", "original_dtype": "float32"}}
    else:
        blob = dummy.astype("<f4").tobytes() + TINY_VECTORS.astype("<f4").tobytes()
        quant = {}
    shard = "group1-shard1of1.0123456789abcdef.bin"
    (model_dir / shard).write_bytes(blob)
    manifest = [
        {
            "paths": [shard],
            "weights": [
                {"name": "dummy/bias", "shape": [7], "dtype": "float32", **quant},
                {"name": "book_embedding/embeddings", "shape": [5, 3], "dtype": "float32", **quant},
            ],
        }
    ]
    (model_dir / "model.json").write_text(json.dumps({"format": "layers-model", "weightsManifest": manifest}))
    (static_dir / "index.html").write_text("<!doctype html><title>Shelf</title><p>" + "shelf " * 200)
    (static_dir / "js").mkdir()
    (static_dir / "js" / "main.js").write_text("export const answer = 42;\n" * 50)
    (static_dir / ".secret").write_text("hidden")


@pytest.fixture
def tiny_site(tmp_path) -> Path:
    static_dir = tmp_path / "static"
    write_tiny_site(static_dir)
    return static_dir


@pytest.fixture
def app(tiny_site):
    return create_app({"TESTING": True, "STATIC_DIR": str(tiny_site)})


@pytest.fixture
def client(app):
    return app.test_client()


# ---------------------------------------------------------------------------------------
# A real trained model and built site (once per session)


def run_module(*args: str, timeout: int = 300) -> None:
    """Run ``python -m ...`` from the repo root; fail the test with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        pytest.fail(f"python -m {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


@pytest.fixture(scope="session")
def trained_artifacts(tmp_path_factory) -> Path:
    """Artifacts trained for 2 epochs on the planted synthetic catalogue (a few seconds)."""
    base = tmp_path_factory.mktemp("shelf-trained")
    data, artifacts = base / "data", base / "artifacts"
    run_module("model.synthetic", "--out", str(data))
    run_module("model.train", "--data", str(data), "--out", str(artifacts), "--epochs", "2", "--quiet")
    return artifacts


@pytest.fixture(scope="session")
def built_site(trained_artifacts, tmp_path_factory) -> Path:
    """``scripts/build_site.py`` output, inside a directory that doubles as a Firebase project."""
    if not TFJS.is_file():
        pytest.skip(f"{TFJS} is missing: run `npm ci` (or `make install`)")
    project = tmp_path_factory.mktemp("shelf-firebase-project")
    static_dir = project / "static"
    command = ["scripts/build_site.py", "--artifacts", str(trained_artifacts), "--out", str(static_dir)]
    result = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return static_dir


# ---------------------------------------------------------------------------------------
# Servers on 127.0.0.1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float, log_path: Path) -> None:
    """Poll ``url`` until it answers (any status) or fail with the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    stop(proc)
    pytest.fail(f"{url} did not answer within {timeout}s:\n{log_path.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server we started (its own process group, so its workers go too)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def start_gunicorn(static_dir: Path, log_path: Path, workers: int = 2) -> tuple[str, subprocess.Popen]:
    """``make serve``'s command on a free 127.0.0.1 port; returns (base URL, process)."""
    port = free_port()
    env = {
        **os.environ,
        "SHELF_STATIC_DIR": str(static_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
    }
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "server:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}/"
    wait_for_http(base + "healthz", proc, 30, log_path)
    return base, proc


def start_firebase(static_dir: Path, log_path: Path) -> tuple[str, subprocess.Popen]:
    """The Firebase Hosting emulator (offline, demo project) serving ``static_dir``.

    The project's firebase.json is copied next to ``static_dir`` with free ports filled in,
    so the headers under test are exactly the committed ones.
    """
    project = static_dir.parent
    config = json.loads((ROOT / "firebase.json").read_text())
    config["hosting"]["public"] = static_dir.name
    port = free_port()
    config["emulators"] = {
        "hosting": {"host": "127.0.0.1", "port": port},
        "hub": {"host": "127.0.0.1", "port": free_port()},
        "logging": {"host": "127.0.0.1", "port": free_port()},
        "ui": {"enabled": False},
        "singleProjectMode": True,
    }
    (project / "firebase.json").write_text(json.dumps(config, indent=2))
    home = project / "home"
    home.mkdir(exist_ok=True)
    # CI=1 skips the CLI's message-of-the-day fetch; a fresh HOME has no login and no usage stats.
    env = {**os.environ, "HOME": str(home), "CI": "1", "NO_UPDATE_NOTIFIER": "1"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(FIREBASE), "emulators:start", "--only", "hosting", "--project", "demo-shelf"],
            cwd=project,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}/"
    wait_for_http(base + "metadata.json", proc, 90, log_path)
    return base, proc


@pytest.fixture(scope="session")
def gunicorn_url(built_site, tmp_path_factory):
    base, proc = start_gunicorn(built_site, tmp_path_factory.mktemp("logs") / "gunicorn.log")
    yield base
    stop(proc)


@pytest.fixture(scope="session")
def firebase_url(built_site, tmp_path_factory):
    if not FIREBASE.exists():
        pytest.skip(f"{FIREBASE} is missing: run `npm ci` (or `make install`)")
    base, proc = start_firebase(built_site, tmp_path_factory.mktemp("logs") / "firebase.log")
    yield base
    stop(proc)


@pytest.fixture(scope="session", params=["gunicorn", "firebase"])
def site_url(request) -> str:
    """The built site's base URL, served by gunicorn and by the Firebase Hosting emulator."""
    return request.getfixturevalue(f"{request.param}_url")


# ---------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make install` (scripts/install_system.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def local_only(route) -> None:
    """Let 127.0.0.1 through; abort everything else (covers fail -> placeholders)."""
    if route.request.url.startswith("http://127.0.0.1:"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser, request):
    """A fresh context (empty localStorage) with a desktop viewport and no outside traffic."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", local_only)
    page = context.new_page()
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Blocked cover requests log ERR_FAILED by design; keep the rest for failure reports.
    page.on(
        "console",
        lambda message: "ERR_FAILED" in message.text or console.append(f"{message.type}: {message.text}"),
    )
    page.js_errors = errors
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        print("browser console:\n" + "\n".join(console[-30:]))
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can print diagnostics on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
