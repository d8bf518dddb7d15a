"""The report is byte-identical for identical inputs and code (issue 9): no build time, stable ids,
deterministic figures. Uses the end-to-end build (``built`` in conftest.py)."""

import hashlib
import json
import re
from datetime import UTC, datetime

import yaml

from helpers import config, report


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_exports_of_the_same_executed_notebook_are_identical(built, tmp_path):
    executed = built["tmp"] / "runs" / "executed" / "90_report.ipynb"
    name = "focus_on_practice_evaluation.html"  # the files link to each other by name: same name, same bytes
    a = report.export_report(executed, tmp_path / "a" / name)
    b = report.export_report(executed, tmp_path / "b" / name)
    assert [p.name for p in a] == [name, "focus_on_practice_evaluation_appendix.html"]
    assert [_digest(p) for p in a] == [_digest(p) for p in b]
    assert [p.read_bytes() for p in a] == [(built["tmp"] / "reports" / p.name).read_bytes() for p in a]


def _build_epoch(built) -> int:
    """The SOURCE_DATE_EPOCH the runner used for the build (from the newest raw input)."""
    manifest = json.loads((built["tmp"] / "runs" / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["source_date_epoch"])


def test_rerunning_the_report_notebook_gives_the_same_bytes(built, tmp_path, run_notebook, monkeypatch):
    """A second execution of the report notebook (new kernel, new papermill cell ids) on the same
    processed outputs, with the same SOURCE_DATE_EPOCH, exports to exactly the same HTML."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(_build_epoch(built)))
    executed = run_notebook(
        "90_report.ipynb",
        tmp_path / "again.ipynb",
        borough="all",
        raw_dir=str(built["tmp"] / "raw"),
        processed_dir=str(built["tmp"] / "processed"),
        suppression_threshold=5,
    )
    again = report.export_html(executed, tmp_path / "focus_on_practice_evaluation.html")
    original = built["tmp"] / "reports" / "focus_on_practice_evaluation.html"
    assert again.read_bytes() == original.read_bytes()


def test_report_build_date_comes_from_the_inputs_not_the_clock(built):
    """The runner sets SOURCE_DATE_EPOCH from the newest raw input, so the date the report states is
    that file's date (worked out here from the files themselves), and no time of day appears."""
    declared = yaml.safe_load(config.PIPELINE_FILE.read_text(encoding="utf-8"))["notebooks"]
    files = {built["tmp"] / "raw" / f for nb in declared for f in nb.get("raw_inputs") or []}
    newest = max(p.stat().st_mtime for p in files if p.is_file())
    assert _build_epoch(built) == int(newest)
    expected = datetime.fromtimestamp(int(newest), tz=UTC)
    assert f"Built {expected.day} {expected:%B %Y}." in built["html"]
    assert not re.search(r"Built [^<]*\d{1,2}:\d{2}", built["html"])
