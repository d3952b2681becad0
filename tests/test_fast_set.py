"""What `make test-fast` leaves out, and that it leaves it out cheaply: a test file whose every
test the -m expression deselects is not imported (tests/conftest.py), so the fast set never
pays for TensorFlow."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO, module_marks, selects_none

REGISTERED = {"browser", "slow", "skipif", "parametrize"}


def test_module_marks_reads_pytestmark_without_importing(tmp_path):
    cases = {
        "pytestmark = pytest.mark.slow\nimport no_such_module\n": {"slow"},
        "pytestmark = [pytest.mark.browser, pytest.mark.skipif(True, reason='x')]\n": {"browser", "skipif"},
        "import pytest\n\n@pytest.mark.slow\ndef test_x():\n    pass\n": set(),
    }
    for source, marks in cases.items():
        path = tmp_path / "test_case.py"
        path.write_text(source)
        assert module_marks(path) == marks, source


@pytest.mark.parametrize(
    ("expression", "marks", "none"),
    [
        ("not browser and not slow", {"slow"}, True),
        ("not browser and not slow", {"browser", "skipif"}, True),
        ("not slow", {"browser"}, False),  # a test of it may not be slow
        ("slow", {"browser"}, False),  # a test of it may be marked slow as well
        ("browser or slow", {"slow"}, False),
        ("not (browser or slow)", {"browser"}, True),
    ],
)
def test_selects_none_only_when_no_test_of_the_file_can_be_selected(expression, marks, none):
    assert selects_none(expression, marks, REGISTERED) is none


@pytest.mark.slow  # collects the whole suite in a fresh Python
def test_the_fast_set_does_not_import_tensorflow():
    code = (
        "import sys, pytest; "
        "code = pytest.main(['-q', '--collect-only', '-m', 'not browser and not slow']); "
        "print('tensorflow' in sys.modules, code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert result.stdout.splitlines()[-1] == "False 0", result.stdout[-2000:] + result.stderr[-2000:]
