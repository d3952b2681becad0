"""Requirements: what runs (requirements.txt) apart from what develops (requirements-dev.txt),
every version pinned exactly, and the Cloud Run image's server/requirements.txt on the same pins."""

from __future__ import annotations

import re

from tests.conftest import REPO

PIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][A-Za-z0-9.+!-]*")


def pins(name: str) -> dict[str, str]:
    """{package (lower case): version} of a requirements file; every line must be an exact pin."""
    lines = [line.split("#")[0].strip() for line in (REPO / name).read_text().splitlines()]
    lines = [line for line in lines if line]
    loose = [line for line in lines if not PIN.fullmatch(line)]
    assert not loose, f"{name}: not an exact pin: {loose}"
    return {package.lower(): version for package, version in (line.split("==") for line in lines)}


def test_runtime_and_development_requirements_are_apart():
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {"tensorflow", "flask", "gunicorn", "numpy", "umap-learn"} <= set(runtime)
    assert {"pytest", "ruff", "playwright"} <= set(dev)
    assert not set(runtime) & set(dev)


def test_server_requirements_pin_the_projects_versions():
    """server/requirements.txt (the Cloud Run image) pins what requirements.txt pins."""
    server, project = pins("server/requirements.txt"), pins("requirements.txt")
    assert {"flask", "gunicorn", "gevent", "numpy"} <= set(server)
    assert {name: project.get(name) for name in server} == server
