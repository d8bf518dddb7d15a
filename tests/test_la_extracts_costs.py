"""Placement costs on a hand-made episode table (values worked out by hand)."""

import pandas as pd
import pytest

from helpers.strands.la_extracts import costs, indicators


def test_unit_cost_table_documented_and_complete():
    uc = costs.unit_costs()
    assert list(uc["placement_group"]) == list(costs.GROUPS)
    assert (uc["weekly_cost_low_gbp"] <= uc["weekly_cost_central_gbp"]).all()
    assert (uc["weekly_cost_central_gbp"] <= uc["weekly_cost_high_gbp"]).all()
    # the two sourced figures (methods.md): foster care 646 (PSSRU 2017), children's home 3,000 (DfE, about 2016)
    c = uc.set_index("placement_group")
    assert c.loc["in_house_foster_care", "weekly_cost_central_gbp"] == 646
    assert c.loc["childrens_home", "weekly_cost_central_gbp"] == 3000
    assert not c.loc["in_house_foster_care", "estimate"] and c.loc["secure_unit", "estimate"]


def test_costs_by_hand():
    eps = pd.DataFrame(
        {
            "la_code": "213",
            "CHILD": ["a", "b", "c", "d"],
            "DECOM": pd.to_datetime(["2014-04-01", "2014-04-01", "2015-03-04", "2014-04-01"]),
            "DEC": pd.to_datetime(["2014-04-15", "2014-04-08", None, "2014-04-29"]),
            "RNE": "S",
            "LS": ["C2", "C2", "C2", "V3"],
            "PLACE": ["U4", "U6", "K2", "U4"],
            "PLACE_PROVIDER": ["PR1", "PR4", "PR4", "PR1"],
            "REC": "E11",
            "REASON_PLACE_CHANGE": None,
        }
    )
    days = indicators.placement_days(indicators.longitudinal_episodes(eps), [2015])
    c = costs.placement_costs(days).set_index("placement_group")
    # a: 14 days = 2 weeks in-house foster x 646 = 1,292; b: 7 days = 1 week IFA x 800 = 800;
    # c: 4 March - 31 March = 28 days = 4 weeks children's home x 3,000 = 12,000; d: short break, not counted
    assert c.loc["in_house_foster_care", "cost_central"] == pytest.approx(1292)
    assert c.loc["independent_fostering_agency", "cost_central"] == pytest.approx(800)
    assert c.loc["childrens_home", "cost_central"] == pytest.approx(12000)
    assert c.loc["childrens_home", "cost_low"] == pytest.approx(9000)
    cmp = costs.compare_with_s251(
        costs.placement_costs(days), pd.DataFrame({"la_code": [213], "year": [2015], "value": [28184.0]})
    )
    assert cmp["ratio_central"].iloc[0] == pytest.approx(14092 / 28184)
