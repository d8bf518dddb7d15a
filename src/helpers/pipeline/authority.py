"""One authority's own build (issue 23): the ``la`` parameter and the steps left out of it.

``la`` is a global parameter: the DfE LA number of the authority whose report is built (``--set
la=383``, or ``globals: {la: 383}`` in a parameter file); absent or null, the build is the default
one, for the three boroughs. A number, GSS code or name is accepted and checked against the LA lookup
of the published statistics (``la_lookup.csv``); the plan carries the number. The scope of such a build
is ``la<number>``: processed outputs in ``<processed_dir>/la<number>/``, executed notebooks in
``outputs/runs/la<number>/``, report ``focus_on_practice_evaluation_la<number>.html``.

In an ``la`` build a step whose declared ``raw_inputs`` are not that authority's is *left out* instead
of failing the run: a file absent from the raw folder, or present but written by the synthetic data
generator (the three boroughs' invented data, byte for byte), or a step reading a step left out. A
step reading extracts by folder (``raw_folders:``, laid out one subfolder per DfE LA number:
``la_extracts/<LA>/<year>/...``; or ``folder_parameters:``, folders read in place) needs that
authority's: a folder parameter set (``extract_dir``), or files in ``<raw_folder>/<la>/`` other than
the generator's. Other authorities' returns there are outside the report and do not count. The
default build keeps failing fast on a missing input. What was left out, and which files would bring
each step in, is recorded in the run manifest and in ``run_info.json`` for the report
(:func:`left_out`).
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import config
from .errors import PipelineError
from .files import rel, sha256_file

LEFT_OUT = "left out"


def check_la(value) -> int:
    """The DfE LA number ``la`` names (a number, or text: number, GSS code or name), checked against
    the LA lookup of the published statistics; one clear line otherwise."""
    from .. import public_data

    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        raise PipelineError(
            f"parameter la: give a DfE LA number such as 383 (or null for the three boroughs), got {value!r}"
        )
    folder = public_data.public_data_dir()
    if not public_data.available(folder, files=("la_lookup",)):
        raise PipelineError(
            f"parameter la: checking {value!r} needs the LA lookup of the published statistics, "
            f"la_lookup.csv, which is not in {folder} (set FOP_PUBLIC_DATA to the public statistics folder)"
        )
    try:
        codes = public_data.resolve_areas([value], folder)
    except ValueError as exc:
        raise PipelineError(f"parameter la: {exc}") from exc
    return codes[0]


def la_name(la: int) -> str:
    """The authority's name in the LA lookup."""
    from .. import public_data

    return public_data.area_names([la])[int(la)]


def generator_files(raw_dir: Path) -> dict[str, str]:
    """The files the synthetic generator wrote into ``raw_dir``: path relative to it -> sha256, from the
    manifest it leaves at the top of the folder (``synthetic_manifest.json``; nested files such as
    ``la_extracts/213/2015/cin/cin_census.xml`` by their relative path). Empty without one."""
    from ..ingest import SYNTHETIC_MANIFEST

    try:
        files = json.loads((raw_dir / SYNTHETIC_MANIFEST).read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return {}  # no manifest, or an unreadable one: nothing is proved synthetic
    return files if isinstance(files, dict) else {}


def _generated(raw_dir: Path, path: Path, files: dict[str, str]) -> bool:
    """Whether ``path`` is byte for byte a file the generator wrote (a real extract put in its place
    has another hash, so it counts as real even if the manifest is left behind)."""
    expected = files.get(path.relative_to(raw_dir).as_posix())
    return expected is not None and expected == sha256_file(path)


def _folders_without(step, la: int, raw_dir: Path, generated: dict) -> tuple[list[str], list[str], list[str]]:
    """For a step reading extracts by folder: (its raw folders' subfolders for ``la`` that are absent
    or empty, those holding only the generator's files, the other LA numbers those folders hold).
    Nothing when a folder parameter names folders to read in place, or a subfolder holds files of the
    authority's own."""
    if not step.raw_folders and not step.folder_parameters:
        return [], [], []
    if any(step.parameters.get(name) not in (None, "", []) for name in step.folder_parameters):
        return [], [], []
    missing, synthetic, others = [], [], set()
    for folder in step.raw_folders:
        sub = raw_dir / folder / str(la)
        files = [p for p in sorted(sub.rglob("*")) if p.is_file()] if sub.is_dir() else []
        if any(not _generated(raw_dir, p, generated) for p in files):
            return [], [], []
        (synthetic if files else missing).append(f"{folder}/{la}/")
        if (raw_dir / folder).is_dir():
            others |= {p.name for p in (raw_dir / folder).iterdir() if p.is_dir() and p.name != str(la)}
    return missing, synthetic, sorted(others, key=lambda n: (len(n), n))


def _not_this_authoritys(step, la: int, raw_dir: Path, generated: dict) -> tuple[list[str], list[str], list[str]]:
    """What a step reads that is not the authority's: (absent raw files and folders, those present
    but the synthetic generator's, the other LA numbers its folders hold)."""
    missing = [f for f in step.raw_inputs if not (raw_dir / f).exists()]
    synthetic = [f for f in step.raw_inputs if f not in missing and _generated(raw_dir, raw_dir / f, generated)]
    no_folder, generated_folder, others = _folders_without(step, la, raw_dir, generated)
    return missing + no_folder, synthetic + generated_folder, others


def _reason(step, missing: list[str], synthetic: list[str], others: list[str], after: list[str]) -> str:
    """One line: what is absent or the generator's, and the other authorities' returns passed over."""
    parts = []
    if missing:
        parts.append(f"no {', '.join(missing)}")
    if synthetic:
        parts.append(f"{', '.join(synthetic)} {'is' if len(synthetic) == 1 else 'are'} the synthetic generator's")
    if step.folder_parameters and any(n.endswith("/") for n in missing + synthetic):
        parts.append(f"no {' or '.join(step.folder_parameters)} set")
    if others:
        parts.append(f"the returns there of LA {', '.join(others)} are outside this report")
    if after:
        parts.append(f"reads {', '.join(after)}, left out")
    return "; ".join(parts)


def left_out(plan) -> dict[str, dict]:
    """In an ``la`` build, the steps left out for want of that authority's input files: step name ->
    ``step``, ``description``, ``notebook``, ``needs`` (the raw files, or ``<folder>/<la>/`` folders,
    that would bring it in, to put in the raw folder), ``missing`` (absent), ``synthetic`` (present but
    the generator's), ``after`` (steps it reads that are left out) and ``reason`` (one line). Empty in
    other builds; the report step is never left out."""
    la = plan.globals.get("la")
    if la is None:
        return {}
    out: dict[str, dict] = {}
    generated: dict[str, dict] = {}  # raw folder -> the generator's files in it
    for step in plan.steps:  # in dependency order, so a step reading a left-out one is seen after it
        if step.exports_report:
            continue
        raw_dir = config.resolve(step.parameters["raw_dir"])
        files = generated.setdefault(str(raw_dir), generator_files(raw_dir))
        missing, synthetic, others = _not_this_authoritys(step, la, raw_dir, files)
        after = [r for r in step.reads if r in out]
        if missing or synthetic or after:
            out[step.name] = {
                "step": step.name,
                "description": step.description,
                "notebook": rel(step.notebook),
                "needs": missing + synthetic,
                "missing": missing,
                "synthetic": synthetic,
                "after": after,
                "reason": _reason(step, missing, synthetic, others, after),
            }
    return out


def remove_outputs(record: dict) -> None:
    """Delete what a strand step wrote in an earlier build (its executed notebook and processed
    outputs, as recorded), so a report never shows the section of a step now left out."""
    for path in record.get("outputs", {}):
        Path(path).unlink(missing_ok=True)
