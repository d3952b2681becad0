"""Build the static site: the page's sources, each stage's web files and TF.js, swapped in whole.

    python -m sitebuild --artifacts artifacts --out static

SIGTERM cleans up at once (sitebuild/build.py says how the site is swapped in).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sitebuild.build import build_site, log
from sitebuild.common import COMPRESS_CACHE, ROOT, BuildError, SiteConfig


def parse_args(argv: list[str] | None = None) -> SiteConfig:
    parser = argparse.ArgumentParser(prog="python -m sitebuild", description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="artifacts root (reads model/, explorer/)")
    parser.add_argument("--out", default="static", help="where to write the site (replaced atomically)")
    parser.add_argument("--web", default=str(ROOT / "web"), help="the page's sources")
    parser.add_argument("--node-modules", default=str(ROOT / "node_modules"), help="npm install location")
    parser.add_argument(
        "--compress-cache",
        default=str(COMPRESS_CACHE),
        help="where brotli/gzip forms are kept by content hash between builds ('' for none)",
    )
    args = parser.parse_args(argv)
    cache = Path(args.compress_cache) if args.compress_cache else None
    return SiteConfig(Path(args.artifacts), Path(args.out), Path(args.web), Path(args.node_modules), cache)


def exit_on_sigterm(signum, frame) -> None:
    """SIGTERM ends the build like Ctrl-C does: through ``finally``, which removes the staging."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cfg = parse_args(argv)
    try:
        build_site(cfg)
    except BuildError as error:
        log.error("sitebuild: %s", error)
        return 1
    return 0
