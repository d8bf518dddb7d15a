"""The implementation section of the report, written from the analysis results only."""

from __future__ import annotations

import pandas as pd

from ...disclosure import people, things
from ...report_section import Section
from . import charts
from .analysis import CLINICIANS, CUMULATIVE, REACH

TITLE = "The programme as implemented: who was trained, and when"
ORDER = 5


def _date(value) -> str:
    return "–" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d %B %Y").lstrip("0")


#: What the reach table's whole numbers count (declared once; its margins are inferred).
REACH_COUNTS = {
    "in_roster": people("roster members"),
    "trained": people("roster members trained"),
    "stated_reach": things("places the programme stated"),
}


def build_section(section: Section, results: dict, stated: dict[str, int], reach_source: str) -> Section:
    """Prose, tables, the cumulative chart and the key findings, through the Section contract.

    The parts, in order: who is in the roster and when half were trained; the cumulative chart; the reach,
    clinicians and cumulative tables with the definition of the role groups; the key findings."""
    reach = results[REACH.key]
    n_staff, n_trained = results["n_staff"], results["n_staff_trained"]
    half = results["half_trained_by"]
    # the prose reads the reach table as a reader will see it: a cell the report suppresses is "c" here too
    shown = section.declare("reach", reach, counts=REACH_COUNTS, dependent_columns={"share_trained": "in_roster"})
    by_group = shown.set_index(reach["group"])
    if n_staff == 0 or section.is_small(n_staff):
        section.markdown(
            "Too few practitioners and supervisors are in the roster for this scope to describe who was "
            "trained when without identifying anyone."
        )
        return section  # nothing can be said without identifying someone: no key finding
    reach_text = " and ".join(f"over {v:,} {k.lower()}" for k, v in stated.items())
    _who_was_trained(section, results, by_group, reach_text, reach_source)
    _cumulative_chart(section, results[CUMULATIVE.key], stated, by_group, reach_text, half)
    _reach_table(section, reach, reach_source)
    _clinicians_table(section, results[CLINICIANS.key])
    _cumulative_table(section, results[CUMULATIVE.key])
    _key_findings(section, n_trained, n_staff, reach_text, half)
    return section


def _who_was_trained(section, results: dict, by_group: pd.DataFrame, reach_text: str, reach_source: str) -> None:
    """The roster against the stated reach, and the date by which half of it was trained (read every later
    section against it)."""
    n_staff, n_trained = results["n_staff"], results["n_staff_trained"]
    half = results["half_trained_by"]
    section.markdown(
        f"The roster lists {section.count(n_staff)} practitioners and supervisors taking part in the evaluation "
        f"(and {section.count(by_group.loc['Clinicians', 'in_roster'])} clinicians). Of the practitioners and "
        f"supervisors, {section.count(n_trained)} had completed systemic training by {_date(results['last_completed'])}. "
        f"The programme stated its reach as {reach_text} (source: {reach_source}). The roster holds the staff in the "
        "evaluation, not every member of staff, so its counts sit well below the stated reach; what matters for "
        "reading the outcomes is **when** training happened."
    )
    if half is not None:
        section.markdown(
            f"Half of the roster's practitioners and supervisors had completed training by **{_date(half)}**. "
            "Any change in an outcome before then is unlikely to be the training's: read every later section against this date."
        )
    else:
        section.markdown(
            "Fewer than half of the roster's practitioners and supervisors ever completed training in these data."
        )


def _cumulative_chart(
    section, cumulative: pd.DataFrame, stated: dict[str, int], by_group: pd.DataFrame, reach_text: str, half
) -> None:
    """The step charts of roster members trained over time, by role group against the stated reach and by borough."""
    section.figure(
        "cumulative_trained",
        charts.cumulative_chart(cumulative, stated, section.threshold, half_trained=half),
        alt=(
            f"Two step charts of the cumulative number of roster members who completed systemic training. Top: "
            f"practitioners reach {section.count(by_group.loc['Practitioners', 'trained'])} and supervisors "
            f"{section.count(by_group.loc['Supervisors', 'trained'])}, far below dashed lines at the stated reach "
            f"({reach_text}). Bottom: the same for each borough. A dotted vertical line marks {_date(half)}, when half were trained."
        ),
        caption="Roster members who had completed systemic training, over time: by role group against the programme's "
        "stated reach (dashed), and by borough; the dotted vertical line is the date by which half had been trained. "
        "Counts from 1 to the suppression threshold are not drawn.",
    )


def _reach_table(section, reach: pd.DataFrame, reach_source: str) -> None:
    """The table of training by role group, with the stated reach and its source."""
    section.table(
        "reach",
        reach,
        caption="Training by role group: roster members, trained, by when, and the stated reach.",
        decimals=0,
        labels={
            "group": "Role group",
            "in_roster": "In the roster",
            "trained": "Completed training",
            "share_trained": "Trained (%)",
            "first_trained": "First completed",
            "half_trained_by": "Half trained by",
            "stated_reach": "Stated reach (over)",
        },
        note=f"Stated reach: {reach_source}.",
    )


def _clinicians_table(section, clin: pd.DataFrame) -> None:
    """The table of clinicians embedded in social work teams, by borough."""
    section.table(
        "clinicians",
        clin,
        caption="Clinicians embedded in social work teams, by borough.",
        # one clinician per team: the teams with a clinician would give the clinicians back, so they go with them
        counts={"clinicians": people("clinicians"), "teams": things("teams")},
        dependent_columns={"teams_with_clinician": "clinicians"},
        labels={
            "borough": "Borough",
            "clinicians": "Clinicians",
            "teams": "Teams",
            "teams_with_clinician": "Teams with a clinician",
        },
        note="Teams are not people and are not suppressed; teams with a clinician are, with the clinicians (one each).",
    )


def _cumulative_table(section, cumulative: pd.DataFrame) -> None:
    """The appendix table behind the cumulative chart, and how role groups and trained are defined."""
    section.table(
        "cumulative_trained",
        cumulative,
        appendix=True,
        caption="Cumulative trained at each completion date, by role group and by borough (the data behind the chart).",
        counts={"trained": people("roster members trained by the date")},
        labels={"date": "Date", "dimension": "Grouped by", "group": "Group", "trained": "Trained (cumulative)"},
    )
    section.markdown(
        "Role groups follow the programme's own description: practitioners are social workers, senior social workers "
        "and family support workers; supervisors include team managers. A roster member counts as trained from the date "
        "the systemic training course was completed (`helpers.roster.trained_by`, the one definition every strand uses).",
        appendix=True,
    )


def _key_findings(section, n_trained: int, n_staff: int, reach_text: str, half) -> None:
    """The share of the roster trained and the date half were trained: facts counted from the roster
    (complete records), not estimates of an effect."""
    share = 100.0 * n_trained / n_staff
    section.key_finding(
        f"{section.count(n_trained)} of the {section.count(n_staff)} practitioners and supervisors in the roster "
        f"({section.value(share, n_staff, '{:.0f}')}%) completed systemic training; the programme stated a reach of {reach_text}.",
        kind="fact",
        source="records",
        estimate=share,
        n=n_staff,
        label="Share trained (%)",
    )
    if half is not None:
        section.key_finding(
            f"Half of the roster's practitioners and supervisors were trained by {_date(half)}: outcome changes "
            "before that date cannot be put down to the training.",
            kind="fact",
            source="records",
            n=n_staff,
        )
