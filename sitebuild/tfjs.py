"""TF.js as the site ships it: scripts/tfjs-entry.js bundled by esbuild from node_modules, at
the version the model was exported for, with the licences of every package it holds."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sitebuild.common import ROOT, BuildError

TFJS_FILE = "tf.fesm.min.js"  # one ES module; web/js/*.js import ../vendor/tf.fesm.min.js
# What the page uses of TF.js (scripts/tfjs-entry.js), bundled by esbuild into TFJS_FILE: all at
# the version the model was exported for (metadata.json's tfjs_version).
TFJS_PACKAGES = ("@tensorflow/tfjs-core", "@tensorflow/tfjs-layers", "@tensorflow/tfjs-backend-cpu")
TFJS_ENTRY = ROOT / "scripts" / "tfjs-entry.js"
# One minified ES module for the browsers that run module workers (the model runs in one). The
# sources' licence comments go to TFJS_NOTICES rather than into every visitor's download.
ESBUILD_OPTIONS = (
    "--bundle",
    "--format=esm",
    "--platform=browser",
    "--target=es2020",
    "--minify",
    "--legal-comments=external",
    "--log-level=error",
)
TFJS_BANNER = "/*! TensorFlow.js {version} (core, layers, cpu backend): vendor/tfjs-LICENSE.txt */"
# The licences of the TF.js we ship (the npm packages have no licence file of their own; their
# package.json says Apache-2.0) and of the packages bundled with it: web/vendor/tfjs-LICENSE.txt,
# served beside it, which names each of them (bundle_tfjs checks). TFJS_NOTICES: the copyright
# and licence comments of the bundled sources, as esbuild collected them.
TFJS_LICENSE = "vendor/tfjs-LICENSE.txt"
TFJS_NOTICES = "vendor/tfjs-NOTICES.txt"


def installed_tfjs_version(node_modules: Path) -> str:
    """The version of the TFJS_PACKAGES installed in ``node_modules``, which must all have one."""
    versions = {}
    for package in TFJS_PACKAGES:
        manifest = node_modules / package / "package.json"
        if not manifest.is_file():
            raise BuildError(f"{manifest} is missing. Install the npm packages: `make install` (npm ci).")
        versions[package] = json.loads(manifest.read_text())["version"]
    if len(set(versions.values())) != 1:
        found = ", ".join(f"{package} {version}" for package, version in versions.items())
        raise BuildError(f"node_modules mixes TF.js versions ({found}); run `make install` (npm ci).")
    return versions[TFJS_PACKAGES[0]]


@dataclass(frozen=True)
class TfjsBundle:
    """TF.js as the site ships it: ``code`` (TFJS_FILE's bytes), ``notices`` (the licence
    comments of its sources) and ``packages``, the npm packages whose code it holds."""

    code: bytes
    notices: str
    packages: tuple[str, ...]


def bundled_packages(metafile: dict) -> tuple[str, ...]:
    """The npm packages with code in the output of esbuild's ``metafile``, sorted.

    ``{"outputs": {"x.js": {"inputs": {"node_modules/long/src/long.js": {"bytesInOutput": 9}}}}}``
    -> ``("long",)``; an input esbuild left empty (``(disabled):crypto``) holds none.
    """
    packages = set()
    for output in metafile["outputs"].values():
        for path, used in output.get("inputs", {}).items():
            found = re.search(r".*node_modules/((?:@[^/]+/)?[^/]+)/", path)
            if found and used["bytesInOutput"] > 0 and not path.startswith("(disabled):"):
                packages.add(found.group(1))
    return tuple(sorted(packages))


def bundle_tfjs(node_modules: Path, version: str) -> TfjsBundle:
    """Bundle scripts/tfjs-entry.js with the TF.js packages of ``node_modules`` (and its esbuild).

    The entry goes in on stdin, so that its imports resolve in ``node_modules`` (not in the
    node_modules beside this script); the same inputs give the same bytes.
    """
    esbuild = node_modules / ".bin" / "esbuild"
    if not esbuild.is_file():
        raise BuildError(
            f"{esbuild} is missing: the site bundles TF.js with it. Run `make install` (npm ci)."
        )
    with tempfile.TemporaryDirectory(prefix="shelf-tfjs-") as work:
        out, meta = Path(work) / TFJS_FILE, Path(work) / "meta.json"
        command = [
            str(esbuild),
            *ESBUILD_OPTIONS,
            f"--banner:js={TFJS_BANNER.format(version=version)}",
            f"--sourcefile={TFJS_ENTRY.name}",
            f"--outfile={out}",
            f"--metafile={meta}",
        ]
        try:
            result = subprocess.run(
                command,
                cwd=node_modules.parent,
                input=TFJS_ENTRY.read_bytes(),
                capture_output=True,
                timeout=300,
            )
        except OSError as error:  # esbuild's launcher needs node
            raise BuildError(f"esbuild could not run ({error}); run `make install`.") from error
        if result.returncode != 0:
            lines = result.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
            first = next((line for line in lines if "[ERROR]" in line), lines[0])
            reason = re.sub(r"^.*?\[ERROR\]\s*", "", first).strip()
            raise BuildError(f"esbuild could not bundle TF.js ({reason}); run `make install` (npm ci).")
        legal = out.with_name(out.name + ".LEGAL.txt")
        notices = legal.read_text(encoding="utf-8") if legal.is_file() else ""
        return TfjsBundle(out.read_bytes(), notices, bundled_packages(json.loads(meta.read_text())))


def check_licences(bundle: TfjsBundle, licence: str) -> None:
    """Every npm package with code in the bundle is named in the licence file that ships with it."""
    unnamed = [
        package
        for package in bundle.packages
        if not re.search(rf"(?<![\w@/.-]){re.escape(package)}(?![\w/.-])", licence)
    ]
    if unnamed:
        raise BuildError(
            f"TF.js bundles {', '.join(unnamed)}, which {TFJS_LICENSE} does not name: add its licence there."
        )
