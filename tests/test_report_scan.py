"""Every table and sentence of every built report, read for malformed numbers and plural slips.

The scanner (``tests/report_scan.py``) reads the HTML as a reader does. It is first shown to find
slips planted by hand, then run on the reports the end-to-end fixture builds.
"""

import pandas as pd
import pytest

import report_scan as rs
from helpers.report import table_html

PLANTED = """<html><body>
<p>Across 1 rules and 0 year(s), 3 family in 2 borough; c no text; Share trained (%): 81.4.</p>
<p>Fine: 1 rule, 0 years, 27 family members, 24 borough cells, the 2021 release, c families, c practitioners.</p>
<p>See helpers.report and benchmarks/calibration.py or run_plans().</p>
<table><caption>T</caption><thead><tr><th>Year</th><th>Families</th><th>Rank</th><th>Donors</th><th>Raised the theme</th>
</tr></thead><tbody>
<tr><td>2,013</td><td>522.00</td><td>49.000</td><td>c</td><td>c</td></tr>
<tr><td>2014</td><td>485</td><td>3</td><td>12</td><td>7</td></tr>
</tbody></table></body></html>"""


def test_the_scanner_finds_planted_slips():
    doc = rs.parse(PLANTED)
    tables = rs.table_slips(doc)
    assert len(tables) == 4, tables  # year, count, rank, "c" on donors (not on people raising a theme)
    assert [s.split(":")[0] for s in tables] == [
        "year with a separator",
        "count with decimals",
        "rank with decimals",
        '"c" on things that are not people',
    ]
    text = rs.text_slips(doc)
    found = " | ".join(text)
    for slip in ("1 rules", "year(s)", "3 family", "2 borough", "c no text", "Share trained (%): 81.4"):
        assert slip in found, (slip, text)
    assert len(text) == 6, text  # and nothing in the second paragraph
    assert rs.code_names(doc) == ["benchmarks/calibration.py", "helpers.report", "run_plans()"]


def test_a_charts_labels_are_not_read_as_one_phrase():
    """Two labels of a network map, "Wave 1" and a node "children's centre", side by side in the SVG:
    no slip; the same words in a sentence are one ("1 children")."""
    chart = (
        '<html><body><svg role="img" aria-label="map"><text>Wave 1</text><text>children\'s centre</text></svg>'
        "<p>Wave 1 children were seen.</p></body></html>"
    )
    assert rs.text_slips(rs.parse(chart)) == ["plural slip: '1 children'"]


def test_tables_write_each_column_by_its_kind():
    """Years without separators, counts and ranks without decimals, p-values by the p rule, other
    numbers with the table's decimals; expected cells written by hand."""
    table = pd.DataFrame(
        {
            "year": [2013, 2014],
            "n_families": [522.0, 485.0],
            "rank": [49.0, 3.0],
            "p_value": [0.0004, 0.048],
            "estimate": [1234.5678, -0.0001],
            "donors": [12, 3],
        }
    )
    html = table_html(table, "t", suppress=False, decimals=2, column_kinds={"donors": "count"})
    cells = rs.tables(rs.parse(f"<html><body>{html}</body></html>"))[0]["rows"]
    assert cells == [
        ["2013", "522", "49", "< 0.001", "1,234.57", "12"],
        ["2014", "485", "3", "0.048", "0.00", "3"],
    ]


@pytest.mark.slow
def test_no_number_format_slip_in_any_table_of_the_built_report(built):
    slips = [s for s in rs.table_slips(rs.parse(built["html"])) if not s.startswith('"c"')]
    assert slips == [], f"{len(slips)} slips, e.g. {slips[:5]}"


def _both(built):
    from helpers.report import appendix_path_for

    report = built["tmp"] / "reports" / "focus_on_practice_evaluation.html"
    return {p.name: p.read_text(encoding="utf-8") for p in (report, appendix_path_for(report))}


@pytest.mark.slow
def test_no_plural_slip_machine_label_or_stray_c_in_either_file(built):
    for name, page in _both(built).items():
        slips = rs.text_slips(rs.parse(page))
        assert slips == [], f"{name}: {len(slips)} slips, e.g. {slips[:5]}"


@pytest.mark.slow
def test_no_c_on_things_that_are_not_people(built):
    for name, page in _both(built).items():
        slips = [s for s in rs.table_slips(rs.parse(page)) if s.startswith('"c"')]
        assert slips == [], f"{name}: {len(slips)} slips, e.g. {slips[:5]}"


@pytest.mark.slow
def test_no_file_path_module_or_function_name_in_the_commissioners_text(built):
    assert rs.code_names(rs.parse(built["html"])) == []


@pytest.mark.slow
def test_the_answer_box_comes_first(built):
    doc = rs.parse(built["html"])
    assert len(doc.xpath('//section[@class="fop-answer"]')) == 1
    # Nothing but the title and the scope before it.
    assert doc.xpath('//section[@class="fop-answer"]/preceding::*[self::h2 or self::table or self::figure]') == []


@pytest.mark.slow
def test_the_answer_box_holds_at_most_250_words(built):
    doc = rs.parse(built["html"])
    box = doc.xpath('//section[@class="fop-answer"]')
    assert len(box) == 1
    assert len(" ".join(box[0].itertext()).split()) <= 250
