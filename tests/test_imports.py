"""The package's import structure: every module imports, and there is no import cycle among helpers.*.

The graph is built from the source files with ``ast`` (every ``import`` statement, including those
inside functions), independently of what Python happens to have imported at run time, so a cycle
hidden behind a lazy import is still found. Importing a submodule implicitly imports its parent
packages; those implicit edges are not drawn, only the imports the code writes.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "helpers"


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_modules(src: Path = SRC, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the package (name -> file), ``__main__`` modules included."""
    return {module_name(p, src): p for p in sorted((src / package).rglob("*.py"))}


def _resolve(node: ast.ImportFrom, current: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` statement imports from."""
    if not node.level:
        return node.module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]  # a module's relative imports start from its package
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph(src: Path = SRC, package: str = PACKAGE) -> dict[str, set[str]]:
    """module -> the package's modules it imports (edges only to modules that exist in the source)."""
    modules = source_modules(src, package)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, name, is_package)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
                    targets.append(sub if sub in modules else base)
            for t in targets:
                if t in modules and t != name:
                    graph[name].add(t)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules (first == last), or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


# ---------------------------------------------------------------- the checker itself


def test_find_cycle_on_small_graphs():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None  # a diamond is not a cycle
    assert find_cycle({"a": {"a2"}, "a2": {"a2b"}, "a2b": {"a2"}}) == ["a2", "a2b", "a2"]


def test_graph_builder_finds_a_lazy_relative_cycle(tmp_path):
    # The shape the issue removed: measures and drawing importing each other, one of them lazily.
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .measures import X\n")
    (pkg / "sub" / "measures.py").write_text("X = 1\ndef draw():\n    from . import drawing\n    return drawing\n")
    (pkg / "sub" / "drawing.py").write_text("from .measures import X\nfrom ..core import Y\n")
    (pkg / "core.py").write_text("Y = 2\n")
    (pkg / "runner.py").write_text("import pkg.sub.measures\nfrom pkg import core\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.sub"] == {"pkg.sub.measures"}
    assert graph["pkg.sub.measures"] == {"pkg.sub.drawing"}
    assert graph["pkg.sub.drawing"] == {"pkg.sub.measures", "pkg.core"}
    assert graph["pkg.runner"] == {"pkg.sub.measures", "pkg.core"}
    assert find_cycle(graph) == ["pkg.sub.measures", "pkg.sub.drawing", "pkg.sub.measures"]
    # Drawing depending on the measures, never both ways: acyclic.
    (pkg / "sub" / "measures.py").write_text("X = 1\n")
    assert find_cycle(import_graph(tmp_path, "pkg")) is None


# ---------------------------------------------------------------- the project


def test_every_module_imports():
    names = [m for m in source_modules() if not m.endswith("__main__")]
    assert "helpers.provenance" in names and "helpers.strands.networks.charts" in names
    for name in names:
        importlib.import_module(name)


def test_no_import_cycle_among_helpers():
    graph = import_graph()
    # The graph sees the edges that exist (a builder that found nothing would pass trivially).
    assert "helpers.strands.networks.analysis" in graph["helpers.strands.networks.charts"]
    assert "helpers.provenance" in graph["helpers.pipeline"] and "helpers.provenance" in graph["helpers.report.header"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _strand(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "strands" else None


def test_core_knows_no_strand_and_strands_do_not_import_each_other():
    """The core never imports a strand (the data dictionary finds them by name); a strand imports
    the core and itself only, never another strand or a generator (the analysis never sees the truth)."""
    problems = []
    for module, targets in import_graph().items():
        for t in targets:
            own, other = _strand(module), _strand(t)
            if own is None and other is not None and not module.startswith("helpers.synthetic"):
                problems.append(f"core module {module} imports strand module {t}")
            if own is not None and other is not None and own != other:
                problems.append(f"strand {own} imports strand {other} ({module} -> {t})")
            if own is not None and t.startswith("helpers.synthetic"):
                problems.append(f"strand module {module} imports the generator {t}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("strand", sorted({_strand(m) for m in source_modules() if _strand(m)}))
def test_every_strand_has_the_four_seams(strand):
    module = importlib.import_module(f"helpers.strands.{strand}")
    assert module.__doc__ and module.STRAND == strand
    assert isinstance(module.RAW_FILES, tuple) and isinstance(module.OUTPUTS, tuple)
    for seam in ("inputs", "analysis", "charts", "section"):
        assert (SRC / "helpers" / "strands" / strand / f"{seam}.py").exists(), f"{strand}: no {seam}.py"
    assert callable(importlib.import_module(f"helpers.strands.{strand}.section").build_section)
