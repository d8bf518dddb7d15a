"""The pipeline runner: one entry point that builds the evaluation report from the raw data.

``python -m helpers.pipeline`` (``make report``) reads the declared pipeline (``pipeline.yaml``:
which notebooks, in which order, with which parameters, reading what) and:

1. checks, before running anything, that every notebook exists and runs on the project's kernel,
   that every parameter passed to it is one it declares (papermill itself only warns about a
   misspelt one), and that every raw input it needs is there;
2. runs each notebook with papermill on an explicit kernel and language, from the project root,
   with a progress bar over notebooks and one over cells;
3. skips a notebook whose source, parameters, inputs, helper code and upstream notebooks have not
   changed since its last successful run (unless ``--force``);
4. on failure prints one line (notebook, cell, exception) and where the executed notebook with the
   full traceback is, and exits non-zero;
5. exports the executed report notebook to self-contained HTML in ``reports/``;
6. writes the executed notebooks and a run manifest (code version, parameters, input hashes,
   package versions, timings) to ``outputs/runs/<scope>/`` (git-ignored): the audit trail.

See ``python -m helpers.pipeline --help`` for running one notebook, starting from one, parameter
overrides from YAML, another raw-data folder, or one report per borough.
"""
from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import json
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import yaml

from . import config

GLOBAL_PARAMETERS = ("borough", "raw_dir", "processed_dir", "suppression_threshold")
REPORT_NAME = "focus_on_practice_evaluation"


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
    #: Jupyter kernel the notebook runs on (``kernel:`` in pipeline.yaml; default the project's).
    kernel: str = config.KERNEL_NAME
    #: ``optional: true``: if the notebook's kernel is not installed the step is skipped with one line.
    optional: bool = False


@dataclass
class Plan:
    """The pipeline as it will run: steps, global parameters and where things go."""

    steps: list[Step]
    globals: dict
    runs_dir: Path
    report_path: Path

    @property
    def scope(self) -> str:
        return config.normalise_borough(self.globals["borough"])


# --------------------------------------------------------------------------------------------
# Reading the declaration
# --------------------------------------------------------------------------------------------

def load_declaration(path: Path = config.PIPELINE_FILE) -> dict:
    """Read ``pipeline.yaml`` and check its shape."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{path}: pipeline declaration not found")
    decl = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(decl) - {"globals", "notebooks", "report"}
    if unknown:
        raise PipelineError(f"{path}: unknown top-level key(s) {sorted(unknown)}")
    names = [nb.get("name") for nb in decl.get("notebooks", [])]
    if not names or any(not n for n in names):
        raise PipelineError(f"{path}: every notebook entry needs a name")
    if len(set(names)) != len(names):
        raise PipelineError(f"{path}: notebook names must be unique, got {names}")
    missing_globals = set(GLOBAL_PARAMETERS) - set(decl.get("globals", {}))
    if missing_globals:
        raise PipelineError(f"{path}: globals must set {sorted(missing_globals)}")
    return decl


def load_overrides(path: Path) -> dict:
    """Read a parameter-override file: ``globals:`` and/or ``notebooks: {name: {param: value}}``."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{path}: parameter file not found")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or set(data) - {"globals", "notebooks"}:
        raise PipelineError(
            f"{path}: a parameter file has only 'globals:' and 'notebooks:' sections "
            f"(found {sorted(data) if isinstance(data, dict) else type(data).__name__})"
        )
    return data


def build_plan(
    declaration: dict,
    overrides: dict | None = None,
    cli_globals: dict | None = None,
    runs_dir: Path | None = None,
    report_dir: Path | None = None,
) -> Plan:
    """Merge declaration, override file and command-line values (later wins) into a plan."""
    overrides = overrides or {}
    globals_ = {**declaration["globals"], **overrides.get("globals", {}), **(cli_globals or {})}
    try:
        scope = config.normalise_borough(globals_["borough"])
    except ValueError as exc:
        raise PipelineError(f"parameter borough: {exc}") from exc
    names = [nb["name"] for nb in declaration["notebooks"]]
    unknown = set(overrides.get("notebooks", {})) - set(names)
    if unknown:
        raise PipelineError(f"parameter overrides name unknown notebook(s) {sorted(unknown)}; the pipeline has {names}")
    steps = []
    for nb in declaration["notebooks"]:
        params = {**globals_, **(nb.get("parameters") or {}), **overrides.get("notebooks", {}).get(nb["name"], {})}
        steps.append(
            Step(
                name=nb["name"],
                notebook=config.resolve(nb["notebook"]),
                description=nb.get("description", ""),
                parameters=params,
                raw_inputs=list(nb.get("raw_inputs") or []),
                exports_report=bool(nb.get("exports_report", False)),
                kernel=str(nb.get("kernel", config.KERNEL_NAME)),
                optional=bool(nb.get("optional", False)),
            )
        )
    report_dir = Path(report_dir) if report_dir else config.resolve(declaration.get("report", {}).get("folder", "reports"))
    suffix = "" if scope == config.ALL_BOROUGHS else f"_{scope}"
    return Plan(
        steps=steps,
        globals=globals_,
        runs_dir=Path(runs_dir) if runs_dir else config.OUTPUTS_DIR / "runs" / scope,
        report_path=report_dir / f"{REPORT_NAME}{suffix}.html",
    )


def select_steps(plan: Plan, only: str | None = None, start: str | None = None) -> list[Step]:
    """The steps to run: all, one (``only``), or from one on (``start``)."""
    names = [s.name for s in plan.steps]
    for wanted in (only, start):
        if wanted and wanted not in names:
            raise PipelineError(f"no notebook named {wanted!r} in the pipeline; it has {names}")
    if only:
        return [s for s in plan.steps if s.name == only]
    if start:
        return plan.steps[names.index(start):]
    return list(plan.steps)


# --------------------------------------------------------------------------------------------
# Checks before running anything
# --------------------------------------------------------------------------------------------

_PY_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


def declared_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares in its ``parameters`` cell (papermill's inspection)."""
    import papermill as pm

    nb = _read_notebook(notebook)
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb["cells"]):
        raise PipelineError(f"{notebook}: no cell tagged 'parameters'")
    return pm.inspect_notebook(str(notebook))


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
# Skipping unchanged notebooks
# --------------------------------------------------------------------------------------------

def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    h.update(Path(path).read_bytes())
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
        if path.is_file() and path.suffix in (".py", ".yaml", ".j2", ".json") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def input_hashes(step: Step) -> dict:
    raw_dir = config.resolve(step.parameters["raw_dir"])
    return {name: _sha256_file(raw_dir / name) for name in step.raw_inputs if (raw_dir / name).exists()}


def fingerprint(step: Step, code_hash: str, upstream: str, inputs: dict) -> str:
    """What a notebook's result depends on: its source, parameters, inputs, code and upstream."""
    payload = {
        "notebook": _notebook_source_hash(step.notebook),
        "parameters": step.parameters,
        "inputs": inputs,
        "code": code_hash,
        "upstream": upstream,
        "kernel": config.KERNEL_NAME,
        "python": sys.version,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Running
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


def run_step(step: Step, executed_path: Path, progress: bool = True) -> float:
    """Run one notebook with papermill; returns seconds taken. Raises :class:`NotebookFailed`."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    executed_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        pm.execute_notebook(
            str(step.notebook),
            str(executed_path),
            parameters=step.parameters,
            kernel_name=step.kernel,
            language="python",
            cwd=str(config.PROJECT_ROOT),
            progress_bar=progress,
            log_output=False,
        )
    except PapermillExecutionError as exc:
        evalue = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
        # The cell is named as the executed notebook shows it (In [n]): papermill inserts a cell
        # with the injected parameters, so source cell numbers would point one cell too early.
        msg = f"notebook {step.name} ({step.notebook.name}) failed at In [{exc.exec_count}]: {exc.ename}: {evalue}"
        raise NotebookFailed(msg, executed_path) from exc
    except Exception as exc:  # kernel died, timeout, unreadable notebook...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        msg = f"notebook {step.name} ({step.notebook.name}) could not run: {type(exc).__name__}: {first}"
        raise NotebookFailed(msg, executed_path) from exc
    return time.perf_counter() - start


def code_version() -> dict:
    """The git commit of the code that ran, and whether the work tree had uncommitted changes."""
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD") or "unknown", "uncommitted_changes": bool(git("status", "--porcelain"))}


def package_versions() -> dict:
    """Installed versions of the pinned packages (requirements.txt) and Python."""
    versions = {"python": platform.python_version()}
    req = config.PROJECT_ROOT / "requirements.txt"
    if req.exists():
        for line in req.read_text().splitlines():
            line = line.split("#")[0].strip()
            if "==" in line:
                name = line.split("==")[0].strip()
                try:
                    versions[name] = metadata.version(name)
                except metadata.PackageNotFoundError:
                    versions[name] = "not installed"
    return versions


def run(plan: Plan, steps: list[Step], force: bool = False, progress: bool = True, log=print) -> dict:
    """Run the selected steps of a plan; returns the run manifest (also written to disk)."""
    from tqdm.auto import tqdm

    problems = validate(steps, plan)
    if problems:
        raise PipelineError("the pipeline was not started:\n  " + "\n  ".join(problems))
    ensure_kernel()
    executed_dir = plan.runs_dir / "executed"
    state_path = plan.runs_dir / "state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    code_hash = helpers_code_hash()
    manifest = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "globals": plan.globals,
        "packages": package_versions(),
        "report": str(plan.report_path),
        "notebooks": [],
    }
    selected = {s.name for s in steps}
    upstream = ""
    bar = tqdm(plan.steps, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    for step in bar:
        inputs = input_hashes(step)
        fp = fingerprint(step, code_hash, upstream, inputs)
        upstream = fp
        if step.name not in selected:
            continue
        bar.set_postfix_str(step.name)
        executed_path = executed_dir / f"{step.notebook.stem}.ipynb"
        entry = {"name": step.name, "notebook": str(step.notebook.relative_to(config.PROJECT_ROOT)) if step.notebook.is_relative_to(config.PROJECT_ROOT) else str(step.notebook),
                 "parameters": step.parameters, "inputs_sha256": inputs, "executed": str(executed_path), "fingerprint": fp}
        outputs_there = config.processed_dir_for(plan.globals["borough"], plan.globals["processed_dir"]).exists()
        up_to_date = (not force and state.get(step.name) == fp and executed_path.exists() and outputs_there
                      and (not step.exports_report or plan.report_path.exists()))
        if up_to_date:
            entry.update(status="skipped (unchanged)", seconds=0.0)
            manifest["notebooks"].append(entry)
            continue
        state.pop(step.name, None)
        if step.kernel != config.KERNEL_NAME and not kernel_installed(step.kernel):
            if not step.optional:
                raise PipelineError(f"{step.name}: kernel {step.kernel!r} is not installed (run make setup)")
            log(f"{step.name}: skipped, kernel {step.kernel!r} is not installed (optional step)")
            entry.update(status=f"skipped (kernel {step.kernel} not installed)", seconds=0.0)
            manifest["notebooks"].append(entry)
            continue
        try:
            seconds = run_step(step, executed_path, progress=progress)
            if step.exports_report:
                from .report import export_html

                export_html(executed_path, plan.report_path)
        except NotebookFailed as exc:
            entry.update(status="failed", error=str(exc))
            manifest["notebooks"].append(entry)
            _write_json(plan.runs_dir / "manifest.json", manifest)
            _write_json(state_path, state)
            raise
        entry.update(status="ran", seconds=round(seconds, 2))
        manifest["notebooks"].append(entry)
        state[step.name] = fp
        _write_json(state_path, state)
    bar.close()
    manifest["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    _write_json(plan.runs_dir / "manifest.json", manifest)
    return manifest


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


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
        value = yaml.safe_load(raw)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.pipeline",
        description="Run the declared notebook pipeline and build the evaluation report.",
    )
    parser.add_argument("--pipeline", default=str(config.PIPELINE_FILE), help="pipeline declaration (default pipeline.yaml)")
    parser.add_argument("--only", metavar="NAME", help="run only this notebook")
    parser.add_argument("--from", dest="start", metavar="NAME", help="run this notebook and every one after it")
    parser.add_argument("--params", metavar="FILE.yaml", help="parameter overrides (globals: / notebooks: {name: {...}})")
    parser.add_argument("--set", action="append", metavar="[NOTEBOOK.]NAME=VALUE", help="override one parameter (repeatable)")
    parser.add_argument("--borough", help="all, or one of: " + ", ".join(config.BOROUGHS))
    parser.add_argument("--each-borough", action="store_true", help="build one report per borough, one after the other")
    parser.add_argument("--raw-dir", help="folder of raw extracts (default data/raw)")
    parser.add_argument("--processed-dir", help="base folder of processed outputs (default data/processed)")
    parser.add_argument("--runs-dir", help="where executed notebooks and the manifest go (default outputs/runs/<scope>)")
    parser.add_argument("--report-dir", help="where the HTML report goes (default reports/)")
    parser.add_argument("--force", action="store_true", help="run every selected notebook even if unchanged")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--list", action="store_true", help="list the notebooks and their parameters, then stop")
    args = parser.parse_args(argv)

    try:
        declaration = load_declaration(Path(args.pipeline))
        overrides = load_overrides(Path(args.params)) if args.params else {}
        overrides = _merge(overrides, _parse_set(args.set))
        cli_globals = {k: v for k, v in {"raw_dir": args.raw_dir, "processed_dir": args.processed_dir, "borough": args.borough}.items() if v}
        boroughs = list(config.BOROUGHS) if args.each_borough else [None]
        for borough in boroughs:
            g = dict(cli_globals, **({"borough": borough} if borough else {}))
            runs_dir = Path(args.runs_dir) / (borough or "") if args.runs_dir else None
            plan = build_plan(declaration, overrides, g, runs_dir=runs_dir, report_dir=args.report_dir)
            steps = select_steps(plan, only=args.only, start=args.start)
            if args.list:
                for s in plan.steps:
                    print(f"{s.name:12s} {s.notebook.relative_to(config.PROJECT_ROOT)}  {s.parameters}")
                return 0
            manifest = run(plan, steps, force=args.force, progress=not args.no_progress)
            ran = [n["name"] for n in manifest["notebooks"] if n["status"] == "ran"]
            skipped = [n["name"] for n in manifest["notebooks"] if n["status"].startswith("skipped")]
            print(f"[{plan.scope}] ran: {', '.join(ran) or 'nothing'}; unchanged, skipped: {', '.join(skipped) or 'none'}")
            if any(s.exports_report for s in steps):
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
