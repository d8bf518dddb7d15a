"""SCORE-15 report section: prose, tables and figures through the Section contract, from the analysis results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import stats
from helpers.disclosure import SUPPRESSED, people, things
from helpers.evidence import Check

from .analysis import (
    CHANGE_RESPONDENTS,
    CHANGE_SUMMARY,
    PAIRED_NAMES,
    PAIRED_RESULTS,
    RELIABILITY,
    RELIABLE_CHANGE,
    SCORES,
    SUBSCALE_CHANGE,
    TRAINED_LABELS,
    _flag_name,
)
from .charts import chart_change, chart_subscales_by_wave, chart_wave1_vs_wave2
from .inputs import REVERSED_ITEMS, SUBSCALE_LABELS, SUBSCALES

# ---------------------------------------------------------------- report section


#: The paired-change results (:data:`.analysis.PAIRED_RESULTS`) the report's change table leaves to the CSV:
#: its intervals are those that allow for family members, and families of one practitioner, being alike
#: (:data:`CLUSTER_VALUES`), so the respondents' bootstrap, d_z's interval, the SD and t are not shown.
NOT_SHOWN = ("sd_change", "boot_ci_low", "boot_ci_high", "dz_ci_low", "dz_ci_high", "t")
#: The change table's intervals from the family bootstrap and the practitioner-clustered errors.
CLUSTER_VALUES = ["family_boot_ci_low", "family_boot_ci_high", "cluster_ci_low", "cluster_ci_high", "cluster_p"]


def _change_values() -> list[str]:
    """The change table's values, in order: the paired change's shown results under the analysis's names
    (:func:`helpers.stats.paired_change_values`), the clustered intervals beside the paired t CI. A result
    the analysis adds to its change table is shown, and hidden with its count, without a list to edit here."""
    paired = stats.paired_change_values([r for r in PAIRED_RESULTS if r not in NOT_SHOWN], PAIRED_NAMES)
    after_t_ci = paired.index("ci_high") + 1
    return [*paired[:after_t_ci], *CLUSTER_VALUES, *paired[after_t_ci:]]


CHANGE_VALUES = _change_values()
CHANGE_DEPENDENT = {c: "n" for c in CHANGE_VALUES}
#: What the change table counts: family members (rows "Respondents") or families, and the families behind them.
CHANGE_COUNTS = {"n": people("family members or families"), "n_families": people("families")}
#: What the reliable-change table counts (its margins, "all" and improved + unchanged + worse, are inferred).
RC_COUNTS = {c: people("family members") for c in ("n_respondents", "n_improved", "n_no_reliable_change", "n_worse")}
RC_DEPENDENT = {"pct_improved": "n_improved", "pct_no_reliable_change": "n_no_reliable_change", "pct_worse": "n_worse"}


def change_shown(section, summary: pd.DataFrame) -> pd.DataFrame:
    """The change summary as a reader sees it (``Section.declare``: one declaration for the table and
    its prose), with the raw labels and figures the prose is written from."""
    section.declare("change", _display_change(summary), counts=CHANGE_COUNTS, dependent_columns=CHANGE_DEPENDENT)
    return section.table_view("change", summary)


def reliable_change_shown(section, rc: pd.DataFrame) -> pd.DataFrame:
    """The reliable-change table as a reader sees it, with the raw labels the prose is written from."""
    section.declare("reliable_change", _display_rc(rc), counts=RC_COUNTS, dependent_columns=RC_DEPENDENT)
    return section.table_view("reliable_change", rc.drop(columns=["rci"]))


def describe_scoring(scores: pd.DataFrame, n_item_issues: int, section) -> str:
    """Paragraph on scoring and the missing-item rule, with the counts of prorated and unscored forms.

    Forms are counted like people (one form is one person at one wave), through ``section.count``;
    a share is given only when its count is shown."""
    n = len(scores)
    prorated = int(scores["total_prorated"].fillna(False).sum())
    unscored = int(scores["total"].isna().sum())
    sub_prorated = {s: int(scores[_flag_name(s)].fillna(False).sum()) for s in SUBSCALES}
    pct = section.value(100 * prorated / n if n else np.nan, prorated, "{:.0f}")
    prorated_text = section.count(prorated) + ("" if section.is_small(prorated) or not prorated else f" ({pct}%)")
    return (
        "**How it is scored.** Each answer runs from 1 (*describes us very well*) to 5 (*not at all*). "
        f"The ten problem-worded items ({', '.join(str(i) for i in REVERSED_ITEMS)}) are scored from the other end of the scale so that "
        'every item reads *higher = more difficulty*, the published direction of the SCORE-15 "family problem score". '
        "Three subscales (strengths and adaptability; overwhelmed by difficulties; disrupted communication) and the total "
        "are reported as **means on the 1-5 scale** (not sums). "
        "No official rule for missing answers was found, so the project set its own: a subscale is scored when at most one "
        "of its five items is missing (it is then the mean of the four answered items, and flagged as prorated); the total "
        "is scored only when all three subscales are, as the mean of the answered items. "
        f"Of {section.count(n)} forms, {prorated_text} have a prorated total and {section.count(unscored)} could not be "
        f"scored. Prorated subscales: strengths {section.count(sub_prorated['strengths_adaptability'])}, overwhelmed "
        f"{section.count(sub_prorated['overwhelmed_by_difficulties'])}, disrupted communication "
        f"{section.count(sub_prorated['disrupted_communication'])}. "
        + (
            "No answer in the extract was outside 1-5."
            if not n_item_issues
            else "In the whole extract, 1 answer was outside 1-5 or not a number; it was treated as missing and is listed "
            "in the data-quality section."
            if n_item_issues == 1
            else f"In the whole extract, {n_item_issues} answers were outside 1-5 or not numbers; they were treated as "
            "missing and are listed in the data-quality section."
        )
    )


def describe_reliability(rel: pd.DataFrame, section) -> str:
    """Paragraph on Cronbach's alpha at wave 1, compared with the published 0.89-0.90 (not given for
    too few forms)."""
    total = rel[rel["scale"] == "total"].iloc[0]
    subs = rel[(rel["scale"] != "total") & rel["alpha"].notna() & ~rel["n"].map(section.is_small)]
    if pd.isna(total["alpha"]) or section.is_small(total["n"]):
        return "**Reliability.** Too few complete wave-1 forms to estimate Cronbach's alpha."
    sub_text = "; ".join(
        f"{r['label'].lower()} {section.value(r['alpha'], r['n'], '{:.2f}')} "
        f"({section.ci(r['ci_low'], r['ci_high'], r['n'], '{:.2f}')})"
        for _, r in subs.iterrows()
    )
    return (
        f"**Reliability.** At wave 1 the total's Cronbach's alpha was {section.value(total['alpha'], total['n'], '{:.2f}')} "
        f"(95% CI {section.ci(total['ci_low'], total['ci_high'], total['n'], '{:.2f}')}, "
        f"{section.count(total['n'])} forms with all 15 items answered), against 0.89-0.90 in published samples "
        f"(Stratton et al.; Hamilton et al. 2015)." + (f" Subscales: {sub_text}." if sub_text else "")
    )


def describe_change(shown: pd.DataFrame, section) -> str:
    """Paragraph on the mean change per family (primary) and per member, with CIs and d_z.

    ``shown`` is the change summary as a reader sees it (:func:`change_shown`): nothing suppressed
    there is given here, and a figure is "c" whenever the report suppresses its row."""
    r = shown[(shown["unit"] == "respondents") & (shown["group"] == "all")].iloc[0]
    f = shown[(shown["unit"] == "families") & (shown["group"] == "all")].iloc[0]
    if SUPPRESSED in (f["n"], f["mean_change"]) or pd.isna(f["mean_change"]):
        return "**Change between waves.** Too few families answered at both waves to describe change."
    direction = "fell (better functioning)" if f["mean_change"] < 0 else "rose (more difficulty)"
    # cells of the table as a reader sees it: a figure is "c" whenever its row's count is
    c = lambda row, col, fmt="{:.2f}": section.value(row[col], row["n"], fmt)  # noqa: E731
    ci = lambda row: section.ci(row["cluster_ci_low"], row["cluster_ci_high"], row["n"], "{:.2f}")  # noqa: E731
    text = (
        f"**Change between waves.** {section.count(f['n'])} families had at least one member with a total score at "
        f"both waves. Averaging members within each family, the mean total {direction} from "
        f"{c(f, 'mean_wave1')} to {c(f, 'mean_wave2')}: a change of "
        f"{c(f, 'mean_change', '{:+.2f}')} (95% CI {ci(f)}, "
        f"{stats.describe_p(f['cluster_p']) if f['cluster_p'] != SUPPRESSED else 'p c'}; errors clustered by "
        f"practitioner, since members of one family, and families of one practitioner, tend to be alike), effect size "
        f"d_z = {c(f, 'd_z')}."
    )
    if SUPPRESSED not in (r["n"], r["mean_change"]) and not pd.isna(r["mean_change"]):
        text += (
            f" Per family member ({section.count(r['n'])} members) the mean change was {c(r, 'mean_change', '{:+.2f}')} "
            f"(95% CI {ci(r)}, practitioner-clustered). The member-level "
            "paired t-test, which treats members as independent and so gives intervals that are too narrow, is in "
            "the appendix table only."
        )
    return text


def describe_reliable_change(shown: pd.DataFrame, rci: dict, section) -> str:
    """Paragraph on the RCI (computed from this data) and the shares improved / unchanged / worse,
    from the reliable-change table after disclosure control (:func:`reliable_change_shown`)."""
    a = shown[shown["group"] == "all"].iloc[0]
    if a["n_respondents"] == 0:
        return "**Reliable change.** No family member has a total score at both waves."
    if np.isnan(rci["rci"]):
        return "**Reliable change.** Too few complete forms to compute a reliable change index from this data."
    f = lambda x: section.value(x, a["n_respondents"], "{:.2f}")  # noqa: E731
    text = (
        f"**Reliable change.** No published reliable change index exists for SCORE-15, so it was computed from this "
        f"data (Jacobson & Truax): wave-1 SD of the total {f(rci['sd_baseline'])} and alpha {f(rci['alpha'])} give a "
        f"standard error of measurement of {f(rci['se_measurement'])} and a threshold of ±{f(rci['rci'])} on the 1-5 "
        "scale."
    )
    if a["n_respondents"] == SUPPRESSED:
        return text + " Too few family members have a total at both waves to say how many changed reliably."
    return text + (
        f" Of {section.cell(a['n_respondents'])} family members, "
        f"{section.count_share(a['n_improved'], a['pct_improved'])} improved "
        f"reliably, {section.count_share(a['n_no_reliable_change'], a['pct_no_reliable_change'])} showed no reliable "
        f"change and {section.count_share(a['n_worse'], a['pct_worse'])} became reliably worse."
    )


def describe_trained(shown: pd.DataFrame, rc_shown: pd.DataFrame, diff: dict | None, section) -> str:
    """Paragraph comparing families whose practitioner was trained with those whose was not, from
    the tables after disclosure control."""
    resp = shown[shown["unit"] == "families"].set_index("group")
    if not {"trained", "not_trained"} & set(resp.index):
        return "**Trained and untrained practitioners.** Whether the families' practitioners were trained is not known here."
    if not {"trained", "not_trained"} <= set(resp.index):
        return (
            "**Trained and untrained practitioners.** Families of only one kind (trained or untrained practitioner) "
            "are in this selection, so the two cannot be compared."
        )
    t, u = resp.loc["trained"], resp.loc["not_trained"]
    if SUPPRESSED in (t["n"], u["n"], t["mean_change"], u["mean_change"]):
        return (
            "**Trained and untrained practitioners.** Too few families in one of the two groups answered at "
            "both waves to compare them."
        )
    rct = rc_shown.set_index("group")
    # cells of the tables as a reader sees them: a figure is "c" whenever its row's count is
    c = lambda row, col, fmt="{:+.2f}": section.value(row[col], row["n"], fmt)  # noqa: E731
    ci = lambda row: section.ci(row["cluster_ci_low"], row["cluster_ci_high"], row["n"], "{:.2f}")  # noqa: E731
    n_diff = min(diff["n_trained"], diff["n_not_trained"]) if diff else None
    show_diff = (
        diff
        and not np.isnan(diff["difference"])
        and not (section.is_small(diff["n_trained"]) or section.is_small(diff["n_not_trained"]))
    )
    return (
        f"**Trained and untrained practitioners.** Where the practitioner had completed systemic training when work "
        f"began, the {section.count(t['n'])} families' mean total changed by {c(t, 'mean_change')} (95% CI, "
        f"practitioner-clustered, {ci(t)}); where not (yet) trained, the "
        f"{section.count(u['n'])} families' changed by {c(u, 'mean_change')} (95% CI "
        f"{ci(u)}). "
        f"Reliably improved: {section.count_share(rct.loc['trained', 'n_improved'], rct.loc['trained', 'pct_improved'])} "
        "of the trained practitioners' families and "
        f"{section.count_share(rct.loc['not_trained', 'n_improved'], rct.loc['not_trained', 'pct_improved'])} "
        "of the others'. "
        + (
            f"Comparing families at the same wave-1 score (ANCOVA of the wave-2 total on the wave-1 total and the "
            f"group, errors clustered by practitioner, as up to five families share one), the trained group's "
            f"wave-2 total differed by "
            f"{section.value(diff['difference'], n_diff, '{:+.2f}')} "
            f"(95% CI {section.ci(diff['ci_low'], diff['ci_high'], n_diff, '{:.2f}')}, {stats.describe_p(diff['p'])}). "
            if show_diff
            else ""
        )
        + (
            f"Training was rolled out over time, so the groups also differ in when work began (median start "
            f"{diff['median_start_trained']} for the trained group, {diff['median_start_not_trained']} for the "
            "other): anything else that changed over those months (referral mix, other service changes, staff "
            "turnover) is mixed up with the training. "
            if show_diff and diff.get("median_start_trained") and diff.get("median_start_not_trained")
            else ""
        )
        + "Families were not allocated to practitioners at random, so this comparison may reflect differences between "
        "the families as well as the training."
    )


CAVEATS = (
    "**Caveats.** There is no comparison group of families who were not worked with, so the change cannot be "
    "attributed to the programme alone: families often improve after a crisis brings them to children's services, and "
    "scores drift towards the mean on retesting. Members who did not answer at wave 2 may differ from those who did. "
    "The direction of the problem-worded items is inferred from published descriptions (medium confidence; the "
    "official scoring sheet was not available). The reliable change threshold comes from this data, not a published norm."
)


CHANGE_LABELS = {
    "unit": "Unit",
    "group": "Group",
    "n": "Number",
    "n_families": "Families",
    "mean_wave1": "Mean at wave 1",
    "mean_wave2": "Mean at wave 2",
    "mean_change": "Mean change",
    "ci_low": "95% CI low (t)",
    "ci_high": "95% CI high (t)",
    "family_boot_ci_low": "95% CI low (families resampled)",
    "family_boot_ci_high": "95% CI high (families resampled)",
    "cluster_ci_low": "95% CI low (practitioner-clustered)",
    "cluster_ci_high": "95% CI high (practitioner-clustered)",
    "cluster_p": "p-value (practitioner-clustered)",
    "d_z": "Effect size (d_z)",
    "p": "p-value (paired t, members independent)",
}
RC_LABELS = {
    "group": "Group",
    "n_respondents": "Family members",
    "n_improved": "Improved",
    "pct_improved": "Improved (%)",
    "n_no_reliable_change": "No reliable change",
    "pct_no_reliable_change": "No reliable change (%)",
    "n_worse": "Worse",
    "pct_worse": "Worse (%)",
}


def _display_rc(rc: pd.DataFrame) -> pd.DataFrame:
    return rc.drop(columns=["rci"]).assign(group=rc["group"].map(TRAINED_LABELS))


def _display_change(summary: pd.DataFrame) -> pd.DataFrame:
    t = summary.copy()
    t["unit"] = t["unit"].str.capitalize()
    t["group"] = t["group"].map(TRAINED_LABELS)
    t["p"] = t["p"].map(stats.describe_p)
    t["cluster_p"] = t["cluster_p"].map(stats.describe_p)
    # on the families' rows the families are the rows' own count (n): said once, not twice, since a
    # number suppressed in one column and shown in the next gives the "c" away
    t["n_families"] = t["n_families"].where(t["unit"] != "Families")
    return t[["unit", "group", "n", "n_families", *CHANGE_VALUES]]


def build_section(section, results: dict, n_item_issues: int = 0, borough_label: str = "all three boroughs"):
    """Fill a :class:`helpers.report_section.Section` with the strand's prose, tables and charts.

    ``results`` is the dict from :func:`.analysis.analyse`; ``n_item_issues`` the number of item answers set to
    missing at ingest (:func:`item_issues`). Figures are returned in a list (closed unless a notebook shows them: ``Section.figure``).
    Every count and group figure goes through the section's disclosure rule; prose is written from the
    tables after suppression. The section's parts, in order: key findings; who answered; scoring and
    reliability (appendix); change in the total; reliable change; training and caveats.
    """
    # no chart of individual scores for a group at or under the threshold
    show_figures = not section.is_small(len(results[CHANGE_RESPONDENTS.key])) and len(results[CHANGE_RESPONDENTS.key])
    _key_findings(section, results)
    _who_answered(section, results[SCORES.key], borough_label)
    _scoring_and_reliability(section, results, n_item_issues)
    figs = _change(section, results, show_figures)
    figs += _reliable_change(section, results, show_figures)
    section.markdown(
        describe_trained(
            section.table_view("change", results[CHANGE_SUMMARY.key]),
            section.table_view("reliable_change", results[RELIABLE_CHANGE.key].drop(columns=["rci"])),
            results.get("trained_difference"),
            section,
        )
    )
    section.markdown(CAVEATS)
    return figs


def _key_findings(section, results: dict) -> None:
    """The strand's finding for the executive summary: the mean change per family (families are the
    unit averaged), with the results its strength is judged from (before and after, no comparison
    group; the practitioners its interval is clustered by; the reliability of the total score; the
    change per family member as a second level of analysis)."""
    summary = results[CHANGE_SUMMARY.key]
    f = summary[(summary["unit"] == "families") & (summary["group"] == "all")]
    r = summary[(summary["unit"] == "respondents") & (summary["group"] == "all")]
    if not len(f) or pd.isna(f.iloc[0]["mean_change"]) or section.is_small(f.iloc[0]["n"]):
        return
    f = f.iloc[0]
    rel = results[RELIABILITY.key]
    total_alpha = rel.loc[rel["scale"] == "total", "alpha"]
    ci = (f["cluster_ci_low"], f["cluster_ci_high"])
    v = lambda x: section.value(x, f["n"], "{:+.2f}")  # noqa: E731
    section.key_finding(
        f"Families' SCORE-15 total (1-5, lower is better) changed by {v(f['mean_change'])} between the two waves on "
        f"average (95% CI {section.ci(ci[0], ci[1], f['n'], '{:+.2f}')}, errors clustered by practitioner; "
        f"{section.count(f['n'])} families). With no comparison group the change cannot be attributed to the programme.",
        kind="effect",
        design="before_after",
        unit="practitioners",
        units=f["n_practitioners"],
        estimate=f["mean_change"],
        ci=ci,
        checks=[Check("change per family member", r.iloc[0]["mean_change"])] if len(r) else [],
        reliability={"SCORE-15 total": total_alpha.iloc[0] if len(total_alpha) else None},
        n=int(f["n"]),
        label="Family functioning, change between waves",
    )


def _who_answered(section, scores: pd.DataFrame, borough_label: str) -> None:
    """Opening paragraph: what SCORE-15 is and how many members and families answered at each wave."""
    n_resp = scores["respondent_id"].nunique()
    n_fam = scores["family_id"].nunique()
    w1 = int((scores["wave"] == 1).sum())
    w2 = int((scores["wave"] == 2).sum())
    section.markdown(
        "SCORE-15 (Systemic Clinical Outcome and Routine Evaluation) asks each family member aged 12 and over 15 "
        'questions about how their family gets on, for example *"We trust each other"* or *"It feels miserable in '
        'our family"*. It was designed to measure change in family therapy (Stratton et al. 2010, 2014). '
        f"In {borough_label}, {section.count(n_resp)} members of {section.count(n_fam)} families answered: "
        f"{section.count(w1)} forms at wave 1, soon after work with the family began, and {section.count(w2)} at "
        "wave 2, about six months later."
    )


def _scoring_and_reliability(section, results: dict, n_item_issues: int) -> None:
    """How forms were scored (prorating, unscored forms) and the scales' internal consistency with its
    table: technical detail, in the appendix."""
    rel = results[RELIABILITY.key]
    section.markdown(describe_scoring(results[SCORES.key], n_item_issues, section), appendix=True)
    section.markdown(describe_reliability(rel, section), appendix=True)
    section.table(
        "reliability",
        rel[["label", "n_items", "n", "alpha", "ci_low", "ci_high"]],
        caption="Cronbach's alpha at wave 1 with 95% CI (forms with every item of the scale answered).",
        counts={"n_items": things("items"), "n": people("forms")},
        dependent_columns={"alpha": "n", "ci_low": "n", "ci_high": "n"},
        appendix=True,
        labels={
            "label": "Scale",
            "n_items": "Items",
            "n": "Forms",
            "alpha": "Cronbach's alpha",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
        },
    )


def _change(section, results: dict, show_figures: bool) -> list:
    """Mean change in the total (members and families, by training), its table and the subscale chart."""
    summary = results[CHANGE_SUMMARY.key]
    resp = results[CHANGE_RESPONDENTS.key]
    shown = change_shown(section, summary)
    section.markdown(describe_change(shown, section))
    section.table(
        "change",
        _display_change(summary),
        caption="Change in the SCORE-15 total (mean of items, 1-5; negative = better) between waves, per family member "
        "and per family (mean of its members), overall and by whether the practitioner was trained when work began.",
        labels=CHANGE_LABELS,
        note=(
            "Number: family members (rows 'Respondents') or families. Primary: the practitioner-clustered CI and "
            "p-value (robust errors with practitioners as clusters, which allows for members of one family and "
            "families of one practitioner being alike), read on the Families rows. 95% CI (families resampled): a "
            "bootstrap over whole families. 95% CI (t) and the paired t p-value treat every member (or family) as "
            "independent: too narrow, shown for comparison only. d_z: mean change divided by the SD of the changes."
        ),
        appendix=True,
    )
    if not show_figures:
        return []
    fig = chart_subscales_by_wave(results[SCORES.key], resp)
    sc = results[SUBSCALE_CHANGE.key].set_index("scale")
    n = len(resp)
    section.figure(
        "subscales_by_wave",
        fig,
        alt=(
            f"Dot chart on the full 1-5 scale of mean scores at wave 1 and wave 2 for the three SCORE-15 subscales and "
            f"the total, for the {section.count(n)} family members who answered both times. Mean total: "
            f"{section.value(sc.loc['total', 'mean_wave1'], n, '{:.2f}')} at wave 1 and "
            f"{section.value(sc.loc['total', 'mean_wave2'], n, '{:.2f}')} at wave 2; subscale changes: "
            + "; ".join(
                f"{SUBSCALE_LABELS[s].lower()} {section.value(sc.loc[s, 'mean_change'], n, '{:+.2f}')}"
                for s in SUBSCALES
            )
            + "."
        ),
        caption="Mean subscale and total scores by wave (1-5, higher = more difficulty), members with both waves; bars are 95% CIs.",
    )
    return [fig]


def _reliable_change(section, results: dict, show_figures: bool) -> list:
    """Members by reliable change (table), the distribution of change and wave 1 against wave 2 (charts)."""
    resp = results[CHANGE_RESPONDENTS.key]
    rc = results[RELIABLE_CHANGE.key]
    rci = results["rci"]
    shown = reliable_change_shown(section, rc)
    section.markdown(describe_reliable_change(shown, rci, section))
    section.table(
        "reliable_change",
        _display_rc(rc),
        caption=f"Family members by reliable change in the total (threshold ±{section.value(rci['rci'], len(resp), '{:.2f}')}, "
        "computed from this data's wave-1 SD and alpha).",
        decimals=0,
        labels=RC_LABELS,
    )
    if not show_figures:
        return []
    a = shown[shown["group"] == "all"].iloc[0]
    rc_text = section.value(rci["rci"], a["n_respondents"], "{:.2f}")
    distribution = chart_change(resp, rci["rci"])
    section.figure(
        "change_distribution",
        distribution,
        alt=(
            f"Histogram of the change in SCORE-15 total for {section.cell(a['n_respondents'])} family members, with a "
            f"shaded band from -{rc_text} to +{rc_text} marking no reliable change. "
            f"{section.count_share(a['n_improved'], a['pct_improved'])} fall below the band (reliably better) and "
            f"{section.count_share(a['n_worse'], a['pct_worse'])} above it (reliably worse)."
        ),
        caption="Change in the total per family member (wave 2 minus wave 1; left of zero = better). Shaded: within the reliable change threshold.",
    )
    # coloured by training only when the change table shows both groups' counts (dots of one colour count them)
    cs = section.table_view("change", results[CHANGE_SUMMARY.key])
    groups_shown = not (cs.loc[(cs["unit"] == "respondents") & (cs["group"] != "all"), "n"] == SUPPRESSED).any()
    scatter, coloured = chart_wave1_vs_wave2(resp, rci["rci"], section.threshold if groups_shown else len(resp))
    section.figure(
        "wave1_vs_wave2",
        scatter,
        alt=(
            "Scatter plot of each family member's SCORE-15 total at wave 1 (horizontal) against wave 2 (vertical), "
            + ("coloured by whether the practitioner was trained, " if coloured else "")
            + "with the line of no change and the shaded band of no "
            f"reliable change; most points lie {'below' if resp['change'].mean() < 0 else 'above'} the line, "
            f"i.e. scores {'fell' if resp['change'].mean() < 0 else 'rose'} on average."
        ),
        caption="Total at wave 1 against wave 2 per family member. Below the diagonal = better at wave 2."
        + ("" if coloured else " Not coloured by training: one of the groups is too small to show."),
    )
    return [distribution, scatter]
