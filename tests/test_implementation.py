"""The programme as implemented: cumulative training, reach and clinicians, checked by hand."""

import pandas as pd
import pytest

from helpers.report_section import Section
from helpers.strands.implementation import analysis
from helpers.strands.implementation import section as impl_section

W, H = "Westminster", "Hammersmith and Fulham"


@pytest.fixture
def roster():
    # 8 practitioners-group staff, 2 supervisors, 2 clinicians; completion dates chosen by hand.
    rows = [
        ("P1", W, "T1", "social_worker", "2014-09-30"),
        ("P2", W, "T1", "social_worker", "2014-12-31"),
        ("P3", W, "T2", "senior_social_worker", "2014-12-31"),
        ("P4", H, "T3", "family_support_worker", "2015-03-31"),
        ("P5", H, "T3", "social_worker", ""),
        ("P6", H, "T4", "social_worker", "2015-06-30"),
        ("P7", W, "T2", "social_worker", ""),
        ("P8", H, "T4", "senior_social_worker", "2015-06-30"),
        ("S1", W, "T1", "supervisor", "2014-09-30"),
        ("S2", H, "T3", "supervisor", ""),
        ("C1", W, "T1", "clinician", ""),
        ("C2", W, "T2", "clinician", "2015-03-31"),
    ]
    return pd.DataFrame(rows, columns=["practitioner_id", "borough", "team", "role", "training_completed"])


def test_cumulative_trained_by_group_and_borough(roster):
    cum = analysis.cumulative_trained(roster)
    assert list(cum.columns) == analysis.CUMULATIVE.column_names
    prac = cum[(cum["dimension"] == "reach group") & (cum["group"] == "Practitioners")].set_index("date")["trained"]
    # Practitioners: 1 by Sep 2014, +2 by Dec, +1 by Mar 2015, +2 by Jun 2015 = 6 of 8.
    assert prac.to_dict() == {"2014-09-30": 1, "2014-12-31": 3, "2015-03-31": 4, "2015-06-30": 6}
    west = cum[(cum["dimension"] == "borough") & (cum["group"] == W)].set_index("date")["trained"]
    # Westminster: P1, S1 (Sep 14); P2, P3 (Dec 14); C2 (Mar 15).
    assert west.to_dict() == {"2014-09-30": 2, "2014-12-31": 4, "2015-03-31": 5, "2015-06-30": 5}


def test_reach_and_half_trained(roster):
    reach = analysis.reach(roster, {"Practitioners": 500, "Supervisors": 160}).set_index("group")
    assert reach.loc["Practitioners", "in_roster"] == 8 and reach.loc["Practitioners", "trained"] == 6
    assert reach.loc["Practitioners", "share_trained"] == pytest.approx(75.0)
    # Half of 8 = 4th completion: P4 on 31 March 2015.
    assert reach.loc["Practitioners", "half_trained_by"] == "2015-03-31"
    # Supervisors: 1 of 2 trained, so half (1) by 30 Sep 2014.
    assert reach.loc["Supervisors", "half_trained_by"] == "2014-09-30"
    assert reach.loc["Supervisors", "stated_reach"] == 160 and pd.isna(reach.loc["Clinicians", "stated_reach"])


def test_half_trained_never_when_fewer_than_half_trained():
    assert analysis.half_trained_by(pd.Series(pd.to_datetime(["2015-01-01", None, None, None])), 4) is None
    assert analysis.half_trained_by(pd.Series([], dtype="datetime64[ns]"), 0) is None


def test_overall_half_trained_excludes_clinicians(roster):
    half, n, trained = analysis.overall_half_trained(roster)
    # Practitioners and supervisors: 10 people, 7 trained; the 5th completion is P4 on 31 March 2015.
    assert (n, trained) == (10, 7) and half == pd.Timestamp("2015-03-31")


def test_clinicians_by_borough(roster):
    clin = analysis.clinicians(roster, [W, H, "Kensington and Chelsea"]).set_index("borough")
    assert clin.loc[W].tolist() == [2, 2, 2]
    assert clin.loc[H].tolist() == [0, 2, 0]
    assert clin.loc["Kensington and Chelsea"].tolist() == [0, 0, 0]


def test_section_numbers_pass_disclosure_and_key_findings_are_data(roster, tmp_path):
    big = pd.concat(
        [roster.assign(practitioner_id=roster["practitioner_id"] + f"-{i}") for i in range(4)], ignore_index=True
    )
    results = analysis.analyse(big, [W, H], {"Practitioners": 500, "Supervisors": 160})
    s = Section(
        strand="implementation", title=impl_section.TITLE, order=5, processed_dir=tmp_path, synthetic=True, threshold=5
    )
    impl_section.build_section(s, results, {"Practitioners": 500, "Supervisors": 160}, "programme.md")
    # 40 staff (practitioners + supervisors), 28 trained: 70%; half trained (20th completion) by 31 March 2015.
    # counts from the roster are facts from complete records: no strength; on synthetic data, illustrative
    assert [(f["kind"], f["source"], f["strength"]) for f in s.key_findings] == [("fact", "records", None)] * 2
    assert all(f["synthetic"] for f in s.key_findings)
    assert s.key_findings[0]["estimate"] == pytest.approx(70.0) and s.key_findings[0]["n"] == 40
    assert "28 of the 40" in s.key_findings[0]["text"]
    assert "31 March 2015" in s.key_findings[1]["text"]
    kinds = [(i["kind"], i["appendix"]) for i in s.items]
    assert ("figure", False) in kinds and ("table", True) in kinds


def test_section_with_too_few_staff_gives_no_number(roster, tmp_path):
    tiny = roster.head(4)
    results = analysis.analyse(tiny, [W], {"Practitioners": 500, "Supervisors": 160})
    s = Section(strand="implementation", title="t", order=5, processed_dir=tmp_path, synthetic=True, threshold=5)
    impl_section.build_section(s, results, {"Practitioners": 500, "Supervisors": 160}, "programme.md")
    assert not s.key_findings  # nothing can be said without identifying someone
    text = " ".join(i.get("text", "") for i in s.items)
    assert " 4 " not in text


def test_chart_text_legible_at_phone_width(roster):
    """Every text in the chart stays at least MIN_PHONE_TEXT_PX tall when shrunk to a phone's width."""
    import matplotlib.pyplot as plt

    from helpers.report_section import FIGURE_WIDTH, MIN_PHONE_TEXT_PX, figure_text_sizes, phone_text_px
    from helpers.strands.implementation import charts

    fig = charts.cumulative_chart(analysis.cumulative_trained(roster), {"Practitioners": 500, "Supervisors": 160}, 0)
    assert fig.get_size_inches()[0] == FIGURE_WIDTH
    assert phone_text_px(min(figure_text_sizes(fig)), FIGURE_WIDTH) >= MIN_PHONE_TEXT_PX
    plt.close(fig)
