"""The page's entry module and the model's worker bundled in place (esbuild), and the graph of
a module's imports the page checks and caches."""

from __future__ import annotations

import posixpath
import re
import subprocess
from pathlib import Path

from sitebuild.common import BuildError

# The page's entry module and the model's worker, each bundled at build (bundle_modules) into one
# file in place of its source: on a phone every module is a request and every level of imports
# a round trip (30 modules took a second of them before the first suggestion could start).
# Left out of both, as modules of their own beside TF.js: the modules that import TF.js
# (BUNDLE_EXTERNAL; a bundle would import it from its first line, and the page never needs it)
# and TF.js itself. map.html keeps the sources as they are.
PAGE_ENTRY = "js/main.js"
BUNDLE_EXTERNAL = ("./vendor/*", "./js/recommend.js", "./js/layers.js")
BUNDLE_OPTIONS = (
    "--bundle",
    "--format=esm",
    "--platform=browser",
    "--target=es2022",  # top-level await (main.js): the page needs Array.prototype.at, Object.hasOwn
    "--minify",
    "--keep-names",  # LoadError and the rest keep their names in messages and stack traces
    "--charset=utf8",
    "--allow-overwrite",  # each bundle replaces its entry's source
    "--log-level=error",
)
# The model's worker, from which its modules are found (worker_files): they are not
# content-hashed (TF.js is), so a rebuild between the page and its worker's requests would run
# another build's code beside the page; the page checks them against site_files too
# (web/js/model-client.js: the .js names of site_files).
WORKER = "model-worker.js"
# A module's relative imports, static (`from "./x.js"`) or dynamic (`import("./x.js")`).
_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}/[^"']+\.m?js)["']""")


def bundle_modules(site: Path, node_modules: Path) -> None:
    """Bundle PAGE_ENTRY and WORKER of ``site`` in place, each with every module it imports
    (dynamically too) but BUNDLE_EXTERNAL, whose import paths esbuild keeps pointing at them.
    An entry the sources lack is left alone."""
    esbuild = node_modules / ".bin" / "esbuild"
    for entry in (PAGE_ENTRY, WORKER):
        if not (site / entry).is_file():
            continue
        command = [
            str(esbuild),
            entry,
            *BUNDLE_OPTIONS,
            *(f"--external:{path}" for path in BUNDLE_EXTERNAL),
            f"--outdir={posixpath.dirname(entry) or '.'}",
        ]
        try:
            result = subprocess.run(command, cwd=site, capture_output=True, timeout=300)
        except OSError as error:
            raise BuildError(f"esbuild could not run ({error}); run `make install`.") from error
        if result.returncode != 0:
            lines = result.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
            raise BuildError(f"esbuild could not bundle {entry}: {lines[0]}")


def module_graph(site: Path, entries: list[str]) -> list[str]:
    """``entries`` and every module they import, directly or not, statically or dynamically,
    relative to ``site``; TF.js (vendor/) left out."""
    found, todo = set(), list(entries)
    while todo:
        name = todo.pop()
        if name in found or name.startswith("vendor/") or not (site / name).is_file():
            continue
        found.add(name)
        source = (site / name).read_text(encoding="utf-8")
        base = posixpath.dirname(name)
        todo += [posixpath.normpath(posixpath.join(base, ref)) for ref in _IMPORT.findall(source)]
    return sorted(found)


def worker_files(site: Path) -> list[str]:
    """The model's worker and every module it imports (module_graph), relative to ``site``: what
    the page checks before it uses the worker's model. TF.js (content-hashed by name) is its own
    check."""
    return module_graph(site, [WORKER])
