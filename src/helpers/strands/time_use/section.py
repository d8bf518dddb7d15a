"""The time-use report section, written from :func:`analysis.analyse` results only."""

from __future__ import annotations

import pandas as pd

from ... import stats
from ...disclosure import people
from ...evidence import Check
from ...roster import ROLES
from . import charts
from .analysis import ACTIVITY_SUMMARY, CHANGE, DIRECT_BY_GROUP, DIRECT_CHANGE_BY_GROUP, GROUPINGS
from .inputs import MAX_WEEKLY_HOURS, MIN_WEEKLY_HOURS, TRAINING_STATUS

ROLE_PLURAL = {
    "social_worker": "social workers",
    "senior_social_worker": "senior or consultant social workers",
    "supervisor": "supervisors and team managers",
    "family_support_worker": "family support workers",
    "clinician": "embedded clinicians",
}

CONTEXT = (
    "**Context from published studies.** Holmes and McDermid (2013, *Journal of Children's Services* 8(2)) "
    "studied how frontline social workers spend their time using event records, focus groups and online surveys; "
    "Baginsky et al. (2010) surveyed social workers' workload nationally. Their methods and populations differ from "
    "this survey's, so they are context, not a benchmark these figures can be tested against."
)
CAVEATS = (
    "**Caveats.** Hours are practitioners' own estimates of a typical week, not records of time, and may be "
    "coloured by what the programme encouraged. Without a comparison group of practitioners outside the programme, "
    "a change between waves cannot be attributed to the training alone (caseloads, systems and staffing changed "
    "too). Practitioners who answered both waves may differ from those who answered once."
)


def _group_label(grouping: str, code: str) -> str:
    if grouping == "role":
        return ROLES.get(code, code)
    if grouping == "training_status":
        return TRAINING_STATUS.get(code, code)
    if grouping == "wave":
        return f"Wave {code}"
    return code


def build_section(
    section,
    results: dict,
    rejected: pd.DataFrame | None = None,
    rows_read: int | None = None,
    borough_label: str = "all three boroughs",
    truth: dict | None = None,
    roster: dict | None = None,
):
    """Fill ``section`` with the strand's prose, tables and charts; returns the figures.

    ``rejected`` (the ingest result's rejected rows) and ``rows_read`` give the validation summary;
    ``truth`` (the synthetic generator's record for this strand, if any) adds an appendix line
    comparing the estimate with the planted change; ``roster`` (:func:`analysis.roster_check`) says how
    the answers join the practitioners of the other strands.
    The parts, in order: the survey and its checks; shares of the week; direct work by group; the change
    between waves (prose, chart, key finding and tables); the check against the planted change.
    """
    acts = results["activities"]
    direct = results["direct"]
    summary = results[ACTIVITY_SUMMARY.key]
    change = results[CHANGE.key]
    dchange = results[DIRECT_CHANGE_BY_GROUP.key]
    n_prac, n_ans = results["n_practitioners"], results["n_answers"]
    waves = sorted(w for w in summary["wave"].unique() if w != "all")
    figs = []
    if n_ans == 0:
        section.markdown(
            f"No time-use survey answers were available for {borough_label}."
            + (f" The survey file had {rows_read} rows." if rows_read is not None else "")
        )
        section.markdown(CONTEXT)
        return figs

    _the_survey(section, acts, n_prac, n_ans, len(waves), borough_label)
    if rows_read is not None and rejected is not None:
        _input_checks(section, rows_read, len(rejected))
    if roster is not None:
        _roster_link(section, roster)

    fig = _week_chart(section, summary, acts, direct, waves)
    if fig is not None:
        figs.append(fig)
    _activity_shares_table(section, summary)
    _direct_work_by_group(section, results[DIRECT_BY_GROUP.key])

    allc = dchange[dchange["grouping"] == "all"].iloc[0]
    n_pairs = int(allc["n"])
    if section.is_small(n_pairs) or n_pairs < 2:
        section.markdown("**Change.** Too few practitioners answered two waves to describe change.")
    else:
        _change_in_direct_work(section, change, allc)
        figs.append(_change_chart(section, change, direct, n_pairs))
        _change_key_finding(section, dchange, allc)
    _change_per_activity_table(section, change)
    _direct_change_by_group_table(section, dchange)
    if truth and "planted" in truth and not section.is_small(n_pairs):
        _planted_check(section, truth["planted"], allc, n_pairs)
    section.markdown(CONTEXT, appendix=True)
    section.markdown(CAVEATS)
    return figs


def _the_survey(section, acts: pd.DataFrame, n_prac: int, n_ans: int, n_waves: int, borough_label: str) -> None:
    """The opening paragraph: what was asked, of how many practitioners, and how group figures are made."""
    section.markdown(
        "Practitioners were asked how many hours of a typical week they spend on each of "
        f"{len(acts)} activities (the list was agreed with focus groups and is kept as data: "
        + "; ".join(a.lower() for a in acts["label"])
        + "). "
        f"In {borough_label}, {section.count(n_prac)} practitioners gave {section.count(n_ans)} valid answers over "
        f"{n_waves} survey waves. Each practitioner's answer is turned into shares of their own week, and group "
        "figures are the average of those shares, so every practitioner counts equally."
    )


def _input_checks(section, rows_read: int, n_rejected: int) -> None:
    """The appendix line on survey rows read and rejected, and why a row is rejected."""
    section.markdown(
        f"**Checks.** Of {rows_read} survey rows, {n_rejected} were rejected (rows are records, not people): "
        f"negative, blank or non-numeric hours, or a weekly total under {MIN_WEEKLY_HOURS:g} or over "
        f"{MAX_WEEKLY_HOURS:g} hours. Each is listed with its file, row and column in the data-quality section.",
        appendix=True,  # a check of the input; the data-quality section lists every rejected row
    )


def _roster_link(section, roster: dict) -> None:
    """The appendix line on how the answers join the roster (:func:`analysis.roster_check`)."""
    section.markdown(
        f"**Link to the other strands.** {section.count(roster['on_roster'])} of {section.count(roster['answers'])} answers come "
        "from practitioners on the evaluation's roster, the same practitioners as the practice scenarios; for "
        f"{section.count(roster['status_agrees'])} of those the training status given agrees with the roster's training completion date "
        "(the project's one definition of trained by a date).",
        appendix=True,
    )


def _week_chart(section, summary: pd.DataFrame, acts: pd.DataFrame, direct: str, waves: list):
    """The stacked chart of how a typical week is divided, one bar per wave; None (no chart) when any
    wave has too few answers to show."""
    rows = [(w, f"Wave {w}") for w in waves]
    n_by_wave = {w: int(summary[(summary["wave"] == w)]["n"].max()) for w in waves}
    if not all(not section.is_small(n_by_wave[w]) for w in waves):
        return None
    s = summary.set_index(["wave", "activity"])
    last = waves[-1]
    top = summary[summary["wave"] == last].sort_values("mean_share", ascending=False).iloc[0]
    fig = charts.stacked_week(summary, acts, rows)
    section.figure(
        "week_by_wave",
        fig,
        alt=(
            "Stacked bar chart of the share of a typical week spent on each activity, one bar per survey wave. "
            + " ".join(
                f"Wave {w}: direct work {section.value(100 * s.loc[(w, direct), 'mean_share'], n_by_wave[w], '{:.0f}')}%."
                for w in waves
            )
            + f" The largest share at wave {last} is {top['label'].lower()} "
            f"({section.value(100 * top['mean_share'], n_by_wave[last], '{:.0f}')}%)."
        ),
        caption="How a typical week is divided, mean of practitioners' shares, by survey wave.",
    )
    return fig


def _activity_shares_table(section, summary: pd.DataFrame) -> None:
    """The appendix table of mean hours and shares per activity and wave, shares as percentages."""
    disp = summary.copy()
    disp["wave"] = disp["wave"].map(lambda w: "All answers" if w == "all" else f"Wave {w}")
    for c in ("mean_share", "ci_low", "ci_high"):
        disp[c] = 100 * disp[c]
    section.table(
        "activity_shares",
        disp.drop(columns=["activity"]),
        caption="Mean hours a week and mean share of the week (%) per activity, by wave, with 95% CIs.",
        counts={"n": people("answers")},
        dependent_columns={c: "n" for c in ("mean_hours", "mean_share", "ci_low", "ci_high")},
        decimals=1,
        labels={
            "wave": "Wave",
            "label": "Activity",
            "n": "Answers",
            "mean_hours": "Mean hours",
            "mean_share": "Mean share %",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
        },
        appendix=True,
    )


def _direct_work_by_group(section, by_group: pd.DataFrame) -> None:
    """The share of the week in direct work by role, borough, training status and wave: the roles with the
    highest and lowest share in prose, every group in the table."""
    dg = by_group.copy()
    dg["grouping_label"] = dg["grouping"].map(GROUPINGS)
    dg["group_label"] = [_group_label(g, c) for g, c in zip(dg["grouping"], dg["group"], strict=False)]
    for c in ("mean_share", "ci_low", "ci_high"):
        dg[c] = 100 * dg[c]
    shown_groups = dg[["grouping_label", "group_label", "n", "mean_share", "ci_low", "ci_high"]].reset_index(drop=True)
    # the prose reads the table as a reader will see it: a group the report suppresses is "c" here too
    shown = section.declare(
        "direct_share_by_group",
        shown_groups,
        counts={"n": people("answers")},
        dependent_columns={c: "n" for c in ("mean_share", "ci_low", "ci_high")},
    )
    is_role = (dg["grouping"] == "role").to_numpy()
    roles = [r for r in dg.reset_index(drop=True)[is_role].sort_values("mean_share").index if shown.at[r, "n"] != "c"]
    if len(roles) >= 2:
        lo, hi = dg.iloc[roles[0]], dg.iloc[roles[-1]]
        section.markdown(
            f"**Direct work by group.** Across all answers, the share of the week spent in direct work with children and "
            f"families was highest for {ROLE_PLURAL.get(hi['group'], hi['group'])} "
            f"({section.value(hi['mean_share'], shown.at[roles[-1], 'n'])}%) "
            f"and lowest for {ROLE_PLURAL.get(lo['group'], lo['group'])} "
            f"({section.value(lo['mean_share'], shown.at[roles[0], 'n'])}%). "
            "The table gives every group; groups answer at different waves, so compare groups within a wave with care."
        )
    section.table(
        "direct_share_by_group",
        shown_groups,
        caption="Share of the week in direct work with children and families (%), by role, borough, training status and wave (all answers).",
        decimals=1,
        labels={
            "grouping_label": "By",
            "group_label": "Group",
            "n": "Answers",
            "mean_share": "Direct work %",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
        },
    )


def _change_in_direct_work(section, change: pd.DataFrame, allc: pd.Series) -> None:
    """The change paragraph: the direct-work share of practitioners answering both waves, before and after,
    with the team-clustered interval and why it is clustered."""
    n_pairs = int(allc["n"])
    direction = "rose" if allc["mean_change"] > 0 else "fell"
    n_teams = int(allc["n_teams"]) if pd.notna(allc["n_teams"]) else 0
    section.markdown(
        f"**Change.** {section.count(n_pairs)} practitioners answered both wave {int(change['wave_before'].iloc[0])} and "
        f"wave {int(change['wave_after'].iloc[0])}. Their share of the week in direct work {direction} from "
        f"{section.value(100 * allc['mean_before'], n_pairs)}% to {section.value(100 * allc['mean_after'], n_pairs)}%, "
        f"a change of {section.value(100 * allc['mean_change'], n_pairs, '{:+.1f}')} percentage points (95% CI "
        f"{section.ci(100 * allc['team_ci_low'], 100 * allc['team_ci_high'], n_pairs, '{:+.1f}')}; "
        f"effect size d_z {section.value(allc['d_z'], n_pairs, '{:.2f}')}). "
        + (
            f"Practitioners of one team share much of what moves their week (a manager, vacancies, the caseload), so "
            f"the interval allows for practitioners of the same team changing alike ({n_teams} teams); an interval "
            "treating every practitioner as independent would be narrower than the evidence supports."
            if n_teams and n_teams < n_pairs
            else "No roster teams were available, so the interval treats practitioners as independent."
        )
    )


def _change_chart(section, change: pd.DataFrame, direct: str, n_pairs: int):
    """The dot chart of the change in each activity's share, its alt text naming the three largest changes."""
    fig = charts.change_per_activity(change, direct)
    biggest = change.reindex(change["mean_change"].abs().sort_values(ascending=False).index)
    section.figure(
        "change_per_activity",
        fig,
        alt=(
            f"Dot chart of the change in each activity's share of the week for the {section.count(n_pairs)} practitioners "
            "who answered both waves, with 95% confidence intervals. "
            + "; ".join(
                f"{r.label.lower()} {section.value(100 * r.mean_change, n_pairs, '{:+.1f}')} points"
                for r in biggest.head(3).itertuples()
            )
            + "."
        ),
        caption="Change in share of the week per activity (percentage points), practitioners answering both waves. Direct work in green; bars are 95% CIs.",
    )
    return fig


def _change_key_finding(section, dchange: pd.DataFrame, allc: pd.Series) -> None:
    """The strand's key finding: the change in the direct-work share, with each borough shown as a check."""
    n_pairs = int(allc["n"])
    boroughs = dchange[(dchange["grouping"] == "borough") & ~dchange["n"].map(section.is_small)]
    section.key_finding(
        f"Practitioners answering both time-use surveys spent {section.value(100 * allc['mean_before'], n_pairs)}% of their week "
        f"in direct work with families at the first and {section.value(100 * allc['mean_after'], n_pairs)}% at the second "
        f"({section.value(100 * allc['mean_change'], n_pairs, '{:+.1f}')} percentage points, 95% CI "
        f"{section.ci(100 * allc['team_ci_low'], 100 * allc['team_ci_high'], n_pairs, '{:+.1f}')}, allowing for teams); "
        "self-reported, with no comparison group.",
        # before and after, self-reported; the interval is clustered by team; each borough on its own is a check
        kind="effect",
        design="before_after",
        unit="teams",
        units=allc["n_teams"],
        estimate=100 * allc["mean_change"],
        ci=(100 * allc["team_ci_low"], 100 * allc["team_ci_high"]),
        checks=[Check(f"borough {b.group}", b.mean_change) for b in boroughs.itertuples()],
        reliability={"self-reported share of the week": None},  # no reliability measured for the survey
        n=n_pairs,
        label="Change in direct-work share (percentage points)",
    )


def _change_per_activity_table(section, change: pd.DataFrame) -> None:
    """The appendix table of the paired change per activity, shares as percentage points, with every interval."""
    ch = change.copy()
    pct = ("mean_before", "mean_after", "mean_change", "team_ci_low", "team_ci_high", "ci_low", "ci_high")
    for c in (*pct, "boot_ci_low", "boot_ci_high"):
        ch[c] = 100 * ch[c]
    ch["p"] = ch["p"].map(stats.describe_p)
    ch["team_p"] = ch["team_p"].map(stats.describe_p)
    # every column after the label and n is derived from the group's practitioners (n_teams too: it
    # also keeps the team count out of the row identity the across-reports check matches on)
    cols = [
        "label",
        "n",
        "n_teams",
        "mean_before",
        "mean_after",
        "mean_change",
        "team_ci_low",
        "team_ci_high",
        "team_df",
        "team_p",
        "ci_low",
        "ci_high",
        "boot_ci_low",
        "boot_ci_high",
        "d_z",
        "dz_ci_low",
        "dz_ci_high",
        "p",
    ]
    section.table(
        "change_per_activity",
        ch[cols],
        caption="Paired change in each activity's share (percentage points), practitioners answering both waves.",
        counts={"n": people("practitioners answering both waves")},
        dependent_columns={c: "n" for c in cols if c not in ("label", "n")},
        decimals=2,
        appendix=True,
        note=(
            "Team-clustered 95% CI (primary): the mean change with a cluster-robust CR2 variance over roster teams and a "
            "t interval on Bell-McCaffrey Satterthwaite degrees of freedom (df), because practitioners of one team "
            "change alike; a practitioner not on the roster is a team of their own. Paired t CI, bootstrap CI over "
            "practitioners and the paired p-value treat practitioners as independent and are shown for comparison "
            "only (too narrow when teams differ). d_z: mean change / SD of the changes, with a bootstrap CI."
        ),
        labels={
            "label": "Activity",
            "n": "Practitioners",
            "n_teams": "Teams",
            "mean_before": "Earlier %",
            "mean_after": "Later %",
            "mean_change": "Change (points)",
            "team_ci_low": "95% CI low (teams)",
            "team_ci_high": "95% CI high (teams)",
            "team_df": "df (teams)",
            "team_p": "p (teams)",
            "ci_low": "Paired t CI low",
            "ci_high": "Paired t CI high",
            "boot_ci_low": "Bootstrap CI low",
            "boot_ci_high": "Bootstrap CI high",
            "p": "p (paired t)",
        },
    )


def _direct_change_by_group_table(section, dchange: pd.DataFrame) -> None:
    """The appendix table of the change in the direct-work share by group, with team-clustered intervals."""
    dc = dchange.copy()
    dc["group_label"] = [
        ("All" if g == "all" else _group_label(g, c)) for g, c in zip(dc["grouping"], dc["group"], strict=False)
    ]
    for c in ("mean_before", "mean_after", "mean_change", "team_ci_low", "team_ci_high"):
        dc[c] = 100 * dc[c]
    cols = ["n", "n_teams", "mean_before", "mean_after", "mean_change", "team_ci_low", "team_ci_high", "d_z"]
    section.table(
        "direct_change_by_group",
        dc[["grouping", "group_label", *cols]],
        caption="Change in the direct-work share (percentage points) by group at the later wave, practitioners answering "
        "both waves, with team-clustered 95% CIs (a group drawn from few teams has few degrees of freedom and a wide interval).",
        counts={"n": people("practitioners answering both waves")},
        dependent_columns={c: "n" for c in cols if c != "n"},
        decimals=1,
        appendix=True,
        labels={
            "grouping": "By",
            "group_label": "Group",
            "n": "Practitioners",
            "n_teams": "Teams",
            "mean_before": "Earlier %",
            "mean_after": "Later %",
            "mean_change": "Change (points)",
            "team_ci_low": "95% CI low (teams)",
            "team_ci_high": "95% CI high (teams)",
        },
    )


def _planted_check(section, planted: dict, allc: pd.Series, n_pairs: int) -> None:
    """On synthetic data: does the team-clustered interval cover the change the generator planted?"""
    planted_change = planted["direct_share_change"]
    covered = allc["team_ci_low"] <= planted_change <= allc["team_ci_high"]
    pp = lambda x: section.value(100 * x, n_pairs, "{:+.1f}")  # noqa: E731  (a share as percentage points)
    section.markdown(
        f"**Check against the synthetic data's planted change.** The generator planted a change of "
        f"{section.value(100 * planted_change, None, '{:+.1f}')} "
        f"percentage points in the direct-work share; the estimate is {pp(allc['mean_change'])} "
        f"(team-clustered 95% CI {section.ci(100 * allc['team_ci_low'], 100 * allc['team_ci_high'], n_pairs, '{:+.1f}')}), which "
        + ("covers" if covered else "does NOT cover")
        + " the planted value"
        + (
            f"; the generator also gave each team a shift in the change (SD "
            f"{section.value(100 * planted_sd, None, '{:.1f}')} points, against "
            f"{section.value(100 * planted['practitioner_change_sd'], None, '{:.1f}')} for a practitioner), "
            "which is what the team-clustered interval allows for."
            if (planted_sd := planted.get("team_change_sd"))
            else "."
        ),
        appendix=True,
    )
