"""Rooms that fit in a head: no function over 80 lines and no module over 600 in ``src/`` and ``benchmarks/``.

Lines are counted as a reader sees them: a module's physical lines, a function's lines from its ``def``
to its last line (docstring, comments and blank lines included; a nested function counts inside its
parent and on its own). Modules that are data declarations rather than code are excepted and listed
with the reason in ``DATA_DECLARATIONS``.

``KNOWN_OVER_BUDGET`` lists what was over budget when the test was written and is being split (issue
22). It may only shrink: the test fails for anything over budget that is not listed, and for a listed
item that is now within budget (take it off the list in the commit that splits it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("src", "benchmarks")
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600

#: Modules that hold declarations (schemas, word lists, tables of constants), not logic: path -> why.
DATA_DECLARATIONS: dict[str, str] = {}

#: Over budget when the budget test landed, each with the engineer splitting it. Remove an entry in the
#: commit that brings it within budget; never add one.
KNOWN_OVER_BUDGET: dict[str, str] = {}


def _functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, lines) of every function and method, nested ones included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = prefix + node.name
            yield name, node.end_lineno - node.lineno + 1
            yield from _functions(node, name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")
        else:
            yield from _functions(node, prefix)


def over_budget(root: Path = ROOT) -> dict[str, int]:
    """Every module over MAX_MODULE_LINES and function over MAX_FUNCTION_LINES -> its lines."""
    found = {}
    for top in CHECKED:
        for path in sorted((root / top).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            lines = len(text.splitlines())
            if lines > MAX_MODULE_LINES and rel not in DATA_DECLARATIONS:
                found[rel] = lines
            for name, n in _functions(ast.parse(text, filename=rel)):
                if n > MAX_FUNCTION_LINES:
                    found[f"{rel}:{name}"] = n
    return found


def _body(indent: str, n: int) -> str:
    return "".join(f"{indent}x{i} = {i}\n" for i in range(n))


def test_the_counter_counts(tmp_path):
    """On a made-up tree: a long module, method and nested function are found; short ones are not."""
    (tmp_path / "src").mkdir()
    source = (
        "class A:\n    def m(self):\n"
        + _body(" " * 8, MAX_FUNCTION_LINES)  # 81 lines: over
        + "    def ok(self):\n"
        + _body(" " * 8, MAX_FUNCTION_LINES - 1)  # 80 lines: within
        + "def outer():\n    def inner():\n"
        + _body(" " * 8, MAX_FUNCTION_LINES)
        + "    return inner\n"
    )
    (tmp_path / "src" / "long.py").write_text(source + "\n" * (MAX_MODULE_LINES - source.count("\n") + 1))
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "short.py").write_text("def f():\n    return 1\n" + "\n" * (MAX_MODULE_LINES - 2))
    found = over_budget(tmp_path)
    assert found == {
        "src/long.py": MAX_MODULE_LINES + 1,
        "src/long.py:A.m": MAX_FUNCTION_LINES + 1,
        "src/long.py:outer": MAX_FUNCTION_LINES + 3,
        "src/long.py:outer.inner": MAX_FUNCTION_LINES + 1,
    }


def test_no_new_room_over_budget():
    """Nothing over budget beyond the known list (which only shrinks)."""
    new = {k: n for k, n in over_budget().items() if k not in KNOWN_OVER_BUDGET}
    assert not new, "over budget (functions at most 80 lines, modules at most 600: split it): " + ", ".join(
        f"{k} ({n} lines)" for k, n in sorted(new.items())
    )


def test_the_known_list_only_shrinks():
    """A listed item now within budget must come off the list, so the list cannot hide a regression."""
    found = over_budget()
    fixed = sorted(k for k in KNOWN_OVER_BUDGET if k not in found)
    assert not fixed, "within budget now, remove from KNOWN_OVER_BUDGET: " + ", ".join(fixed)


@pytest.mark.parametrize("path", sorted(DATA_DECLARATIONS) or [None])
def test_data_declarations_exist(path):
    """Every excepted module exists (a stale exception would hide nothing, but misleads)."""
    if path is not None:
        assert (ROOT / path).is_file(), path
