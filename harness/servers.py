"""Start and stop the servers on 127.0.0.1: gunicorn (``make serve``'s command) and the
Firebase Hosting emulator; build a site to serve; run ``python -m model.recommend``."""

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

from sitebuild.build import build_site
from sitebuild.common import BuildError, SiteConfig

ROOT = Path(__file__).resolve().parents[1]
FIREBASE = ROOT / "node_modules" / ".bin" / "firebase"


class ServerError(RuntimeError):
    """A server did not start; the message carries the end of its log."""


def build_site_into(out: Path, artifacts: Path, web: Path = ROOT / "web") -> str | None:
    """Build the site from ``artifacts`` into ``out`` (``python -m sitebuild``): None when built,
    else the build's one-line error, for a benchmark to print."""
    try:
        build_site(SiteConfig(artifacts, out, web, ROOT / "node_modules"))
    except BuildError as error:
        return str(error)
    return None


def machine_line(note: str = "") -> str:
    """A benchmark's first line: the CPUs and how busy they were before the run."""
    load1, load5, _ = os.getloadavg()
    return (
        f"# machine: {os.cpu_count()} CPUs, load average {load1:.1f} (1 min), {load5:.1f} (5 min) "
        f"before the run{note}"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, interval: float = 0.05):
    """Poll ``condition()`` until it returns a true value, which is returned, or ``timeout``
    seconds pass (then its last, false value). ``condition`` may raise to stop the wait."""
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(interval)
    return value


def answers(url: str) -> bool:
    """Whether ``url`` answers at all (any HTTP status) within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float, log_path: Path) -> None:
    """Wait until ``url`` answers (any status); fail with the server's log if it exits or never does."""

    def up() -> bool:
        if proc.poll() is not None:
            raise ServerError(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        return answers(url)

    if not wait_until(up, timeout, interval=0.2):
        stop(proc)
        raise ServerError(f"{url} did not answer within {timeout}s:\n{log_path.read_text()[-3000:]}")


def stop(proc: subprocess.Popen, grace: float = 5) -> None:
    """Stop a server we started (its own process group, so its workers go too).

    SIGTERM, then SIGKILL after ``grace`` seconds: a gunicorn worker still booting when the
    SIGTERM comes misses it, and gunicorn would wait its graceful_timeout for it.
    """
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def launch(
    command: list[str], cwd: Path, env: dict, log_path: Path, ready_url: str, timeout: float
) -> subprocess.Popen:
    """Start ``command`` in its own process group, logging to ``log_path``; wait for ``ready_url``."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    wait_for_http(ready_url, proc, timeout, log_path)
    return proc


def start_gunicorn(static_dir: Path, log_path: Path, workers: int | None = 2) -> tuple[str, subprocess.Popen]:
    """``make serve``'s command on a free 127.0.0.1 port; returns (base URL, process).

    ``workers`` None keeps gunicorn.conf.py's default.
    """
    port = free_port()
    env = {**os.environ, "SHELF_STATIC_DIR": str(static_dir), "HOST": "127.0.0.1", "PORT": str(port)}
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    base = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "server:create_app()"]
    return base, launch(command, ROOT, env, log_path, base + "healthz", 30)


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
    base = f"http://127.0.0.1:{port}/"
    command = [str(FIREBASE), "emulators:start", "--only", "hosting", "--project", "demo-shelf"]
    return base, launch(command, project, env, log_path, base + "metadata.json", 90)


def recommend_cli(artifacts: Path, visitors: list[dict]) -> list[dict]:
    """``python -m model.recommend`` on ``artifacts`` for ``visitors`` (one JSON line each), as a
    script would call it: its answer lines, parsed."""
    result = subprocess.run(
        [sys.executable, "-m", "model.recommend", "--artifacts", str(artifacts)],
        input="".join(json.dumps(v) + "\n" for v in visitors),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"model.recommend failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return [json.loads(line) for line in result.stdout.splitlines()]
