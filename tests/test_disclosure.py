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


# ---- secondary suppression (expected cells worked out by hand) ---------------------------------

from helpers.disclosure import protect  # noqa: E402


def test_total_beside_one_suppressed_cell_gets_the_next_smallest_suppressed():
    # Issue 10's reliable-change row: All 92 = improved 24 + no change 64 + worse 4. Worse is "c"; with the
    # total shown, 92 - 24 - 64 = 4 gives it back, so the next-smallest part (24) is suppressed too.
    t = pd.DataFrame(
        {"n": [92], "improved": [24], "none": [64], "worse": [4], "pct_worse": [4.3], "pct_improved": [26.1]}
    )
    out = suppress_table(
        t,
        ["n", "improved", "none", "worse"],
        {"pct_worse": "worse", "pct_improved": "improved"},
        threshold=5,
        totals={"n": ["improved", "none", "worse"]},
    )
    assert out.iloc[0].tolist() == [92, SUPPRESSED, 64, SUPPRESSED, SUPPRESSED, SUPPRESSED]


def test_zero_is_not_a_candidate_and_total_is_the_last_resort():
    # 10 = 0 + 4 + 6: the zero stays (it protects nothing), 6 is the next-smallest non-zero part.
    hidden, left = protect({"t": 10, "a": 0, "b": 4, "c": 6}, {"b"}, [(["t"], ["a", "b", "c"])])
    assert hidden == {"b", "c"} and left == []
    # When no part may be suppressed (already published), the total is.
    hidden, left = protect({"t": 13, "a": 3, "b": 10}, {"a"}, [(["t"], ["a", "b"])], fixed={"b"})
    assert hidden == {"a", "t"} and left == []


def test_a_zero_the_relations_give_back_is_never_chosen():
    # A borough's reliable-change row at threshold 10: Respondents 6 = Improved 0 + Unchanged 6. A
    # reader may guess a relation that holds only because no one improved, Unchanged = Respondents +
    # Improved; with the row's own it gives 2 x Improved = 0, whatever is suppressed. A sentence
    # states 6 (published) = Respondents + the 0 members whose practitioner's training is unknown.
    values = {"resp": 6, "improved": 0, "unchanged": 6, "unknown": 0, "said": 6}
    equations = [
        (["resp"], ["improved", "unchanged"]),
        (["unchanged"], ["resp", "improved"]),
        (["said"], ["resp", "unknown"]),
    ]
    # Respondents and Unchanged are small; 6 - 0 gives Respondents back, and Unchanged equals it. No
    # non-zero cell is left, so a zero is suppressed: Improved comes first, but its "c" would be read
    # back as 0; Unknown leaves Respondents = 6 - Unknown open (and Unchanged with it).
    hidden, left = protect(values, {"resp", "unchanged"}, equations, fixed={"said"}, order=list(values))
    assert hidden == {"resp", "unchanged", "unknown"} and left == []


def test_chained_margins_are_caught():
    # Rows: all = trained + untrained, per column; columns: n = improved + worse, per row.
    # improved_trained = 3 is small. Row "trained": 10 = 3 + 7 -> suppress 7 (only other part).
    # Column "improved": 9 = 3 + 6 -> suppress 6. Then row "untrained": 12 = 6 + 6 -> suppress worse_untrained 6.
    # Column "worse": 13 = 7 + 6, both hidden: two unknowns, fine. Nothing left recoverable.
    t = pd.DataFrame(
        {"group": ["all", "trained", "untrained"], "n": [22, 10, 12], "improved": [9, 3, 6], "worse": [13, 7, 6]}
    )
    out = suppress_table(
        t,
        ["n", "improved", "worse"],
        threshold=5,
        totals={"n": ["improved", "worse"]},
        row_margins=[{"column": "group", "total": "all"}],
    )
    assert out["improved"].tolist() == [9, SUPPRESSED, SUPPRESSED]
    assert out["worse"].tolist() == [13, SUPPRESSED, SUPPRESSED]
    assert out["n"].tolist() == [22, 10, 12]


def test_blocks_that_count_the_same_people():
    # Within a wave, training rows and role rows both add up to the wave's practitioners: 30 + 40 = 50 + 16 + 4.
    t = pd.DataFrame({"dim": ["tr", "tr", "role", "role", "role"], "wave": [1] * 5, "n": [30, 40, 50, 16, 4]})
    out = suppress_table(t, ["n"], threshold=5, row_margins=[{"column": "dim", "within": ["wave"]}])
    assert out["n"].tolist() == [30, 40, 50, SUPPRESSED, SUPPRESSED]


def test_dependent_on_several_counts():
    t = pd.DataFrame({"n": [3, 20, 20], "k": [0, 2, 12], "pct": [0.0, 10.0, 60.0]})
    out = suppress_table(t, ["n", "k"], {"pct": ["k", "n"]}, threshold=5)
    assert out["pct"].tolist() == [SUPPRESSED, SUPPRESSED, 60.0]


def test_report_renders_declared_margins():
    from helpers.report import table_html

    t = pd.DataFrame({"group": ["All"], "n": [92], "improved": [24], "none": [64], "worse": [4]})
    page = table_html(
        t, "t", ["n", "improved", "none", "worse"], threshold=5, totals={"n": ["improved", "none", "worse"]}
    )
    cells = [c for c in __import__("re").findall(r"<td[^>]*>([^<]*)</td>", page)]
    assert cells == ["All", "92", "c", "64", "c"]


def test_example_maps_only_of_families_who_consented(tmp_path):
    from helpers.report_section import Section
    from helpers.strands.networks.section import _example_maps, consented_families

    maps = pd.DataFrame(
        {
            "family_id": ["F1", "F1", "F2", "F2", "F3"],
            "wave": [1, 2, 1, 2, 1],
            "illustration_consent": [True, True, True, False, False],
        }
    )
    assert consented_families(maps) == {"F1"}  # F2 agreed at one wave only: not drawn
    section = Section(strand="networks", title="t", order=30, processed_dir=tmp_path, synthetic=True)
    change = pd.DataFrame(
        {
            "family_id": ["F2", "F3"],
            "practitioner_trained": [True, False],
            "n_informal_change": [1, 2],
            "n_formal_w1": [1, 2],
        }
    )
    _example_maps(section, change, {}, 3, maps)
    assert [i["kind"] for i in section.items] == ["markdown"] and "No example map is shown" in section.items[0]["text"]
