"""Derived indicators on hand-made extracts; every expected value worked out by hand (see
tests/la_extracts_fixtures.py for the cases)."""

import pytest

from helpers.strands.la_extracts import indicators, inputs
from la_extracts_fixtures import write_extract

KEY = b"test-key"


@pytest.fixture
def derived(tmp_path):
    write_extract(tmp_path)
    res = inputs.read_all(tmp_path, key=KEY)
    tables = {k: v.data for k, v in res.items()}
    ind = indicators.derive_indicators(tables, [2015])
    return tables, ind.set_index("measure")["value"]


def test_cla_counts(derived):
    _, v = derived
    # CLA at 31 March 2015: A (open across), D (after same-day changes), E. Not B (V4), C, F (ended 31 March).
    assert v["cla_at_31_march_number"] == 3
    # Started: A, C (two periods, counted once), E. B is short breaks only; D and F started before April 2014.
    assert v["cla_started_during_year_number"] == 3
    # Ceased: C (once, two periods) and F (DEC = 31 March 2015).
    assert v["cla_ceased_during_year_number"] == 2
    # Moves: D one (the same-day U4 placement is not a move), E two.
    assert v["placement_moves_number"] == 3
    # 3+ placements among those looked after on 31 March: E only (D: U6 held on 1 April + K2 = 2).
    assert v["cla_3plus_placements_number"] == 1


def test_placement_days(derived):
    tables, _ = derived
    eps = indicators.longitudinal_episodes(tables["episodes"])
    days = indicators.placement_days(eps, [2015]).groupby("PLACE")["days"].sum().to_dict()
    # U6: C 61 (1 Oct-1 Dec) + D 39 (1 Apr-10 May) + E 61 (1 Apr-1 Jun) + F 364 (1 Apr 2014-31 Mar 2015, DEC not counted)
    # U4: A 90 (1 Jan-31 Mar incl.) + E 92 (1 Jun-1 Sep); D's same-day U4 adds 0
    # K2: C 61 (1 May-1 Jul) + D 326 (10 May-31 Mar incl.) + E 212 (1 Sep-31 Mar incl.)
    assert days == {"U6": 525, "U4": 182, "K2": 599}
    # no day is counted twice: every child's days <= days in the year
    assert sum(days.values()) <= 365 * 5


def test_rereferrals_and_plans(derived):
    _, v = derived
    # referrals in the year: P, Q, R, S x2, T = 6; re-referrals: P (364 days), S (2nd), T (exactly 12 months) = 3
    assert v["cin_referrals_number"] == 6
    assert v["cin_rereferrals_within_12m_number"] == 3
    assert v["cin_rereferrals_within_12m_pct"] == pytest.approx(50.0)
    # CPP at 31 March: P and R (Q's plan ended on 31 March); plans starting: P, Q(2nd), R; subsequent: Q, R
    assert v["cpp_at_31_march_number"] == 2
    assert v["cpp_started_during_year_number"] == 3
    assert v["cpp_second_or_subsequent_pct"] == pytest.approx(200 / 3)


def test_stacked_returns_deduplicated(tmp_path):
    """The same episode in two years' returns (open in the first, closed in the second) counts once."""
    write_extract(tmp_path, year="2015")
    d16 = tmp_path / "la_extracts" / "213" / "2016" / "ssda903"
    d16.mkdir(parents=True)
    (d16 / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "A,01/01/2015,S,C2,N1,U4,PR4,01/05/2015,E11,,,,\n"
    )
    res = inputs.read_all(tmp_path, key=KEY)
    ind = indicators.derive_indicators({k: v.data for k, v in res.items()}, [2015, 2016])
    v = ind.set_index(["year", "measure"])["value"]
    assert v[(2015, "cla_at_31_march_number")] == 3
    assert v[(2016, "cla_ceased_during_year_number")] == 1  # A, from the 2016 return's DEC
    assert v[(2016, "cla_started_during_year_number")] == 0


def test_kaplan_meier_on_a_hand_worked_example():
    """Five children: events on days 1, 2, 3; censored on days 2 and 4.

    By hand: at risk 5, 5, 4, 2, 1 at days 0-4; S = 1, 4/5, 4/5*3/4 = 0.6, 0.6*1/2 = 0.3, 0.3.
    Greenwood at day 1: 1/(5*4) = 0.05, so v = 0.05 / ln(0.8)^2 = 1.00416 and the log(-log) interval
    is exp(-exp(ln(-ln 0.8) +/- 1.96*sqrt(v))) = 0.2038 to 0.9692.
    """
    from helpers.strands.la_extracts.pathways import kaplan_meier

    km = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    assert km["time"].tolist() == [0, 1, 2, 3, 4]
    assert km["at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert km["survival"].round(10).tolist() == [1.0, 0.8, 0.6, 0.3, 0.3]
    day1 = km.set_index("time").loc[1]
    assert abs(day1["ci_low"] - 0.2038) < 5e-4
    assert abs(day1["ci_high"] - 0.9692) < 5e-4
