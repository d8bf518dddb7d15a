"""Practice scenarios report section: prose, tables and figures through the Section contract, from the analysis results."""

from __future__ import annotations

import pandas as pd

from helpers import stats

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


def _ci(row, lo="ci_low", hi="ci_high", digits=1) -> str:
    return f"{row[lo]:.{digits}f} to {row[hi]:.{digits}f}"


def _list(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


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


def describe_reliability(rel: pd.DataFrame, frame: dict | None = None) -> str:
    """Paragraph on inter-rater reliability against the benchmark stated in advance."""
    bench = (frame or FRAME)["benchmark"]
    ok = rel[rel["verdict"] == "reliable"]
    tent = rel[rel["verdict"] == "tentative"]
    bad = rel[rel["verdict"] == "unreliable"]
    text = (
        f"**How reliable the coding was.** Before any comparison, the two coders' codes were compared for each learning "
        f"outcome. The benchmark was set in advance (Krippendorff's alpha for ordinal codes: {bench['reliable']:.3f} or above "
        f"reliable, {bench['tentative']:.3f} to {bench['reliable']:.3f} tentative, below {bench['tentative']:.3f} unreliable). "
        f"Alpha ranged from {rel['alpha'].min():.2f} to {rel['alpha'].max():.2f}; the coders gave the same level on "
        f"{rel['pct_agreement'].min():.0f}% to {rel['pct_agreement'].max():.0f}% of answers. "
        f"{len(ok)} of {len(rel)} outcomes met the benchmark"
    )
    text += f" ({_list(ok['label'].str.lower())})." if len(ok) else "."
    for sub, word in ((tent, "tentative"), (bad, "unreliable")):
        if len(sub):
            parts = [
                f"{r['label'].lower()} (alpha {r['alpha']:.2f}, 95% CI {_ci(r, 'alpha_ci_low', 'alpha_ci_high', 2)})"
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


def describe_alignment(scores: pd.DataFrame, frame: dict | None = None) -> str:
    """Paragraph defining the alignment score and giving its mean per wave."""
    frame = frame or FRAME
    s = scores[scores["alignment"].notna()]
    by_wave = s.groupby("wave")["alignment"].agg(["mean", "size"])
    waves = "; ".join(
        f"wave {int(w)}: mean {r['mean']:.1f} over {int(r['size'])} answers" for w, r in by_wave.iterrows()
    )
    return (
        "**Alignment score.** Each learning outcome's resolved code is put on a 0-100 scale (absent 0, partly present 50, "
        "clearly present 100) and an answer's alignment score is the mean over its coded outcomes (computed when at least "
        f"{frame['min_outcomes_coded']} of the {len(frame['outcomes'])} are coded). 100 would mean every outcome clearly present. "
        f"{len(s)} of {len(scores)} answers were scored ({waves})."
    )


def describe_model(model: pd.DataFrame, rel: pd.DataFrame) -> str:
    """Paragraph on the mixed model: the training effect overall and by outcome, roles."""
    if model.empty or not (model["model"] == "overall").any():
        return "**Trained and not yet trained.** Too few answers, or no variation in training status, to fit the model."
    m = model[model["model"] == "overall"].set_index("term")
    t = m.loc["trained"]
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
    text = (
        f"**Trained and not yet trained.** A mixed model of the alignment score ({int(t['n_answers'])} answers from "
        f"{int(t['n_practitioners'])} practitioners; the same practitioner's answers are linked by a random effect; "
        f"{_list(held)} held constant) estimates that answers written after the practitioner had completed the "
        f"training scored {t['estimate']:+.1f} points (95% CI {_ci(t)}; standardised effect {t['effect_size']:.2f}) compared "
        "with answers written before."
    )
    r = model[(model["model"] == "overall_reliable_outcomes") & (model["term"] == "trained")]
    if len(r):
        r = r.iloc[0]
        text += f" Over the reliably coded outcomes alone the difference was {r['estimate']:+.1f} (95% CI {_ci(r)})."
    if len(per):
        hi, lo = per.iloc[0], per.iloc[-1]
        text += (
            f" The difference was largest for {_outcome_label(hi['model'], rel).lower()} ({hi['estimate']:+.1f}, {_ci(hi)}) "
            f"and smallest for {_outcome_label(lo['model'], rel).lower()} ({lo['estimate']:+.1f}, {_ci(lo)})."
        )
        unclear = per[(per["ci_low"] <= 0) & (per["ci_high"] >= 0)]
        if len(unclear):
            text += f" For {_list([_outcome_label(o, rel).lower() for o in unclear['model']])} the interval includes no difference."
    for key, what in (("C(role", "By role"), ("C(borough", "By borough")):
        rows = m[m.index.str.startswith(key)]
        if len(rows):
            text += (
                f" {what}: "
                + "; ".join(
                    f"{row['label'].split(': ', 1)[-1]} {row['estimate']:+.1f} points ({_ci(row)})"
                    for _, row in rows.iterrows()
                )
                + "."
            )
    if (m.index.str.startswith("C(role") | m.index.str.startswith("C(borough")).any():
        text += (
            " Some of these groups are small (see the numbers of practitioners in the table of group means): their "
            "intervals are wide and they are not interpreted on their own."
        )
    return text


def describe_change(change: pd.DataFrame) -> str:
    """Paragraph on before-and-after change by rollout group and the difference in differences."""
    c = change.set_index("group")
    sw, nv, did = c.loc["trained_between_waves"], c.loc["not_trained_by_wave2"], c.loc["difference_in_differences"]
    if sw["n_practitioners"] < 2 or nv["n_practitioners"] < 2 or pd.isna(did["mean_change"]):
        return (
            "**Before and after.** Too few practitioners answered at both waves in each rollout group to compare "
            "their change."
        )
    return (
        "**Before and after, the same practitioners.** The training was rolled out in cohorts, so some practitioners were "
        "trained between the two waves and others not by wave 2. "
        f"The {int(sw['n_practitioners'])} practitioners trained between the waves changed by {sw['mean_change']:+.1f} points "
        f"on average (from {sw['mean_wave1']:.1f} to {sw['mean_wave2']:.1f}; 95% CI {_ci(sw)}; d_z {sw['d_z']:.2f}); the "
        f"{int(nv['n_practitioners'])} not trained by wave 2 changed by {nv['mean_change']:+.1f} (95% CI {_ci(nv)}). "
        f"The difference in differences, {did['mean_change']:+.1f} points (95% CI {_ci(did)}; bootstrap "
        f"{_ci(did, 'boot_ci_low', 'boot_ci_high')}), is the change that went with training beyond what happened anyway "
        "over the year, if the two groups would otherwise have changed alike."
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


def _model_display(model: pd.DataFrame, rel: pd.DataFrame) -> pd.DataFrame:
    t = model.copy()
    t["model"] = t["model"].map(
        lambda m: (
            "All outcomes"
            if m == "overall"
            else ("Reliable outcomes only" if m == "overall_reliable_outcomes" else _outcome_label(m, rel))
        )
    )
    t["p"] = t["p"].map(stats.describe_p)
    return t.rename(columns={"model": "score", "label": "term_in_words"})[
        ["score", "term_in_words", "estimate", "ci_low", "ci_high", "effect_size", "p", "n_practitioners", "n_answers"]
    ]


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
    name-redacted quotes (:func:`quotable_answers`). The parts, in order: who answered which scenarios;
    coding and reliability; outcomes clearly present; models and groups; change between waves; quotes.
    """
    frame = frame or FRAME
    if results[ANSWER_SCORES.key]["alignment"].notna().sum() == 0:
        _no_scored_answer(section, results["counts"], borough_label, frame)
        return []
    _who_answered(section, results, scenarios, borough_label)
    _coding_and_reliability(section, results, frame)
    figs = _clearly_present(section, results, min_cell)
    figs += _models_and_groups(section, results)
    figs += _change(section, results)
    _quotes(section, results.get("quotes"))
    section.markdown(CAVEATS)
    return figs


def _frame_table(section, frame: dict) -> None:
    section.table(
        "coding_frame",
        frame_display(frame),
        caption="The coding frame: learning outcomes, definitions and anchors for each level.",
    )


def _no_scored_answer(section, counts: dict, borough_label: str, frame: dict) -> None:
    """A borough (or extract) with no scored answer: say so plainly rather than fail on empty tables.

    The coding frame is still printed so the reader knows what would have been coded.
    """
    section.markdown(
        f"No practice-scenario answer could be scored in {borough_label} "
        f"({counts['answers_in_scope']} answers from {counts['practitioners_answering']} practitioners in scope), "
        "so this strand has no results for this report. The coding frame the answers would be coded against is below."
    )
    _frame_table(section, frame)


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
        f"In {borough_label}, {counts['practitioners_answering']} of the {counts['practitioners_in_scope']} practitioners on "
        f"the roster answered {len(used)} scenarios ({_list([f'*{t}*' for t in used['title']])}): "
        + "; ".join(f"{int(n)} practitioners at wave {int(w)}" for w, n in n_w.items())
        + f", {counts['answers_in_scope']} answers in all. Each scenario asked, for example: {questions}"
    )


def _coding_and_reliability(section, results: dict, frame: dict) -> None:
    """How answers were coded (with the frame), agreement between coders, resolution and the alignment score."""
    rel = results[RELIABILITY.key]
    section.markdown(
        f"**How answers were coded.** Two coders independently coded every answer for each of the {len(frame['outcomes'])} "
        "learning outcomes of the project's coding frame (below), on a three-point scale: "
        + ", ".join(f"{k} {v}" for k, v in frame["scale"].items())
        + ". No published frame with anchors for these outcomes was found, so the project wrote one; every level has a "
        "written anchor describing what an answer at that level looks like."
    )
    _frame_table(section, frame)
    section.markdown(describe_reliability(rel, frame))
    disp = rel.assign(verdict=rel["verdict"].str.replace("_", " "))[
        ["label", "n_answers", "pct_agreement", "kappa_quadratic", "alpha", "alpha_ci_low", "alpha_ci_high", "verdict"]
    ]
    section.table(
        "reliability",
        disp,
        caption="Agreement between coders A and B for each learning outcome (answers coded by both).",
        count_columns=["n_answers"],
        dependent_columns={
            c: "n_answers" for c in ["pct_agreement", "kappa_quadratic", "alpha", "alpha_ci_low", "alpha_ci_high"]
        },
        note="Kappa: Cohen's kappa with quadratic weights. Alpha: Krippendorff's alpha for ordinal codes, with a 95% bootstrap CI (answers resampled).",
    )
    section.markdown(describe_resolution(results[RESOLVED.key], frame))
    section.markdown(describe_alignment(results[ANSWER_SCORES.key], frame))


def _clearly_present(section, results: dict, min_cell: int) -> list:
    """Which outcomes were clearly present, by wave and training (heatmap and table)."""
    rel = results[RELIABILITY.key]
    cp = results[CLEARLY_PRESENT.key]
    fig = chart_clearly_present(cp, rel, min_n=min_cell)
    top = cp.groupby("outcome").apply(
        lambda g: 100 * g["n_clearly_present"].sum() / max(1, g["n_answers"].sum()), include_groups=False
    )
    section.figure(
        "clearly_present",
        fig,
        alt=(
            "Heatmap of the percentage of answers in which each of the learning outcomes was coded clearly present, with "
            "one column for each wave and training status (not yet trained, trained). Across all answers, "
            f"{_outcome_label(top.idxmax()).lower()} was most often clearly present ({top.max():.0f}%) and "
            f"{_outcome_label(top.idxmin()).lower()} least often ({top.min():.0f}%)."
        ),
        caption=f"% of answers with the learning outcome clearly present (both coders, or the third coder, said so). Cells with fewer than {min_cell} answers are left blank.",
    )
    cp_disp = cp.assign(
        outcome=cp["outcome"].map(lambda o: _outcome_label(o, rel)), trained=cp["trained"].map(TRAINED_LABELS)
    )
    section.table(
        "clearly_present",
        cp_disp,
        caption="Answers with each learning outcome clearly present, by wave and training status at the answer date.",
        count_columns=["n_answers", "n_clearly_present"],
        dependent_columns={"pct_clearly_present": "n_clearly_present"},
        decimals=0,
    )
    return [fig]


def _models_and_groups(section, results: dict) -> list:
    """The mixed models (prose and table), mean alignment by group (table) and its distribution (chart)."""
    rel = results[RELIABILITY.key]
    model = results[MODEL.key]
    pw = results[PRACTITIONER_WAVES.key]
    section.markdown(describe_model(model, rel))
    if len(model):
        section.table(
            "model",
            _model_display(model, rel),
            caption=(
                "Mixed-model estimates (points on the 0-100 alignment scale). First block: all terms of the model of the "
                "overall score; then the training term of the model of each learning outcome's score."
            ),
            count_columns=["n_practitioners", "n_answers"],
            note="Practitioner as random effect; CI: 95% Wald interval. Effect size: estimate divided by the SD of scores around the model's fixed effects.",
            decimals=2,
        )
    groups = results[GROUPS.key]
    gd = groups.assign(
        group=groups.apply(lambda r: ROLE_LABELS.get(r["group"], TRAINED_LABELS.get(r["group"], r["group"])), axis=1)
    )
    section.table(
        "groups",
        gd,
        caption="Mean alignment of practitioners by training status, role and borough, per wave (a practitioner's score is the mean of their answers in the wave).",
        count_columns=["n_practitioners", "n_answers"],
        dependent_columns={"mean_alignment": "n_practitioners", "sd_alignment": "n_practitioners"},
        decimals=1,
    )
    if not len(pw):
        return []
    fig = chart_distributions(pw)
    w = pw[pw["trained"] != "mixed"].groupby(["wave", "trained"])["alignment"].median()
    section.figure(
        "distributions",
        fig,
        alt=(
            "Box plots with one dot per practitioner of alignment scores (0-100): on the left by wave and training status, "
            "on the right by role. Median scores: "
            + "; ".join(
                f"wave {int(wv)} {'trained' if t == 'yes' else 'not yet trained'} {v:.0f}" for (wv, t), v in w.items()
            )
            + "."
        ),
        caption="Alignment per practitioner and wave, by training status and by role; n = practitioner-waves.",
    )
    return [fig]


def _change(section, results: dict) -> list:
    """Change between waves by rollout group and the difference in differences (prose, table, chart)."""
    change = results[CHANGE.key]
    pw = results[PRACTITIONER_WAVES.key]
    section.markdown(describe_change(change))
    cd = change.assign(
        group=change["group"].map({**ROLLOUT_GROUPS, "difference_in_differences": "Difference in differences"})
    )
    cd["p"] = cd["p"].map(stats.describe_p)
    section.table(
        "change",
        cd,
        caption="Change in alignment between waves for practitioners who answered at both, by when they were trained.",
        count_columns=["n_practitioners"],
        dependent_columns={
            c: "n_practitioners"
            for c in [
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
        },
        note="Difference in differences: mean change of those trained between the waves minus that of those not trained by wave 2 (Welch CI).",
        decimals=1,
    )
    rg = rollout_groups(pw)
    if not len(rg):
        return []
    fig = chart_change(pw)
    means = rg.assign(ch=rg["wave2"] - rg["wave1"]).groupby("group")["ch"].mean()
    section.figure(
        "change",
        fig,
        alt=(
            "Line charts, one line per practitioner from wave 1 to wave 2, in panels by rollout group, with the group mean "
            "in bold. Mean change: "
            + "; ".join(f"{ROLLOUT_GROUPS[g].lower()} {means[g]:+.1f} points" for g in ROLLOUT_GROUPS if g in means)
            + "."
        ),
        caption="Each practitioner's alignment at the two waves, by when they were trained.",
    )
    return [fig]


def _quotes(section, quotes: pd.DataFrame | None) -> None:
    """Consented, name-redacted quotes (already chosen by :func:`quotable_answers`), if any."""
    if quotes is None or not len(quotes):
        return
    text = (
        f"**In their words.** {'One answer' if len(quotes) == 1 else f'{len(quotes)} answers'} from practitioners who "
        "agreed to be quoted (names removed), chosen as the most aligned answer to a scenario at the last wave:\n\n"
    )
    text += "\n\n".join(
        f"> {q['quote']} *(scenario {q['scenario_id']}, wave {int(q['wave'])})*" for _, q in quotes.iterrows()
    )
    section.markdown(text)
