"""The pipeline runner: one entry point that builds the evaluation report from the raw data.

``python -m helpers.pipeline`` (``make report``) reads the declared pipeline (``pipeline.yaml``:
which notebooks, with which parameters, reading which raw files and which other notebooks'
outputs) and:

1. checks, before running anything, that the declaration and any parameter file are well formed
   (plain YAML values, mappings where mappings belong: one clear line otherwise), that every
   notebook exists and runs on the project's kernel, that every parameter passed to it is one it
   declares, with the type of its default, that every raw input it needs is there, and that
   ``processed_dir`` is not the filesystem root, the raw folder or the repository root;
2. derives the order from what each notebook reads (``reads:``; the report reads all) and runs
   notebooks that do not depend on each other in parallel (``--jobs``, default: the cores), each
   in its own kernel process on an explicit kernel, over IPC (no unencrypted-TCP warning), from
   the project root;
3. remembers what it built (the *skip-state*, ``<processed>/<scope>/.pipeline_state.json``): a
   step is recorded as done only after all its outputs are written, with the hash of each output
   and a fingerprint of everything it depends on (notebook source, parameters, raw inputs, helper
   code, the pseudonymisation key's fingerprint - never the key - and the outputs of the notebooks
   it reads). On every run each recorded output is checked to still exist with its hash; a step
   whose fingerprint or outputs no longer match reruns (an interrupted run, a deleted folder, a
   new key). Executed notebooks, the HTML report, the manifest and the state are written under a
   temporary name and then renamed, so an interrupted run never leaves a stub that looks done;
4. refuses to build the report from a section older than its inputs (naming it in one line), and
   refuses to mix outputs made under two pseudonymisation keys;
5. takes a lock on the output folder, so two runs on it never interleave (the second waits, and
   stops with one line after ``--lock-timeout``; a lock left by a dead process is taken over);
6. makes the executed notebooks byte-identical for identical inputs and code: cell ids derived
   from the notebook path and cell index, no timing metadata, and the build date taken from
   ``SOURCE_DATE_EPOCH`` or, when unset, from the newest raw input (:func:`build_date`);
7. writes ``run_info.json`` beside the processed outputs for the report: the code version, every
   parameter that differs from the declared defaults and the override file's name
   (:func:`run_info`). A run with non-default parameters writes its processed outputs, executed
   notebooks and report under a name that says so (``reports/focus_on_practice_evaluation__quick_check.html``)
   and never overwrites the default build;
8. after ``--only``/``--from`` also rebuilds the report, or says in one line that it is now stale;
9. on failure prints one line (notebook, cell, exception) and where the executed notebook with the
   full traceback is, and exits non-zero; exports the report notebook to self-contained HTML;
10. writes the executed notebooks and a run manifest (code version, parameters, input hashes,
    package versions, timings) to ``outputs/runs/<scope>/`` (git-ignored): the audit trail.

Progress bars appear only on a terminal; in a log file each notebook is one plain line.
See ``python -m helpers.pipeline --help``.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import hmac
import json
import os
import platform
import re
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from . import config
from .provenance import RUN_INFO_FILE, code_version, package_versions

GLOBAL_PARAMETERS = ("borough", "raw_dir", "processed_dir", "suppression_threshold")
#: Globals that say where things are, not how they are analysed: a different folder is not a
#: different parameter set (the borough has its own report name already).
LOCATION_PARAMETERS = ("borough", "raw_dir", "processed_dir")
REPORT_NAME = "focus_on_practice_evaluation"
STATE_FILE = ".pipeline_state.json"
LOCK_FILE = ".pipeline.lock"
#: Keys a notebook entry of pipeline.yaml may have. ``kernel`` and ``optional`` are read by the
#: LA-extracts work (branch ``extracts``); they are accepted here so a declaration using them is valid.
ENTRY_KEYS = (
    "name",
    "notebook",
    "description",
    "raw_inputs",
    "parameters",
    "reads",
    "exports_report",
    "kernel",
    "optional",
    "raw_folders",
    "public_data",
)
DEFAULT_LOCK_TIMEOUT = 600.0


def default_jobs() -> int:
    """Notebooks run at once by default: the cores this process may use (2 when unknown)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 2


class PipelineError(Exception):
    """The pipeline cannot run as asked (bad declaration, unknown parameter, missing input)."""


class NotebookFailed(Exception):
    """A notebook raised an error while running; the message is the one-line summary."""

    def __init__(self, message: str, executed_path: Path):
        super().__init__(message)
        self.executed_path = executed_path


@dataclass
class Step:
    """One notebook of the declared pipeline, with its merged parameters."""

    name: str
    notebook: Path
    description: str
    parameters: dict
    raw_inputs: list[str] = field(default_factory=list)
    exports_report: bool = False
    #: names of the notebooks whose processed outputs this one reads (it runs after them)
    reads: list[str] = field(default_factory=list)
    #: Jupyter kernel the notebook runs on (``kernel:`` in pipeline.yaml; default the project's).
    kernel: str = config.KERNEL_NAME
    #: ``optional: true``: if the notebook's kernel is not installed the step is skipped with one line.
    optional: bool = False
    #: folders under raw_dir the notebook reads whole (``raw_folders:``, e.g. ``la_extracts``): every
    #: file in them enters the fingerprint, so a new or changed extract reruns the step. Optional:
    #: an absent folder is recorded as absent (the notebook says it found none).
    raw_folders: list[str] = field(default_factory=list)
    #: ``public_data: true``: the notebook reads the published-statistics folder (FOP_PUBLIC_DATA, or
    #: its ``public_data_dir`` parameter); the folder's contents enter the fingerprint, so a new
    #: release reruns it.
    public_data: bool = False


@dataclass
class Plan:
    """The pipeline as it will run: steps (in a dependency order), global parameters and where things go."""

    steps: list[Step]
    globals: dict
    runs_dir: Path
    report_path: Path
    #: every parameter that differs from pipeline.yaml: {"score15.bootstrap_samples": {"value":..., "default":...}}
    non_default: dict = field(default_factory=dict)
    #: the override file as given (None without --params)
    override_file: str | None = None
    #: "" for the default parameter set, else the name its outputs and report carry
    variant: str = ""

    @property
    def scope(self) -> str:
        return config.normalise_borough(self.globals["borough"])

    @property
    def scope_dir(self) -> Path:
        return config.processed_dir_for(self.globals["borough"], self.globals["processed_dir"])

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


# --------------------------------------------------------------------------------------------
# Reading the declaration and parameter files: one clear line for anything malformed
# --------------------------------------------------------------------------------------------


def _kind(value) -> str:
    return {list: "a list", dict: "a mapping", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def read_yaml(path: Path, what: str):
    """``yaml.safe_load`` of a file; any problem is a :class:`PipelineError` of one line."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{path}: {what} not found")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PipelineError(f"{path}: cannot read the {what}: {exc}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        if isinstance(exc, yaml.constructor.ConstructorError):
            problem += " (only plain values are allowed: text, numbers, true/false, lists and mappings)"
        raise PipelineError(f"{path}: {where}{problem}") from exc


def _check_values(path: Path, where: str, params) -> dict:
    """A ``name: value`` mapping of plain values (text, number, true/false, or a list of them)."""
    if params is None:
        raise PipelineError(f"{path}: {where} is empty: give its parameters as name: value, or remove it")
    if not isinstance(params, dict):
        raise PipelineError(f"{path}: {where} must be a mapping of parameter: value, got {_kind(params)} ({params!r})")
    plain = (str, int, float, bool)
    for name, value in params.items():
        if not isinstance(name, str):
            raise PipelineError(f"{path}: {where}: parameter names are text, got {name!r}")
        ok = (
            value is None
            or isinstance(value, plain)
            or (isinstance(value, list) and all(isinstance(v, plain) for v in value))
        )
        if not ok:
            raise PipelineError(
                f"{path}: {where}.{name} must be a plain value (text, number, true/false or a list of them), got {_kind(value)}"
            )
    return params


def load_declaration(path: Path = config.PIPELINE_FILE) -> dict:
    """Read ``pipeline.yaml`` and check its shape; ``reads`` are checked and an order derived."""
    path = Path(path)
    decl = read_yaml(path, "pipeline declaration")
    if decl is None:
        decl = {}
    if not isinstance(decl, dict):
        raise PipelineError(
            f"{path}: the declaration must be a mapping with globals: and notebooks:, got {_kind(decl)}"
        )
    unknown = set(decl) - {"globals", "notebooks", "report"}
    if unknown:
        raise PipelineError(f"{path}: unknown top-level key(s) {sorted(unknown)}")
    _check_values(path, "globals", decl.get("globals", {}))
    missing_globals = set(GLOBAL_PARAMETERS) - set(decl.get("globals", {}))
    if missing_globals:
        raise PipelineError(f"{path}: globals must set {sorted(missing_globals)}")
    entries = decl.get("notebooks")
    if not isinstance(entries, list) or not entries:
        raise PipelineError(f"{path}: notebooks: must be a list of notebook entries, got {_kind(entries)}")
    for i, nb in enumerate(entries, start=1):
        if not nb:
            raise PipelineError(f"{path}: notebook entry {i} is empty: give at least name: and notebook:")
        if not isinstance(nb, dict):
            raise PipelineError(
                f"{path}: notebook entry {i} must be a mapping (name:, notebook:, ...), got {_kind(nb)}"
            )
        label = f"notebook entry {i} ({nb.get('name', 'no name')})"
        if not nb.get("name") or not isinstance(nb["name"], str):
            raise PipelineError(f"{path}: {label}: every notebook entry needs a name")
        if not nb.get("notebook") or not isinstance(nb["notebook"], str):
            raise PipelineError(f"{path}: {label}: notebook: must be the notebook's path")
        extra = set(nb) - set(ENTRY_KEYS)
        if extra:
            hints = [
                f"{k!r} (did you mean {difflib.get_close_matches(k, ENTRY_KEYS, n=1)[0]!r}?)"
                if difflib.get_close_matches(k, ENTRY_KEYS, n=1)
                else repr(k)
                for k in sorted(extra)
            ]
            raise PipelineError(f"{path}: {label}: unknown key(s) {', '.join(hints)}")
        if nb.get("parameters") is not None:
            _check_values(path, f"{nb['name']}.parameters", nb["parameters"])
        if "public_data" in nb and not isinstance(nb["public_data"], bool):
            raise PipelineError(f"{path}: {label}: public_data: must be true or false, got {nb['public_data']!r}")
        for key in ("raw_inputs", "reads", "raw_folders"):
            value = nb.get(key)
            if value is None or (key == "reads" and value == "all"):
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise PipelineError(f"{path}: {label}: {key}: must be a list of names, got {_kind(value)}")
    names = [nb["name"] for nb in entries]
    if len(set(names)) != len(names):
        raise PipelineError(f"{path}: notebook names must be unique, got {names}")
    for nb in entries:
        reads = nb.get("reads")
        for name in reads if isinstance(reads, list) else []:
            if name not in names or name == nb["name"]:
                close = difflib.get_close_matches(name, [n for n in names if n != nb["name"]], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise PipelineError(
                    f"{path}: {nb['name']} reads {name!r}{hint}, which is not another notebook of the pipeline"
                )
    _ordered(entries, path)  # raises on a cycle
    return decl


def _reads(nb: dict, names: list[str]) -> list[str]:
    reads = nb.get("reads")
    if reads == "all" or (reads is None and nb.get("exports_report")):
        return [n for n in names if n != nb["name"]]
    return list(reads or [])


def _ordered(entries: list[dict], path: Path | str = "pipeline.yaml") -> list[dict]:
    """The entries in an order where every notebook comes after those it reads (declaration order
    among independent ones); a cycle is an error naming it."""
    names = [nb["name"] for nb in entries]
    reads = {nb["name"]: _reads(nb, names) for nb in entries}
    done: list[str] = []
    while len(done) < len(names):
        ready = [n for n in names if n not in done and all(r in done for r in reads[n])]
        if not ready:
            left = [n for n in names if n not in done]
            cycle, n = [left[0]], left[0]
            while True:
                n = next(r for r in reads[n] if r in left)
                if n in cycle:
                    cycle = cycle[cycle.index(n) :] + [n]
                    break
                cycle.append(n)
            raise PipelineError(f"{path}: notebooks read each other in a cycle: {' -> '.join(cycle)}")
        done.append(ready[0])
    by_name = {nb["name"]: nb for nb in entries}
    return [by_name[n] for n in done]


def load_overrides(path: Path) -> dict:
    """Read a parameter-override file: ``globals:`` and/or ``notebooks: {name: {param: value}}``."""
    path = Path(path)
    data = read_yaml(path, "parameter file") or {}
    if not isinstance(data, dict) or set(data) - {"globals", "notebooks"}:
        raise PipelineError(
            f"{path}: a parameter file has only 'globals:' and 'notebooks:' sections "
            f"(found {sorted(map(str, data)) if isinstance(data, dict) else _kind(data)})"
        )
    if "globals" in data:
        _check_values(path, "globals", data["globals"])
    if "notebooks" in data:
        nbs = data["notebooks"]
        if not isinstance(nbs, dict) or not nbs:
            raise PipelineError(f"{path}: notebooks: must map notebook names to their parameters, got {_kind(nbs)}")
        for name, params in nbs.items():
            _check_values(path, f"notebooks.{name}", params)
    return data


def _variant_name(non_default: dict, override_file: str | None, from_file: set[str]) -> str:
    """The name a non-default parameter set's outputs carry: the override file's stem, plus a short
    hash of any further values given with --set; "" for the declared defaults."""
    if not non_default:
        return ""
    parts = []
    if override_file and from_file & set(non_default):
        parts.append(Path(override_file).stem)
    rest = {k: v["value"] for k, v in non_default.items() if k not in from_file}
    if rest or not parts:
        digest = hashlib.sha256(json.dumps(rest or non_default, sort_keys=True, default=str).encode()).hexdigest()[:8]
        parts.append(f"custom_{digest}")
    return "__".join("".join(c if c.isalnum() or c in "-_" else "_" for c in p) for p in parts)


def check_processed_dir(processed: Path, raw: Path, scope_dir: Path) -> None:
    """Refuse an output folder whose rewriting would damage something: /, the raw folder, the repository."""
    processed, raw, scope_dir = processed.resolve(), raw.resolve(), scope_dir.resolve()
    if processed == Path(processed.anchor):
        raise PipelineError(
            f"processed_dir {processed} is the filesystem root; choose a folder of its own (default data/processed)"
        )
    if processed == config.PROJECT_ROOT.resolve():
        raise PipelineError(
            f"processed_dir {processed} is the repository root; choose a folder of its own (default data/processed)"
        )
    if processed == raw or scope_dir == raw or scope_dir.is_relative_to(raw) or raw.is_relative_to(scope_dir):
        raise PipelineError(
            f"processed_dir {processed} would write into the raw folder {raw}; keep processed outputs apart (default data/processed)"
        )


def build_plan(
    declaration: dict,
    overrides: dict | None = None,
    cli_globals: dict | None = None,
    runs_dir: Path | None = None,
    report_dir: Path | None = None,
    override_file: str | None = None,
    from_file: set[str] | None = None,
) -> Plan:
    """Merge declaration, override file and command-line values (later wins) into a plan.

    A parameter set that differs from the declaration (``non_default``) gets its own processed
    folder (``<processed_dir>/variants/<name>/``), runs folder (``<runs>/variants/<name>``) and
    report name (``..._<borough>__<name>.html``), so it never overwrites the default build.
    """
    overrides = overrides or {}
    declared_globals = dict(declaration["globals"])
    globals_ = {**declared_globals, **overrides.get("globals", {}), **(cli_globals or {})}
    try:
        scope = config.normalise_borough(globals_["borough"])
    except ValueError as exc:
        raise PipelineError(f"parameter borough: {exc}") from exc
    entries = _ordered(declaration["notebooks"])
    names = [nb["name"] for nb in declaration["notebooks"]]
    unknown = set(overrides.get("notebooks", {})) - set(names)
    if unknown:
        hints = "".join(
            f" (did you mean {c[0]!r}?)" for u in sorted(unknown) if (c := difflib.get_close_matches(u, names, n=1))
        )
        raise PipelineError(
            f"parameter overrides name unknown notebook(s) {sorted(unknown)}{hints}; the pipeline has {names}"
        )

    non_default = {}
    for name, value in globals_.items():
        if name not in LOCATION_PARAMETERS and declared_globals.get(name) != value:
            non_default[name] = {"value": value, "default": declared_globals.get(name)}
    steps = []
    for nb in entries:
        declared = nb.get("parameters") or {}
        given = overrides.get("notebooks", {}).get(nb["name"], {})
        for name, value in given.items():
            if declared.get(name, globals_.get(name)) != value or name not in declared:
                non_default[f"{nb['name']}.{name}"] = {"value": value, "default": declared.get(name)}
        params = {**globals_, **declared, **given}
        steps.append(
            Step(
                name=nb["name"],
                notebook=config.resolve(nb["notebook"]),
                description=nb.get("description", ""),
                parameters=params,
                raw_inputs=list(nb.get("raw_inputs") or []),
                exports_report=bool(nb.get("exports_report", False)),
                reads=_reads(nb, names),
                kernel=str(nb.get("kernel", config.KERNEL_NAME)),
                optional=bool(nb.get("optional", False)),
                raw_folders=list(nb.get("raw_folders") or []),
                public_data=bool(nb.get("public_data", False)),
            )
        )
    variant = _variant_name(non_default, override_file, from_file or set())
    if variant:
        globals_["processed_dir"] = str(Path(globals_["processed_dir"]) / "variants" / variant)
        for step in steps:
            step.parameters["processed_dir"] = globals_["processed_dir"]
    check_processed_dir(
        config.resolve(globals_["processed_dir"]),
        config.resolve(globals_["raw_dir"]),
        config.processed_dir_for(scope, globals_["processed_dir"]),
    )
    report_dir = (
        Path(report_dir) if report_dir else config.resolve((declaration.get("report") or {}).get("folder", "reports"))
    )
    suffix = ("" if scope == config.ALL_BOROUGHS else f"_{scope}") + (f"__{variant}" if variant else "")
    runs = Path(runs_dir) if runs_dir else config.OUTPUTS_DIR / "runs" / scope
    if variant:
        runs = runs / "variants" / variant
    return Plan(
        steps=steps,
        globals=globals_,
        runs_dir=runs,
        report_path=report_dir / f"{REPORT_NAME}{suffix}.html",
        non_default=non_default,
        override_file=override_file,
        variant=variant,
    )


def _unknown_step(wanted: str, names: list[str]) -> PipelineError:
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return PipelineError(f"no notebook named {wanted!r} in the pipeline{hint}; it has {names}")


def dependents(plan: Plan, name: str) -> list[str]:
    """``name`` and every notebook that reads its outputs, directly or through another."""
    out = [name]
    for step in plan.steps:  # plan.steps is in dependency order
        if any(r in out for r in step.reads) and step.name not in out:
            out.append(step.name)
    return out


def select_steps(plan: Plan, only: str | None = None, start: str | None = None) -> list[Step]:
    """The steps to run: all, one (``only``), or one and every notebook that reads it (``start``)."""
    names = [s.name for s in plan.steps]
    for wanted in (only, start):
        if wanted and wanted not in names:
            raise _unknown_step(wanted, names)
    if only:
        return [s for s in plan.steps if s.name == only]
    if start:
        chosen = dependents(plan, start)
        return [s for s in plan.steps if s.name in chosen]
    return list(plan.steps)


# --------------------------------------------------------------------------------------------
# Checks before running anything
# --------------------------------------------------------------------------------------------

_PY_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


def declared_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares in its ``parameters`` cell: name -> {"name", "default"}
    (the default's source text), as ``papermill.inspect_notebook`` gives them for plain
    assignments, without importing papermill (a no-change run then starts in a fraction of the time)."""
    nb = _read_notebook(notebook)
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise PipelineError(f"{notebook}: no cell tagged 'parameters'")
    source = "".join(cells[0].get("source", ""))
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise PipelineError(
            f"{notebook}: the parameters cell is not valid Python: {exc.msg} (line {exc.lineno})"
        ) from exc
    declared = {}
    for node in tree.body:
        target = (
            node.targets[0]
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            else getattr(node, "target", None)
        )
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(target, ast.Name) and node.value is not None:
            declared[target.id] = {"name": target.id, "default": ast.get_source_segment(source, node.value)}
    return declared


def skip_slow_optional_imports() -> None:
    """Tell Python the optional ``rfc3987_syntax`` package is absent in the runner's process.

    jsonschema (imported by nbformat, hence by papermill and nbconvert) compiles about 40 grammar
    parsers when that package is installed (it comes with jupyter-events), 1-5 s per process here,
    only to check "iri" string formats, which notebook validation never uses.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def _default_type(info: dict) -> str | None:
    """Type name of a declared parameter's default literal (papermill infers none without annotations)."""
    try:
        return type(ast.literal_eval(info.get("default", ""))).__name__
    except (ValueError, SyntaxError):
        return None


def _read_notebook(notebook: Path) -> dict:
    try:
        return json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PipelineError(f"{notebook}: cannot be read as a notebook: {exc}") from exc


def validate(steps: list[Step], plan: Plan) -> list[str]:
    """Every problem that would stop the run, found before anything runs (empty list: all good)."""
    problems = []
    for step in steps:
        if not step.notebook.exists():
            problems.append(f"{step.name}: notebook {step.notebook} not found")
            continue
        try:
            nb = _read_notebook(step.notebook)
            declared = declared_parameters(step.notebook)
        except PipelineError as exc:
            problems.append(str(exc))
            continue
        kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
        if kernel != step.kernel:
            problems.append(f"{step.name}: notebook kernelspec is {kernel!r}, expected {step.kernel!r}")
        for name, value in step.parameters.items():
            if name not in declared:
                close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(
                    f"{step.name}: unknown parameter {name!r}{hint}; the notebook declares {sorted(declared)}"
                )
                continue
            expected = _default_type(declared[name])
            wrong_type = expected in _PY_TYPES and (
                not isinstance(value, _PY_TYPES[expected])
                or (isinstance(value, bool) and expected in ("int", "float"))  # True is an int to Python
            )
            if wrong_type:
                problems.append(
                    f"{step.name}: parameter {name!r} should be {expected}, got {value!r} ({type(value).__name__})"
                )
        raw_dir = config.resolve(step.parameters["raw_dir"])
        for filename in step.raw_inputs:
            if not (raw_dir / filename).exists():
                problems.append(f"{step.name}: missing input file {raw_dir / filename}")
    return problems


# --------------------------------------------------------------------------------------------
# Fingerprints: what a step's result depends on
# --------------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _notebook_source_hash(notebook: Path) -> str:
    """Hash of a notebook's cells' sources and tags: outputs and execution counts do not count."""
    nb = _read_notebook(notebook)
    cells = [(c["cell_type"], "".join(c.get("source", "")), c.get("metadata", {}).get("tags", [])) for c in nb["cells"]]
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def helpers_code_hash() -> str:
    """Hash of the installed helper package's source: a code change reruns every notebook."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if (
            path.is_file()
            and path.suffix in (".py", ".yaml", ".j2", ".json", ".css", ".tpl")
            and "__pycache__" not in path.parts
        ):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def folder_digest(folder: Path) -> str:
    """Hash of every file under ``folder`` (relative path and content); "absent" when there is none."""
    if not folder.is_dir():
        return "absent"
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + _cached_file_hash(path).encode())
    return h.hexdigest()


_FILE_HASHES: dict[tuple, str] = {}


def _cached_file_hash(path: Path) -> str:
    """A file's sha256, remembered for this process by (path, size, mtime): the public folder
    (about 90 MB) is read once per run, not once per notebook and scope."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = _sha256_file(path)
    return _FILE_HASHES[key]


def input_hashes(step: Step) -> dict:
    """What the step reads from outside the project, by content: its raw files, how they are declared
    to be written (``raw_formats.yaml``, ``FOP_RAW_ENCODING``/``FOP_RAW_DAYFIRST``), the raw folders it
    reads whole and, for ``public_data: true``, the published-statistics folder."""
    from .ingest import DAYFIRST_ENV_VAR, ENCODING_ENV_VAR, RAW_FORMATS_FILE

    raw_dir = config.resolve(step.parameters["raw_dir"])
    out = {name: _sha256_file(raw_dir / name) for name in step.raw_inputs if (raw_dir / name).exists()}
    # How the raw files are read (encoding, day-first dates) changes what a notebook gets from them.
    if step.raw_inputs or step.raw_folders:
        if (raw_dir / RAW_FORMATS_FILE).is_file():
            out[RAW_FORMATS_FILE] = _sha256_file(raw_dir / RAW_FORMATS_FILE)
        for var in (ENCODING_ENV_VAR, DAYFIRST_ENV_VAR):
            if os.environ.get(var):
                out[f"env:{var}"] = os.environ[var]
    for folder in step.raw_folders:
        out[f"folder:{folder}"] = folder_digest(raw_dir / folder)
    if step.public_data:
        from . import public_data

        out["public_data"] = folder_digest(public_data.public_data_dir(step.parameters.get("public_data_dir") or None))
    return out


def key_fingerprint() -> str:
    """A fingerprint of the pseudonymisation key (never the key): a new key reruns everything.

    Uses ``pseudonymise.key_fingerprint()`` when that exists; until then HMAC-SHA256 of a fixed
    label under the key, 16 hex digits (one-way: it cannot give the key back).
    """
    from . import pseudonymise

    own = getattr(pseudonymise, "key_fingerprint", None)
    if callable(own):
        return str(own())
    return hmac.new(pseudonymise.load_key(), b"focus-on-practice key fingerprint", hashlib.sha256).hexdigest()[:16]


def fingerprint(step: Step, code_hash: str, upstream, inputs: dict, key_fp: str = "") -> str:
    """What a notebook's result depends on: its source, parameters, raw inputs, code, the key's
    fingerprint and the outputs of the notebooks it reads (``upstream``: name -> outputs digest)."""
    payload = {
        "notebook": _notebook_source_hash(step.notebook),
        "parameters": step.parameters,
        "inputs": inputs,
        "code": code_hash,
        "upstream": upstream,
        "key": key_fp,
        "kernel": step.kernel,
        "python": sys.version,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Build date, run information for the report
# --------------------------------------------------------------------------------------------


def inputs_epoch(paths) -> int | None:
    """Seconds since 1970 of the newest of these files (None when there is none)."""
    times = [int(Path(p).stat().st_mtime) for p in paths if Path(p).is_file()]
    return max(times) if times else None


def source_date_epoch(raw_dir: str | os.PathLike | None = None, files=None) -> int:
    """``SOURCE_DATE_EPOCH`` if set (reproducible-builds convention), else the newest raw input's time."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env:
        try:
            return int(env)
        except ValueError as exc:
            raise PipelineError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {env!r}") from exc
    if files is None:
        folder = config.resolve(raw_dir) if raw_dir else config.RAW_DIR
        files = [p for p in folder.glob("*") if p.is_file() and not p.name.startswith(".")] if folder.is_dir() else []
    epoch = inputs_epoch(files)
    return epoch if epoch is not None else int(time.time())


def build_date(raw_dir: str | os.PathLike | None = None) -> date:
    """The date a report states as its build date: the same for the same inputs, so two builds are
    byte-identical. ``SOURCE_DATE_EPOCH`` when set (the runner sets it for every notebook it runs),
    else the modification date of the newest file in ``raw_dir`` (default data/raw), in UTC."""
    return datetime.fromtimestamp(source_date_epoch(raw_dir), tz=UTC).date()


def _run_info_payload(plan: Plan, epoch: int) -> dict:
    override = plan.override_file
    if override:
        p = Path(override).resolve()
        override = str(p.relative_to(config.PROJECT_ROOT)) if p.is_relative_to(config.PROJECT_ROOT) else p.name
    return {
        "build_date": datetime.fromtimestamp(epoch, tz=UTC).date().isoformat(),
        "code_version": code_version(),
        "override_file": override,
        "non_default_parameters": plan.non_default,
        "variant": plan.variant,
        "scope": plan.scope,
        "report_file": plan.report_path.name,
    }


# --------------------------------------------------------------------------------------------
# Atomic files, normalised executed notebooks, the lock
# --------------------------------------------------------------------------------------------


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file under a temporary name in the same folder, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    with open(tmp, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _write_json(path: Path, data) -> None:
    write_atomic(path, json.dumps(data, indent=2, default=str, sort_keys=False) + "\n")


def _rel(path: Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(config.PROJECT_ROOT))
    except ValueError:
        return str(path)


def normalise_executed(nb, notebook: Path, final_path: Path):
    """Make an executed notebook depend only on its inputs: cell ids from the notebook path and the
    cell's index, no start/end times or durations, paths as the final (not temporary) ones."""
    source = _rel(notebook)
    for i, cell in enumerate(nb.cells):
        cell["id"] = hashlib.sha256(f"{source}:{i}".encode()).hexdigest()[:16]
        cell.metadata.pop("execution", None)
        pm_meta = cell.metadata.get("papermill")
        if isinstance(pm_meta, dict):
            for key in ("start_time", "end_time", "duration"):
                pm_meta.pop(key, None)
    pm_meta = nb.metadata.get("papermill")
    if isinstance(pm_meta, dict):
        for key in ("start_time", "end_time", "duration"):
            pm_meta.pop(key, None)
        pm_meta["input_path"] = source
        pm_meta["output_path"] = _rel(final_path)
    return nb


class RunLock:
    """An exclusive lock on one output folder (``flock`` on ``.pipeline.lock``, holding the PID).

    A second run on the same folder waits, saying so once, and stops with one line after
    ``timeout`` seconds. The operating system releases the lock when its process dies, so a lock
    file left by a dead PID is simply taken over (and said so).
    """

    def __init__(self, folder: Path, timeout: float = DEFAULT_LOCK_TIMEOUT, log=print):
        self.path = Path(folder) / LOCK_FILE
        self.timeout = timeout
        self.log = log
        self.fd: int | None = None

    def _holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def acquire(self) -> RunLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        start, told = time.monotonic(), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self._holder()
                who = f"PID {holder.get('pid', '?')}, started {holder.get('started', '?')}"
                if not told:
                    self.log(f"waiting for another run ({who}) using {self.path.parent} ...")
                    told = True
                if time.monotonic() - start >= self.timeout:
                    os.close(fd)
                    raise PipelineError(
                        f"another run ({who}) is still using {self.path.parent} after {self.timeout:.0f} s; "
                        "not started (try again when it has finished, or raise --lock-timeout)"
                    ) from None
                time.sleep(0.2)
        holder = self._holder()
        pid = holder.get("pid")
        if pid and pid != os.getpid() and not _pid_alive(pid):
            self.log(f"taking over the lock on {self.path.parent} left by PID {pid}, which is no longer running")
        os.ftruncate(fd, 0)
        os.pwrite(
            fd,
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": platform.node(),
                    "started": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            ).encode(),
            0,
        )
        self.fd = fd
        return self

    def release(self) -> None:
        import fcntl

        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, TypeError, OverflowError):
        return True
    return True


# --------------------------------------------------------------------------------------------
# Running one notebook
# --------------------------------------------------------------------------------------------


def ensure_kernel() -> None:
    """Install the project's kernelspec into this environment if it is missing.

    The kernel runs this interpreter (``sys.executable``), so notebooks always see the same packages
    as the runner.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(config.KERNEL_NAME)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=config.KERNEL_NAME, display_name=config.KERNEL_DISPLAY_NAME, prefix=sys.prefix)


def kernel_installed(name: str) -> bool:
    """True when a Jupyter kernelspec of this name is installed (for steps on another kernel)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
        return True
    except NoSuchKernel:
        return False


_IPC_MANAGER = None


def ipc_kernel_manager_class():
    """A jupyter_client kernel manager whose kernels talk over IPC (Unix sockets in the Jupyter
    runtime folder) rather than unencrypted local TCP, so the kernel has nothing to warn about."""
    global _IPC_MANAGER
    if _IPC_MANAGER is None:
        from jupyter_client.manager import AsyncKernelManager

        class IPCKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs):
                if os.name == "posix":
                    import tempfile
                    import uuid

                    kwargs.setdefault("transport", "ipc")
                    # A socket path of its own (jupyter_client's default can be "kernel-ipc" in the
                    # working folder, shared by kernels started at the same time); short enough
                    # for the limit on Unix socket paths. Removed when the kernel shuts down.
                    kwargs.setdefault("ip", os.path.join(tempfile.gettempdir(), f"fop-kernel-{uuid.uuid4().hex[:12]}"))
                super().__init__(**kwargs)

            #: where the kernel process's own stdout/stderr go (its start-up and shutdown messages);
            #: None: the runner's. Cell outputs and errors are in the executed notebook either way.
            kernel_log: str | None = None

            async def _async_launch_kernel(self, kernel_cmd, **kw):
                if not self.kernel_log or "stderr" in kw:
                    return await super()._async_launch_kernel(kernel_cmd, **kw)
                with open(self.kernel_log, "wb") as log:
                    return await super()._async_launch_kernel(kernel_cmd, **{**kw, "stdout": log, "stderr": log})

        _IPC_MANAGER = IPCKernelManager
    return _IPC_MANAGER


def kernel_manager_for(log_path: Path | None):
    """The IPC kernel manager class, writing the kernel process's own messages to ``log_path``."""
    base = ipc_kernel_manager_class()
    if log_path is None:
        return base
    return type("StepKernelManager", (base,), {"kernel_log": str(log_path)})


def _finalise_executed(tmp: Path, notebook: Path, executed_path: Path) -> None:
    """Normalise the notebook papermill wrote under a temporary name and rename it into place."""
    import nbformat

    if not tmp.exists():
        return
    try:
        nb = nbformat.read(str(tmp), as_version=4)
        write_atomic(executed_path, nbformat.writes(normalise_executed(nb, notebook, executed_path)) + "\n")
    finally:
        tmp.unlink(missing_ok=True)


def _preload_modules(notebook: Path) -> list[str]:
    """The modules a notebook imports (``import x``, ``from x import y`` -> x and x.y when a module)."""
    mods: list[str] = []
    for cell in _read_notebook(notebook).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse("".join(cell.get("source", "")))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                mods += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return list(dict.fromkeys(mods))


def start_warm_kernel(step: Step, log_path: Path | None):
    """Start a kernel for ``step`` and import the modules its notebook imports, silently (nothing
    is counted, shown or kept in the notebook's namespace), so that the imports overlap the
    notebooks it waits for instead of adding to the build's critical path."""
    from jupyter_core.utils import run_sync

    # a step may name its own kernel (``kernel:`` in pipeline.yaml, branch extracts); else the project's
    km = kernel_manager_for(log_path)(kernel_name=getattr(step, "kernel", None) or config.KERNEL_NAME)
    run_sync(km.start_kernel)(cwd=str(config.PROJECT_ROOT))
    kc = km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=120)
        code = (
            "import importlib as _fop_il\n"
            f"for _fop_m in {_preload_modules(step.notebook)!r}:\n"
            "    try:\n        _fop_il.import_module(_fop_m)\n    except Exception:\n        pass\n"
            "del _fop_il\n"
        )
        msg_id = kc.execute(code, silent=True, store_history=False)
        while True:
            reply = run_sync(kc.get_shell_msg)(timeout=300)
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
    finally:
        kc.stop_channels()
    return km


def _shutdown(km) -> None:
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


def run_step(step: Step, executed_path: Path, progress: bool = False, km=None) -> float:
    """Run one notebook with papermill in its own kernel; returns seconds taken.

    The executed notebook is written under a temporary name while it runs and renamed to
    ``executed_path`` only when complete (also when it failed, with the traceback in it). The
    kernel process's own messages go to ``<executed>.kernel.log`` beside it, not to the terminal.
    Raises :class:`NotebookFailed`.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    executed_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed_path.with_name(f".{executed_path.stem}.partial-{os.getpid()}.ipynb")
    start = time.perf_counter()
    # engine arguments (nbclient): IPC transport, no timing metadata, project root as cwd; or a
    # kernel already started (and warmed) for this step
    engine = (
        {"km": km}
        if km is not None
        else {"kernel_manager_class": kernel_manager_for(executed_path.with_suffix(".kernel.log"))}
    )
    try:
        pm.execute_notebook(
            str(step.notebook),
            str(tmp),
            parameters=step.parameters,
            kernel_name=step.kernel,
            language="python",
            progress_bar=progress,
            log_output=False,
            record_timing=False,
            resources={"metadata": {"path": str(config.PROJECT_ROOT)}},
            **engine,
        )
    except PapermillExecutionError as exc:
        _finalise_executed(tmp, step.notebook, executed_path)
        evalue = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
        # The cell is named as the executed notebook shows it (In [n]): papermill inserts a cell
        # with the injected parameters, so source cell numbers would point one cell too early.
        msg = f"notebook {step.name} ({step.notebook.name}) failed at In [{exc.exec_count}]: {exc.ename}: {evalue}"
        raise NotebookFailed(msg, executed_path) from exc
    except Exception as exc:  # kernel died, timeout, unreadable notebook...
        _finalise_executed(tmp, step.notebook, executed_path)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        msg = f"notebook {step.name} ({step.notebook.name}) could not run: {type(exc).__name__}: {first}"
        raise NotebookFailed(msg, executed_path) from exc
    finally:
        if km is not None:
            _shutdown(km)
    _finalise_executed(tmp, step.notebook, executed_path)
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------
# The build's memory: which outputs each step wrote, with their hashes
# --------------------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict:
    """Every file under a processed folder (not the runner's own hidden files) -> (mtime, size, inode)."""
    out = {}
    if not folder.exists():
        return out
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or (name == RUN_INFO_FILE and Path(root) == folder):
                continue
            p = Path(root) / name
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            out[str(p)] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return out


def _owned_by_another(path: str, scope_dir: Path, step: Step, steps: list[Step]) -> bool:
    """Whether a file that changed while ``step`` ran was written by another notebook running at the
    same time: one in another notebook's own folder (``<name>/``, ``report_sections/NN_<name>/``),
    or a record named after a raw file only other notebooks read (``reconciliation_<file>.csv``)."""
    from .report_section import SECTIONS_DIRNAME

    parts = Path(path).relative_to(scope_dir).parts
    others = {s.name for s in steps} - {step.name}
    if parts[0] in others:
        return True
    if parts[0] == SECTIONS_DIRNAME and len(parts) > 2 and parts[1].split("_", 1)[-1] in others:
        return True
    own = {Path(f).stem for f in step.raw_inputs}
    foreign = {Path(f).stem for s in steps if s.name != step.name for f in s.raw_inputs} - own
    stem = Path(path).stem
    return any(stem == f or stem.endswith("_" + f) for f in foreign) and not any(stem.endswith("_" + f) for f in own)


def damaged_outputs(record: dict) -> list[str]:
    """Recorded outputs that are missing or no longer have their recorded hash."""
    bad = []
    for path, sha in record.get("outputs", {}).items():
        try:
            if _sha256_file(Path(path)) != sha:
                bad.append(f"{path} (changed)")
        except OSError:
            bad.append(f"{path} (missing)")
    return bad


def outputs_digest(outputs: dict, scope_dir: Path) -> str:
    """What downstream notebooks read of a step: its processed outputs' relative paths and hashes."""
    items = sorted(
        (str(Path(p).relative_to(scope_dir)), sha) for p, sha in outputs.items() if Path(p).is_relative_to(scope_dir)
    )
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


def _state_path(plan: Plan) -> Path:
    return plan.scope_dir / STATE_FILE


def load_state(plan: Plan) -> dict:
    path = _state_path(plan)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if not isinstance(state.get("steps"), dict):
        state = {"steps": {}}
    return state


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of a run that was killed (their PID is no longer running)."""
    if not folder.is_dir():
        return
    for p in folder.glob(".*"):
        for marker in (".partial-", ".tmp-"):
            if marker in p.name:
                pid = re.match(r"\d*", p.name.split(marker, 1)[1]).group(0)
                if pid and not _pid_alive(int(pid)):
                    p.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Running the pipeline: steps in dependency order, independent ones in parallel
# --------------------------------------------------------------------------------------------


@dataclass
class _Scope:
    """One plan being run: its lock, skip-state, manifest and the status of each step."""

    plan: Plan
    selected: set
    auto: set
    explicit_report: bool
    partial: bool
    force: bool
    key_fp: str
    epoch: int
    code_hash: str
    state: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    status: dict = field(default_factory=dict)
    digests: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)
    lock: RunLock | None = None
    report_stale: str = ""

    def executed_path(self, step: Step) -> Path:
        return self.plan.runs_dir / "executed" / f"{step.notebook.stem}.ipynb"

    def save_state(self) -> None:
        _write_json(_state_path(self.plan), self.state)

    def save_manifest(self) -> None:
        self.manifest["notebooks"] = [self.entries[s.name] for s in self.plan.steps if s.name in self.entries]
        _write_json(self.plan.runs_dir / "manifest.json", self.manifest)


def _kill_children() -> None:
    """Stop the kernels this process started (they run in their own sessions)."""
    try:
        import psutil

        for child in psutil.Process().children(recursive=True):
            try:
                child.kill()
            except psutil.Error:
                pass
    except Exception:  # noqa: BLE001 - best effort while being stopped
        pass


def _on_signal(signum, frame):  # pragma: no cover - exercised by the kill tests in a subprocess
    _kill_children()
    sys.stderr.write(
        f"stopped by signal {signum}: notebooks that were running are not recorded as done "
        "and will run again next time\n"
    )
    sys.stderr.flush()
    os._exit(128 + signum)


def _priorities(scopes: list[_Scope]) -> dict:
    """Longest remaining path (in recorded seconds) from each step: the critical path goes first."""
    prio = {}
    for sc in scopes:
        for step in reversed(sc.plan.steps):
            cost = float(sc.state["steps"].get(step.name, {}).get("seconds", 1.0) or 1.0)
            downstream = [prio[(id(sc), s.name)] for s in sc.plan.steps if step.name in s.reads]
            prio[(id(sc), step.name)] = cost + max(downstream, default=0.0)
    return prio


def _ready(sc: _Scope, step: Step, scopes: list[_Scope]) -> bool:
    """A step can be resolved once the notebooks it reads are. A report waits, in addition, for
    every strand notebook of every scope in this run: its disclosure check compares its tables with
    the same tables of the other scopes' reports (tri-borough = sum of boroughs), so it must be
    rendered after all of them are written."""
    if not all(r in sc.status for r in step.reads):
        return False
    if step.exports_report:
        return all(s.name in other.status for other in scopes for s in other.plan.steps if not s.exports_report)
    return True


def sibling_sections_digest(plan: Plan) -> str:
    """What a report reads of the other scopes (the tables and section records under
    ``<processed>/<other scope>/report_sections``), so a report whose sibling scopes changed is
    rebuilt and its cross-report disclosure check redone."""
    from .report_section import SECTIONS_DIRNAME

    base = plan.scope_dir.parent
    items = []
    for scope in sorted({*config.BOROUGHS, config.ALL_BOROUGHS} - {plan.scope}):
        folder = base / scope / SECTIONS_DIRNAME
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.is_file() and f.suffix in (".csv", ".json"):
                    items.append((str(f.relative_to(base)), _sha256_file(f)))
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


def _decide(sc: _Scope, step: Step, log) -> tuple[str, dict] | None:
    """Resolve a step whose upstream is resolved: returns ("run", entry) or None (skipped, not
    selected, or not runnable); records its status and the digest downstream steps depend on."""
    plan = sc.plan
    inputs = input_hashes(step)
    extra = {}
    if step.exports_report and (step.name in sc.selected or step.name in sc.auto):
        info = _run_info_payload(plan, sc.epoch)
        path = plan.scope_dir / RUN_INFO_FILE
        text = json.dumps(info, indent=2, sort_keys=True) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
        extra["run_info"] = hashlib.sha256(text.encode()).hexdigest()
    if step.exports_report:
        extra["sibling_sections"] = sibling_sections_digest(plan)
    upstream = {r: sc.digests.get(r) for r in step.reads}
    fp = fingerprint(step, sc.code_hash, upstream, {**inputs, **extra}, sc.key_fp)
    record = sc.state["steps"].get(step.name)
    damaged = damaged_outputs(record) if record else ["never built"]
    expected = {str(sc.executed_path(step))} | ({str(plan.report_path)} if step.exports_report else set())
    fresh = (
        bool(record) and not damaged and record.get("fingerprint") == fp and expected <= set(record.get("outputs", {}))
    )
    sc.digests[step.name] = record.get("digest") if record and not damaged else None
    entry = {
        "name": step.name,
        "notebook": _rel(step.notebook),
        "reads": step.reads,
        "parameters": step.parameters,
        "inputs_sha256": inputs,
        "executed": str(sc.executed_path(step)),
        "fingerprint": fp,
    }
    if step.name not in sc.selected and step.name not in sc.auto:
        sc.status[step.name] = "fresh" if fresh else "stale"
        return None
    if step.kernel != config.KERNEL_NAME and not kernel_installed(step.kernel):
        # A notebook on another kernel (the DfE validators' environment): an optional step is
        # skipped with one line and what reads it says the step did not run; never reported as passed.
        if not step.optional:
            raise PipelineError(f"{step.name}: kernel {step.kernel!r} is not installed (run make setup)")
        log(f"{step.name}: skipped, kernel {step.kernel!r} is not installed (optional step)")
        sc.status[step.name] = f"skipped (kernel {step.kernel} not installed)"
        sc.entries[step.name] = {**entry, "status": sc.status[step.name], "seconds": 0.0}
        return None
    if any(sc.status.get(r, "").startswith(("failed", "not run")) for r in step.reads):
        sc.status[step.name] = "not run (a notebook it reads failed)"
        sc.entries[step.name] = {**entry, "status": sc.status[step.name], "seconds": 0.0}
        return None
    if step.exports_report:
        stale = [r for r in step.reads if sc.status.get(r) == "stale"]
        if stale:
            msg = (
                f"report not built: section(s) {', '.join(stale)} older than their inputs "
                f"(inputs, code, key or a notebook they read changed since they ran); "
                f"run without --only/--from, or --from {stale[0]}"
            )
            if sc.explicit_report:
                raise PipelineError(msg)
            sc.report_stale = f"[{plan.scope}] {plan.report_path.name} is now stale, not rebuilt: section(s) {', '.join(stale)} are older than their inputs; run without --only/--from to rebuild it"
            sc.status[step.name] = "not run (stale inputs)"
            sc.entries[step.name] = {**entry, "status": sc.status[step.name], "stale_sections": stale, "seconds": 0.0}
            return None
    if fresh and not (sc.force and step.name in sc.selected):
        sc.status[step.name] = "skipped (unchanged)"
        sc.entries[step.name] = {**entry, "status": sc.status[step.name], "seconds": 0.0}
        return None
    # About to rerun: forget the old record first, so an interruption leaves the step not done.
    if sc.state["steps"].pop(step.name, None) is not None:
        sc.save_state()
    return "run", entry


class _Gate:
    """Holds a warmed kernel's step until the scheduler says run (``go``) or never mind."""

    def __init__(self):
        self.event = threading.Event()
        self.go = False

    def open(self, go: bool) -> None:
        self.go = go
        self.event.set()


def _execute(sc: _Scope, step: Step, cell_progress: bool, gate: _Gate | None = None) -> tuple[float, dict] | None:
    """Run one step (in a worker thread); returns seconds and its outputs with their hashes.

    With a ``gate``, first start and warm the step's kernel, then wait for the gate: the notebooks
    it reads are still running. Returns None if the gate says the step is not to run after all.
    """
    plan = sc.plan
    executed = sc.executed_path(step)
    km = None
    if gate is not None:
        try:
            executed.parent.mkdir(parents=True, exist_ok=True)
            km = start_warm_kernel(step, executed.with_suffix(".kernel.log"))
        except Exception:  # noqa: BLE001 - fall back to a kernel started by papermill
            km = None
        gate.event.wait()
        if not gate.go:
            if km is not None:
                _shutdown(km)
            return None
    before = _snapshot(plan.scope_dir)
    seconds = run_step(step, executed, progress=cell_progress, km=km)
    outputs = [str(executed)]
    if step.exports_report:
        from .report import export_html

        tmp = plan.report_path.with_name(f".{plan.report_path.name}.partial-{os.getpid()}")
        try:
            export_html(executed, tmp)
            os.replace(tmp, plan.report_path)
        finally:
            tmp.unlink(missing_ok=True)
        outputs.append(str(plan.report_path))
    after = _snapshot(plan.scope_dir)
    outputs += [
        p
        for p, sig in after.items()
        if before.get(p) != sig and not _owned_by_another(p, plan.scope_dir, step, plan.steps)
    ]
    return seconds, {p: _sha256_file(Path(p)) for p in sorted(outputs)}


def run_plans(
    plans: list[tuple[Plan, list[Step]]],
    force: bool = False,
    progress: bool = True,
    log=print,
    jobs: int | None = None,
    only: str | None = None,
    start: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    warm_kernels: bool = True,
) -> list[dict]:
    """Run the selected steps of one or more plans (e.g. one per borough) on one pool of ``jobs``
    workers; returns the run manifests (also written to each plan's runs folder)."""
    from tqdm.auto import tqdm

    skip_slow_optional_imports()
    jobs = jobs or default_jobs()
    problems = []
    for plan, steps in plans:
        problems += [f"[{plan.scope}] {p}" if len(plans) > 1 else p for p in validate(steps, plan)]
    if problems:
        raise PipelineError("the pipeline was not started:\n  " + "\n  ".join(dict.fromkeys(problems)))
    ensure_kernel()
    key_fp = key_fingerprint()
    code_hash = helpers_code_hash()
    version, packages = code_version(), package_versions()
    scopes: list[_Scope] = []
    old_env = os.environ.get("SOURCE_DATE_EPOCH")
    old_handlers = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            old_handlers[sig] = signal.signal(sig, _on_signal)
    pool = ThreadPoolExecutor(max_workers=2 * jobs)  # jobs running notebooks + up to jobs warming kernels
    try:
        for plan, steps in sorted(plans, key=lambda ps: str(ps[0].scope_dir)):
            names = {s.name for s in steps}
            auto = {s.name for s in plan.steps if s.exports_report and s.name not in names} if only else set()
            raw_files = [config.resolve(s.parameters["raw_dir"]) / f for s in plan.steps for f in s.raw_inputs]
            sc = _Scope(
                plan=plan,
                selected=names,
                auto=auto,
                explicit_report=bool(only) and plan.step(only).exports_report,
                partial=bool(only or start),
                force=force,
                key_fp=key_fp,
                epoch=source_date_epoch(files=raw_files),
                code_hash=code_hash,
            )
            sc.lock = RunLock(plan.scope_dir, timeout=lock_timeout, log=log).acquire()
            scopes.append(sc)
            sc.state = load_state(plan)
            other_keys = {r.get("key_fingerprint") for r in sc.state["steps"].values()} - {key_fp}
            if other_keys and sc.partial:
                raise PipelineError(
                    f"the outputs in {plan.scope_dir} were made with another pseudonymisation key "
                    f"(fingerprint {sorted(map(str, other_keys))[0][:8]}..., now {key_fp[:8]}...); running only part of the "
                    "pipeline would mix pseudonyms from two keys: run the whole pipeline (no --only/--from) to rebuild it with this key"
                )
            for folder in (plan.runs_dir / "executed", plan.report_path.parent, plan.scope_dir):
                _remove_leftovers(folder)
            sc.manifest = {
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
                "code_version": version,
                "globals": plan.globals,
                "non_default_parameters": plan.non_default,
                "override_file": plan.override_file,
                "variant": plan.variant,
                "jobs": jobs,
                "key_fingerprint": key_fp,
                "source_date_epoch": sc.epoch,
                "packages": packages,
                "report": str(plan.report_path),
                "notebooks": [],
            }
        os.environ["SOURCE_DATE_EPOCH"] = str(scopes[0].epoch) if scopes else os.environ.get("SOURCE_DATE_EPOCH", "")
        prio = _priorities(scopes)
        pending = [(sc, s) for sc in scopes for s in sc.plan.steps]
        on_terminal = progress and sys.stderr.isatty()
        bar = tqdm(total=len(pending), desc="notebooks", unit="nb", disable=not on_terminal, file=sys.stderr)
        cell_progress = on_terminal and jobs == 1
        running: dict = {}
        runnable: list = []
        failure: NotebookFailed | None = None

        def say(sc, text):
            if progress and not on_terminal:
                log(f"[{sc.plan.scope}] {text}")

        warm: dict = {}  # (scope, step) -> (future, gate): kernels started early for steps still waiting
        warming_done: list = []

        def close_gate(sc, step, go=False):
            item = warm.pop((id(sc), step.name), None)
            if item is not None:
                item[1].open(go)
                if not go:
                    warming_done.append(item[0])
            return item

        def not_run(sc, step):
            close_gate(sc, step)
            sc.status[step.name] = "not run (an earlier notebook failed)"
            if step.name in sc.selected or step.name in sc.auto:
                sc.entries[step.name] = {"name": step.name, "status": sc.status[step.name], "seconds": 0.0}
            bar.update(1)

        while pending or running or runnable:
            # Resolve every step whose upstream is resolved (skips resolve at once) ...
            progressed = True
            while progressed:
                progressed = False
                for sc, step in [it for it in pending if _ready(it[0], it[1], scopes)]:
                    pending.remove((sc, step))
                    progressed = True
                    if failure is not None:
                        not_run(sc, step)
                        continue
                    decision = _decide(sc, step, log)
                    if decision is None:
                        close_gate(sc, step)
                        bar.update(1)
                        if step.name in sc.entries:
                            say(sc, f"{step.name}: {sc.status[step.name]}")
                        continue
                    runnable.append((sc, step, decision[1]))
            # ... then start the runnable ones, longest remaining path first, while workers are free.
            if failure is not None:
                for sc, step, _ in runnable:
                    not_run(sc, step)
                runnable.clear()
            runnable.sort(key=lambda it: -prio[(id(it[0]), it[1].name)])
            while runnable and len(running) < jobs:
                sc, step, entry = runnable.pop(0)
                bar.set_postfix_str(step.name)
                item = close_gate(sc, step, go=True)
                fut = item[0] if item else pool.submit(_execute, sc, step, cell_progress)
                running[fut] = (sc, step, entry)
            # Warm a kernel for a step that will run once the notebooks it reads (running now) finish.
            if failure is None and warm_kernels:
                busy = {(id(sc), s.name) for sc, s, _ in [*running.values(), *runnable]}
                for sc, step in sorted(pending, key=lambda it: -prio[(id(it[0]), it[1].name)]):
                    key = (id(sc), step.name)
                    if len(warm) >= jobs:
                        break
                    likely = (sc.force and step.name in sc.selected) or step.name not in sc.state["steps"]
                    if (
                        key in warm
                        or not likely
                        or not step.reads
                        or (step.name not in sc.selected and step.name not in sc.auto)
                        or not all(r in sc.status or (id(sc), r) in busy for r in step.reads)
                    ):
                        continue
                    gate = _Gate()
                    warm[key] = (pool.submit(_execute, sc, step, cell_progress, gate), gate)
            if not running:
                if pending:  # pragma: no cover - the declaration's order check makes this impossible
                    raise PipelineError(
                        f"internal error: steps left that can never start: {[s.name for _, s in pending]}"
                    )
                break
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in done:
                sc, step, entry = running.pop(fut)
                bar.update(1)
                try:
                    seconds, outputs = fut.result()
                except NotebookFailed as exc:
                    sc.status[step.name] = "failed"
                    sc.entries[step.name] = {**entry, "status": "failed", "error": str(exc)}
                    sc.save_state()
                    say(sc, f"{step.name}: FAILED")
                    failure = failure or exc
                    continue
                record = {
                    "fingerprint": entry["fingerprint"],
                    "key_fingerprint": sc.key_fp,
                    "seconds": round(seconds, 2),
                    "outputs": outputs,
                    "digest": outputs_digest(outputs, sc.plan.scope_dir),
                }
                sc.state["steps"][step.name] = record
                sc.save_state()  # recorded as done only now, with all its outputs written
                sc.digests[step.name] = record["digest"]
                sc.status[step.name] = "ran"
                sc.entries[step.name] = {**entry, "status": "ran", "seconds": round(seconds, 2)}
                say(sc, f"{step.name}: ran in {seconds:.1f} s")
        bar.close()
        for _, gate in list(warm.values()):
            gate.open(False)
        wait(warming_done + [f for f, _ in warm.values()])
        for sc in scopes:
            sc.manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
            sc.save_manifest()
        if failure is not None:
            raise failure
        for sc in scopes:
            if sc.report_stale:
                log(sc.report_stale)
        return [sc.manifest for sc in scopes]
    finally:
        pool.shutdown(wait=True)
        for sc in scopes:
            if sc.lock:
                sc.lock.release()
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
        if old_env is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old_env


def run(plan: Plan, steps: list[Step], force: bool = False, progress: bool = True, log=print, **kwargs) -> dict:
    """Run the selected steps of one plan; returns the run manifest (also written to disk)."""
    return run_plans([(plan, steps)], force=force, progress=progress, log=log, **kwargs)[0]


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _parse_set(values: list[str]) -> dict:
    """``--set notebook.param=value`` or ``--set param=value`` (global); values parsed as YAML."""
    out: dict = {"globals": {}, "notebooks": {}}
    for item in values or []:
        if "=" not in item:
            raise PipelineError(f"--set expects name=value, got {item!r}")
        key, raw = item.split("=", 1)
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise PipelineError(f"--set {key}: value {raw!r} is not a plain value") from exc
        _check_values(Path("--set"), "value", {key: value})
        if "." in key:
            nb, param = key.split(".", 1)
            out["notebooks"].setdefault(nb, {})[param] = value
        else:
            out["globals"][key] = value
    return out


def _merge(a: dict, b: dict) -> dict:
    merged = {"globals": {**a.get("globals", {}), **b.get("globals", {})}, "notebooks": {}}
    for src in (a, b):
        for nb, params in src.get("notebooks", {}).items():
            merged["notebooks"].setdefault(nb, {}).update(params)
    return merged


def _scopes(args) -> list[str | None]:
    if args.boroughs:
        out = []
        for b in args.boroughs.split(","):
            b = b.strip()
            if b == "each":
                out += list(config.BOROUGHS)
            elif b:
                try:
                    out.append(config.normalise_borough(b))
                except ValueError as exc:
                    raise PipelineError(f"--boroughs: {exc}") from exc
        return list(dict.fromkeys(out))
    if args.each_borough:
        return list(config.BOROUGHS)
    return [None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.pipeline",
        description="Run the declared notebook pipeline and build the evaluation report.",
    )
    parser.add_argument(
        "--pipeline", default=str(config.PIPELINE_FILE), help="pipeline declaration (default pipeline.yaml)"
    )
    parser.add_argument(
        "--only", metavar="NAME", help="run only this notebook (then rebuild the report, or say it is stale)"
    )
    parser.add_argument(
        "--from", dest="start", metavar="NAME", help="run this notebook and every notebook that reads its outputs"
    )
    parser.add_argument(
        "--params", metavar="FILE.yaml", help="parameter overrides (globals: / notebooks: {name: {...}})"
    )
    parser.add_argument(
        "--set", action="append", metavar="[NOTEBOOK.]NAME=VALUE", help="override one parameter (repeatable)"
    )
    parser.add_argument("--borough", help="all, or one of: " + ", ".join(config.BOROUGHS))
    parser.add_argument("--each-borough", action="store_true", help="build one report per borough, in parallel")
    parser.add_argument("--boroughs", metavar="LIST", help="comma-separated scopes to build together, e.g. all,each")
    parser.add_argument("--raw-dir", help="folder of raw extracts (default data/raw)")
    parser.add_argument("--processed-dir", help="base folder of processed outputs (default data/processed)")
    parser.add_argument(
        "--runs-dir", help="where executed notebooks and the manifest go (default outputs/runs/<scope>)"
    )
    parser.add_argument("--report-dir", help="where the HTML report goes (default reports/)")
    parser.add_argument("--force", action="store_true", help="run every selected notebook even if unchanged")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help=f"notebooks run at once (default: the cores, here {default_jobs()})",
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        help="seconds to wait for another run on the same output folder (default 600)",
    )
    parser.add_argument(
        "--no-warm",
        action="store_true",
        help="do not start a notebook's kernel (and its imports) while the notebooks it reads still run",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars and no per-notebook lines")
    parser.add_argument("--list", action="store_true", help="list the notebooks in the order they run, then stop")
    args = parser.parse_args(argv)

    try:
        if args.jobs is not None and args.jobs < 1:
            raise PipelineError("--jobs must be at least 1")
        declaration = load_declaration(Path(args.pipeline))
        file_overrides = load_overrides(Path(args.params)) if args.params else {}
        from_file = set(file_overrides.get("globals", {})) | {
            f"{nb}.{p}" for nb, params in file_overrides.get("notebooks", {}).items() for p in params
        }
        overrides = _merge(file_overrides, _parse_set(args.set))
        cli_globals = {
            k: v
            for k, v in {"raw_dir": args.raw_dir, "processed_dir": args.processed_dir, "borough": args.borough}.items()
            if v
        }
        plans = []
        for borough in _scopes(args):
            g = dict(cli_globals, **({"borough": borough} if borough else {}))
            runs_dir = Path(args.runs_dir) / (borough or "") if args.runs_dir else None
            plan = build_plan(
                declaration,
                overrides,
                g,
                runs_dir=runs_dir,
                report_dir=args.report_dir,
                override_file=args.params,
                from_file=from_file,
            )
            plans.append((plan, select_steps(plan, only=args.only, start=args.start)))
        if args.list:
            plan = plans[0][0]
            for i, s in enumerate(plan.steps, start=1):
                reads = f"  reads: {', '.join(s.reads)}" if s.reads else ""
                print(f"{i}. {s.name:12s} {_rel(s.notebook)}{reads}")
            return 0
        manifests = run_plans(
            plans,
            force=args.force,
            progress=not args.no_progress,
            jobs=args.jobs,
            only=args.only,
            start=args.start,
            lock_timeout=args.lock_timeout,
            warm_kernels=not args.no_warm,
        )
        for (plan, _), manifest in zip(plans, manifests, strict=False):
            ran = [n["name"] for n in manifest["notebooks"] if n["status"] == "ran"]
            skipped = [n["name"] for n in manifest["notebooks"] if n["status"].startswith("skipped")]
            print(
                f"[{plan.scope}] ran: {', '.join(ran) or 'nothing'}; unchanged, skipped: {', '.join(skipped) or 'none'}"
            )
            if plan.non_default:
                print(
                    f"[{plan.scope}] non-default parameters ({plan.variant}): "
                    + ", ".join(f"{k}={v['value']!r}" for k, v in plan.non_default.items())
                )
            if any(
                n["name"] == s.name and n["status"] in ("ran", "skipped (unchanged)")
                for n in manifest["notebooks"]
                for s in plan.steps
                if s.exports_report
            ):
                print(f"[{plan.scope}] report: {plan.report_path}")
            print(f"[{plan.scope}] executed notebooks and manifest: {plan.runs_dir}")
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except NotebookFailed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        print(f"full traceback in the executed notebook: {exc.executed_path}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
