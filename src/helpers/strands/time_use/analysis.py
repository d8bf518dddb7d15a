"""Time-use analysis: shares of the week per activity, the direct-work share by group, and change.

Unit: one answer = one practitioner at one wave. A practitioner's *share* of an activity is its hours
over that practitioner's weekly total. Group figures are the mean of the practitioners' shares (each
practitioner counts once, whatever their hours), with a t-based 95% CI. Change is measured on the
practitioners who answered two waves (the first and the last they answered): the paired change in
each share (percentage points), with :func:`helpers.stats.paired_change` (t CI, percentile
bootstrap CI over practitioners, d_z and its bootstrap CI).

Practitioners sit in roster teams (``team`` in ``practitioners.csv``), and practitioners of one team
share what moves their week between waves (a manager, a vacancy, a caseload), so their changes are
not independent. The primary interval of every change (``team_ci_low``/``team_ci_high``, ``team_p``)
is therefore team-clustered: the mean change with a cluster-robust CR2 variance (Bell & McCaffrey
2002) and a t interval on the Bell-McCaffrey Satterthwaite degrees of freedom
(:func:`helpers.stats.cluster_robust_ols`, ``method="CR2"``), which stay honest with the 18 or so teams
of the three boroughs, and with the five or six of one borough, where G - 1 df would not. A
practitioner missing from the roster (or a survey read without one) is a cluster of their own; with
no roster at all the interval is the paired t interval (CR2 with one practitioner a cluster is HC2,
which for a mean is s^2 / n on n - 1 df). The paired t and bootstrap intervals, which treat
practitioners as independent, are kept beside it (appendix) to show the difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as st

from ... import stats
from ...ingest import Field, OutputTable
from .inputs import STRAND, hours_column

GROUPINGS = {"role": "Role", "borough": "Borough", "training_status": "Training status", "wave": "Wave"}

SHARES = OutputTable(
    key="time_use_shares",
    filename="time_use/shares.csv",
    strand=STRAND,
    description="One row per answer (practitioner x wave): weekly total hours and the share of each activity.",
    fields=(
        Field("practitioner_id", "string", "Pseudonymised practitioner."),
        Field("wave", "integer", "Survey wave."),
        Field("borough", "string", "Borough."),
        Field("role", "string", "Role code."),
        Field("training_status", "string", "Training status code."),
        Field("total_hours", "number", "Sum of the activity hours."),
        Field("activity", "string", "Activity code (from the activity list)."),
        Field("hours", "number", "Hours in a typical week on the activity."),
        Field("share", "number", "hours / total_hours (0-1)."),
    ),
)
ACTIVITY_SUMMARY = OutputTable(
    key="time_use_activity_summary",
    filename="time_use/activity_summary.csv",
    strand=STRAND,
    description="Mean share of the week per activity and wave (mean of practitioners' shares).",
    fields=(
        Field("wave", "string", "Survey wave, or 'all'."),
        Field("activity", "string", "Activity code."),
        Field("label", "string", "Activity label."),
        Field("n", "integer", "Answers (practitioners) behind the mean."),
        Field("mean_hours", "number", "Mean hours a week."),
        Field("mean_share", "number", "Mean share of the week (0-1)."),
        Field("ci_low", "number", "95% CI of the mean share (t), lower."),
        Field("ci_high", "number", "Upper."),
    ),
)
DIRECT_BY_GROUP = OutputTable(
    key="time_use_direct_by_group",
    filename="time_use/direct_share_by_group.csv",
    strand=STRAND,
    description="Direct-work share by role, borough, training status and wave.",
    fields=(
        Field("grouping", "string", "role, borough, training_status or wave."),
        Field("group", "string", "The group's code."),
        Field("n", "integer", "Answers in the group."),
        Field("mean_share", "number", "Mean direct-work share (0-1)."),
        Field("ci_low", "number", "95% CI (t), lower."),
        Field("ci_high", "number", "Upper."),
    ),
)
#: The paired change of a share (:func:`helpers.stats.paired_change`), declared once for every strand.
PAIRED_RESULTS = (
    "n",
    "mean_before",
    "mean_after",
    "mean_change",
    "ci_low",
    "ci_high",
    "boot_ci_low",
    "boot_ci_high",
    "d_z",
    "dz_ci_low",
    "dz_ci_high",
    "p",
)
_CHANGE_FIELDS = (
    *stats.paired_change_fields(
        PAIRED_RESULTS,
        unit="practitioners",
        before="the earlier wave",
        after="the later wave",
        notes={k: "Shares on the 0-1 scale." for k in ("mean_before", "mean_after", "mean_change")},
    ),
    Field("n_teams", "integer", "Teams the practitioners belong to (clusters of the team-clustered CI)."),
    Field(
        "team_ci_low",
        "number",
        "95% CI of the mean change, team-clustered (CR2, Bell-McCaffrey Satterthwaite df; primary), lower.",
    ),
    Field("team_ci_high", "number", "Upper end of the team-clustered 95% CI."),
    Field("team_df", "number", "Degrees of freedom of the team-clustered t interval."),
    Field("team_p", "number", "Two-sided p-value of the team-clustered test of no change (primary)."),
)
CHANGE = OutputTable(
    key="time_use_change",
    filename="time_use/change.csv",
    strand=STRAND,
    description="Change in each activity's share for practitioners answering two waves.",
    fields=(
        Field("activity", "string", "Activity code."),
        Field("label", "string", "Activity label."),
        Field("wave_before", "integer", "Earlier wave."),
        Field("wave_after", "integer", "Later wave."),
        *_CHANGE_FIELDS,
    ),
)
DIRECT_CHANGE_BY_GROUP = OutputTable(
    key="time_use_direct_change_by_group",
    filename="time_use/direct_change_by_group.csv",
    strand=STRAND,
    description="Change in the direct-work share for practitioners answering two waves, by group at the later wave.",
    fields=(
        Field("grouping", "string", "all, role, borough or training_status (at the later wave)."),
        Field("group", "string", "The group's code."),
        *_CHANGE_FIELDS,
    ),
)
OUTPUTS = (SHARES, ACTIVITY_SUMMARY, DIRECT_BY_GROUP, CHANGE, DIRECT_CHANGE_BY_GROUP)


def direct_code(activities: pd.DataFrame) -> str:
    """Code of the activity marked direct work in the activity list."""
    return str(activities.loc[activities["direct_work"], "code"].iloc[0])


def shares(survey: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Long table of each answer's hours and share per activity (see :data:`SHARES`)."""
    cols = [hours_column(c) for c in activities["code"]]
    wide = survey.copy()
    wide["wave"] = wide["wave"].astype(int)
    wide["total_hours"] = wide[cols].sum(axis=1)
    long = wide.melt(
        id_vars=["practitioner_id", "wave", "borough", "role", "training_status", "total_hours"],
        value_vars=cols,
        var_name="activity",
        value_name="hours",
    )
    long["activity"] = long["activity"].str.removeprefix("hours_")
    long["share"] = long["hours"] / long["total_hours"]
    order = {c: i for i, c in enumerate(activities["code"])}
    long = long.sort_values(
        ["wave", "practitioner_id", "activity"], key=lambda s: s.map(order) if s.name == "activity" else s
    )
    return long[SHARES.column_names].reset_index(drop=True)


def _mean_ci(x, level: float = 0.95) -> tuple[float, float, float]:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return (np.nan, np.nan, np.nan)
    m = float(x.mean())
    if len(x) < 2:
        return (m, np.nan, np.nan)
    half = st.t.ppf(1 - (1 - level) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return (m, m - half, m + half)


def activity_summary(long: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Mean hours and mean share per activity, for each wave and all answers (see :data:`ACTIVITY_SUMMARY`)."""
    labels = activities.set_index("code")["label"]
    rows = []
    for wave, sub in [*((str(w), g) for w, g in long.groupby("wave")), ("all", long)]:
        for code in activities["code"]:
            a = sub[sub["activity"] == code]
            m, lo, hi = _mean_ci(a["share"])
            rows.append(
                {
                    "wave": wave,
                    "activity": code,
                    "label": labels[code],
                    "n": int(len(a)),
                    "mean_hours": float(a["hours"].mean()) if len(a) else np.nan,
                    "mean_share": m,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(rows, columns=ACTIVITY_SUMMARY.column_names)


def direct_by_group(long: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Direct-work share by role, borough, training status and wave (see :data:`DIRECT_BY_GROUP`)."""
    d = long[long["activity"] == direct_code(activities)]
    rows = []
    for grouping in GROUPINGS:
        for group, sub in d.groupby(grouping):
            m, lo, hi = _mean_ci(sub["share"])
            rows.append(
                {
                    "grouping": grouping,
                    "group": str(group),
                    "n": int(len(sub)),
                    "mean_share": m,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(rows, columns=DIRECT_BY_GROUP.column_names)


def paired_waves(long: pd.DataFrame) -> pd.DataFrame:
    """For each practitioner who answered two or more waves: the earliest and latest wave answered.

    Returns practitioner_id, wave_before, wave_after and the later wave's role, borough and training
    status (the groups change is reported by)."""
    waves = long.drop_duplicates(["practitioner_id", "wave"])
    g = waves.groupby("practitioner_id")["wave"]
    pairs = pd.DataFrame({"wave_before": g.min(), "wave_after": g.max()})
    pairs = pairs[pairs["wave_after"] > pairs["wave_before"]].reset_index()
    later = waves.set_index(["practitioner_id", "wave"])[["role", "borough", "training_status"]]
    info = later.reindex(list(zip(pairs["practitioner_id"], pairs["wave_after"], strict=False))).reset_index(drop=True)
    return pd.concat([pairs, info], axis=1)


def practitioner_teams(practitioners: pd.DataFrame | None) -> pd.Series:
    """practitioner_id -> roster team, named within its borough (``<borough>/<team>``: two boroughs may
    both have a "Team 1"); empty when no roster is given or it has no ``team`` column."""
    if practitioners is None or "team" not in practitioners:
        return pd.Series(dtype=object)
    r = practitioners.dropna(subset=["practitioner_id", "team"]).drop_duplicates("practitioner_id")
    r = r[r["team"].astype(str).str.strip() != ""]
    name = r["team"].astype(str)
    if "borough" in r:
        name = r["borough"].fillna("").astype(str) + "/" + name
    return pd.Series(name.to_numpy(), index=r["practitioner_id"].to_numpy())


def clusters_for(practitioner_ids, teams: pd.Series | None) -> np.ndarray:
    """Cluster label of each practitioner: ``team:<borough>/<team>`` where the roster gives one, else
    ``practitioner:<id>`` (a cluster of their own)."""
    ids = pd.Series(np.asarray(practitioner_ids, dtype=object))
    team = ids.map(teams) if teams is not None and len(teams) else pd.Series(np.nan, index=ids.index)
    return np.where(team.notna(), "team:" + team.astype(str), "practitioner:" + ids.astype(str))


def team_clustered_change(before, after, clusters, level: float = 0.95) -> dict:
    """Mean of ``after - before`` with a team-clustered CR2 t interval (see the module docstring;
    :func:`helpers.stats.clustered_mean` with ``method="CR2"``).

    Returns n_teams, team_ci_low, team_ci_high, team_df, team_p (NaN with fewer than 3 clusters)."""
    d = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    keep = ~np.isnan(d) & pd.notna(np.asarray(clusters, dtype=object))
    n_teams = int(pd.unique(np.asarray(clusters, dtype=object)[keep]).size)
    out = {"n_teams": n_teams, "team_ci_low": np.nan, "team_ci_high": np.nan, "team_df": np.nan, "team_p": np.nan}
    if n_teams < 3 or np.std(d[keep], ddof=1) == 0:
        return out
    r = stats.clustered_mean(d, clusters, level=level, method="CR2")
    out.update(team_ci_low=r["ci_low"], team_ci_high=r["ci_high"], team_df=r["df"], team_p=r["p"])
    return out


def _change_row(p: pd.DataFrame, teams: pd.Series | None, n_boot: int, seed: int) -> dict:
    res = stats.paired_change(p["before"], p["after"], n_boot=n_boot, seed=seed)
    res.update(team_clustered_change(p["before"], p["after"], clusters_for(p["practitioner_id"], teams)))
    return res


def _share_pairs(long: pd.DataFrame, pairs: pd.DataFrame, code: str) -> pd.DataFrame:
    s = long[long["activity"] == code].set_index(["practitioner_id", "wave"])["share"]
    out = pairs.copy()
    out["before"] = s.reindex(list(zip(pairs["practitioner_id"], pairs["wave_before"], strict=False))).to_numpy()
    out["after"] = s.reindex(list(zip(pairs["practitioner_id"], pairs["wave_after"], strict=False))).to_numpy()
    return out


def change(
    long: pd.DataFrame,
    activities: pd.DataFrame,
    n_boot: int = stats.DEFAULT_BOOTSTRAP,
    seed: int = 2014,
    teams: pd.Series | None = None,
) -> pd.DataFrame:
    """Paired change in each activity's share, practitioners answering two waves (see :data:`CHANGE`);
    ``teams`` (:func:`practitioner_teams`) gives the clusters of the primary interval."""
    pairs = paired_waves(long)
    rows = []
    for k, a in enumerate(activities.itertuples()):
        p = _share_pairs(long, pairs, a.code)
        res = _change_row(p, teams, n_boot, seed + 10 * k)
        rows.append(
            {
                "activity": a.code,
                "label": a.label,
                "wave_before": int(pairs["wave_before"].min()) if len(pairs) else np.nan,
                "wave_after": int(pairs["wave_after"].max()) if len(pairs) else np.nan,
                **{f.name: res[f.name] for f in _CHANGE_FIELDS},
            }
        )
    return pd.DataFrame(rows, columns=CHANGE.column_names)


def direct_change_by_group(
    long: pd.DataFrame,
    activities: pd.DataFrame,
    n_boot: int = stats.DEFAULT_BOOTSTRAP,
    seed: int = 2014,
    teams: pd.Series | None = None,
) -> pd.DataFrame:
    """Paired change in the direct-work share, overall and by group at the later wave; the primary
    interval is team-clustered (``teams``: :func:`practitioner_teams`)."""
    p = _share_pairs(long, paired_waves(long), direct_code(activities))
    rows = [{"grouping": "all", "group": "all", **_change_row(p, teams, n_boot, seed)}]
    for grouping in ("role", "borough", "training_status"):
        for group, sub in p.groupby(grouping):
            rows.append({"grouping": grouping, "group": str(group), **_change_row(sub, teams, n_boot, seed)})
    return pd.DataFrame(rows)[DIRECT_CHANGE_BY_GROUP.column_names]


def roster_check(survey: pd.DataFrame, practitioners: pd.DataFrame) -> dict:
    """How the survey joins the roster (``practitioners.csv``, the practitioners of the scenarios strand).

    Returns answers, answers whose practitioner is on the roster (``on_roster``), and among those how
    many give a training status that agrees with the roster's completion date under the project's one
    definition (:func:`helpers.roster.trained_by` on the answer date; ``in_training`` and
    ``not_trained`` both mean not yet trained).
    """
    from ...roster import trained_by

    on = survey["practitioner_id"].isin(practitioners["practitioner_id"])
    sub = survey[on]
    by_roster = trained_by(practitioners, sub["practitioner_id"], sub["completed_on"])
    agree = sub["training_status"].eq("trained") == by_roster
    return {"answers": int(len(survey)), "on_roster": int(on.sum()), "status_agrees": int(agree.sum())}


def analyse(
    survey: pd.DataFrame,
    activities: pd.DataFrame,
    n_boot: int = stats.DEFAULT_BOOTSTRAP,
    seed: int = 2014,
    practitioners: pd.DataFrame | None = None,
) -> dict:
    """Every table of the strand, keyed by the :data:`OUTPUTS` keys, plus ``activities`` and ``direct``.

    ``practitioners``: the roster (``practitioners.csv`` as ingested), whose ``team`` column gives the
    clusters of the primary (team-clustered) change intervals; without it each practitioner is their
    own cluster and those intervals are the paired t ones."""
    long = shares(survey, activities)
    teams = practitioner_teams(practitioners)
    pairs = paired_waves(long)
    return {
        SHARES.key: long,
        ACTIVITY_SUMMARY.key: activity_summary(long, activities),
        DIRECT_BY_GROUP.key: direct_by_group(long, activities),
        CHANGE.key: change(long, activities, n_boot=n_boot, seed=seed, teams=teams),
        DIRECT_CHANGE_BY_GROUP.key: direct_change_by_group(long, activities, n_boot=n_boot, seed=seed, teams=teams),
        "n_pairs_with_team": int(
            pd.Series(clusters_for(pairs["practitioner_id"], teams)).str.startswith("team:").sum()
        ),
        "activities": activities,
        "direct": direct_code(activities),
        "n_practitioners": int(survey["practitioner_id"].nunique()),
        "n_answers": int(len(survey)),
    }
