"""The helper code a step runs, from the import graph: a change reruns only the notebooks it can affect.

A strand notebook imports its strand package (``helpers.strands.<strand>``) and core modules
(``helpers.config``, ``helpers.report_section``...); those import others. The code a step depends on
is every module of ``helpers`` reachable from its notebook's imports, read from the source with
``ast`` (imports inside functions included), plus the packages that contain them (importing a module
runs its packages' ``__init__``) and the data files those modules read. So a change in one strand's
files reruns that strand's notebooks and the report; a change in a core module reruns every notebook
importing it, directly or through another module.

Two rules keep this safe where the static graph cannot see:

- a module importing its own package's modules by computed name
  (``importlib.import_module(f"{__name__}.{name}")``) depends on every module of that package;
- a data file (``activities.csv``, ``templates/...``) belongs to the modules of its package that name
  it (a string equal to its file name or to a folder on its path), else to its package as a whole.

The report step depends on the whole package (:func:`package_files`): it renders every section and
exports the HTML with the report templates. Every step also depends on the module that runs it and
writes its executed notebook (:mod:`helpers.pipeline.kernels`).
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path

from .. import config
from .files import import_statements, write_atomic

PACKAGE = "helpers"
HELPERS_ROOT = Path(__file__).resolve().parents[1]
#: The runner's own module that shapes every executed notebook (parameters cell, normalisation).
RUNNER_MODULE = "helpers.pipeline.kernels"
#: What the graph needs of each module, kept between runs (git-ignored, like every build product).
CACHE_FILE = config.OUTPUTS_DIR / ".import_graph_cache.json"


def _module_name(path: Path, root: Path) -> str:
    parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def _modules(root: Path) -> dict[str, Path]:
    """Every module of the package (name -> file)."""
    return {_module_name(p, root): p for p in _source_files(root) if p.suffix == ".py"}


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, name: str, path: Path) -> str:
    """The module a ``from ... import`` statement imports from."""
    if not node.level:
        return node.module or ""
    base = _package_of(name, path).split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _computed_import(node: ast.Call) -> bool:
    """``import_module(f"{__name__}....")`` or ``f"{__package__}...."``: a module of this package by name."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if called != "import_module" or not node.args or not isinstance(node.args[0], ast.JoinedStr):
        return False
    first = node.args[0].values[0] if node.args[0].values else None
    return isinstance(first, ast.FormattedValue) and getattr(first.value, "id", "") in ("__name__", "__package__")


def _summary(name: str, path: Path) -> dict:
    """What the graph needs of one module, in one pass over its syntax tree: per top-level function or
    class (``""``: the import-time code) the imports it makes, as ``["import", module...]``,
    ``["from", absolute module, name...]`` or ``["computed", package]``; and the strings it holds that
    could name a file or folder (no white space), whole and split at '/'."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    imports: dict[str, list] = {"": []}
    strings: set[str] = set()
    for top in tree.body:
        bucket = imports.setdefault(top.name if isinstance(top, defs) else "", [])
        for node in ast.walk(top):
            if isinstance(node, ast.Import):
                bucket.append(["import", *(a.name for a in node.names)])
            elif isinstance(node, ast.ImportFrom):
                bucket.append(["from", _absolute(node, name, path), *(a.name for a in node.names)])
            elif isinstance(node, ast.Call) and _computed_import(node):
                bucket.append(["computed", _package_of(name, path)])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and not set(node.value) & set(" \t\n"):
                strings |= {node.value, *node.value.split("/")}
    return {"imports": imports, "strings": sorted(strings)}


#: (file, modification time, size) -> its :func:`_summary`: a file is parsed once per process while
#: unchanged, whichever copy of the package it is in (the disk cache below serves only the project's own).
_PARSED: dict[tuple, dict] = {}


def _cached_summaries(root: Path, modules: dict[str, Path]) -> dict[str, dict]:
    """Every module's :func:`_summary`, read from the cache in ``outputs/`` for the files unchanged
    since (by size and modification time), so a run that changed no code parses nothing."""
    cache_file = CACHE_FILE if root == HELPERS_ROOT else None
    try:
        cache = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file else {}
    except (OSError, ValueError):
        cache = {}
    out, changed = {}, False
    for name, path in modules.items():
        st = path.stat()
        signature = [str(path.relative_to(root)), st.st_mtime_ns, st.st_size]
        hit = cache.get(name)
        if not hit or hit.get("signature") != signature:
            key = (str(path), st.st_mtime_ns, st.st_size)
            if key not in _PARSED:
                _PARSED[key] = _summary(name, path)
            hit, changed = {"signature": signature, **_PARSED[key]}, True
        out[name] = hit
    if cache_file and (changed or set(cache) != set(out)):
        try:
            write_atomic(cache_file, json.dumps(out, sort_keys=True))
        except OSError:
            pass  # a read-only checkout: parse again next time
    return out


def _resolve(entries: list, modules: dict[str, Path], name: str) -> set[str]:
    """The package's modules a list of summarised imports names."""
    out: set[str] = set()
    for kind, base, *names in entries:
        if kind == "import":
            out |= {base, *names}
        elif kind == "from":
            out |= {f"{base}.{n}" if f"{base}.{n}" in modules else base for n in names}
        else:  # computed: any module of the package (not its __main__)
            out |= {m for m in modules if m.startswith(base + ".") and not m.endswith(".__main__")}
    return {m for m in out if m in modules and m != name}


def _data_owners(root: Path, modules: dict[str, Path], summaries: dict[str, dict]) -> dict[str, set[Path]]:
    """module -> the data files (not Python) it reads: those of its package that it names."""
    owners: dict[str, set[Path]] = {m: set() for m in modules}
    strings = {m: set(summaries[m]["strings"]) for m in modules}
    for data in (p for p in _source_files(root) if p.suffix != ".py"):
        package_dir = next(d for d in data.parents if (d / "__init__.py").exists())
        package = _module_name(package_dir / "__init__.py", root)
        names = {data.name, *data.relative_to(package_dir).parent.parts}
        inside = [m for m in modules if m == package or m.startswith(package + ".")]
        readers = [m for m in inside if names & strings[m]] or [package]
        for m in readers:
            owners[m].add(data)
    return owners


@functools.lru_cache(maxsize=4)
def _graph(
    root: Path, signature: tuple
) -> tuple[dict[str, dict[str, set[str]]], dict[str, set[Path]], dict[str, Path]]:
    modules = _modules(root)
    summaries = _cached_summaries(root, modules)
    graph = {
        name: {key: _resolve(entries, modules, name) for key, entries in summaries[name]["imports"].items()}
        for name in modules
    }
    return graph, _data_owners(root, modules, summaries), modules


def import_graph(
    root: Path = HELPERS_ROOT,
) -> tuple[dict[str, dict[str, set[str]]], dict[str, set[Path]], dict[str, Path]]:
    """(module -> {``""`` or a top-level function or class -> modules imported there}, module -> data
    files it reads, module -> its file), read again only when a file of the package changed."""
    signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in _source_files(root))
    return _graph(root, signature)


def _packages(name: str) -> list[str]:
    """The packages containing a module, outermost first (importing it runs their ``__init__``)."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imported_modules(start, root: Path = HELPERS_ROOT) -> set[str]:
    """Every module of the package that importing ``start`` runs, transitively. ``start`` holds module
    names (the whole module may be used) or ``(module, names)`` pairs (only those names are used: the
    module's import-time code and what those functions or classes import). A module imported by
    another is taken whole, and its packages' import-time code with it."""
    graph, _, modules = import_graph(root)
    whole: set[str] = set()
    top: set[str] = set()  # modules of which only the import-time code runs
    todo: list[str] = []
    for item in start:
        name, names = (item, None) if isinstance(item, str) else item
        if name not in modules:
            continue
        if names is None:
            todo.append(name)
        else:
            top.add(name)
            todo += [m for n in names for m in graph[name].get(n, ())]
        top.update(p for p in _packages(name) if p in modules)
    top_todo = list(top)
    while todo or top_todo:
        if todo:
            name = todo.pop()
            if name in whole:
                continue
            whole.add(name)
            deps = set().union(*graph[name].values())
        else:
            deps = graph[top_todo.pop()][""]
        for dep in deps - whole:
            todo.append(dep)
            new = [p for p in _packages(dep) if p in modules and p not in top and p not in whole]
            top.update(new)
            top_todo += new
    return whole | top


def notebook_entries(notebook: Path, root: Path = HELPERS_ROOT) -> list:
    """What a notebook imports from the package: module names (``import helpers.x``, ``from helpers
    import config``) and ``(module, names)`` for names taken from a module (``from helpers.synthetic
    import load_truth``)."""
    _, _, modules = import_graph(root)
    out: list = []
    for node in import_statements(notebook):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name in modules]
        elif node.module in modules and not node.level:
            out += [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules]
            out.append((node.module, tuple(a.name for a in node.names if f"{node.module}.{a.name}" not in modules)))
    return out


def code_files(start, root: Path = HELPERS_ROOT) -> list[Path]:
    """The source and data files of every module importing ``start`` runs (:func:`imported_modules`)."""
    _, owners, modules = import_graph(root)
    names = imported_modules(start, root)
    return sorted({modules[m] for m in names} | {f for m in names for f in owners[m]})


def package_files(root: Path = HELPERS_ROOT) -> list[Path]:
    """Every file of the package (sources, templates, data), sorted."""
    return _source_files(root)
