"""One authority's own build (issue 23): the ``la`` parameter and the steps left out of it.

``la`` is a global parameter: the DfE LA number of the authority whose report is built (``--set
la=383``, or ``globals: {la: 383}`` in a parameter file); absent or null, the build is the default
one, for the three boroughs. A number, GSS code or name is accepted and checked against the LA lookup
of the published statistics (``la_lookup.csv``); the plan carries the number. The scope of such a build
is ``la<number>``: processed outputs in ``<processed_dir>/la<number>/``, executed notebooks in
``outputs/runs/la<number>/``, report ``focus_on_practice_evaluation_la<number>.html``.

In an ``la`` build a step whose declared ``raw_inputs`` are not that authority's is *left out* instead
of failing the run: a file absent from the raw folder, or present but written by the synthetic data
generator (the three boroughs' invented data, byte for byte), or a step reading a step left out. The
default build keeps failing fast on a missing input. What was left out, and which files would bring
each step in, is recorded in the run manifest and in ``run_info.json`` for the report
(:func:`left_out`).
"""

from __future__ import annotations

from pathlib import Path

from .. import config
from .errors import PipelineError
from .files import rel

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


def _not_this_authoritys(step) -> tuple[list[str], list[str]]:
    """A step's raw inputs that are absent, and those present but written by the synthetic generator."""
    from ..ingest import is_synthetic

    raw_dir = config.resolve(step.parameters["raw_dir"])
    missing = [f for f in step.raw_inputs if not (raw_dir / f).exists()]
    synthetic = [f for f in step.raw_inputs if f not in missing and is_synthetic(raw_dir / f)]
    return missing, synthetic


def _reason(missing: list[str], synthetic: list[str], after: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"no {', '.join(missing)}")
    if synthetic:
        parts.append(f"{', '.join(synthetic)} {'is' if len(synthetic) == 1 else 'are'} the synthetic generator's")
    if after:
        parts.append(f"reads {', '.join(after)}, left out")
    return "; ".join(parts)


def left_out(plan) -> dict[str, dict]:
    """In an ``la`` build, the steps left out for want of that authority's input files: step name ->
    ``step``, ``description``, ``notebook``, ``needs`` (the raw files that would bring it in, to put in
    the raw folder), ``missing`` (absent), ``synthetic`` (present but the generator's), ``after``
    (steps it reads that are left out) and ``reason`` (one line). Empty in other builds; the report
    step is never left out."""
    if plan.globals.get("la") is None:
        return {}
    out: dict[str, dict] = {}
    for step in plan.steps:  # in dependency order, so a step reading a left-out one is seen after it
        if step.exports_report:
            continue
        missing, synthetic = _not_this_authoritys(step)
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
                "reason": _reason(missing, synthetic, after),
            }
    return out


def remove_outputs(record: dict) -> None:
    """Delete what a strand step wrote in an earlier build (its executed notebook and processed
    outputs, as recorded), so a report never shows the section of a step now left out."""
    for path in record.get("outputs", {}):
        Path(path).unlink(missing_ok=True)
