"""One formatter for the numbers a reader sees, and the key figure beside a finding.

(The strength rule and its inputs are tested in ``tests/test_evidence.py``.)
"""

import pytest

from helpers import report
from helpers.report_section import (
    Section,
    format_number,
    join_words,
    lower_first,
)

NAN = float("nan")

# ---- one formatter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x,fmt,expected",
    [
        (-0.001, "{:+.1f}", "0.0"),  # rounds to zero: no sign
        (0.04, "{:+.1f}", "0.0"),
        (-0.04, "{:.1f}", "0.0"),
        (-0.29, "{:.2f}", "-0.29"),  # a real negative keeps its sign
        (-0.05, "{:+.2f}", "-0.05"),
        (-0.1, "{:+.1f}", "-0.1"),
        (0.25, "{:+.2f}", "+0.25"),
        (-0.0, "£{:,.1f} million", "£0.0 million"),
        (-0.4, "{:.0f}%", "0%"),
        (-10.0, "{:.0f}", "-10"),
        (12345.678, "{:,.1f}", "12,345.7"),
        (None, "{:.1f}", "–"),
        (NAN, "{:.1f}", "–"),
        ("c", "{:.1f}", "c"),  # a suppressed cell stays "c"
    ],
)
def test_format_number(x, fmt, expected):
    assert format_number(x, fmt) == expected


def test_section_number_methods(tmp_path):
    s = Section(strand="x", title="X", order=1, processed_dir=tmp_path, synthetic=True, threshold=5)
    assert s.value(2.345, 50, "{:.2f}") == "2.35" and s.value(2.345, 5) == "c" and s.value(-0.01, 50) == "0.0"
    assert s.ci(-1.25, 3.5, 50) == "-1.2 to 3.5"  # Python rounds half to even: -1.25 -> -1.2
    assert s.ci(-1.0, 3.0, 4) == "c to c"
    assert s.ci(NAN, 3.0, 50) == "not computed"
    assert s.ci(-15570.94, 14090.3, None, "{:,.1f}") == "-15,570.9 to 14,090.3"  # published: no group
    assert s.cell("c") == "c" and s.cell(1234) == "1,234" and s.cell(-0.2, "{:.0f}") == "0"
    assert s.count_share(46, 41.8) == "46 (42%)" and s.count_share("c", 3.0) == "c" and s.count_share(40, "c") == "c"
    assert s.published(-7.0881, "{:+.1f}") == "-7.1" and s.published(None) == "–"
    assert report._format_number(-0.004, 2) == "0.00" and report._format_number(1234.5, 0) == "1,234"


def test_words():
    assert join_words([]) == "" and join_words(["a"]) == "a" and join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert lower_first("Children looked after at 31 March") == "children looked after at 31 March"


def test_the_summary_says_each_number_once(tmp_path):
    """A key finding's estimate and interval are data for checks, not a second sentence: the summary
    prints the finding's words only (no "Label: 0.3 (90% placebo interval ...)" after them)."""
    s = Section(strand="x", title="X", order=1, processed_dir=tmp_path, synthetic=False)
    s.key_finding(
        "A placebo comparison.",
        kind="effect",
        design="comparison",
        unit="local_authorities",
        units=150,
        estimate=0.3,
        ci=(-14.3, 17.8),
        interval="90% placebo interval",
    )
    s.key_finding(
        "A change.", kind="effect", design="before_after", unit="families", units=147, estimate=-0.29, ci=(-0.37, -0.21)
    )
    s.save()
    html = report.summary_html(tmp_path)
    assert "A placebo comparison." in html and "A change." in html
    assert "90% placebo interval" not in html and "-0.29" not in html and "14.3" not in html
