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
