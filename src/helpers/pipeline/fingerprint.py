"""The build's memory: what a step's result depends on, and what it wrote.

A step's *fingerprint* hashes everything its result depends on: the notebook's source, its
parameters, its raw inputs (files, folders read whole, how they are declared to be written), the
published statistics when it reads them, the helper code it runs (its strand and the core modules
it imports, not all of ``helpers``: :func:`step_code_hash`), a fingerprint of the pseudonymisation key
(never the key) and the outputs of the notebooks it reads. The *skip-state*
(``<processed>/<scope>/.pipeline_state.json``) records, per finished step, that fingerprint and the
hash of every output it wrote; a step whose fingerprint or outputs no longer match runs again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from pathlib import Path

from .. import config
from .codegraph import HELPERS_ROOT, RUNNER_MODULE, code_files, notebook_entries, package_files
from .declaration import Plan, Step
from .files import read_notebook, sha256_file

STATE_FILE = ".pipeline_state.json"


def notebook_source_hash(notebook: Path) -> str:
    """Hash of a notebook's cells' sources and tags: outputs and execution counts do not count."""
    nb = read_notebook(notebook)
    cells = [(c["cell_type"], "".join(c.get("source", "")), c.get("metadata", {}).get("tags", [])) for c in nb["cells"]]
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def step_code_hash(step: Step, root: Path = HELPERS_ROOT) -> str:
    """Hash of the helper code a step runs (:mod:`helpers.pipeline.codegraph`): the modules its
    notebook imports, transitively, with the data files they read, and the runner module that runs it
    and writes its executed notebook; for the report, the whole package (it renders everything). A
    change elsewhere does not rerun the step."""
    if step.exports_report:
        files = package_files(root)
    else:
        runner = root.joinpath(*RUNNER_MODULE.split(".")[1:]).with_suffix(".py")
        files = sorted({*code_files(notebook_entries(step.notebook, root), root), runner})
    h = hashlib.sha256()
    for path in files:
        h.update(str(path.relative_to(root)).encode() + b"\0" + _cached_file_hash(path).encode() + b"\0")
    return h.hexdigest()


_FILE_HASHES: dict[tuple, str] = {}


def _cached_file_hash(path: Path) -> str:
    """A file's sha256, remembered for this process by (path, size, mtime): the public folder
    (about 90 MB) is read once per run, not once per notebook and scope."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = sha256_file(path)
    return _FILE_HASHES[key]


def folder_digest(folder: Path) -> str:
    """Hash of every file under ``folder`` (relative path and content); "absent" when there is none."""
    if not folder.is_dir():
        return "absent"
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + _cached_file_hash(path).encode())
    return h.hexdigest()


def input_hashes(step: Step) -> dict:
    """What the step reads from outside the project, by content: its raw files, how they are declared
    to be written (``raw_formats.yaml``, ``FOP_RAW_ENCODING``/``FOP_RAW_DAYFIRST``), the raw folders it
    reads whole, its optional raw files ("absent" when not there), folders its parameters name
    (``folder_parameters:``) and, for ``public_data: true``, the published-statistics folder."""
    from ..ingest import DAYFIRST_ENV_VAR, ENCODING_ENV_VAR, RAW_FORMATS_FILE

    raw_dir = config.resolve(step.parameters["raw_dir"])
    out = {name: sha256_file(raw_dir / name) for name in step.raw_inputs if (raw_dir / name).exists()}
    for name in step.optional_inputs:
        out[name] = sha256_file(raw_dir / name) if (raw_dir / name).is_file() else "absent"
    # How the raw files are read (encoding, day-first dates) changes what a notebook gets from them.
    if step.raw_inputs or step.raw_folders or step.optional_inputs:
        if (raw_dir / RAW_FORMATS_FILE).is_file():
            out[RAW_FORMATS_FILE] = sha256_file(raw_dir / RAW_FORMATS_FILE)
        for var in (ENCODING_ENV_VAR, DAYFIRST_ENV_VAR):
            if os.environ.get(var):
                out[f"env:{var}"] = os.environ[var]
    for folder in step.raw_folders:
        out[f"folder:{folder}"] = folder_digest(raw_dir / folder)
    for name in step.folder_parameters:  # folders or files read in place, named by a parameter
        value = step.parameters.get(name)
        for i, item in enumerate(value if isinstance(value, list) else [value] if value else []):
            path = config.resolve(item)
            out[f"parameter:{name}:{i}"] = sha256_file(path) if path.is_file() else folder_digest(path)
    if step.public_data:
        from .. import public_data

        out["public_data"] = folder_digest(public_data.public_data_dir(step.parameters.get("public_data_dir") or None))
    return out


def key_fingerprint() -> str:
    """A fingerprint of the pseudonymisation key (never the key): a new key reruns everything.

    Uses ``pseudonymise.key_fingerprint()`` when that exists; until then HMAC-SHA256 of a fixed
    label under the key, 16 hex digits (one-way: it cannot give the key back).
    """
    from .. import pseudonymise

    own = getattr(pseudonymise, "key_fingerprint", None)
    if callable(own):
        return str(own())
    return hmac.new(pseudonymise.load_key(), b"focus-on-practice key fingerprint", hashlib.sha256).hexdigest()[:16]


def fingerprint(step: Step, code_hash: str, upstream, inputs: dict, key_fp: str = "") -> str:
    """What a notebook's result depends on: its source, parameters, raw inputs, code, the key's
    fingerprint and the outputs of the notebooks it reads (``upstream``: name -> outputs digest)."""
    payload = {
        "notebook": notebook_source_hash(step.notebook),
        "parameters": step.parameters,
        "inputs": inputs,
        "code": code_hash,
        "upstream": upstream,
        "key": key_fp,
        "kernel": step.kernel,
        "python": sys.version,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def sibling_sections_digest(plan: Plan) -> str:
    """What a report reads of the other scopes (the tables and section records under
    ``<processed>/<other scope>/report_sections``), so a report whose sibling scopes changed is
    rebuilt and its cross-report disclosure check redone."""
    from ..report_section import SECTIONS_DIRNAME

    base = plan.scope_dir.parent
    items = []
    siblings = set() if plan.la is not None else {*config.BOROUGHS, config.ALL_BOROUGHS}  # an authority's stands alone
    for scope in sorted(siblings - {plan.scope}):
        folder = base / scope / SECTIONS_DIRNAME
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.is_file() and f.suffix in (".csv", ".json"):
                    items.append((str(f.relative_to(base)), sha256_file(f)))
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# What each step wrote: the skip-state and its output hashes
# --------------------------------------------------------------------------------------------


def damaged_outputs(record: dict) -> list[str]:
    """Recorded outputs that are missing or no longer have their recorded hash."""
    bad = []
    for path, sha in record.get("outputs", {}).items():
        try:
            if sha256_file(Path(path)) != sha:
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


def state_path(plan: Plan) -> Path:
    return plan.scope_dir / STATE_FILE


def load_state(plan: Plan) -> dict:
    """The skip-state of a plan's scope (``{"steps": {}}`` when there is none or it is unreadable)."""
    path = state_path(plan)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if not isinstance(state.get("steps"), dict):
        state = {"steps": {}}
    return state


def snapshot(folder: Path) -> dict:
    """Every file under a processed folder (not the runner's own hidden files) -> (mtime, size, inode)."""
    from ..provenance import RUN_INFO_FILE

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


def owned_by_another(path: str, scope_dir: Path, step: Step, steps: list[Step]) -> bool:
    """Whether a file that changed while ``step`` ran was written by another notebook running at the
    same time: one in another notebook's own folder (``<name>/``, ``report_sections/NN_<name>/``),
    or a record named after a raw file only other notebooks read (``reconciliation_<file>.csv``)."""
    from ..report_section import SECTIONS_DIRNAME

    parts = Path(path).relative_to(scope_dir).parts
    others = {s.name for s in steps} - {step.name}
    if parts[0] in others:
        return True
    if parts[0] == SECTIONS_DIRNAME and len(parts) > 2 and parts[1].split("_", 1)[-1] in others:
        return True
    own = {Path(f).stem for f in step.raw_inputs + step.optional_inputs}
    foreign = {Path(f).stem for s in steps if s.name != step.name for f in s.raw_inputs + s.optional_inputs} - own
    stem = Path(path).stem
    return any(stem == f or stem.endswith("_" + f) for f in foreign) and not any(stem.endswith("_" + f) for f in own)
