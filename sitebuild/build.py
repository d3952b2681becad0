"""Assemble the static site: web/ sources + each stage's web/ folder (model/layout.py) + TF.js.

The result is built in a hidden staging directory next to ``out`` and swapped into place only
when complete, in one atomic step where Linux allows (``model/atomic.py``), so a running server
never sees a half-built site or a moment without one. A build killed half-way leaves its staging
directory behind; the next build removes it.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from model.atomic import atomic_dir  # (no TensorFlow)
from model.layout import missing, model_dir, web_dirs
from sitebuild.bundle import bundle_modules
from sitebuild.catalogue import add_catalogue_parts, add_first_files, add_popular_books, write_books_by_line
from sitebuild.common import BuildError, SiteConfig, versioned_name
from sitebuild.manifest import add_precache_manifest, stamp_build
from sitebuild.precompress import precompress
from sitebuild.tfjs import (
    TFJS_FILE,
    TFJS_LICENSE,
    TFJS_NOTICES,
    TfjsBundle,
    bundle_tfjs,
    check_licences,
    installed_tfjs_version,
)

log = logging.getLogger("sitebuild")


def check_inputs(cfg: SiteConfig) -> str:
    """Return the version of TF.js to bundle after checking every input."""
    artifacts_web = model_dir(cfg.artifacts) / "web"
    for name in ("metadata.json", "books.json", "model/model.json"):
        if not (artifacts_web / name).is_file():
            how = f"train the model first: `python -m model.train --out {cfg.artifacts}` (or `make build`)."
            raise BuildError(missing(cfg.artifacts, artifacts_web / name, how))
    if not (cfg.web / "index.html").is_file():
        raise BuildError(f"{cfg.web / 'index.html'} is missing: --web must point at the page's sources.")
    if not (cfg.web / TFJS_LICENSE).is_file():
        raise BuildError(f"{cfg.web / TFJS_LICENSE} is missing: the site ships TF.js, so its licence too.")
    version = installed_tfjs_version(cfg.node_modules)
    wanted = json.loads((artifacts_web / "metadata.json").read_text()).get("tfjs_version")
    if wanted and wanted != version:
        raise BuildError(
            f"the model was exported for TF.js {wanted} but node_modules has {version}; "
            "run `make install` (npm ci) so package-lock.json's pinned version is installed."
        )
    return version


def assemble(cfg: SiteConfig, tfjs: TfjsBundle, into: Path) -> None:
    """Copy the sources, the exported model files and TF.js into the empty directory ``into``.

    TF.js goes in under a name that carries its content hash, so browsers may cache it for a
    year (server/site.py, firebase.json) and an upgrade is a new name; the references to it in
    the pages and modules are rewritten to that name. Its notices go beside it.
    """
    shutil.copytree(cfg.web, into, dirs_exist_ok=True)
    # Hidden entries are never part of the site (a killed stage's staging directory, say).
    for web in (d for d in web_dirs(cfg.artifacts) if d.is_dir()):  # each stage's, read only
        shutil.copytree(web, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
    (into / "vendor").mkdir(exist_ok=True)
    versioned = versioned_name(TFJS_FILE, tfjs.code)
    (into / "vendor" / versioned).write_bytes(tfjs.code)
    (into / TFJS_NOTICES).write_text(tfjs.notices, encoding="utf-8")
    for source in [*into.glob("*.html"), *into.glob("js/*.js")]:
        text = source.read_text(encoding="utf-8")
        if f"vendor/{TFJS_FILE}" in text:
            source.write_text(text.replace(f"vendor/{TFJS_FILE}", f"vendor/{versioned}"), encoding="utf-8")


def build_site(cfg: SiteConfig) -> None:
    """Build ``cfg.out`` from the sources, the artifacts and node_modules."""
    version = check_inputs(cfg)
    tfjs = bundle_tfjs(cfg.node_modules, version)
    check_licences(tfjs, (cfg.web / TFJS_LICENSE).read_text(encoding="utf-8"))
    with atomic_dir(cfg.out) as staging:
        assemble(cfg, tfjs, staging)
        bundle_modules(staging, cfg.node_modules)
        write_books_by_line(staging)
        add_popular_books(staging)
        parts = add_catalogue_parts(staging)
        add_first_files(staging, parts)
        build = stamp_build(staging, {"catalogue_parts": parts})
        add_precache_manifest(staging, build)
        precompress(staging, cfg.compress_cache)
    files = sum(1 for path in cfg.out.rglob("*") if path.is_file())
    log.info(
        "built %s: %d files, TF.js %s bundled (%d KB), build %s",
        cfg.out,
        files,
        version,
        len(tfjs.code) // 1000,
        build,
    )
