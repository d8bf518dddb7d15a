"""The declared pipeline and how a run is asked for: ``pipeline.yaml``, parameter files and ``--set``.

Reads and checks the declaration and any override file (plain YAML values, mappings where mappings
belong: one clear line for anything malformed), derives the order from what each notebook reads,
merges declared, file and command-line values into a :class:`Plan` of :class:`Step` objects, names a
non-default parameter set so its outputs never overwrite the default build, and selects the steps
``--only``/``--from`` ask for.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import config
from .authority import check_la
from .errors import PipelineError

#: Parameters every notebook declares. ``la`` (one authority's own build, :mod:`.authority`) may be
#: left out of a declaration (then it is not passed); the others must be set under ``globals:``.
GLOBAL_PARAMETERS = ("borough", "raw_dir", "processed_dir", "suppression_threshold", "la")
REQUIRED_GLOBALS = GLOBAL_PARAMETERS[:4]
#: Parameters that say where things are or whose report it is, not how they are analysed: a different
#: folder is not a different parameter set (a borough or an authority has its own report name
#: already). ``extract_dir`` is a folder of LA extracts read in place.
LOCATION_PARAMETERS = ("borough", "raw_dir", "processed_dir", "la", "extract_dir")
REPORT_NAME = "focus_on_practice_evaluation"
#: Keys a notebook entry of pipeline.yaml may have.
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
    "optional_inputs",
    "folder_parameters",
)


def default_jobs() -> int:
    """Notebooks run at once by default: the cores this process may use (2 when unknown)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 2


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
    #: folders under raw_dir the notebook reads whole (``raw_folders:``, e.g. ``la_extracts``, one
    #: subfolder per DfE LA number): every file in them enters the fingerprint, so a new or changed
    #: extract reruns the step. Optional: an absent folder is recorded as absent (the notebook says it
    #: found none); in one authority's own build, the step needs files in ``<folder>/<la>/`` or a
    #: folder parameter set (:mod:`.authority`).
    raw_folders: list[str] = field(default_factory=list)
    #: ``public_data: true``: the notebook reads the published-statistics folder (FOP_PUBLIC_DATA, or
    #: its ``public_data_dir`` parameter); the folder's contents enter the fingerprint, so a new
    #: release reruns it.
    public_data: bool = False
    #: raw files the notebook reads when they are there (``optional_inputs:``): in the fingerprint
    #: when present, never required, never a reason to leave the step out.
    optional_inputs: list[str] = field(default_factory=list)
    #: parameters naming a folder or file (or a list of them) the notebook reads in place, outside the
    #: raw folder (``folder_parameters: [extract_dir]``): their files enter the fingerprint.
    folder_parameters: list[str] = field(default_factory=list)


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
    def la(self) -> int | None:
        """The DfE LA number of one authority's own build; None for the three boroughs."""
        return self.globals.get("la")

    @property
    def scope(self) -> str:
        return config.scope_name(self.globals["borough"], self.la)

    @property
    def scope_dir(self) -> Path:
        return config.processed_dir_for(self.globals["borough"], self.globals["processed_dir"], self.la)

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


def check_values(path: Path, where: str, params) -> dict:
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


def _check_entry(path: Path, i: int, nb) -> None:
    """One notebook entry of the declaration: a mapping with a name, a notebook and known keys."""
    if not nb:
        raise PipelineError(f"{path}: notebook entry {i} is empty: give at least name: and notebook:")
    if not isinstance(nb, dict):
        raise PipelineError(f"{path}: notebook entry {i} must be a mapping (name:, notebook:, ...), got {_kind(nb)}")
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
        check_values(path, f"{nb['name']}.parameters", nb["parameters"])
    if "public_data" in nb and not isinstance(nb["public_data"], bool):
        raise PipelineError(f"{path}: {label}: public_data: must be true or false, got {nb['public_data']!r}")
    for key in ("raw_inputs", "reads", "raw_folders", "optional_inputs", "folder_parameters"):
        value = nb.get(key)
        if value is None or (key == "reads" and value == "all"):
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PipelineError(f"{path}: {label}: {key}: must be a list of names, got {_kind(value)}")


def _check_reads(path: Path, entries: list[dict]) -> None:
    """Names are unique and every ``reads:`` names another notebook of the pipeline."""
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
    check_values(path, "globals", decl.get("globals", {}))
    missing_globals = set(REQUIRED_GLOBALS) - set(decl.get("globals", {}))
    if missing_globals:
        raise PipelineError(f"{path}: globals must set {sorted(missing_globals)}")
    entries = decl.get("notebooks")
    if not isinstance(entries, list) or not entries:
        raise PipelineError(f"{path}: notebooks: must be a list of notebook entries, got {_kind(entries)}")
    for i, nb in enumerate(entries, start=1):
        _check_entry(path, i, nb)
    _check_reads(path, entries)
    ordered(entries, path)  # raises on a cycle
    return decl


def _reads(nb: dict, names: list[str]) -> list[str]:
    reads = nb.get("reads")
    if reads == "all" or (reads is None and nb.get("exports_report")):
        return [n for n in names if n != nb["name"]]
    return list(reads or [])


def _cycle(reads: dict, left: list[str]) -> list[str]:
    """One cycle among the notebooks ``left`` (none of which can start), first == last."""
    cycle, n = [left[0]], left[0]
    while True:
        n = next(r for r in reads[n] if r in left)
        if n in cycle:
            return cycle[cycle.index(n) :] + [n]
        cycle.append(n)


def ordered(entries: list[dict], path: Path | str = "pipeline.yaml") -> list[dict]:
    """The entries in an order where every notebook comes after those it reads (declaration order
    among independent ones); a cycle is an error naming it."""
    names = [nb["name"] for nb in entries]
    reads = {nb["name"]: _reads(nb, names) for nb in entries}
    done: list[str] = []
    while len(done) < len(names):
        ready = [n for n in names if n not in done and all(r in done for r in reads[n])]
        if not ready:
            cycle = _cycle(reads, [n for n in names if n not in done])
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
        check_values(path, "globals", data["globals"])
    if "notebooks" in data:
        nbs = data["notebooks"]
        if not isinstance(nbs, dict) or not nbs:
            raise PipelineError(f"{path}: notebooks: must map notebook names to their parameters, got {_kind(nbs)}")
        for name, params in nbs.items():
            check_values(path, f"notebooks.{name}", params)
    return data


def parse_set(values: list[str]) -> dict:
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
        check_values(Path("--set"), "value", {key: value})
        if "." in key:
            nb, param = key.split(".", 1)
            out["notebooks"].setdefault(nb, {})[param] = value
        else:
            out["globals"][key] = value
    return out


def merge_overrides(a: dict, b: dict) -> dict:
    """Two sets of overrides (``globals:``/``notebooks:``), the second winning."""
    merged = {"globals": {**a.get("globals", {}), **b.get("globals", {})}, "notebooks": {}}
    for src in (a, b):
        for nb, params in src.get("notebooks", {}).items():
            merged["notebooks"].setdefault(nb, {}).update(params)
    return merged


# --------------------------------------------------------------------------------------------
# The plan: declaration + overrides + command line, and where its outputs go
# --------------------------------------------------------------------------------------------


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


def _check_notebook_names(overrides: dict, names: list[str]) -> None:
    unknown = set(overrides.get("notebooks", {})) - set(names)
    if unknown:
        hints = "".join(
            f" (did you mean {c[0]!r}?)" for u in sorted(unknown) if (c := difflib.get_close_matches(u, names, n=1))
        )
        raise PipelineError(
            f"parameter overrides name unknown notebook(s) {sorted(unknown)}{hints}; the pipeline has {names}"
        )


def _steps(declaration: dict, overrides: dict, globals_: dict, non_default: dict) -> list[Step]:
    """One :class:`Step` per notebook, in dependency order, with its merged parameters; every
    notebook parameter given that differs from its declared value is added to ``non_default``."""
    names = [nb["name"] for nb in declaration["notebooks"]]
    steps = []
    for nb in ordered(declaration["notebooks"]):
        declared = nb.get("parameters") or {}
        given = overrides.get("notebooks", {}).get(nb["name"], {})
        for name, value in given.items():
            if name in LOCATION_PARAMETERS:
                continue
            if declared.get(name, globals_.get(name)) != value or name not in declared:
                non_default[f"{nb['name']}.{name}"] = {"value": value, "default": declared.get(name)}
        steps.append(
            Step(
                name=nb["name"],
                notebook=config.resolve(nb["notebook"]),
                description=nb.get("description", ""),
                parameters={**globals_, **declared, **given},
                raw_inputs=list(nb.get("raw_inputs") or []),
                exports_report=bool(nb.get("exports_report", False)),
                reads=_reads(nb, names),
                kernel=str(nb.get("kernel", config.KERNEL_NAME)),
                optional=bool(nb.get("optional", False)),
                raw_folders=list(nb.get("raw_folders") or []),
                public_data=bool(nb.get("public_data", False)),
                optional_inputs=list(nb.get("optional_inputs") or []),
                folder_parameters=list(nb.get("folder_parameters") or []),
            )
        )
    return steps


def _scope(globals_: dict) -> str:
    """The run's scope from the borough and ``la`` globals (``la`` normalised to the number it names)."""
    try:
        borough = config.normalise_borough(globals_["borough"])
    except ValueError as exc:
        raise PipelineError(f"parameter borough: {exc}") from exc
    if globals_.get("la") is None:
        return borough
    if borough != config.ALL_BOROUGHS:
        raise PipelineError(
            f"parameters la={globals_['la']!r} and borough={globals_['borough']!r} together: an authority's own "
            "build (la) is not one of the three boroughs' reports; give one or the other"
        )
    globals_["la"] = check_la(globals_["la"])
    return config.scope_name(borough, globals_["la"])


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
    scope = _scope(globals_)
    _check_notebook_names(overrides, [nb["name"] for nb in declaration["notebooks"]])
    non_default = {
        name: {"value": value, "default": declared_globals.get(name)}
        for name, value in globals_.items()
        if name not in LOCATION_PARAMETERS and declared_globals.get(name) != value
    }
    steps = _steps(declaration, overrides, globals_, non_default)
    variant = _variant_name(non_default, override_file, from_file or set())
    if variant:
        globals_["processed_dir"] = str(Path(globals_["processed_dir"]) / "variants" / variant)
        for step in steps:
            step.parameters["processed_dir"] = globals_["processed_dir"]
    check_processed_dir(
        config.resolve(globals_["processed_dir"]),
        config.resolve(globals_["raw_dir"]),
        config.resolve(globals_["processed_dir"]) / scope,
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


# --------------------------------------------------------------------------------------------
# Selecting what to run
# --------------------------------------------------------------------------------------------


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
