"""Practice scenarios report section: the paragraphs written from the analysis results (reliability,
resolution, alignment, the mixed models, the change between waves), every count and group figure
through the section's disclosure rule (``section.count`` / ``section.value``)."""

from __future__ import annotations

import re

import pandas as pd

from helpers.disclosure import SUPPRESSED
from helpers.evidence import P_UNUSUAL, UNUSUAL, p_words
from helpers.report_section import join_words

from .charts import _outcome_label
from .inputs import FRAME, OUTCOMES


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
    held = _held_constant(m)
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
    text += _checks(model, section, n_t)
    text += _per_outcome(model, rel)
    return text + _by_group(m, section, answers, sizes)


def _held_constant(m: pd.DataFrame) -> list[str]:
    """What the overall model holds constant besides training, from its terms."""
    return [
        name
        for key, name in (
            ("C(wave", "wave"),
            ("C(scenario_id", "scenario"),
            ("C(role", "role"),
            ("C(borough", "borough"),
        )
        if m.index.str.startswith(key).any()
    ] or ["nothing else"]


#: The two checks of the overall training term, each said when its model was fitted: the model, and the
#: sentence that reads its training term (``{estimate}`` in points, ``{ci}`` its 95% interval).
CHECKS = (
    (
        "overall_within",
        " Within practitioners alone (each practitioner's share of answers written after training held fixed, "
        "so only practitioners whose status changed inform it) the difference was {estimate} points "
        "(95% CI {ci}): this is the change in a practitioner's own answers after training, the closer reading "
        "of what training did.",
    ),
    (
        "overall_reliable_outcomes",
        " Over the reliably coded outcomes alone the difference was {estimate} (95% CI {ci}).",
    ),
)


def _checks(model: pd.DataFrame, section, n_t) -> str:
    """The training term within practitioners, and over the reliably coded outcomes alone (:data:`CHECKS`)."""
    text = ""
    for name, sentence in CHECKS:
        rows = model[(model["model"] == name) & (model["term"] == "trained")]
        if len(rows):
            r = rows.iloc[0]
            # tokens made in reading order, estimate then interval, as section.json lists them
            estimate = section.value(r["estimate"], n_t, "{:+.1f}")
            text += sentence.format(estimate=estimate, ci=section.ci(r["ci_low"], r["ci_high"], n_t))
    return text


def _per_outcome(model: pd.DataFrame, rel: pd.DataFrame) -> str:
    """The eight learning outcomes' training terms, Holm-adjusted, named only when they pass."""
    per = model[model["model"].isin(OUTCOMES) & (model["term"] == "trained")].sort_values("estimate", ascending=False)
    text = ""
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
    return text


def _by_group(m: pd.DataFrame, section, answers: pd.DataFrame, sizes: dict) -> str:
    """The role and borough terms of the overall model, each through ``section.value`` with the size
    of the smaller group it compares (a group too small to describe is left out)."""
    text = ""
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
