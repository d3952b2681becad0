"""The README and docs/ name only what exists: files and folders of the repository, `make`
targets, `python -m` modules and the tests they cite. A rename that forgets a doc fails here."""

from __future__ import annotations

import re
from functools import cache

import pytest

from tests.conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Folders whose paths a doc may name as source; anything else (artifacts/, static/, data/, web/model/
# and the other outputs) is written by a stage, and ARTIFACTS.md describes it.
SOURCE_DIRS = (
    "model",
    "server",
    "web/js",
    "scripts",
    "benchmarks",
    "harness",
    "docs",
    "explorer",
    "tests",
    ".ci",
)
SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".sh", ".toml", ".cfg")
# What the stages write, named in the docs by its place in artifacts/ or static/ (ARTIFACTS.md).
OUTPUTS = {"eval.md", "links/report.md", "model/model.json", "tf.fesm.min.js"}
GENERATED_DIRS = ("artifacts/", "static/", "data/", "projector/", "test-artifacts/")


def spans(text: str) -> list[str]:
    """The text of every inline code span and every relative link target."""
    code = re.findall(r"`([^`\n]+)`", text)
    links = [t for t in re.findall(r"\]\(([^)\s]+)\)", text) if "://" not in t and not t.startswith("#")]
    return code + [link.split("#")[0] for link in links]


def mentions() -> list[tuple[str, str]]:
    return [(doc.relative_to(REPO).as_posix(), span) for doc in DOCS for span in spans(doc.read_text())]


@cache
def make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, flags=re.M))


@cache
def source_names() -> set[str]:
    """The names of the files under the source folders (not node_modules, .venv or any output)."""
    roots = [REPO / d for d in SOURCE_DIRS if (REPO / d).is_dir()] + [REPO / "web"]
    return {p.name for root in roots for p in root.rglob("*") if p.is_file()} | {
        p.name for p in REPO.iterdir()
    }


@cache
def names_of_tests() -> set[str]:
    names = set()
    for path in (REPO / "tests").rglob("test_*.py"):
        names |= set(re.findall(r"^\s*(?:async )?def (test_\w+)", path.read_text(), flags=re.M))
    return names


def problems(doc: str, span: str) -> list[str]:
    """What in one code span or link names something that is not there."""
    found = []
    base = (REPO / doc).parent
    for target in re.findall(r"\bmake ([a-z][\w-]*)", span):
        if target not in make_targets():
            found.append(f"make {target}: no such target")
    for module in re.findall(r"python -m ([\w.]+)", span):
        path = REPO / module.replace(".", "/")
        if not (path.with_suffix(".py").is_file() or (path / "__main__.py").is_file()):
            found.append(f"python -m {module}: no such module")
    for word in span.split():
        word = word.strip("`,;:()[]")
        if re.fullmatch(r"test_\w+", word) and word not in names_of_tests() and not word.endswith("_"):
            found.append(f"{word}: no such test")
            continue
        if "<" in word or "*" in word or "=" in word or word.startswith(("-", "/", "http")):
            continue
        if word in OUTPUTS or word.startswith(GENERATED_DIRS):
            continue
        parts = word.rstrip("/").split("/")
        if len(parts) > 1 and word.startswith(SOURCE_DIRS):
            if not (REPO / word).exists() and not (base / word).exists():
                found.append(f"{word}: no such path")
        elif len(parts) > 1 and word.endswith(".md") and not (base / word).exists():
            found.append(f"{word}: no such document")
        elif len(parts) == 1 and word.endswith(SOURCE_SUFFIXES) and re.fullmatch(r"[\w.-]+", word):
            if word not in source_names():
                found.append(f"{word}: no file of that name")
    return found


@pytest.mark.parametrize("doc", [d.relative_to(REPO).as_posix() for d in DOCS])
def test_every_path_target_module_and_test_a_doc_names_exists(doc):
    missing = [f"{doc}: `{span}`: {p}" for d, span in mentions() if d == doc for p in problems(d, span)]
    assert not missing, "\n".join(missing)


def test_the_check_finds_what_is_missing():
    assert problems("README.md", "make no-such-target") == ["make no-such-target: no such target"]
    assert problems("README.md", "python -m model.nothing") == ["python -m model.nothing: no such module"]
    assert problems("README.md", "model/nothing.py") == ["model/nothing.py: no such path"]
    assert problems("README.md", "nothing_here.js") == ["nothing_here.js: no file of that name"]
    assert problems("README.md", "test_nothing_of_the_sort") == ["test_nothing_of_the_sort: no such test"]
    assert problems("README.md", "make build && python -m model.train --out artifacts") == []
    assert problems("docs/MODEL.md", "RESULTS.md") == []


def anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@cache
def anchors(path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {anchor(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def broken_anchors(doc) -> list[str]:
    """The links of ``doc`` to ``file.md#anchor`` or ``#anchor`` whose heading is not there."""
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
        file, hash_, name = target.partition("#")
        if not hash_ or "://" in file:
            continue
        path = (doc.parent / file) if file else doc
        if path.is_file() and name not in anchors(path):
            broken.append(f"{target}: no heading with that anchor")
    return broken


@pytest.mark.parametrize("doc", [d.relative_to(REPO).as_posix() for d in DOCS])
def test_every_link_to_a_section_finds_its_heading(doc):
    assert not broken_anchors(REPO / doc)


def test_the_anchor_check_finds_a_missing_heading(tmp_path):
    (tmp_path / "a.md").write_text("# Top\n\n## What readers see (`eval.md`)\n")
    doc = tmp_path / "b.md"
    doc.write_text("[x](a.md#what-readers-see-evalmd) [y](a.md#top) [z](a.md#gone) [w](#here)\n## Here\n")
    assert anchor("Search with typos") == "search-with-typos"
    assert broken_anchors(doc) == ["a.md#gone: no heading with that anchor"]


def test_results_hold_current_numbers_only():
    """docs/RESULTS.md is a page of tables, not a history: at most 300 lines."""
    assert len((REPO / "docs" / "RESULTS.md").read_text().splitlines()) <= 300


def test_the_readme_is_commands_and_a_map():
    """At most 80 lines, the two commands on its first screen, and the map's table."""
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 80
    first = "\n".join(lines[:15])
    assert "make build" in first and "make test" in first
    assert any(line.startswith("| folder | stage | reads | writes |") for line in lines)
