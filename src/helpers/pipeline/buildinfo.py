"""What a build says about itself: its date and the run information the report prints.

The build date is ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else the
time of the newest raw input, so two builds from the same inputs are byte-identical. Before the
report notebook runs, the runner writes ``run_info.json`` (:data:`helpers.provenance.RUN_INFO_FILE`)
into the scope's processed folder: date, code version, override file, non-default parameters.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

from .. import config
from ..provenance import code_version
from .declaration import PipelineError, Plan


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


def run_info_payload(plan: Plan, epoch: int, left_out: dict | None = None) -> dict:
    """The contents of ``run_info.json`` for a plan built at ``epoch``. One authority's own build
    (``la``) adds ``la``, ``la_name`` and ``left_out``: one record per step left out for want of that
    authority's input files, in pipeline order (see :func:`helpers.pipeline.authority.left_out`)."""
    override = plan.override_file
    if override:
        p = Path(override).resolve()
        override = str(p.relative_to(config.PROJECT_ROOT)) if p.is_relative_to(config.PROJECT_ROOT) else p.name
    info = {
        "build_date": datetime.fromtimestamp(epoch, tz=UTC).date().isoformat(),
        "code_version": code_version(),
        "override_file": override,
        "non_default_parameters": plan.non_default,
        "variant": plan.variant,
        "scope": plan.scope,
        "report_file": plan.report_path.name,
    }
    if plan.la is not None:
        from .authority import la_name

        info.update(la=plan.la, la_name=la_name(plan.la), left_out=list((left_out or {}).values()))
    return info
