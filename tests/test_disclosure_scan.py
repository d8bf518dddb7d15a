"""The scanning test of issue 10: build the four reports on a small extract, where small cells are many,
with the default threshold and the commissioners' one, and find no count from 1 to the threshold that
can be read or worked out anywhere (see ``tests/disclosure_scan.py`` for what is scanned).
"""

import pytest

from disclosure_scan import build_reports, scan_all
from helpers.synthetic import generate_all


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory):
    raw = tmp_path_factory.mktemp("small_extract") / "raw"
    generate_all(raw, seed=2, scale=0.17)
    return raw


@pytest.mark.slow
@pytest.mark.parametrize("threshold", [5, 10])
def test_no_small_count_readable_or_recoverable(small_extract, tmp_path, threshold):
    htmls = build_reports(small_extract, tmp_path, threshold)
    assert set(htmls) == {"all", "westminster", "hammersmith_fulham", "kensington_chelsea"}
    # the extract is small enough that suppression is exercised in every report
    assert all(">c<" in page for page in htmls.values())
    findings = scan_all(htmls, tmp_path / "processed", threshold)
    report = "\n".join(f"{check}: {f}" for check, fs in findings.items() for f in fs)
    assert not report, report
