"""Lighthouse (npm, pinned in package.json) against a page, with Debian's Chromium: one run's
numbers. benchmarks/bench_phone.py runs it several times and prints them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness.browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
ATTEMPTS = 3


class LighthouseFailed(RuntimeError):
    """Lighthouse failed ATTEMPTS times in a row."""


def lighthouse_once(url: str, out: Path, chrome_flags: tuple[str, ...] = ()) -> dict:
    """One Lighthouse run (default mobile profile) of ``url``, its JSON report written to ``out``:
    performance score, LCP, TBT, CLS, time to interactive, bytes, accessibility and SEO scores."""
    flags = " ".join(["--headless=new", *[a for a in CHROMIUM_ARGS if a != "--headless"], *chrome_flags])
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,seo",
        f"--chrome-flags={flags}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    for attempt in range(1, ATTEMPTS + 1):
        # Lighthouse's own advice on a failed trace (NO_NAVSTART and the like) is to run it again.
        if subprocess.run(command, env=env, timeout=600, cwd=ROOT).returncode == 0:
            break
        print(f"  (Lighthouse run failed, attempt {attempt} of {ATTEMPTS})", file=sys.stderr)
    else:
        raise LighthouseFailed(f"Lighthouse failed {ATTEMPTS} times in a row on {url}")
    report = json.loads(out.read_text())
    audits, categories = report["audits"], report["categories"]
    return {
        "performance": categories["performance"]["score"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tti_ms": audits["interactive"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "accessibility": categories["accessibility"]["score"],
        "seo": categories["seo"]["score"],
        "version": report["lighthouseVersion"],
    }
