"""Atomic outputs: staging directories, the swap into place, and the cleanup after a killed build.

A stage writes into a hidden staging directory beside its output and renames it into place
when complete (``atomic_dir``); a single file goes through a hidden temporary file the same
way (``write_json_atomic``). A build killed with SIGKILL (or SIGTERM, which skips ``finally``) leaves that
directory behind; its name carries the owner's pid, so the next build removes the ones whose
owner is gone and leaves a concurrent build's alone. No TensorFlow here: the site build uses
it too.
"""

from __future__ import annotations

import ctypes
import errno
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def make_staging(directory: Path, name: str) -> Path:
    """A new empty directory ``directory/.{name}-{pid}-XXXXXXXX``, after removing stale ones."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    remove_stale(directory, name)
    return Path(tempfile.mkdtemp(prefix=f".{name}-{os.getpid()}-", dir=directory))


def remove_stale(directory: Path, name: str) -> list[Path]:
    """Delete ``.{name}-{pid}-*`` directories in ``directory`` whose process is gone.

    Names without a pid (``.{name}-XXXXXXXX``, written before pids were added) are stale too.
    Returns what was removed.
    """
    pattern = re.compile(rf"\.{re.escape(name)}-(?:(\d+)-)?[^/]+")
    removed = []
    for entry in Path(directory).iterdir():
        match = pattern.fullmatch(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink():
            continue
        if match.group(1) is not None and process_alive(int(match.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        log.info("removed %s, left by a build that did not finish", entry)
        removed.append(entry)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists (our own included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's
    return True


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where the system or filesystem cannot; then the caller renames twice.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def replace_dir(staging: Path, dest: Path, name: str) -> None:
    """Put the directory ``staging`` at ``dest``; the old ``dest`` is deleted afterwards.

    Where the system allows, the two are exchanged in one step, so ``dest`` never stops
    existing and nobody reading it sees a mix: every path names the old file or the new.
    Elsewhere ``dest`` is renamed aside first (``.{name}-{pid}-*``), which leaves a moment
    without it.
    """
    if dest.exists() and exchange(staging, dest):
        shutil.rmtree(staging, ignore_errors=True)  # now the old directory
        return
    old = None
    if dest.exists():
        old = make_staging(dest.parent, name)
        os.replace(dest, old / "dir")
    os.replace(staging, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_dir(final: Path) -> Iterator[Path]:
    """Yield an empty staging directory that replaces ``final`` whole when the block ends.

    The staging directory sits beside ``final`` (``.{name}-staging-{pid}-*``, so a killed
    run's is removed by the next); it is made readable by all (the site build and the server
    read it) and put in place with ``replace_dir``. If the block raises, ``final`` is left as
    it was and the staging directory is deleted.
    """
    final = Path(final)
    staging = make_staging(final.parent, f"{final.name}-staging")
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp makes it private
        replace_dir(staging, final, f"{final.name}-old")
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already, or holding the old ``final``


def write_json_atomic(obj, path: Path) -> None:
    """Write ``obj`` as compact UTF-8 JSON to a temporary file beside ``path``, then rename it."""
    write_text_atomic(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), path)


def write_text_atomic(text: str, path: Path) -> None:
    """Write ``text`` (UTF-8) to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
