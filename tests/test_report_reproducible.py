"""The report is byte-identical for identical inputs and code (issue 9): no build time, stable ids,
deterministic figures. Uses the end-to-end build (``built`` in conftest.py)."""

import hashlib
import os

import pytest

from helpers import report


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_exports_of_the_same_executed_notebook_are_identical(built, tmp_path):
    executed = built["tmp"] / "runs" / "executed" / "90_report.ipynb"
    a = report.export_html(executed, tmp_path / "a.html")
    b = report.export_html(executed, tmp_path / "b.html")
    assert _digest(a) == _digest(b)
    assert a.read_bytes() == (built["tmp"] / "reports" / "focus_on_practice_evaluation.html").read_bytes()


def test_rerunning_the_report_notebook_gives_the_same_bytes(built, tmp_path, run_notebook):
    """A second execution of the report notebook (new kernel, new papermill cell ids) on the same
    processed outputs exports to exactly the same HTML as the pipeline's build."""
    executed = run_notebook(
        "90_report.ipynb",
        tmp_path / "again.ipynb",
        borough="all",
        raw_dir=str(built["tmp"] / "raw"),
        processed_dir=str(built["tmp"] / "processed"),
        suppression_threshold=5,
    )
    again = report.export_html(executed, tmp_path / "again.html")
    original = built["tmp"] / "reports" / "focus_on_practice_evaluation.html"
    assert again.read_bytes() == original.read_bytes()


def test_report_carries_no_build_time_without_source_date_epoch(built):
    if os.environ.get("SOURCE_DATE_EPOCH"):
        pytest.skip("SOURCE_DATE_EPOCH is set: the report shows that date")
    assert "Built:</b>" not in built["html"]
