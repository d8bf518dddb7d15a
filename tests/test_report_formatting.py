"""The one number formatter (helpers.formatting): expected strings written by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from helpers.formatting import fmt, fmt_pattern, infer_kind, money_scale, noun, plural, plural_form_of
from helpers.report_section import format_number


@pytest.mark.parametrize(
    "value,kind,kwargs,expected",
    [
        (2013, "year", {}, "2013"),
        (2013.0, "year", {}, "2013"),
        (np.int64(2017), "year", {}, "2017"),
        (522.0, "count", {}, "522"),
        (1234, "count", {}, "1,234"),
        (1234.4, "count", {"decimals": 2}, "1,234"),  # a count never takes decimals
        (7.14, "percent", {}, "7.1%"),
        (7.14, "percent", {"unit": False}, "7.1"),
        (-7.14, "percent", {"decimals": 0}, "-7%"),
        (8, "pp", {}, "8.0 percentage points"),
        (8, "pp", {"signed": True}, "+8.0 percentage points"),
        (-0.04, "pp", {"signed": True}, "0.0 percentage points"),  # rounds to zero: no sign
        (-0.04, "number", {}, "0.0"),
        (-0.0, "number", {"decimals": 2}, "0.00"),
        (1_500_000, "money", {}, "£1.5m"),
        (850_000, "money", {}, "£850,000"),
        (-2_800_000, "money", {}, "-£2.8m"),
        (2_800_000, "money", {"signed": True}, "+£2.8m"),
        (999_600, "money", {}, "£1.0m"),
        (1_250_000_000, "money", {}, "£1.3bn"),
        (85.526, "money", {"decimals": 2}, "£85.53"),
        (1_500_000, "money", {"unit": False}, "1,500,000"),
        (307_135, "money", {"scale": "m"}, "£0.3m"),
        (-13_719_608, "money", {"scale": "m", "signed": True}, "-£13.7m"),
        (1_250_000, "money", {"scale": ""}, "£1,250,000"),
        (307_135, "money", {"scale": "m", "unit": False}, "0.3m"),
        (56.34, "rate", {}, "56.3"),
        (49.0, "rank", {}, "49"),
        (0.0004, "p", {}, "< 0.001"),
        (0.004, "p", {}, "0.004"),
        (0.04, "p", {}, "0.04"),
        (0.048, "p", {}, "0.048"),  # "0.05" would cross the 0.05 cut-off
        (0.097, "p", {}, "0.097"),
        (0.3, "p", {}, "0.30"),
        (1.0, "p", {}, "1.00"),
        (12345.678, "number", {"decimals": 2}, "12,345.68"),
        (1.234, "ratio", {}, "1.23"),
        (None, "count", {}, "–"),
        (float("nan"), "percent", {}, "–"),
        (pd.NA, "number", {}, "–"),
        ("c", "count", {}, "c"),
        (math.inf, "number", {}, "∞"),
    ],
)
def test_fmt_by_kind(value, kind, kwargs, expected):
    assert fmt(value, kind, **kwargs) == expected


def test_amounts_read_together_take_one_scale():
    """The lead's example: the avoided cost by three methods in one sentence."""
    amounts = [307_135, 1_300_000, -3_500_000, None, "c"]
    scale = money_scale(amounts)
    assert scale == "m"
    assert [fmt(a, "money", scale=scale) for a in amounts[:3]] == ["£0.3m", "£1.3m", "-£3.5m"]
    assert money_scale([646, 85_000]) == ""
    assert money_scale([2e9, 5]) == "bn" and fmt(5e8, "money", scale="bn") == "£0.5bn"
    assert money_scale([]) == money_scale([None]) == ""


def test_fmt_refuses_what_is_not_that_kind():
    with pytest.raises(ValueError, match="kind"):
        fmt(1, "percentage")
    with pytest.raises(ValueError, match="whole"):
        fmt(2013.5, "year")
    with pytest.raises(ValueError, match="between 0 and 1"):
        fmt(1.5, "p")
    with pytest.raises(TypeError):
        fmt(object(), "number")
    with pytest.raises(ValueError, match="scale"):
        fmt(1.5, "percent", scale="m")
    with pytest.raises(ValueError, match="scale"):
        fmt(1.5, "money", scale="k")


@pytest.mark.parametrize(
    "n,word,expected",
    [
        (1, "rule", "1 rule"),
        (0, "year", "0 years"),
        (3, "child", "3 children"),
        (1, "child", "1 child"),
        (2, "family", "2 families"),
        (1204, "family", "1,204 families"),
        (2, "day", "2 days"),
        (2, "analysis", "2 analyses"),
        (4, "match", "4 matches"),
        (2, "social worker", "2 social workers"),
        (12, "person", "12 people"),
        ("c", "family", "c families"),
        (1.0, "rule", "1 rule"),
    ],
)
def test_plural(n, word, expected):
    assert plural(n, word) == expected


def test_plural_with_a_given_form_and_decimals():
    assert plural(2, "datum point", "data points") == "2 data points"
    assert plural(1.5, "day", kind="number") == "1.5 days"
    assert noun(1, "rule") == "rule" and noun(0, "rule") == "rules"
    assert plural_form_of("Child") == "Children"


def test_the_old_wrapper_keeps_its_behaviour():
    assert format_number(-0.004, "{:.2f}") == "0.00"
    assert format_number(1234.5, "{:,.0f}") == "1,234"  # Python rounds half to even
    assert format_number("c") == "c" and format_number(None) == "–"
    assert format_number(3, "{:+.1f}") == "+3.0" and format_number(-0.01, "{:+.1f}") == "0.0"
    assert fmt_pattern(-0.0, "{:.1f}%") == "0.0%"


@pytest.mark.parametrize(
    "name,values,counts,expected",
    [
        ("year", [2013, 2014], (), "year"),
        ("year_ending_31_march", [2013.0, None], (), "year"),
        ("from", [2014, 2015], (), "year"),
        ("year", [0.5, 1.5], (), None),  # not whole: not a year
        ("rank", [49.0, 1.0], (), "rank"),
        ("p_value", [0.04, 0.5], (), "p"),
        ("placebo_p", [0.04, "c"], (), "p"),
        ("n_families", [522.0, 30.0], (), "count"),
        ("families", [522.0, None], (), "count"),
        ("donors", [12.0], ("donors",), "count"),
        ("rows_read", [10, 20], (), "count"),
        ("mean", [2.0, 3.0], (), None),
        ("n_families", [2.5], (), None),  # not whole: not written as a count
        ("GBP a week", [2013, 2014], (), None),  # money that looks like a year is not a year
    ],
)
def test_infer_kind(name, values, counts, expected):
    assert infer_kind(name, values, counts) == expected
