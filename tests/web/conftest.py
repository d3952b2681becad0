"""Fixtures for the site, server and browser tests.

Two kinds of site:
- ``tiny_site``: a hand-made five-book site whose vectors are chosen so the similar books are
  known in advance (route tests; no TensorFlow, milliseconds).
- ``built_site``: the real thing, trained once per session from ``model.synthetic`` data and
  assembled by ``python -m sitebuild``; served by real gunicorn and by the real Firebase
  Hosting emulator for the end-to-end tests in headless Chromium.

Everything listens on 127.0.0.1 only, and the browser aborts any request to another host
(covers included, which is how the cover placeholder gets tested offline).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.browser import launch_browser, local_only
from harness.servers import (
    FIREBASE,
    ROOT,
    ServerError,
    recommend_cli,
    start_firebase,
    start_gunicorn,
    stop,
)
from harness.sites import write_tiny_site
from server import create_app
from server.catalogue import CatalogueCache
from sitebuild.tfjs import TFJS_ENTRY, TFJS_PACKAGES
from tests.conftest import ESBUILD
from tests.web.shelf_page import PICK_IDS

SCREENSHOTS = ROOT / "test-artifacts" / "web"

# ---------------------------------------------------------------------------------------
# A tiny hand-made site (harness/sites.py)


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
def site_artifacts(tmp_path_factory) -> Path:
    """Artifacts trained for 2 epochs on the planted synthetic catalogue (a few seconds)."""
    base = tmp_path_factory.mktemp("shelf-trained")
    data, artifacts = base / "data", base / "artifacts"
    run_module("model.synthetic", "--out", str(data))
    run_module("model.train", "--data", str(data), "--out", str(artifacts), "--epochs", "2", "--quiet")
    return artifacts


@pytest.fixture(scope="session")
def built_site(site_artifacts, tmp_path_factory) -> Path:
    """``python -m sitebuild`` output, inside a directory that doubles as a Firebase project."""
    if not ESBUILD.is_file():
        pytest.skip(f"{ESBUILD} is missing (it bundles TF.js): run `make install` (npm ci)")
    project = tmp_path_factory.mktemp("shelf-firebase-project")
    static_dir = project / "static"
    command = ["-m", "sitebuild", "--artifacts", str(site_artifacts), "--out", str(static_dir)]
    result = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return static_dir


def write_tiny_node_modules(node_modules: Path) -> Path:
    """A node_modules whose TF.js packages hold only the modules and names scripts/tfjs-entry.js
    imports from them, each name a one-line stub, with the real esbuild to bundle them."""
    entry = TFJS_ENTRY.read_text(encoding="utf-8")
    modules: dict[str, set[str]] = {package: set() for package in TFJS_PACKAGES}
    for names, source in re.findall(r'(?:import|export)\s*\{([^}]*)\}\s*from\s*"([^"]+)"', entry):
        modules.setdefault(source, set()).update(name.strip() for name in names.split(",") if name.strip())
    for source in re.findall(r'^import\s+"([^"]+)";', entry, re.MULTILINE):
        modules.setdefault(source, set())
    for source, names in modules.items():
        path = node_modules / source if source.endswith(".js") else node_modules / source / "index.js"
        path.parent.mkdir(parents=True, exist_ok=True)
        stubs = "".join(f"export const {name} = () => {{}};\n" for name in sorted(names))
        path.write_text(stubs or "export {};\n")
    for package in TFJS_PACKAGES:
        (node_modules / package / "package.json").write_text(json.dumps({"version": "4.22.0"}))
    (node_modules / ".bin").mkdir()
    (node_modules / ".bin" / "esbuild").symlink_to(ESBUILD.resolve())
    return node_modules


# ---------------------------------------------------------------------------------------
# Servers on 127.0.0.1


@pytest.fixture(scope="session")
def catalogue(built_site):
    """The built site's catalogue as the server reads it (server/catalogue.py): known answers."""
    return CatalogueCache(built_site).get()


@pytest.fixture(scope="session")
def gunicorn_url(built_site, tmp_path_factory):
    try:
        base, proc = start_gunicorn(built_site, tmp_path_factory.mktemp("logs") / "gunicorn.log")
    except ServerError as error:
        pytest.fail(str(error))
    yield base
    stop(proc)


@pytest.fixture(scope="session")
def firebase_url(built_site, tmp_path_factory):
    if not FIREBASE.exists():
        pytest.skip(f"{FIREBASE} is missing: run `npm ci` (or `make install`)")
    try:
        base, proc = start_firebase(built_site, tmp_path_factory.mktemp("logs") / "firebase.log")
    except ServerError as error:
        pytest.fail(str(error))
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
    """One Chromium for the session (its tests are skipped without it: tests/conftest.py)."""
    with launch_browser() as browser:
        yield browser


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
    page.console_messages = console
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


@pytest.fixture
def server_name(site_url, request):
    """'gunicorn' or 'firebase', for screenshot names."""
    return request.node.callspec.params["site_url"]


@pytest.fixture(scope="session")
def python_recommendations(site_artifacts):
    """``python -m model.recommend`` for the picks the browser makes: plain, then book 4 at 3 stars."""
    visitors = [
        {"liked": PICK_IDS, "k": 10},
        {"ratings": {"2": 5, "4": 3, "1": 5}, "k": 10},
    ]
    return recommend_cli(site_artifacts, visitors)
