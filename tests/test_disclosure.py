"""Disclosure control: counts 1..threshold become "c", and so do values derived from them."""
import pandas as pd

from helpers.disclosure import SUPPRESSED, count_like_columns, suppress_table


def test_small_counts_and_dependents_suppressed():
    table = pd.DataFrame({"group": ["a", "b", "c", "d"], "n": [0, 1, 5, 6], "pct": [0.0, 10.0, 50.0, 60.0]})
    out = suppress_table(table, ["n"], {"pct": "n"}, threshold=5)
    # By the DfE rule: 0 shown, 1 and 5 suppressed, 6 shown.
    assert out["n"].tolist() == [0, SUPPRESSED, SUPPRESSED, 6]
    assert out["pct"].tolist() == [0.0, SUPPRESSED, SUPPRESSED, 60.0]
    assert table["n"].tolist() == [0, 1, 5, 6]  # the input is not modified


def test_threshold_is_configurable():
    table = pd.DataFrame({"n": [2, 3, 10]})
    assert suppress_table(table, ["n"], threshold=2)["n"].tolist() == [SUPPRESSED, 3, 10]


def test_count_like_columns_found_by_name():
    table = pd.DataFrame({"n": [1], "n_families": [2], "families_n": [3], "mean": [1.5], "name": ["x"]})
    assert count_like_columns(table) == ["n", "n_families", "families_n"]
