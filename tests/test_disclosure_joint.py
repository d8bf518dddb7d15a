"""A table protects itself (issue 22): relations inferred from the table, the prose and the other
reports, and prose reading the protected values. Every expected cell is worked out by hand in the
comment beside it (the rule: suppress the next-smallest non-zero part of a relation that gives a "c"
back, a part that is no total first; ties to the first cell)."""

import json

import pandas as pd
import pytest

from helpers.disclosure import label, people, things
from helpers.disclosure.infer import inferred_equations, layout
from helpers.disclosure.rule import protect
from helpers.report_section import Section, load_sections

SCOPES = ("westminster", "hammersmith_fulham", "kensington_chelsea", "all")


def _hidden(table: pd.DataFrame, counts: dict, threshold: int = 5) -> set:
    lay = layout(table, counts, {})
    values = {(r, c): float(table.at[r, c]) for c in lay.whole for r in range(len(table))}
    primary = {k for k, v in values.items() if k[1] in lay.people and 1 <= v <= threshold}
    return protect(values, primary, inferred_equations(table, lay))[0]


def test_breakdowns_that_add_up_alike_are_found_without_declaring_them():
    # Issue 22's time-use table: the roles add up to 45 answers like the boroughs do, so Clinicians
    # "c" = 45 - (11 + 7 + 16 + 9) = 2. The role rows are the parts: the next-smallest, Senior (7), goes too.
    t = pd.DataFrame(
        {
            "By": ["Role"] * 5 + ["Borough"] * 3,
            "Group": ["Clinician", "FSW", "Senior", "SW", "Supervisor", "H&F", "K&C", "Westminster"],
            "n": [2, 11, 7, 16, 9, 15, 14, 16],
        }
    )
    assert _hidden(t, {"n": people("answers")}) == {(0, "n"), (2, "n")}


def test_totals_row_and_totals_column_are_found():
    # All = trained + untrained in each column (a row labelled "All"); n = improved + worse in each row.
    # improved_trained = 3 is small. Within "improved": 9 = 3 + 6 -> suppress 6 (the only other part);
    # row "trained": 10 = 3 + 7 -> suppress 7; then "worse": 13 = 7 + 6 has two unknowns; done.
    t = pd.DataFrame(
        {"group": ["All", "trained", "untrained"], "n": [22, 10, 12], "improved": [9, 3, 6], "worse": [13, 7, 6]}
    )
    counts = {c: people("family members") for c in ("n", "improved", "worse")}
    assert _hidden(t, counts) == {(1, "improved"), (2, "improved"), (1, "worse"), (2, "worse")}


def test_counts_of_things_are_never_suppressed_and_a_relation_that_does_not_hold_is_ignored():
    # Themes are things: 2 themes stay. The breakdowns differ (2 + 11 != 15 + 14): no relation, nothing more.
    t = pd.DataFrame(
        {"By": ["A", "A", "B", "B"], "Group": ["a", "b", "c", "d"], "n": [2, 11, 15, 14], "themes": [2, 3, 4, 1]}
    )
    assert _hidden(t, {"n": people("participants"), "themes": things("themes")}) == {(0, "n")}


def _save_scope(base, scope, rows, prose=None, hashes="h1"):
    """One scope's section as a strand saves it (through Section), and its ingest record."""
    s = Section(strand="x", title="X", order=10, processed_dir=base / scope, synthetic=True, threshold=5)
    if prose is not None:
        s.markdown(f"In this scope {s.count(prose)} answers were read.")
    s.table("t", pd.DataFrame({"role": ["FSW", "SW"], "n": rows}), "Answers by role", counts={"n": people("answers")})
    s.save()
    dq = base / scope / "data_quality"
    dq.mkdir(parents=True)
    pd.DataFrame({"file": ["a.csv"], "sha256": [hashes]}).to_csv(dq / "reconciliation_a.csv", index=False)


def _protected(base, scope):
    (sec,) = load_sections(base / scope)
    table = next(i for i in sec["items"] if i["kind"] == "table")
    prose = [i["text"] for i in sec["items"] if i["kind"] == "markdown"]
    return {tuple(c) for c in table["suppressed"]}, prose


def test_across_reports_the_tri_borough_total_is_a_margin(tmp_path):
    # Issue 10: Westminster FSWs: 20 - 8 - 7 = 5. Westminster's 5 is "c"; the smallest other borough
    # cell (7, Kensington and Chelsea) is suppressed too, in that borough's report; the total stays.
    for scope, rows in zip(SCOPES, ([5, 30], [8, 30], [7, 30], [20, 90]), strict=True):
        _save_scope(tmp_path, scope, rows)
    got = {s: _protected(tmp_path, s)[0] for s in SCOPES}
    assert got == {
        "westminster": {(0, "n")},
        "hammersmith_fulham": set(),
        "kensington_chelsea": {(0, "n")},
        "all": set(),
    }


def test_across_reports_a_count_in_the_same_words_is_protected_in_prose(tmp_path):
    # "In this scope N answers were read": 35 = 16 + 15 + 4. Kensington and Chelsea's 4 is "c"; the
    # smallest other borough count (15, Hammersmith and Fulham) becomes "c" in its sentence too.
    for scope, n in zip(SCOPES, (16, 15, 4, 35), strict=True):
        _save_scope(tmp_path, scope, [40, 50], prose=n)
    said = {s: _protected(tmp_path, s)[1][0] for s in SCOPES}
    assert said == {
        "westminster": "In this scope 16 answers were read.",
        "hammersmith_fulham": "In this scope c answers were read.",
        "kensington_chelsea": "In this scope c answers were read.",
        "all": "In this scope 35 answers were read.",
    }


def test_scopes_built_from_another_extract_are_left_out(tmp_path):
    for scope, rows in zip(SCOPES, ([5, 30], [8, 30], [7, 30], [20, 90]), strict=True):
        _save_scope(tmp_path, scope, rows, hashes="h2" if scope == "kensington_chelsea" else "h1")
    with pytest.warns(UserWarning, match="kensington_chelsea"):
        assert _protected(tmp_path, "all")[0] == set()  # no complete set of boroughs: no relation


def test_a_total_in_a_sentence_naming_the_rows_protects_them_and_prose_reads_the_table(tmp_path):
    # Issue 22's implementation section: "29 practitioners and supervisors" beside Practitioners 24 and
    # Supervisors "c" (5): 29 - 24 = 5, so the practitioners (the part) are suppressed, not the sentence;
    # "25 had completed" = 20 + 5 likewise. A sentence reading the table's cell reads "c" with it.
    s = Section(strand="implementation", title="Impl", order=5, processed_dir=tmp_path / "all", synthetic=True)
    reach = pd.DataFrame(
        {"group": ["Practitioners", "Supervisors", "Clinicians"], "in_roster": [24, 5, 6], "trained": [20, 5, 0]}
    )
    s.markdown(
        f"The roster lists {s.count(29)} practitioners and supervisors. Of the practitioners and supervisors, "
        f"{s.count(25)} had completed systemic training."
    )
    shown = s.table(
        "reach", reach, "Training", counts={"in_roster": people("roster members"), "trained": people("roster members")}
    )
    s.markdown(f"Practitioners trained: {s.count(shown.at[0, 'trained'])}.")
    s.save()
    (sec,) = load_sections(tmp_path / "all")
    table = next(i for i in sec["items"] if i["kind"] == "table")
    assert {tuple(c) for c in table["suppressed"]} == {
        (0, "in_roster"),
        (1, "in_roster"),
        (0, "trained"),
        (1, "trained"),
    }
    texts = [i["text"] for i in sec["items"] if i["kind"] == "markdown"]
    assert texts[0].startswith("The roster lists 29 practitioners") and "25 had completed" in texts[0]
    assert texts[1] == "Practitioners trained: c."
    # the saved text a reader would see if nothing more were hidden, and the tokens behind it
    saved = json.loads((s.folder / "section.json").read_text())
    assert saved["items"][0]["text"].startswith("The roster lists 29") and "token_texts" in saved["items"][0]


def test_every_whole_number_column_says_what_it_counts(tmp_path):
    s = Section(strand="x", title="X", order=10, processed_dir=tmp_path, synthetic=True)
    t = pd.DataFrame({"wave": [1, 2], "n": [10, 12], "teams": [3, 4]})
    with pytest.raises(ValueError, match=r"\['wave', 'teams'\]"):
        s.table("t", t, "T", counts={"n": people("answers")})
    shown = s.table("t", t, "T", counts={"n": people("answers"), "teams": things("teams"), "wave": label("wave")})
    assert shown["teams"].tolist() == [3, 4] and shown["wave"].tolist() == [1, 2]


def test_numbers_that_label_items_or_waves_are_no_totals():
    """A number a sentence states is kept as a possible total, unless it labels something: an item,
    every item of a list in brackets after "items", the two waves of "waves 1 and 2". A count after
    the list is closed, or after "waves 1 and 2,", is a count again."""
    from helpers.disclosure.prose import numbers_said

    def said(text):
        return [v for v, *_ in numbers_said(text, [])]

    assert said("The ten problem-worded items (2, 4, 5, 9) are scored from the other end.") == []
    assert said("Items 3 and 5 were dropped at item 7.") == []
    assert said("In waves 1 and 2, 40 practitioners answered.") == [40.0]
    assert said("Items (2, 4) and 9 families") == [9.0]
    assert said("Of the 9 families, 4 answered.") == [9.0, 4.0]
