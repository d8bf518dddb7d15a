"""Hand-over of the DfE validators' results (run in the separate ``.venv-validators`` kernel by
``notebooks/44_dfe_validation.ipynb``) to the main kernel.

The validation notebook writes ``<processed>/la_extracts/validation/status.json`` ({"status": "ran" |
"not run", "reason", "not_run": [rules that crashed]}) and ``results.csv`` (return, la_code, year,
rule, message, child (pseudonymised), count). When neither exists the validators did not run, and
the section says so: never as a pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .inputs import STRAND

VALIDATION_DIR = f"{STRAND}/validation"
RESULT_COLUMNS = ["return", "la_code", "year", "rule", "message", "child", "count"]


def load_results(processed_dir: Path) -> dict:
    """{"status": "ran", "results": DataFrame, "not_run": [...]} or {"status": "not run", "reason": ...}."""
    d = Path(processed_dir) / VALIDATION_DIR
    status_path = d / "status.json"
    if not status_path.exists():
        return {
            "status": "not run",
            "reason": "the validation step did not run: its kernel, focus-on-practice-validators, "
            "is not installed, or the step was skipped",
        }
    status = json.loads(status_path.read_text(encoding="utf-8"))
    if status.get("status") != "ran":
        return status
    res = (
        pd.read_csv(d / "results.csv", dtype={"la_code": str})
        if (d / "results.csv").exists()
        else pd.DataFrame(columns=RESULT_COLUMNS)
    )
    return {**status, "results": res}
