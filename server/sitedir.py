"""One build of the site, read through one directory handle, and the errors of reading it.

``sitebuild/build.py`` replaces ``static/`` by renaming a new directory into place; every
file of one answer is read through a handle on the directory as it was when opened.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class ArtifactsMissing(Exception):
    """The site files the API needs are absent: the artifacts have not been built."""


class ArtifactsInvalid(Exception):
    """The site files exist but do not follow docs/ARTIFACTS.md (or are corrupt, truncated)."""


class SiteDir:
    """A built site directory, opened once; every file is read relative to that handle.

    ``sitebuild/build.py`` replaces ``static/`` by renaming a new directory into place.
    A handle keeps pointing at the directory it opened, so the files read through it all
    come from one build even when a rebuild swaps ``static/`` half-way through.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        except (FileNotFoundError, NotADirectoryError):
            raise ArtifactsMissing(str(self.path)) from None

    def __enter__(self) -> SiteDir:
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)

    def stat(self, name: str) -> os.stat_result | None:
        """``name``'s stat, or None when it does not exist."""
        try:
            return os.stat(name, dir_fd=self.fd)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def read_bytes(self, name: str) -> bytes:
        """The bytes of ``name`` (relative to the site); ArtifactsMissing when absent."""
        try:
            fd = os.open(name, os.O_RDONLY, dir_fd=self.fd)
        except (FileNotFoundError, NotADirectoryError):
            raise ArtifactsMissing(str(self.path / name)) from None
        with os.fdopen(fd, "rb") as f:
            return f.read()

    def read_json(self, name: str, kind: type):
        """``name`` parsed as JSON of top-level type ``kind``; ArtifactsInvalid names the file."""
        try:
            value = json.loads(self.read_bytes(name))
        except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
            raise ArtifactsInvalid(f"{name} is not valid JSON ({error}); it may be truncated") from None
        if not isinstance(value, kind):
            raise ArtifactsInvalid(f"{name} should hold a JSON {kind.__name__}, not {type(value).__name__}")
        return value

    def replaced(self) -> bool:
        """Whether ``path`` now names another directory than the one this handle opened."""
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return True
        opened = os.fstat(self.fd)
        return (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino)
