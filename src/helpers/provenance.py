"""Provenance of a build: which code and which package versions produced it.

Used by the pipeline (the run manifest) and by the report (its build line). Both import it from here,
so neither needs the other.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib import metadata

from . import config

#: Written by the runner into a scope's processed folder before the report notebook runs: what the
#: report's header says about the build (date, code version, override file, non-default parameters).
RUN_INFO_FILE = "run_info.json"


def code_version() -> dict:
    """The git commit of the code that ran, and whether the work tree had uncommitted changes."""

    def git(*args):
        try:
            return subprocess.run(
                ["git", *args], cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=10
            ).stdout.strip()
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


def run_info(processed_dir: str | os.PathLike) -> dict:
    """What the runner told the report about this build (``run_info.json`` in a scope's processed
    folder): ``build_date``, ``code_version``, ``override_file``, ``non_default_parameters``
    (name -> {value, default}), ``variant``. Empty when the notebook was run by hand."""
    path = config.resolve(processed_dir) / RUN_INFO_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


#: Folder (in a scope's processed folder) where a notebook records a part of itself left out of an
#: authority's own report, one ``<part>.json`` each, as the runner records whole steps in run_info.
LEFT_OUT_DIR = "left_out"


def record_left_out(processed_dir: str | os.PathLike, part: str, entry: dict | None) -> None:
    """Record (``entry``: ``description``, ``needs``, ``reason``, as the runner's) or clear (None) that
    ``part`` of a step is left out of this scope's report: the report then gives it one line, like a
    whole step the runner left out."""
    path = config.resolve(processed_dir) / LEFT_OUT_DIR / f"{part}.json"
    if entry is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"step": part, **entry}, indent=2, sort_keys=True), encoding="utf-8")


def left_out(processed_dir: str | os.PathLike) -> list[dict]:
    """Every strand left out of this scope's report: the steps the runner left out (``run_info``, in
    pipeline order), then the parts notebooks recorded (:func:`record_left_out`, by name)."""
    parts = sorted((config.resolve(processed_dir) / LEFT_OUT_DIR).glob("*.json"))
    return list(run_info(processed_dir).get("left_out", [])) + [
        json.loads(p.read_text(encoding="utf-8")) for p in parts
    ]
