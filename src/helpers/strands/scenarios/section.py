"""Practice scenarios report section: prose, tables and figures through the Section contract, from the analysis results."""

from __future__ import annotations

import re

import pandas as pd

from helpers import stats
from helpers.disclosure import SUPPRESSED, label, people, suppress_table
from helpers.evidence import P_UNUSUAL, UNUSUAL, Check, p_words
from helpers.report_section import join_words

from .analysis import (
    ANSWER_SCORES,
    CHANGE,
    CLEARLY_PRESENT,
    GROUPS,
    MODEL,
    PRACTITIONER_WAVES,
    RELIABILITY,
    RESOLVED,
    rollout_groups,
)
from .charts import TRAINED_LABELS, _outcome_label, chart_change, chart_clearly_present, chart_distributions
from .inputs import FRAME, OUTCOMES, ROLE_LABELS, ROLLOUT_GROUPS

# ---------------------------------------------------------------- report section


def term_group_size(term: str, answers: pd.DataFrame) -> int | None:
    """The smaller of the two groups of practitioners a model term compares (e.g. clinicians vs social
    workers): an estimate describes both, so it is shown only when neither is small. None for a term
    that compares no groups."""
    if term == "trained":
        col, level, ref = "trained", "True", "False"
    else:
        m = re.match(r"C\((\w+)(?:, Treatment\('([^']*)'\))?\)\[T\.(.+)\]$", str(term))
        if not m or m.group(1) not in answers.columns:
            return None
        col, ref, level = m.group(1), m.group(2), m.group(3)
        if ref is None:
            ref = sorted(answers[col].astype(str).unique())[0]
    values = answers[col].astype(str)
    return int(
        min(
            answers.loc[values == level, "practitioner_id"].nunique(),
            answers.loc[values == ref, "practitioner_id"].nunique(),
        )
    )


_list = join_words


def frame_display(frame: dict | None = None) -> pd.DataFrame:
    """The coding frame as the report prints it: one row per outcome, one column per level's anchor."""
    frame = frame or FRAME
    rows = []
    for o in frame["outcomes"]:
        row = {"learning outcome": o["label"], "definition": o["definition"]}
        for lv, text in o["anchors"].items():
            row[f"{lv} {frame['scale'][lv]}"] = text
        rows.append(row)
    return pd.DataFrame(rows)


def describe_reliability(rel: pd.DataFrame, frame: dict | None = None, section=None) -> str:
    """Paragraph on inter-rater reliability against the benchmark stated in advance (figures from
    too few answers are not given)."""
    bench = (frame or FRAME)["benchmark"]
    if rel["n_answers"].map(section.is_small).any():
        return (
            "**How reliable the coding was.** Too few answers were double coded in this selection to estimate "
            "the coders' agreement for every learning outcome; see the tri-borough report."
        )
    n_min = rel["n_answers"].min()  # every outcome's figures rest on at least this many answers
    v = lambda x, fmt: section.value(x, n_min, fmt)  # noqa: E731
    ok = rel[rel["verdict"] == "reliable"]
    tent = rel[rel["verdict"] == "tentative"]
    bad = rel[rel["verdict"] == "unreliable"]
    text = (
        f"**How reliable the coding was.** Before any comparison, the two coders' codes were compared for each learning "
        f"outcome. The benchmark was set in advance (Krippendorff's alpha for ordinal codes: reliable when the lower end "
        f"of its 95% CI is {bench['reliable']:.3f} or above, so that the data rule out a lower value; tentative when "
        f"alpha itself is {bench['tentative']:.3f} or above but the interval reaches below {bench['reliable']:.3f}; "
        f"unreliable below {bench['tentative']:.3f}. The interval resamples practitioners, each with all of their "
        "answers, since one practitioner's answers are alike). "
        f"Alpha ranged from {v(rel['alpha'].min(), '{:.2f}')} to {v(rel['alpha'].max(), '{:.2f}')}; the coders gave the "
        f"same level on {v(rel['pct_agreement'].min(), '{:.0f}')}% to {v(rel['pct_agreement'].max(), '{:.0f}')}% of answers. "
        f"{len(ok)} of {len(rel)} outcomes met the benchmark"
    )
    text += f" ({_list(ok['label'].str.lower())})." if len(ok) else "."
    for sub, word in ((tent, "tentative"), (bad, "unreliable")):
        if len(sub):
            parts = [
                f"{r['label'].lower()} (alpha {section.value(r['alpha'], r['n_answers'], '{:.2f}')}, 95% CI "
                f"{section.ci(r['alpha_ci_low'], r['alpha_ci_high'], r['n_answers'], '{:.2f}')})"
                for _, r in sub.iterrows()
            ]
            text += f" Coding was {word} for {_list(parts)}."
    if len(tent) or len(bad):
        text += (
            " Results for these outcomes are still shown, marked, but should be read with that caveat: some of "
            "what looks like difference between groups may be difference between coders. The overall score is also "
            "given over the reliable outcomes alone as a check."
        )
    return text


def describe_resolution(resolved: pd.DataFrame, frame: dict | None = None) -> str:
    """Paragraph on how disagreements were resolved, with counts per rule."""
    frame = frame or FRAME
    counts = resolved["rule"].value_counts()
    n = len(resolved)
    rules = " ".join(r["text"] for r in frame.get("resolution", []))
    return (
        f"**From two codes to one.** {rules} Of {n:,} answer-and-outcome pairs, {int(counts.get('mean', 0)):,} were resolved as the "
        f"mean of A and B, {int(counts.get('third_coder', 0)):,} by the third coder, {int(counts.get('single_coder', 0)):,} from the one "
        f"coder who coded it and {int(counts.get('missing', 0)):,} were left missing. Codes outside the 0-2 scale were rejected "
        "when the data were read (listed, with file, row and column, in the data-quality section)."
    )


def describe_alignment(scores: pd.DataFrame, frame: dict | None = None, section=None) -> str:
    """Paragraph defining the alignment score and giving its mean per wave (through ``section.value``,
    with the number of practitioners behind it)."""
    frame = frame or FRAME
    s = scores[scores["alignment"].notna()]
    by_wave = s.groupby("wave").agg(
        mean=("alignment", "mean"), size=("alignment", "size"), people=("practitioner_id", "nunique")
    )
    waves = "; ".join(
        f"wave {int(w)}: mean {section.value(r['mean'], r['people'])} over {section.count(r['size'])} answers"
        for w, r in by_wave.iterrows()
    )
    return (
        "**Alignment score.** Each learning outcome's resolved code is put on a 0-100 scale (absent 0, partly present 50, "
        "clearly present 100) and an answer's alignment score is the mean over its coded outcomes (computed when at least "
        f"{frame['min_outcomes_coded']} of the {len(frame['outcomes'])} are coded). 100 would mean every outcome clearly present. "
        f"{section.count(len(s))} of {section.count(len(scores))} answers were scored ({waves})."
    )


def describe_model(
    model: pd.DataFrame,
    rel: pd.DataFrame,
    section,
    answers: pd.DataFrame,
    sizes: dict | None = None,
    fitted: dict | None = None,
) -> str:
    """Paragraph on the mixed model: the training effect overall and by outcome, roles and boroughs.

    Every estimate goes through ``section.value`` with the size of the smaller group its term
    compares (:func:`term_group_size`; ``sizes``: ``{(model, term): cell}`` of the model table as a
    reader sees it, so that a term the report suppresses there is "c" here too), so a term about a
    small group (a handful of clinicians) is "c" or left out, as in the table. ``fitted``: the
    overall model's ``n_practitioners`` and ``n_answers`` as the table of model sizes shows them.
    """
    sizes = sizes or {}
    if model.empty or not (model["model"] == "overall").any():
        return "**Trained and not yet trained.** Too few answers, or no variation in training status, to fit the model."
    m = model[model["model"] == "overall"].set_index("term")
    t = m.loc["trained"]
    fitted = fitted or {k: t[k] for k in ("n_practitioners", "n_answers")}
    n_t = sizes.get(("overall", "trained"), term_group_size("trained", answers))
    per = model[model["model"].isin(OUTCOMES) & (model["term"] == "trained")].sort_values("estimate", ascending=False)
    held = [
        name
        for key, name in (
            ("C(wave", "wave"),
            ("C(scenario_id", "scenario"),
            ("C(role", "role"),
            ("C(borough", "borough"),
        )
        if m.index.str.startswith(key).any()
    ] or ["nothing else"]
    if section.is_small(n_t):
        return (
            f"**Trained and not yet trained.** A mixed model of the alignment score was fitted ({_list(held)} held "
            "constant), but one of the two groups it compares (answers written before and after training) comes from "
            "too few practitioners in this selection to report the difference."
        )
    v = lambda x, fmt="{:+.1f}": section.value(x, n_t, fmt)  # noqa: E731
    text = (
        f"**Trained and not yet trained.** A mixed model of the alignment score ({section.count(fitted['n_answers'])} "
        f"answers from {section.count(fitted['n_practitioners'])} practitioners; the same practitioner's answers are "
        f"linked by a random effect; {_list(held)} held constant) estimates that answers written after the "
        f"practitioner had completed the training scored {v(t['estimate'])} points (95% CI {section.ci(t['ci_low'], t['ci_high'], n_t)}; standardised effect "
        f"{v(t['effect_size'], '{:.2f}')}) compared with answers written before. This pools two comparisons: the "
        "same practitioners before and after training, and practitioners trained early against those trained late."
    )
    w = model[(model["model"] == "overall_within") & (model["term"] == "trained")]
    if len(w):
        w = w.iloc[0]
        text += (
            f" Within practitioners alone (each practitioner's share of answers written after training held fixed, "
            f"so only practitioners whose status changed inform it) the difference was {v(w['estimate'])} points "
            f"(95% CI {section.ci(w['ci_low'], w['ci_high'], n_t)}): this is the change in a practitioner's own answers after "
            "training, the closer reading of what training did."
        )
    r = model[(model["model"] == "overall_reliable_outcomes") & (model["term"] == "trained")]
    if len(r):
        r = r.iloc[0]
        text += (
            f" Over the reliably coded outcomes alone the difference was {v(r['estimate'])} "
            f"(95% CI {section.ci(r['ci_low'], r['ci_high'], n_t)})."
        )
    if len(per):
        # secondary: eight tests, Holm-adjusted (family-wise error), named only when they pass
        clear = per[per["p_holm"].map(p_words) == UNUSUAL]  # the one wording rule, on the adjusted p-values
        text += (
            " The eight learning outcomes, each modelled on its own, are secondary to the overall score: with eight "
            "tests some would pass by chance, so their p-values are adjusted by Holm's method (which keeps the chance "
            f"of any false finding among the eight at {P_UNUSUAL:.0%})."
        )
        if len(clear):
            text += (
                f" After adjustment the difference was clear for "
                f"{_list([_outcome_label(o, rel).lower() for o in clear['model']])}"
                f"; for the other {len(per) - len(clear)} it was not."
            )
        else:
            text += " After adjustment none of the eight showed a clear difference on its own."
    left_out = 0
    for key, what in (("C(role", "By role"), ("C(borough", "By borough")):
        rows = m[m.index.str.startswith(key)]
        parts = []
        for term, row in rows.iterrows():
            n_g = sizes.get(("overall", term), term_group_size(term, answers))
            if n_g is None or section.is_small(n_g):
                left_out += 1
                continue
            parts.append(
                f"{row['label'].split(': ', 1)[-1]} {section.value(row['estimate'], n_g, '{:+.1f}')} points "
                f"({section.ci(row['ci_low'], row['ci_high'], n_g)})"
            )
        if parts:
            text += f" {what}: " + "; ".join(parts) + "."
    if left_out:
        text += " Roles or boroughs with too few practitioners to describe on their own are left out."
    if (m.index.str.startswith("C(role") | m.index.str.startswith("C(borough")).any():
        text += (
            " Some of these groups are small (see the numbers of practitioners in the table of group means): their "
            "intervals are wide and they are not interpreted on their own."
        )
    return text


def describe_change(change: pd.DataFrame, section) -> str:
    """Paragraph on before-and-after change by rollout group and the difference in differences.

    ``change`` is the change table as a reader sees it (``Section.declare``): a group whose count is
    "c" is not described, and the difference in differences is given only when both its groups are
    shown; the figures are "c" whenever the report suppresses their group.
    """
    c = change.set_index("group")
    if not {"trained_between_waves", "not_trained_by_wave2", "difference_in_differences"} <= set(c.index):
        return "**Before and after.** No practitioner in this selection answered at both waves."
    sw, nv, did = c.loc["trained_between_waves"], c.loc["not_trained_by_wave2"], c.loc["difference_in_differences"]
    intro = (
        "**Before and after, the same practitioners.** The training was rolled out in cohorts, so some practitioners "
        "were trained between the two waves and others not by wave 2. "
    )
    if SUPPRESSED in (sw["n_practitioners"], nv["n_practitioners"]) or section.cell(did["mean_change"]) in (
        SUPPRESSED,
        "–",
    ):
        return intro + (
            "Too few practitioners answered at both waves in one of these groups to describe their change in "
            "this selection (the table shows which)."
        )
    # the table's cells as a reader sees them: a figure is "c" whenever its group's count is
    c = lambda row, col, fmt="{:.1f}": section.value(row[col], row["n_practitioners"], fmt)  # noqa: E731
    ci = lambda row, lo="ci_low", hi="ci_high": section.ci(row[lo], row[hi], row["n_practitioners"])  # noqa: E731
    return intro + (
        f"The {section.count(sw['n_practitioners'])} practitioners trained between the waves changed by "
        f"{c(sw, 'mean_change', '{:+.1f}')} points on average (from {c(sw, 'mean_wave1')} to "
        f"{c(sw, 'mean_wave2')}; 95% CI {ci(sw)}); "
        f"the {section.count(nv['n_practitioners'])} not trained by wave 2 changed by {c(nv, 'mean_change', '{:+.1f}')} "
        f"(95% CI {ci(nv)}). "
        f"The difference in differences, {c(did, 'mean_change', '{:+.1f}')} points (95% CI "
        f"{ci(did)}; bootstrap {ci(did, 'boot_ci_low', 'boot_ci_high')}), is the change that went "
        "with training beyond what happened anyway over the year, if the two groups would otherwise have changed alike."
    )


CHANGE_VALUES = [
    "mean_wave1",
    "mean_wave2",
    "mean_change",
    "ci_low",
    "ci_high",
    "boot_ci_low",
    "boot_ci_high",
    "d_z",
    "p",
]
#: The difference in differences is computed from the practitioners of these two groups: its count
#: is their sum, a margin of the change table.
CHANGE_MARGINS = [
    {
        "column": "group",
        "total": "difference_in_differences",
        "parts": ["trained_between_waves", "not_trained_by_wave2"],
    }
]


def with_smaller_group(change: pd.DataFrame) -> pd.DataFrame:
    """Adds ``n_smaller``: for the difference in differences, the smaller of its two groups (blank on
    the other rows), so that a difference involving a small group is suppressed with it."""
    c = change.copy()
    sizes = dict(zip(c["group"], c["n_practitioners"], strict=True))
    parts = [sizes.get(g, 0) for g in CHANGE_MARGINS[0]["parts"]]
    c["n_smaller"] = [float(min(parts)) if g == "difference_in_differences" else float("nan") for g in c["group"]]
    return c


def change_shown(change: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The change table as a reader sees it (primary and secondary suppression), for the prose."""
    return suppress_table(
        with_smaller_group(change),
        ["n_practitioners", "n_smaller"],
        {c: ["n_practitioners", "n_smaller"] for c in CHANGE_VALUES},
        threshold=threshold,
        row_margins=CHANGE_MARGINS,
    )


CAVEATS = (
    "**What cannot be concluded.** Answers to vignettes show what practitioners say they would do, not what they do with "
    "families (Hughes & Huby 2004). Practitioners were not allocated to training cohorts at random: those trained early or "
    "late may differ in ways the model does not capture, and the difference-in-differences rests on the untrained group "
    "showing what would have happened to the others. Answering the same scenarios twice may itself change answers. If "
    "coders could tell an answer's wave or training status from its content, that may have coloured their codes (the data "
    "do not record whether coding was blind), and for outcomes with tentative or unreliable coding a difference may partly "
    "reflect coder disagreement. Small groups (roles, single boroughs) give wide intervals and are not "
    "interpreted on their own."
)


def _model_name(m: str, rel: pd.DataFrame) -> str:
    return {
        "overall": "All outcomes",
        "overall_within": "All outcomes, within practitioners (Mundlak)",
        "overall_reliable_outcomes": "Reliable outcomes only",
    }.get(m, _outcome_label(m, rel))


def _model_sizes(model: pd.DataFrame, rel: pd.DataFrame) -> pd.DataFrame:
    """The practitioners and answers each model was fitted on, once per model (not repeated on every
    term's row, where a number suppressed in one row would be read in the next)."""
    sizes = model.drop_duplicates("model")[["model", "n_practitioners", "n_answers"]]
    return sizes.assign(model=sizes["model"].map(lambda m: _model_name(m, rel))).rename(columns={"model": "score"})


def _model_display(model: pd.DataFrame, rel: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    t = model.copy()
    t["n_group"] = [term_group_size(term, answers) for term in t["term"]]
    t["model"] = t["model"].map(lambda m: _model_name(m, rel))
    t["p"] = t["p"].map(stats.describe_p)
    t["p_holm"] = t["p_holm"].map(lambda p: "" if pd.isna(p) else stats.describe_p(p))
    return t.rename(columns={"model": "score", "label": "term_in_words"})[
        [
            "score",
            "term_in_words",
            "estimate",
            "ci_low",
            "ci_high",
            "effect_size",
            "p",
            "p_holm",
            "n_group",
        ]
    ]


MODEL_LABELS = {
    "score": "Score",
    "term_in_words": "Term",
    "estimate": "Estimate (points)",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "effect_size": "Standardised effect",
    "p": "p-value",
    "p_holm": "p-value, Holm-adjusted over the eight outcomes",
    "n_group": "Practitioners in the smaller group compared",
}
MODEL_SIZE_LABELS = {
    "score": "Score",
    "n_practitioners": "Practitioners in the model",
    "n_answers": "Answers in the model",
}
CHANGE_LABELS = {
    "group": "Group",
    "n_practitioners": "Practitioners",
    "n_smaller": "Practitioners in the smaller group",
    "mean_wave1": "Mean at wave 1",
    "mean_wave2": "Mean at wave 2",
    "mean_change": "Mean change",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "boot_ci_low": "Bootstrap 95% CI low",
    "boot_ci_high": "Bootstrap 95% CI high",
    "d_z": "Effect size (d_z)",
    "p": "p-value",
}


def build_section(
    section,
    results: dict,
    scenarios: pd.DataFrame,
    borough_label: str = "all three boroughs",
    frame: dict | None = None,
    min_cell: int = 10,
):
    """Fill a :class:`helpers.report_section.Section` with the strand's prose, tables and charts.

    ``results`` is the dict from :func:`.analysis.analyse`; ``scenarios`` the ingested scenarios table. Figures
    are returned in a list (not shown, not closed). No free text is added except consented,
    quotes redacted by :mod:`helpers.redaction` (:func:`quotable_answers`). Every count and group figure goes through the
    section's disclosure rule (``section.count`` / ``section.value`` / tables after suppression).
    The parts, in order: key findings; who answered which scenarios; coding and reliability; outcomes
    clearly present; models and groups; change between waves; quotes; caveats. Technical tables
    (coding frame, reliability, model terms, estimator notes) go to the appendix.
    """
    frame = frame or FRAME
    if results[ANSWER_SCORES.key]["alignment"].notna().sum() == 0:
        _no_scored_answer(section, results["counts"], borough_label, frame)
        return []
    _key_findings(section, results)
    _who_answered(section, results, scenarios, borough_label)
    _coding_and_reliability(section, results, frame)
    figs = _clearly_present(section, results, min_cell)
    figs += _models_and_groups(section, results)
    figs += _change(section, results)
    _quotes(section, results.get("quotes"), results.get("quote_counts"))
    section.markdown(CAVEATS)
    return figs


def _key_findings(section, results: dict) -> None:
    """The strand's finding for the executive summary: the training term of the model of the overall
    score, with the results its strength is judged from (a staggered roll-out compared within each
    wave: a comparison design; the practitioners it is clustered by; the reliability of every learning
    outcome the overall score averages; the difference in differences and the within-practitioner
    estimate as checks)."""
    model = results[MODEL.key]
    answers = results[ANSWER_SCORES.key]
    answers = answers[answers["alignment"].notna()]
    rel = results[RELIABILITY.key]
    if model.empty or not ((model["model"] == "overall") & (model["term"] == "trained")).any():
        return
    t = model[(model["model"] == "overall") & (model["term"] == "trained")].iloc[0]
    n_t = term_group_size("trained", answers)
    if n_t is None or section.is_small(n_t):
        return
    did = change_shown(results[CHANGE.key], section.threshold).set_index("group")
    checks = []
    if "difference_in_differences" in did.index:
        checks.append(
            Check(
                "difference in differences",
                pd.to_numeric(did.loc["difference_in_differences", "mean_change"], errors="coerce"),
            )
        )
    within = model[(model["model"] == "overall_within") & (model["term"] == "trained")]
    if len(within):
        checks.append(Check("within-practitioner estimate", within.iloc[0]["estimate"]))
    v = lambda x: section.value(x, n_t, "{:+.1f}")  # noqa: E731
    section.key_finding(
        f"Answers to the practice scenarios written after the practitioner's training scored {v(t['estimate'])} points "
        f"on the 0-100 alignment scale compared with answers written before (95% CI {v(t['ci_low'])} to "
        f"{v(t['ci_high'])}; {section.count(t['n_practitioners'])} practitioners).",
        kind="effect",
        design="comparison",
        unit="practitioners",
        units=int(t["n_practitioners"]),
        estimate=t["estimate"],
        ci=(t["ci_low"], t["ci_high"]),
        checks=checks,
        # the overall score averages every learning outcome, so each one's coding reliability counts
        reliability=dict(zip(rel["label"], rel["alpha"], strict=True)) if len(rel) else {"coding": None},
        label="Alignment with the learning outcomes, trained vs not yet",
    )


def _frame_table(section, frame: dict, appendix: bool = True) -> None:
    section.table(
        "coding_frame",
        frame_display(frame),
        caption="The coding frame: learning outcomes, definitions and anchors for each level.",
        appendix=appendix,
        labels={"learning outcome": "Learning outcome", "definition": "Definition"},
    )


def _no_scored_answer(section, counts: dict, borough_label: str, frame: dict) -> None:
    """A borough (or extract) with no scored answer: say so plainly rather than fail on empty tables.

    The coding frame is still printed so the reader knows what would have been coded.
    """
    section.markdown(
        f"No practice-scenario answer could be scored in {borough_label} "
        f"({section.count(counts['answers_in_scope'])} answers from {section.count(counts['practitioners_answering'])} practitioners "
        "in scope), so this strand has no results for this report. The coding frame the answers would be coded "
        "against is below."
    )
    _frame_table(section, frame, appendix=False)


def _who_answered(section, results: dict, scenarios: pd.DataFrame, borough_label: str) -> None:
    """Opening paragraph: the scenarios used, how many practitioners answered at each wave, an example question."""
    scores = results[ANSWER_SCORES.key]
    counts = results["counts"]
    used = scenarios[scenarios["scenario_id"].isin(scores["scenario_id"])]
    n_w = scores.groupby("wave")["practitioner_id"].nunique()
    questions = " ".join(f"*{q.strip()}*" for q in used["questions"].iloc[0].split("|")) if len(used) else ""
    section.markdown(
        'Practitioners were asked to answer short practice scenarios (case vignettes) "to ascertain the extent to which '
        'respondents aligned their work with the intended learning outcomes of the training". '
        # the number of scenarios away from any word for people: it counts scenarios, not people
        f"The scenarios used, {len(used)} in all, were {_list([f'*{t}*' for t in used['title']])}. "
        f"In {borough_label}, {section.count(counts['practitioners_answering'])} of the "
        f"{section.count(counts['practitioners_in_scope'])} practitioners on the roster answered them: "
        + "; ".join(f"{section.count(n)} practitioners at wave {int(w)}" for w, n in n_w.items())
        + f", {section.count(counts['answers_in_scope'])} answers in all. Each scenario asked, for example: {questions}"
    )


def _coding_and_reliability(section, results: dict, frame: dict) -> None:
    """How answers were coded (with the frame, in the appendix), agreement between coders, resolution and the
    alignment score (estimator notes in the appendix)."""
    rel = results[RELIABILITY.key]
    section.markdown(
        f"**How answers were coded.** Two coders independently coded every answer for each of the {len(frame['outcomes'])} "
        # the scale in a sentence of its own: the number of outcomes is not said with "clearly present"
        "learning outcomes of the project's coding frame (in the technical detail). The scale has three points: "
        + ", ".join(f"{k} {v}" for k, v in frame["scale"].items())
        + ". No published frame with anchors for these outcomes was found, so the project wrote one; every level has a "
        "written anchor describing what an answer at that level looks like.",
        appendix=True,
    )
    _frame_table(section, frame)
    section.markdown(describe_reliability(rel, frame, section), appendix=True)
    disp = rel.assign(verdict=rel["verdict"].str.replace("_", " "))[
        ["label", "n_answers", "pct_agreement", "kappa_quadratic", "alpha", "alpha_ci_low", "alpha_ci_high", "verdict"]
    ]
    section.table(
        "reliability",
        disp,
        caption="Agreement between coders A and B for each learning outcome (answers coded by both).",
        counts={"n_answers": people("answers coded by both")},
        dependent_columns={
            c: "n_answers" for c in ["pct_agreement", "kappa_quadratic", "alpha", "alpha_ci_low", "alpha_ci_high"]
        },
        note="Kappa: Cohen's kappa with quadratic weights. Alpha: Krippendorff's alpha for ordinal codes, with a 95% BCa "
        "bootstrap CI resampling practitioners with all their answers (Efron 1987).",
        appendix=True,
        labels={
            "label": "Learning outcome",
            "n_answers": "Answers coded by both",
            "pct_agreement": "Same level (%)",
            "kappa_quadratic": "Weighted kappa",
            "alpha": "Krippendorff's alpha",
            "alpha_ci_low": "Alpha 95% CI low",
            "alpha_ci_high": "Alpha 95% CI high",
            "verdict": "Verdict",
        },
    )
    section.markdown(describe_resolution(results[RESOLVED.key], frame), appendix=True)
    section.markdown(describe_alignment(results[ANSWER_SCORES.key], frame, section), appendix=True)


def _clearly_present(section, results: dict, min_cell: int) -> list:
    """Which outcomes were clearly present, by wave and training (heatmap in the body, table in the appendix).

    A heatmap cell is blank when it has fewer than ``min_cell`` answers, too few answers to be shown
    (at or under the threshold), or a small number of answers clearly present (its % would give it back).
    """
    rel = results[RELIABILITY.key]
    cp = results[CLEARLY_PRESENT.key]
    min_n = max(min_cell, section.threshold + 1)
    fig = chart_clearly_present(cp, rel, min_n=min_n, threshold=section.threshold)
    totals = cp.groupby("outcome")[["n_clearly_present", "n_answers"]].sum()
    top = 100 * totals["n_clearly_present"] / totals["n_answers"].clip(lower=1)
    n_all = int(cp.groupby("outcome")["n_answers"].sum().min()) if len(cp) else 0
    hi, lo = top.idxmax(), top.idxmin()

    def pct(outcome) -> str:
        """The share for one outcome over all answers: "c" (no % sign) when its count is small."""
        k = totals.loc[outcome, "n_clearly_present"]
        text = section.value(top[outcome], min(n_all, k) if k else n_all, "{:.0f}")
        return text if text == SUPPRESSED else f"{text}%"

    section.figure(
        "clearly_present",
        fig,
        alt=(
            "Heatmap of the percentage of answers in which each of the learning outcomes was coded clearly present, with "
            "one column for each wave and training status (not yet trained, trained). Across all answers, "
            f"{_outcome_label(hi).lower()} was most often clearly present ({pct(hi)}) and "
            f"{_outcome_label(lo).lower()} least often ({pct(lo)})."
        ),
        caption=(
            f"% of answers with the learning outcome clearly present (both coders, or the third coder, said so). Cells "
            f"with fewer than {min_n} answers, or with too few answers clearly present to show, are left blank."
        ),
    )
    cp_disp = cp.assign(
        outcome=cp["outcome"].map(lambda o: _outcome_label(o, rel)), trained=cp["trained"].map(TRAINED_LABELS)
    )
    section.table(
        "clearly_present",
        cp_disp,
        caption="Answers with each learning outcome clearly present, by wave and training status at the answer date.",
        counts={"n_answers": people("answers"), "n_clearly_present": people("answers"), "wave": label("wave")},
        dependent_columns={"pct_clearly_present": ["n_clearly_present", "n_answers"]},
        decimals=0,
        appendix=True,
        labels={
            "outcome": "Learning outcome",
            "wave": "Wave",
            "trained": "Training at the answer date",
            "n_answers": "Answers",
            "n_clearly_present": "Clearly present",
            "pct_clearly_present": "Clearly present (%)",
        },
    )
    return [fig]


def _models_and_groups(section, results: dict) -> list:
    """The mixed models (prose; model terms in the appendix), mean alignment by group (table) and its
    distribution (chart: groups of the threshold or fewer practitioners are merged or left out)."""
    rel = results[RELIABILITY.key]
    model = results[MODEL.key]
    pw = results[PRACTITIONER_WAVES.key]
    answers = results[ANSWER_SCORES.key]
    answers = answers[answers["alignment"].notna()]
    sizes, fitted = {}, None
    if len(model):
        # declared first: the prose reads each term's group size and the model's size as the tables show them
        estimates = ["estimate", "ci_low", "ci_high", "effect_size", "p", "p_holm"]
        display = _model_display(model, rel, answers)
        view = section.declare(
            "model",
            display,
            counts={"n_group": people("practitioners in the smaller group compared")},
            dependent_columns={c: "n_group" for c in estimates},
        )
        sizes = dict(zip(zip(model["model"], model["term"], strict=True), view["n_group"], strict=True))
        model_sizes = _model_sizes(model, rel)
        sized = section.declare(
            "model_sizes",
            model_sizes,
            counts={"n_practitioners": people("practitioners"), "n_answers": people("answers")},
        )
        overall = (model.drop_duplicates("model")["model"] == "overall").to_numpy()
        if overall.any():
            fitted = sized[overall].iloc[0][["n_practitioners", "n_answers"]].to_dict()
    section.markdown(describe_model(model, rel, section, answers, sizes, fitted))
    if len(model):
        section.table(
            "model",
            display,
            caption=(
                "Mixed-model estimates (points on the 0-100 alignment scale). First block: all terms of the model of the "
                "overall score; then the training term of the model of each learning outcome's score."
            ),
            note="Practitioner as random effect; CI: 95%, cluster-robust (CR2, practitioners as clusters) with "
            "Satterthwaite degrees of freedom (Pustejovsky & Tipton 2018). Effect size: estimate divided by the SD of "
            'scores around the model\'s fixed effects. A term comparing a group too small to show is "c". '
            "Within practitioners (Mundlak): the practitioner's share of trained answers is added to the model, so "
            "the training term compares a practitioner's own answers before and after training.",
            decimals=2,
            appendix=True,
            labels=MODEL_LABELS,
        )
        section.table(
            "model_sizes",
            model_sizes,
            caption="The practitioners and answers each model was fitted on.",
            appendix=True,
            labels=MODEL_SIZE_LABELS,
        )
        mw = results.get("model_warnings") or []
        section.markdown(
            "**Model fitting.** "
            + (
                "The fits raised these warnings (the estimates are reported as fitted; a convergence or boundary "
                "warning means the random-effect variance may be poorly determined): " + "; ".join(mw) + "."
                if mw
                else "Every model converged without a warning."
            ),
            appendix=True,
        )
    groups = results[GROUPS.key]
    gd = groups.assign(
        group=groups.apply(lambda r: ROLE_LABELS.get(r["group"], TRAINED_LABELS.get(r["group"], r["group"])), axis=1)
    )
    gshown = section.table(
        "groups",
        gd,
        caption="Mean alignment of practitioners by training status, role and borough, per wave (a practitioner's score is the mean of their answers in the wave).",
        counts={"n_practitioners": people("practitioners"), "n_answers": people("answers"), "wave": label("wave")},
        dependent_columns={
            "mean_alignment": "n_practitioners",
            "sd_alignment": "n_practitioners",
            "n_answers": "n_practitioners",
        },
        decimals=1,
        labels={
            "dimension": "Grouped by",
            "group": "Group",
            "wave": "Wave",
            "n_practitioners": "Practitioners",
            "n_answers": "Answers",
            "mean_alignment": "Mean alignment (0-100)",
            "sd_alignment": "SD",
        },
    )
    if not len(pw):
        return []
    # a wave-and-training group the groups table suppresses is not drawn either (its dots would count it)
    hidden = [
        f"Wave {int(r['wave'])}\n{r['group']}"
        for (_, r), n in zip(groups.iterrows(), gshown["n_practitioners"], strict=True)
        if r["dimension"] == "training" and n == SUPPRESSED
    ]
    fig, shown = chart_distributions(pw, section.threshold, hidden=hidden)
    section.figure(
        "distributions",
        fig,
        alt=(
            "Box plots with one dot per practitioner of alignment scores (0-100): on the left by wave and training status, "
            "on the right by role (roles with too few practitioners to show are merged or left out). The numbers of "
            "practitioners and the group means are in the table above."
        ),
        caption="Alignment per practitioner and wave, by training status and by role. Groups "
        "of too few practitioners to show are merged or left out.",
    )
    return [fig]


def _change(section, results: dict) -> list:
    """Change between waves by rollout group and the difference in differences (prose, table, chart)."""
    change = results[CHANGE.key]
    pw = results[PRACTITIONER_WAVES.key]
    cd = with_smaller_group(change).assign(p=change["p"].map(stats.describe_p))
    table = cd.assign(
        group=cd["group"].map({**ROLLOUT_GROUPS, "difference_in_differences": "Difference in differences"})
    )
    # the prose and the chart read the table as a reader will see it (a group it suppresses is "c" there too)
    shown = section.declare(
        "change",
        table,
        counts={"n_practitioners": people("practitioners"), "n_smaller": people("practitioners")},
        dependent_columns={c: ["n_practitioners", "n_smaller"] for c in CHANGE_VALUES},
    ).assign(group=cd["group"].to_numpy())
    section.markdown(describe_change(shown, section))
    section.table(
        "change",
        table,
        caption="Change in alignment between waves for practitioners who answered at both, by when they were trained.",
        note="Difference in differences: mean change of those trained between the waves minus that of those not trained by wave 2 (Welch CI).",
        decimals=1,
        # the difference in differences is computed from the practitioners of the two groups: not a row a
        # reader could tell is their sum, so said here
        row_margins=[
            {
                **CHANGE_MARGINS[0],
                "total": "Difference in differences",
                "parts": [ROLLOUT_GROUPS["trained_between_waves"], ROLLOUT_GROUPS["not_trained_by_wave2"]],
            }
        ],
        labels=CHANGE_LABELS,
    )
    rg = rollout_groups(pw)
    if not len(rg):
        return []
    # a group the table suppresses (also by secondary suppression) is not drawn either: its lines would count it
    shown = shown.set_index("group")
    hidden = [g for g in ROLLOUT_GROUPS if g in shown.index and shown.loc[g, "n_practitioners"] == SUPPRESSED]
    fig, shown_groups = chart_change(pw, section.threshold, hidden=hidden)
    if not shown_groups:
        return []
    section.figure(
        "change",
        fig,
        alt=(
            "Line charts, one line per practitioner from wave 1 to wave 2, in panels by rollout group, with the group mean "
            "in bold, for "
            + _list([ROLLOUT_GROUPS[g].lower() for g in shown_groups])
            + " (groups with too few practitioners to show are left out). The numbers of practitioners and the mean "
            "changes are in the table above."
        ),
        caption="Each practitioner's alignment at the two waves, by when they were trained.",
    )
    return [fig]


def _quotes(section, quotes: pd.DataFrame | None, counts: dict | None = None) -> None:
    """Consented quotes redacted by the project's helper (chosen by :func:`quotable_answers`), if
    any, and how many candidate answers were left out and why (answers are counted like people)."""
    counts = counts or {}
    dropped = (
        f" Of the highest-aligned answers considered, {section.count(counts.get('no_consent', 0))} had no consent to "
        f"quote, {section.count(counts.get('empty', 0))} had no text, and {section.count(counts.get('unsure', 0))} were "
        "left out because the redaction could not be sure it had removed every name, place or other identifier."
        if counts
        else ""
    )
    if quotes is None or not len(quotes):
        if counts:
            section.markdown("**In their words.** No answer could be quoted." + dropped, appendix=True)
        return
    text = (
        "**In their words.** Answers from practitioners who agreed to be quoted, with names, places and other "
        "identifiers replaced by the project's redaction helper (in square brackets), chosen as the most "
        "aligned answer to a scenario at the last wave." + dropped + "\n\n"
    )
    text += "\n\n".join(
        f"> {q['quote']} *(scenario {q['scenario_id']}, wave {int(q['wave'])})*" for _, q in quotes.iterrows()
    )
    section.markdown(text, appendix=True)
