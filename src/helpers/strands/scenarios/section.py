"""Practice scenarios report section: prose, tables and figures through the Section contract, from the analysis results.

The paragraphs are written by :mod:`.describe`, the model and change tables laid out by :mod:`.display`.
"""

from __future__ import annotations

import pandas as pd

from helpers import stats
from helpers.disclosure import SUPPRESSED, label, people
from helpers.evidence import Check
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
from .describe import (
    describe_alignment,
    describe_change,
    describe_model,
    describe_reliability,
    describe_resolution,
    frame_display,
    term_group_size,
)
from .display import (
    CHANGE_COUNTS,
    CHANGE_DEPENDENT,
    CHANGE_LABELS,
    CHANGE_MARGINS,
    MODEL_LABELS,
    MODEL_SIZE_LABELS,
    _model_display,
    _model_sizes,
    change_shown,
    with_smaller_group,
)
from .inputs import FRAME, ROLE_LABELS, ROLLOUT_GROUPS

_list = join_words

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
    are returned in a list (closed once saved unless a notebook shows them: ``Section.figure``). No free text is added except consented,
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
    """The mixed models (prose; model terms and sizes in the appendix), mean alignment by group (table)
    and its distribution (chart: groups of the threshold or fewer practitioners are merged or left out)."""
    rel = results[RELIABILITY.key]
    model = results[MODEL.key]
    answers = results[ANSWER_SCORES.key]
    answers = answers[answers["alignment"].notna()]
    tables = (_model_display(model, rel, answers), _model_sizes(model, rel)) if len(model) else None
    sizes, fitted = _declare_models(section, model, *tables) if tables else ({}, None)
    section.markdown(describe_model(model, rel, section, answers, sizes, fitted))
    if tables:
        _model_tables(section, results, *tables)
    return _groups(section, results)


def _declare_models(section, model: pd.DataFrame, display: pd.DataFrame, model_sizes: pd.DataFrame):
    """Declares the model tables before the prose reads them (each term's group size and the model's
    size as the tables will show them): ``({(model, term): group size cell}, the overall model's
    practitioners and answers as shown, or None)``."""
    estimates = ["estimate", "ci_low", "ci_high", "effect_size", "p", "p_holm"]
    view = section.declare(
        "model",
        display,
        counts={"n_group": people("practitioners in the smaller group compared")},
        dependent_columns={c: "n_group" for c in estimates},
    )
    sizes = dict(zip(zip(model["model"], model["term"], strict=True), view["n_group"], strict=True))
    sized = section.declare(
        "model_sizes",
        model_sizes,
        counts={"n_practitioners": people("practitioners"), "n_answers": people("answers")},
    )
    overall = (model.drop_duplicates("model")["model"] == "overall").to_numpy()
    fitted = sized[overall].iloc[0][["n_practitioners", "n_answers"]].to_dict() if overall.any() else None
    return sizes, fitted


def _model_tables(section, results: dict, display: pd.DataFrame, model_sizes: pd.DataFrame) -> None:
    """The model terms and the models' sizes (appendix), and the fits' warnings."""
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


def _groups(section, results: dict) -> list:
    """Mean alignment by training status, role and borough per wave (table), and its distribution (chart)."""
    pw = results[PRACTITIONER_WAVES.key]
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
        counts={c: people("practitioners") for c in CHANGE_COUNTS},
        dependent_columns=CHANGE_DEPENDENT,
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
