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


def _page(prose: str, rows: list[list[str]], caption: str = "Practitioners by role") -> str:
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f'<h2 id="section-1">1. Practice scenarios</h2><p>{prose}</p><img src="data:," alt="Chart: 1 lost and 3 gained members"/>'
        f'<p class="fop-caption">{caption}</p><table><thead><tr><th>Role</th><th>Practitioners</th><th>Mean</th></tr>'
        f"</thead><tbody>{body}</tbody></table>"
    )


def test_the_scanner_finds_planted_leaks(tmp_path):
    """The scanner is not vacuous: leaks of each kind issue 10 found are planted in made-up pages and found."""
    htmls = {
        "all": _page(
            "The 4 practitioners trained between the waves changed.", [["FSW", "20", "50.1"], ["SW", "90", "60.2"]]
        ),
        "westminster": _page(
            "Clinician (vs social worker) +13.0 points.",
            [["FSW", "c", "c"], ["SW", "30", "61.0"], ["Clinician (vs social worker)", "c", "c"]],
        ),
        "hammersmith_fulham": _page("", [["FSW", "8", "49.0"], ["SW", "30", "60.0"]]),
        "kensington_chelsea": _page("", [["FSW", "7", "48.0"], ["SW", "30", "59.0"], ["Senior", "c", "12.5"]]),
    }
    found = scan_all(htmls, tmp_path, 5)
    prose = " ".join(found["prose counts"])
    assert "The 4 practitioners" in prose and "1 lost and 3 gained members" in prose
    assert any("Clinician" in f for f in found["prose estimates of suppressed groups"])
    assert any("20 - 15 = 5" in f for f in found["across reports"])  # Westminster FSWs: 20 - 8 - 7
    assert any("Senior" in f for f in found["rows with c and a figure"])
