"""Checks before anything runs: every notebook exists, runs on its kernel, declares every parameter
passed to it (with the type of its default), and every raw input it needs is there (in the default
build; one authority's own build leaves a step without its inputs out instead: :mod:`.authority`).

The parameters a notebook declares are read from its ``parameters`` cell with ``ast``, as
``papermill.inspect_notebook`` gives them for plain assignments, without importing papermill (a
no-change run then starts in a fraction of the time).
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

from .. import config
from .declaration import PipelineError, Plan, Step
from .files import read_notebook

_PY_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


def declared_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares in its ``parameters`` cell: name -> {"name", "default"}
    (the default's source text)."""
    nb = read_notebook(notebook)
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


def _default_type(info: dict) -> str | None:
    """Type name of a declared parameter's default literal (papermill infers none without annotations)."""
    try:
        return type(ast.literal_eval(info.get("default", ""))).__name__
    except (ValueError, SyntaxError):
        return None


def _parameter_problems(step: Step, declared: dict) -> list[str]:
    """Parameters passed to a step that its notebook does not declare, or of the wrong type."""
    problems = []
    for name, value in step.parameters.items():
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{step.name}: unknown parameter {name!r}{hint}; the notebook declares {sorted(declared)}")
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
    return problems


def missing_inputs(step: Step) -> list[Path]:
    """The raw input files a step declares that are not in its raw folder."""
    raw_dir = config.resolve(step.parameters["raw_dir"])
    return [raw_dir / name for name in step.raw_inputs if not (raw_dir / name).exists()]


def missing_folders(step: Step) -> list[str]:
    """Folders or files named by a step's ``folder_parameters`` (read in place) that do not exist: one
    line each, so a misspelt ``extract_dir`` stops the run before anything runs."""
    problems = []
    for name in step.folder_parameters:
        value = step.parameters.get(name)
        for item in value if isinstance(value, list) else [value] if value not in (None, "") else []:
            if not config.resolve(str(item)).exists():
                problems.append(
                    f"{step.name}: {name} names {item}, which does not exist (a relative path is read from the project root)"
                )
    return problems


def validate(steps: list[Step], plan: Plan) -> list[str]:
    """Every problem that would stop the run, found before anything runs (empty list: all good)."""
    problems = []
    for step in steps:
        if not step.notebook.exists():
            problems.append(f"{step.name}: notebook {step.notebook} not found")
            continue
        try:
            nb = read_notebook(step.notebook)
            declared = declared_parameters(step.notebook)
        except PipelineError as exc:
            problems.append(str(exc))
            continue
        kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
        if kernel != step.kernel:
            problems.append(f"{step.name}: notebook kernelspec is {kernel!r}, expected {step.kernel!r}")
        problems += _parameter_problems(step, declared)
        problems += [
            f"{step.name}: folder_parameters names {name!r}, which the notebook does not declare"
            for name in step.folder_parameters
            if name not in declared
        ]
        problems += missing_folders(step)
        if plan.la is None:  # an authority's own build leaves such a step out instead (.authority)
            problems += [f"{step.name}: missing input file {path}" for path in missing_inputs(step)]
    return problems
