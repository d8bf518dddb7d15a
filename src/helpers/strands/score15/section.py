"""SCORE-15 report section: prose, tables and figures through the Section contract, from the analysis results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import stats
from helpers.config import DEFAULT_SUPPRESSION_THRESHOLD
from helpers.disclosure import is_small

from .analysis import (
    CHANGE_RESPONDENTS,
    CHANGE_SUMMARY,
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


def _fmt_ci(row, lo="ci_low", hi="ci_high", digits=2) -> str:
    return f"{row[lo]:.{digits}f} to {row[hi]:.{digits}f}"


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.0f}%" if n else "n/a"


def _count(k: int) -> str:
    """A count of people for prose: small counts (1 to the suppression threshold) are not given."""
    return f"fewer than {DEFAULT_SUPPRESSION_THRESHOLD + 1}" if is_small(k) else f"{int(k)}"


def _count_pct(k: int, n: int) -> str:
    """ "k (p%)", or only "fewer than 6" when k is small (the % would give the count back)."""
    return _count(k) if is_small(k) else f"{int(k)} ({_pct(k, n)})"


def describe_scoring(scores: pd.DataFrame, n_item_issues: int) -> str:
    """Paragraph on scoring and the missing-item rule, with the counts of prorated and unscored forms."""
    n = len(scores)
    prorated = int(scores["total_prorated"].fillna(False).sum())
    unscored = int(scores["total"].isna().sum())
    sub_prorated = {s: int(scores[_flag_name(s)].fillna(False).sum()) for s in SUBSCALES}
    return (
        "**How it is scored.** Each answer runs from 1 (*describes us very well*) to 5 (*not at all*). "
        f"The ten problem-worded items ({', '.join(str(i) for i in REVERSED_ITEMS)}) are reversed (6 minus the answer) so that "
        'every item reads *higher = more difficulty*, the published direction of the SCORE-15 "family problem score". '
        "Three subscales (strengths and adaptability; overwhelmed by difficulties; disrupted communication) and the total "
        "are reported as **means on the 1-5 scale** (not sums). "
        "No official rule for missing answers was found, so the project set its own: a subscale is scored when at most one "
        "of its five items is missing (it is then the mean of the four answered items, and flagged as prorated); the total "
        "is scored only when all three subscales are, as the mean of the answered items. "
        f"Of {_count(n)} forms, {_count_pct(prorated, n)} have a prorated total and {_count(unscored)} could not be scored. "
        f"Prorated subscales: strengths {_count(sub_prorated['strengths_adaptability'])}, overwhelmed "
        f"{_count(sub_prorated['overwhelmed_by_difficulties'])}, disrupted communication {_count(sub_prorated['disrupted_communication'])}. "
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


def describe_reliability(rel: pd.DataFrame) -> str:
    """Paragraph on Cronbach's alpha at wave 1, compared with the published 0.89-0.90."""
    total = rel[rel["scale"] == "total"].iloc[0]
    subs = rel[(rel["scale"] != "total") & rel["alpha"].notna()]
    if pd.isna(total["alpha"]):
        return "**Reliability.** Too few complete wave-1 forms to estimate Cronbach's alpha."
    sub_text = "; ".join(f"{r['label'].lower()} {r['alpha']:.2f} ({_fmt_ci(r)})" for _, r in subs.iterrows())
    return (
        f"**Reliability.** At wave 1 the total's Cronbach's alpha was {total['alpha']:.2f} (95% CI {_fmt_ci(total)}, "
        f"{_count(total['n'])} forms with all 15 items answered), against 0.89-0.90 in published samples "
        f"(Stratton et al.; Hamilton et al. 2015). Subscales: {sub_text}."
    )


def describe_change(summary: pd.DataFrame) -> str:
    """Paragraph on the mean change per respondent and per family, with CIs and d_z."""
    r = summary[(summary["unit"] == "respondents") & (summary["group"] == "all")].iloc[0]
    f = summary[(summary["unit"] == "families") & (summary["group"] == "all")].iloc[0]
    if r["n"] < 2 or is_small(r["n"]):
        return "**Change between waves.** Too few family members answered at both waves to describe change."
    direction = "fell (better functioning)" if r["mean_change"] < 0 else "rose (more difficulty)"
    text = (
        f"**Change between waves.** {_count(r['n'])} family members had a total score at both waves. Their mean total "
        f"{direction} from {r['mean_wave1']:.2f} to {r['mean_wave2']:.2f}: a change of {r['mean_change']:+.2f} "
        f"(95% CI {_fmt_ci(r)}; bootstrap {_fmt_ci(r, 'boot_ci_low', 'boot_ci_high')}; resampling whole families "
        f"{_fmt_ci(r, 'family_boot_ci_low', 'family_boot_ci_high')}), "
        f"effect size d_z = {r['d_z']:.2f} (95% CI {_fmt_ci(r, 'dz_ci_low', 'dz_ci_high')}), paired t-test "
        f"{stats.describe_p(r['p'])}."
    )
    if f["n"] >= 2 and not is_small(f["n"]):
        text += (
            f" Averaging members within each family, {_count(f['n'])} families changed by {f['mean_change']:+.2f} on average "
            f"(95% CI {_fmt_ci(f)}, d_z = {f['d_z']:.2f}). Members of one family tend to answer alike, so the "
            "intervals that treat each member as independent are too narrow; the family-resampling and family-level "
            "intervals allow for that."
        )
    return text


def describe_reliable_change(rc: pd.DataFrame, rci: dict) -> str:
    """Paragraph on the RCI (computed from this data) and the shares improved / unchanged / worse."""
    a = rc[rc["group"] == "all"].iloc[0]
    n = int(a["n_respondents"])
    if n == 0:
        return "**Reliable change.** No family member has a total score at both waves."
    if np.isnan(rci["rci"]):
        return "**Reliable change.** Too few complete forms to compute a reliable change index from this data."
    return (
        f"**Reliable change.** No published reliable change index exists for SCORE-15, so it was computed from this "
        f"data (Jacobson & Truax): wave-1 SD of the total {rci['sd_baseline']:.2f} and alpha {rci['alpha']:.2f} give a "
        f"standard error of measurement of {rci['se_measurement']:.2f} and a threshold of ±{rci['rci']:.2f} on the 1-5 "
        f"scale. Of {_count(n)} family members, {_count_pct(a['n_improved'], n)} improved reliably, "
        f"{_count_pct(a['n_no_reliable_change'], n)} showed no reliable change and "
        f"{_count_pct(a['n_worse'], n)} became reliably worse."
    )


def describe_trained(summary: pd.DataFrame, rc: pd.DataFrame, diff: dict | None = None) -> str:
    """Paragraph comparing families whose practitioner was trained with those whose was not."""
    resp = summary[summary["unit"] == "respondents"].set_index("group")
    if not {"trained", "not_trained"} & set(resp.index):
        return "**Trained and untrained practitioners.** Whether the families' practitioners were trained is not known here."
    if not {"trained", "not_trained"} <= set(resp.index):
        return (
            "**Trained and untrained practitioners.** Families of only one kind (trained or untrained practitioner) "
            "are in this selection, so the two cannot be compared."
        )
    t, u = resp.loc["trained"], resp.loc["not_trained"]
    if is_small(t["n"]) or is_small(u["n"]) or min(t["n"], u["n"]) < 2:
        return (
            "**Trained and untrained practitioners.** Too few family members in one of the two groups answered at "
            "both waves to compare them."
        )
    rct = rc.set_index("group")
    return (
        f"**Trained and untrained practitioners.** Where the practitioner had completed systemic training when work "
        f"began, the {_count(t['n'])} members' mean total changed by {t['mean_change']:+.2f} (95% CI {_fmt_ci(t)}); "
        f"where not (yet) trained, the {_count(u['n'])} members' changed by {u['mean_change']:+.2f} (95% CI {_fmt_ci(u)}). "
        f"Reliably improved: {_count_pct(rct.loc['trained', 'n_improved'], rct.loc['trained', 'n_respondents'])} and "
        f"{_count_pct(rct.loc['not_trained', 'n_improved'], rct.loc['not_trained', 'n_respondents'])} respectively. "
        + (
            f"Per family, the difference in mean change (trained minus not trained) was {diff['difference']:+.2f} "
            f"(95% CI {_fmt_ci(diff)}, Welch t-test {stats.describe_p(diff['p'])}). "
            if diff
            and not np.isnan(diff["difference"])
            and not (is_small(diff["n_trained"]) or is_small(diff["n_not_trained"]))
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


def _display_change(summary: pd.DataFrame) -> pd.DataFrame:
    t = summary.copy()
    t["unit"] = t["unit"].str.capitalize()
    t["group"] = t["group"].map(TRAINED_LABELS)
    t["p"] = t["p"].map(stats.describe_p)
    return t[
        [
            "unit",
            "group",
            "n",
            "n_families",
            "mean_wave1",
            "mean_wave2",
            "mean_change",
            "ci_low",
            "ci_high",
            "family_boot_ci_low",
            "family_boot_ci_high",
            "d_z",
            "p",
        ]
    ]


def build_section(section, results: dict, n_item_issues: int = 0, borough_label: str = "all three boroughs"):
    """Fill a :class:`helpers.report_section.Section` with the strand's prose, tables and charts.

    ``results`` is the dict from :func:`.analysis.analyse`; ``n_item_issues`` the number of item answers set to
    missing at ingest (:func:`item_issues`). Figures are returned in a list (not shown, not closed).
    The section's parts, in order: who answered; scoring and reliability; change in the total; reliable
    change; training and caveats.
    """
    # no chart of individual scores for a handful of people
    show_figures = len(results[CHANGE_RESPONDENTS.key]) > DEFAULT_SUPPRESSION_THRESHOLD
    _who_answered(section, results[SCORES.key], borough_label)
    _scoring_and_reliability(section, results, n_item_issues)
    figs = _change(section, results, show_figures)
    figs += _reliable_change(section, results, show_figures)
    section.markdown(
        describe_trained(results[CHANGE_SUMMARY.key], results[RELIABLE_CHANGE.key], results.get("trained_difference"))
    )
    section.markdown(CAVEATS)
    return figs


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
        f"In {borough_label}, {_count(n_resp)} members of {_count(n_fam)} families answered: {_count(w1)} forms at wave 1, "
        f"soon after work with the family began, and {_count(w2)} at wave 2, about six months later."
    )


def _scoring_and_reliability(section, results: dict, n_item_issues: int) -> None:
    """How forms were scored (prorating, unscored forms) and the scales' internal consistency with its table."""
    rel = results[RELIABILITY.key]
    section.markdown(describe_scoring(results[SCORES.key], n_item_issues))
    section.markdown(describe_reliability(rel))
    section.table(
        # "items" not "n_items": the report treats n_* columns as counts of people.
        "reliability",
        rel[["label", "n_items", "n", "alpha", "ci_low", "ci_high"]].rename(
            columns={"label": "scale", "n_items": "items"}
        ),
        caption="Cronbach's alpha at wave 1 with 95% CI (n = forms with every item of the scale answered).",
        count_columns=["n"],
        dependent_columns={"alpha": "n", "ci_low": "n", "ci_high": "n"},
    )


def _change(section, results: dict, show_figures: bool) -> list:
    """Mean change in the total (members and families, by training), its table and the subscale chart."""
    summary = results[CHANGE_SUMMARY.key]
    resp = results[CHANGE_RESPONDENTS.key]
    section.markdown(describe_change(summary))
    section.table(
        "change",
        _display_change(summary),
        caption="Change in the SCORE-15 total (mean of items, 1-5; negative = better) between waves, per family member "
        "and per family (mean of its members), overall and by whether the practitioner was trained when work began.",
        count_columns=["n", "n_families"],
        dependent_columns={
            c: "n"
            for c in [
                "mean_wave1",
                "mean_wave2",
                "mean_change",
                "ci_low",
                "ci_high",
                "family_boot_ci_low",
                "family_boot_ci_high",
                "d_z",
                "p",
            ]
        },
        note=(
            "ci_low/ci_high: t-based 95% CI of the mean change. family_boot_ci: 95% CI from a bootstrap resampling whole "
            "families (for family members it allows for members of one family answering alike). d_z: mean change "
            "divided by the SD of the changes."
        ),
    )
    if not show_figures:
        return []
    fig = chart_subscales_by_wave(results[SCORES.key], resp)
    sc = results[SUBSCALE_CHANGE.key].set_index("scale")
    section.figure(
        "subscales_by_wave",
        fig,
        alt=(
            f"Dot chart of mean scores at wave 1 and wave 2 for the three SCORE-15 subscales and the total, for the "
            f"{_count(len(resp))} family members who answered both times. Mean total: {sc.loc['total', 'mean_wave1']:.2f} at "
            f"wave 1 and {sc.loc['total', 'mean_wave2']:.2f} at wave 2; subscale changes: "
            + "; ".join(f"{SUBSCALE_LABELS[s].lower()} {sc.loc[s, 'mean_change']:+.2f}" for s in SUBSCALES)
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
    section.markdown(describe_reliable_change(rc, rci))
    disp = rc.assign(group=rc["group"].map(TRAINED_LABELS)).drop(columns=["rci"])
    section.table(
        "reliable_change",
        disp,
        caption=f"Family members by reliable change in the total (threshold ±{rci['rci']:.2f}, computed from this data's wave-1 SD and alpha).",
        count_columns=["n_respondents", "n_improved", "n_no_reliable_change", "n_worse"],
        dependent_columns={
            "pct_improved": "n_improved",
            "pct_no_reliable_change": "n_no_reliable_change",
            "pct_worse": "n_worse",
        },
        decimals=0,
    )
    if not show_figures:
        return []
    a = rc[rc["group"] == "all"].iloc[0]
    distribution = chart_change(resp, rci["rci"])
    section.figure(
        "change_distribution",
        distribution,
        alt=(
            f"Histogram of the change in SCORE-15 total for {_count(a['n_respondents'])} family members, with a shaded band "
            f"from -{rci['rci']:.2f} to +{rci['rci']:.2f} marking no reliable change. "
            f"{_count_pct(a['n_improved'], a['n_respondents'])} fall below the band (reliably better) and "
            f"{_count_pct(a['n_worse'], a['n_respondents'])} above it (reliably worse)."
        ),
        caption="Change in the total per family member (wave 2 minus wave 1; left of zero = better). Shaded: within the reliable change threshold.",
    )
    scatter = chart_wave1_vs_wave2(resp, rci["rci"])
    section.figure(
        "wave1_vs_wave2",
        scatter,
        alt=(
            "Scatter plot of each family member's SCORE-15 total at wave 1 (horizontal) against wave 2 (vertical), "
            "coloured by whether the practitioner was trained, with the line of no change and the shaded band of no "
            f"reliable change; most points lie {'below' if resp['change'].mean() < 0 else 'above'} the line, "
            f"i.e. scores {'fell' if resp['change'].mean() < 0 else 'rose'} on average."
        ),
        caption="Total at wave 1 against wave 2 per family member. Below the diagonal = better at wave 2.",
    )
    return [distribution, scatter]
