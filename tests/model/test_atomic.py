"""Staging directories: a killed build's are removed by the next, a running build's are kept;
replacing a directory never leaves a moment without it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from model.atomic import atomic_dir, exchange, make_staging, remove_stale, replace_dir, write_json_atomic
from tests.conftest import REPO


def dead_pid() -> int:
    """The pid of a process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_next_build_removes_what_a_sigkilled_build_left(tmp_path):
    # A real build process makes its staging directory, then is killed with SIGKILL.
    code = (
        "import signal; from pathlib import Path; from model.atomic import make_staging; "
        f"print(make_staging(Path({str(tmp_path)!r}), 'static-staging'), flush=True); signal.pause()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    left = tmp_path / os.path.basename(proc.stdout.readline().strip())
    (left / "index.html").write_text("half a site")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert left.is_dir()

    mine = make_staging(tmp_path, "static-staging")  # the next build
    assert not left.exists()
    assert [p.name for p in tmp_path.iterdir()] == [mine.name]


def test_only_dead_owners_and_old_style_names_are_stale(tmp_path):
    dead, alive = dead_pid(), os.getpid()
    names = {
        f".static-staging-{dead}-abc123": False,
        ".static-staging-k2j3h4": False,  # written before pids were in the name
        f".static-staging-{alive}-def456": True,  # a build running right now
        f".other-staging-{dead}-abc123": True,  # another output's
        "static": True,
    }
    for name in names:
        (tmp_path / name).mkdir()
    removed = remove_stale(tmp_path, "static-staging")
    assert sorted(p.name for p in removed) == sorted(n for n, kept in names.items() if not kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, kept in names.items() if kept)


# Reads static/version in a tight loop until static/../stop exists; prints what it saw.
WATCHER = """
import collections, json, pathlib, sys
base = pathlib.Path(sys.argv[1])
seen = collections.Counter()
while not (base / "stop").exists():
    try:
        seen[(base / "static" / "version").read_text()] += 1
    except FileNotFoundError:
        seen["missing"] += 1
print(json.dumps(seen))
"""


def test_replace_dir_never_leaves_a_moment_without_the_directory(tmp_path):
    dest = tmp_path / "static"
    dest.mkdir()
    (dest / "version").write_text("0")
    # Another process (no shared GIL) watches while the directory is replaced 200 times.
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        for version in range(1, 201):
            staging = make_staging(tmp_path, "static-staging")
            (staging / "version").write_text(str(version))
            replace_dir(staging, dest, "static-old")
    finally:
        (tmp_path / "stop").touch()
        seen = json.loads(watcher.communicate(timeout=30)[0])
    assert (dest / "version").read_text() == "200"
    assert "missing" not in seen, seen
    assert sorted(p.name for p in tmp_path.iterdir()) == ["static", "stop"]


def test_exchange_swaps_two_directories(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from-a").touch()
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no renameat2 here: replace_dir renames twice instead")
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["from-a"]
    assert list((tmp_path / "a").iterdir()) == []


def test_atomic_dir_replaces_the_directory_whole_or_not_at_all(tmp_path):
    final = tmp_path / "links"
    final.mkdir()
    (final / "old").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(final) as staging:
        (staging / "half").write_text("half")
        raise RuntimeError("the stage failed half-way")
    assert [p.name for p in tmp_path.iterdir()] == ["links"]
    assert [p.name for p in final.iterdir()] == ["old"]

    with atomic_dir(final) as staging:
        (staging / "new").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["links"]
    assert [p.name for p in final.iterdir()] == ["new"]
    assert final.stat().st_mode & 0o777 == 0o755


def test_write_json_atomic_leaves_only_the_file(tmp_path):
    path = tmp_path / "web" / "map.json"
    write_json_atomic({"b": [1, 2], "a": "é"}, path)
    assert path.read_text(encoding="utf-8") == '{"b":[1,2],"a":"é"}'
    assert path.stat().st_mode & 0o777 == 0o644
    with pytest.raises(TypeError):
        write_json_atomic({"not json": object()}, path)
    assert [p.name for p in path.parent.iterdir()] == ["map.json"]
    assert json.loads(path.read_text(encoding="utf-8"))["a"] == "é"
