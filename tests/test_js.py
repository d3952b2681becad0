"""The page's pure ES modules (search, picks, map geometry) under Node's own test runner."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO


def test_pure_js_modules_pass_node_test():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make install needs it for npm ci)")
    result = subprocess.run(
        [node, "--test", "tests/js/"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    passed = re.search(r"^# pass (\d+)$", report, re.MULTILINE)
    assert passed and int(passed.group(1)) >= 15, report  # the files under tests/js/ did run
