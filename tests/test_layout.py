"""The layout: imports between the project's packages go one way, with no cycle (imports inside
functions count too), only model/ and explorer/ import TensorFlow, and what tests and
benchmarks share lives in harness/, so no benchmark imports tests/."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from tests.conftest import REPO

FOLDERS = ("model", "explorer", "server", "sitebuild", "scripts", "benchmarks", "harness")
TENSORFLOW = ("tensorflow", "tf_keras", "keras", "tensorflowjs")
# What the explorer may use of the rating model's package: its data loader (and the download
# that finds the data) and small helpers.
EXPLORER_MAY_IMPORT = {
    "model",
    "model.data",
    "model.download",
    "model.atomic",
    "model.layout",
    "model.metadata",
    "model.ranking",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for folder in FOLDERS for p in sorted((REPO / folder).rglob("*.py"))}


def imported_names(path: Path, module: str, modules: set[str]) -> set[str]:
    """Every module named by an import anywhere in the file (functions included).

    ``from package import name`` names ``package.name`` when that is one of ``modules``,
    else ``package``.
    """
    is_package = path.name == "__init__.py"
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                package = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                name = f"{base}.{alias.name}"
                names.add(name if name in modules else base)
    return names


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    modules = project_modules()
    return {name: imported_names(path, name, set(modules)) & modules.keys() for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as [a, b, ..., a], or None."""
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "server.api" in graph["server"]  # create_app imports its blueprints
    assert {"explorer.links", "explorer.maps", "model.atomic"} <= graph.keys()


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def packages_imported(module: str, graph: dict[str, set[str]]) -> set[str]:
    return {name.split(".")[0] for name in graph[module]}


@pytest.mark.parametrize(
    "folder, allowed",
    [("model", {"model"}), ("server", {"server"}), ("explorer", {"explorer", "model"})],
)
def test_imports_go_one_way(folder, allowed):
    graph = import_graph()
    wrong = {
        module: sorted(packages_imported(module, graph) - allowed)
        for module in graph
        if module.split(".")[0] == folder and packages_imported(module, graph) - allowed
    }
    assert not wrong


def test_the_explorer_uses_only_the_data_loader_and_helpers_of_model():
    graph = import_graph()
    used = {name for module, names in graph.items() if module.startswith("explorer") for name in names}
    assert {name for name in used if name.split(".")[0] == "model"} <= EXPLORER_MAY_IMPORT


def test_only_model_and_explorer_import_tensorflow():
    importers = sorted(
        module
        for module, path in project_modules().items()
        if any(name.split(".")[0] in TENSORFLOW for name in imported_names(path, module, set()))
    )
    assert importers and {module.split(".")[0] for module in importers} <= {"model", "explorer"}


# What the site build may use of model/: the atomic swap and the artifacts' layout (no TensorFlow).
SITEBUILD_MAY_IMPORT = {"model.atomic", "model.layout"}


def test_the_site_build_uses_only_the_layout_and_atomic_swap_of_model():
    graph = import_graph()
    assert {"sitebuild.cli", "sitebuild.build", "sitebuild.tfjs"} <= graph.keys()
    used = {name for module, names in graph.items() if module.split(".")[0] == "sitebuild" for name in names}
    assert {name.split(".")[0] for name in used} <= {"sitebuild", "model"}
    assert {name for name in used if name.split(".")[0] == "model"} <= SITEBUILD_MAY_IMPORT


# Command lines only: the code they run lives in library modules, which import no command line.
COMMAND_LINES = ("model.recommend", "explorer.explore", "sitebuild.cli", "sitebuild.__main__")


def test_no_module_imports_a_command_line():
    graph = import_graph()
    assert not {
        module: sorted(names & set(COMMAND_LINES))
        for module, names in graph.items()
        if names & set(COMMAND_LINES) and not module.endswith(".__main__")  # (python -m's wiring)
    }


def test_no_benchmark_or_harness_module_imports_the_tests():
    """A benchmark is a script: what it shares with the tests is in harness/, which does not
    depend on tests/ (or pytest) either."""
    forbidden = {"tests", "pytest"}
    wrong = {
        module: sorted(n for n in imported_names(path, module, set()) if n.split(".")[0] in forbidden)
        for module, path in project_modules().items()
        if module.split(".")[0] in {"benchmarks", "harness"}
    }
    assert {module for module in wrong if module.startswith("benchmarks")}, "no benchmark found"
    assert not {module: names for module, names in wrong.items() if names}


def test_the_import_check_sees_a_benchmark_importing_the_tests(tmp_path):
    script = tmp_path / "bench_x.py"
    script.write_text("def main():\n    from tests.web.conftest import write_tiny_site\n")
    assert imported_names(script, "benchmarks.bench_x", set()) == {"tests.web.conftest"}


# Files of a few hundred lines (STYLE.md): a longer one holds more than one concern. The folders
# whose files all keep to it; the others follow as they are split.
MAX_LINES = 400
SHORT_FOLDERS = ("model", "sitebuild")


def test_no_file_of_the_short_folders_is_over_the_line_limit():
    long = {
        str(path.relative_to(REPO)): lines
        for folder in SHORT_FOLDERS
        for path in sorted((REPO / folder).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long


def test_the_entry_module_is_wiring_only():
    """web/js/main.js wires the modules and panels (issue 26: at most 350 lines); a concern of
    its own (the similar-books dialog, the shared list) goes in a module of its own."""
    lines = len((REPO / "web" / "js" / "main.js").read_text(encoding="utf-8").splitlines())
    assert lines <= 350, f"web/js/main.js has {lines} lines"


def test_the_model_package_names_each_of_its_modules_once_by_what_it_does():
    """model/__init__.py groups model/'s modules by stage (data, fitting, evaluation, export,
    ranking): a module added or removed without a place there fails here."""
    import model

    table = model.__doc__.split("Its modules, by what they do", 1)[1].split("\n")[2:]
    named = []
    for line in table:
        text = line[18:]  # after the group's name
        while "(" in text:
            text = text[: text.index("(")] + text[text.index(")") + 1 :]
        named += [word.strip() for word in text.split(",") if word.strip()]
    modules = sorted(path.stem for path in (REPO / "model").glob("*.py") if path.stem != "__init__")
    assert sorted(named) == modules
