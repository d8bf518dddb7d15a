"""Report assembly: tables pass disclosure control; the HTML is checked for outside resources."""
import pandas as pd
import pytest

from helpers.report import check_self_contained, table_html


def test_table_html_suppresses_declared_and_count_like_columns():
    table = pd.DataFrame({"group": ["a", "b"], "families": [3, 12], "n_people": [2, 30], "mean": [1.5, 2.25]})
    html = table_html(table, "caption", count_columns=["families"], dependent_columns={"mean": "families"}, threshold=5)
    # Row a: families=3 -> c, its mean -> c, n_people=2 (count-like name) -> c. Row b all shown.
    assert html.count('<td class="num">c</td>') == 3
    assert '<td class="num">12</td>' in html and '<td class="num">30</td>' in html and '<td class="num">2.25</td>' in html
    assert '<td class="txt">a</td>' in html
    assert "1.50" not in html


def test_self_contained_check():
    check_self_contained('<img src="data:image/png;base64,AAAA" alt="A chart of things by group">')
    with pytest.raises(ValueError, match="not self-contained"):
        check_self_contained('<script src="https://cdn.example/x.js"></script>')
    with pytest.raises(ValueError, match="not self-contained"):
        check_self_contained('<img src="chart.png" alt="A chart of things by group">')
    with pytest.raises(ValueError, match="alt text"):
        check_self_contained('<img src="data:image/png;base64,AAAA">')
