"""SCORE-15: family functioning as each family member aged 12+ sees it, at two waves.

Reference: ``shared/reference/score15.md`` (Stratton et al. 2010, 2014; Hamilton et al. 2015).

Scoring, in the direction of the published "family problem score" (higher = more difficulty):

* the ten problem-worded items are reversed (6 - answer), the five strengths items kept as answered
  (:data:`REVERSED_ITEMS`; the direction is *medium confidence*);
* the three subscales and the total are **means** of their scored items, on the 1-5 scale;
* missing items (the project's own rule, as no official one was found): a subscale mean is computed
  when at most one of its five items is missing (then it is the mean of the four answered, flagged as
  prorated); the total is computed only when all three subscales are, as the mean of the answered
  items, flagged as prorated when any item is missing.

Reliability is Cronbach's alpha at wave 1. Change between waves is described per respondent and per
family with :func:`helpers.stats.paired_change`; reliable change (Jacobson & Truax 1991) uses the
data's own wave-1 SD of the total and the total's alpha, because no published norm exists.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import stats
from .config import BOROUGH_NAMES, DEFAULT_SUPPRESSION_THRESHOLD
from .disclosure import is_small
from .ingest import Column, Field, OutputTable, RawFile

STRAND = "score15"
N_ITEMS = 15
ITEMS = tuple(f"q{i:02d}" for i in range(1, N_ITEMS + 1))
ITEM_TEXT = {
    1: "In my family we talk to each other about things which matter to us",
    2: "People often don't tell each other the truth in my family",
    3: "Each of us gets listened to in our family",
    4: "It feels risky to disagree in our family",
    5: "We find it hard to deal with everyday problems",
    6: "We trust each other",
    7: "It feels miserable in our family",
    8: "When people in my family get angry they ignore each other on purpose",
    9: "We seem to go from one crisis to another in my family",
    10: "When one of us is upset they get looked after within the family",
    11: "Things always seem to go wrong for my family",
    12: "People in the family are nasty to each other",
    13: "People in my family interfere too much in each other's lives",
    14: "In my family we blame each other when things go wrong",
    15: "We are good at finding new ways to deal with things that are difficult",
}
RESPONSE_SCALE = {1: "describes us very well", 2: "well", 3: "partly", 4: "not well", 5: "not at all"}

#: Problem-worded items, reversed as 6 - answer so that every scored item reads higher = more
#: difficulty; items 1, 3, 6, 10 and 15 (strengths) are kept as answered. Confidence: MEDIUM. The
#: direction is inferred from the published direction statements ("lower = better functioning",
#: a "family problem score"); the official AFT scoring sheet was not available to check it.
REVERSED_ITEMS = (2, 4, 5, 7, 8, 9, 11, 12, 13, 14)

#: Subscales (PhenX protocol 662102): name -> item numbers.
SUBSCALES = {
    "strengths_adaptability": (1, 3, 6, 10, 15),
    "overwhelmed_by_difficulties": (5, 7, 9, 11, 14),
    "disrupted_communication": (2, 4, 8, 12, 13),
}
SUBSCALE_LABELS = {
    "strengths_adaptability": "Strengths and adaptability",
    "overwhelmed_by_difficulties": "Overwhelmed by difficulties",
    "disrupted_communication": "Disrupted communication",
    "total": "Total (all 15 items)",
}
#: The project's missing-item rule: a subscale mean is computed with at most this many of its five
#: items missing (no official rule exists).
MAX_MISSING_PER_SUBSCALE = 1
#: z for the reliable change index (95%, two-sided), Jacobson & Truax (1991).
RCI_Z = 1.96

ROLES = {
    "mother": "Mother",
    "father": "Father",
    "carer": "Other parent figure or carer (e.g. step-parent, kinship carer, foster carer)",
    "young_person": "Young person aged 12 or over",
    "other_adult": "Other adult family member",
}
WAVES = {"1": "Wave 1, soon after work with the family began", "2": "Wave 2, about six months later"}
BOROUGH_CODES = {name: name for name in BOROUGH_NAMES}

RESPONSES = RawFile(
    key="score15_responses",
    filename="score15_responses.csv",
    strand=STRAND,
    description=(
        "SCORE-15 questionnaires: one row per respondent (family member aged 12+) per wave. Answers "
        "are as ticked on the form (1 = describes us very well ... 5 = not at all), before any reversal."
    ),
    unique_key=("respondent_id", "wave"),
    columns=(
        Column("family_id", "string", "The LA's family or case identifier (pseudonymised at ingest; joins families.csv).", identifier_prefix="F"),
        Column("respondent_id", "string", "Identifier of the family member answering, stable across waves (pseudonymised at ingest).", identifier_prefix="R"),
        Column("borough", "category", "Borough working with the family.", codes=BOROUGH_CODES),
        Column("wave", "integer", "Questionnaire wave: 1 soon after work began, 2 about six months later.", minimum=1, maximum=2),
        Column("completed_on", "date", "Date the questionnaire was completed (YYYY-MM-DD)."),
        Column("respondent_role", "category", "The respondent's place in the family.", codes=ROLES),
        Column("age", "integer", "Age in years when answering. SCORE-15 is for family members aged 12 and over, so a younger age rejects the row.", minimum=12, maximum=120),
        *(
            Column(
                q,
                "integer",
                f"Item {i}: \"{ITEM_TEXT[i]}\". Answer as ticked, 1 (describes us very well) to 5 (not at all); "
                f"blank if not answered. {'Problem-worded: reversed (6 - answer) in scoring.' if i in REVERSED_ITEMS else 'Strengths item: scored as answered.'} "
                "An answer outside 1-5 or not a number is set to missing and logged.",
                nullable=True,
                minimum=1,
                maximum=5,
                on_invalid="set_missing",
            )
            for i, q in enumerate(ITEMS, start=1)
        ),
    ),
)
RAW_FILES = (RESPONSES,)

SCALES = (*SUBSCALES, "total")
_SCORE_DESC = "mean of its scored items, 1-5, higher = more difficulty"


def _flag_name(scale: str) -> str:
    return f"{scale}_prorated"


SCORES = OutputTable(
    key="score15_scores",
    filename="score15/scores.csv",
    strand=STRAND,
    description="One row per accepted SCORE-15 form: subscale and total scores (means, 1-5) with prorating flags.",
    fields=(
        Field("family_id", "string", "Family pseudonym (joins families.csv)."),
        Field("respondent_id", "string", "Respondent pseudonym, stable across waves."),
        Field("borough", "category", "Borough working with the family."),
        Field("wave", "integer", "1 or 2."),
        Field("completed_on", "date", "Date the form was completed."),
        Field("respondent_role", "category", "The respondent's place in the family."),
        *(Field(s, "number", f"{SUBSCALE_LABELS[s]} subscale: {_SCORE_DESC}; blank if more than {MAX_MISSING_PER_SUBSCALE} of its 5 items are missing.") for s in SUBSCALES),
        Field("total", "number", f"Total score: mean of all answered scored items, 1-5, higher = more difficulty; blank unless all three subscales are computed."),
        Field("n_items_answered", "integer", "Number of the 15 items with a valid answer (out-of-range answers count as missing)."),
        *(Field(_flag_name(s), "boolean", f"True when the {SUBSCALE_LABELS[s].lower()} score is the mean of 4 answered items; blank when not computed.") for s in SUBSCALES),
        Field("total_prorated", "boolean", "True when the total is computed with at least one item missing; blank when not computed."),
    ),
)
RELIABILITY = OutputTable(
    key="score15_reliability",
    filename="score15/reliability.csv",
    strand=STRAND,
    description="Cronbach's alpha of the total and each subscale at wave 1 (forms with all the scale's items answered).",
    fields=(
        Field("scale", "category", "total or a subscale name."),
        Field("label", "string", "Scale name in words."),
        Field("n_items", "integer", "Items in the scale."),
        Field("n", "integer", "Wave-1 forms with every item of the scale answered (used for alpha)."),
        Field("alpha", "number", "Cronbach's alpha."),
        Field("ci_low", "number", "Lower end of the 95% confidence interval of alpha (Feldt)."),
        Field("ci_high", "number", "Upper end of the 95% confidence interval of alpha (Feldt)."),
    ),
)
CHANGE_RESPONDENTS = OutputTable(
    key="score15_change_respondents",
    filename="score15/change_respondents.csv",
    strand=STRAND,
    description="One row per respondent with a total score at both waves: totals, change and reliable-change category.",
    fields=(
        Field("family_id", "string", "Family pseudonym."),
        Field("respondent_id", "string", "Respondent pseudonym."),
        Field("borough", "category", "Borough working with the family."),
        Field("respondent_role", "category", "Role at wave 1."),
        Field("practitioner_trained", "boolean", "The family's practitioner had completed systemic training when work began; blank if unknown."),
        Field("total_wave1", "number", "Total score at wave 1 (mean, 1-5)."),
        Field("total_wave2", "number", "Total score at wave 2 (mean, 1-5)."),
        Field("change", "number", "total_wave2 - total_wave1; negative = better family functioning."),
        Field("reliable_change", "category", "improved (change <= -RCI), no_reliable_change, or worse (change >= RCI)."),
    ),
)
FAMILY_CHANGE = OutputTable(
    key="score15_family_change",
    filename="score15/family_change.csv",
    strand=STRAND,
    description=(
        "One row per family with at least one member who has a total score at both waves: the family mean of "
        "those members' totals at each wave and its change. Read by other strands (leading columns fixed)."
    ),
    fields=(
        Field("family_id", "string", "Family pseudonym (joins families.csv)."),
        Field("n_respondents", "integer", "Members with a total score at both waves (the members averaged)."),
        Field("total_wave1", "number", "Mean of those members' wave-1 totals (1-5, higher = more difficulty)."),
        Field("total_wave2", "number", "Mean of those members' wave-2 totals (1-5)."),
        Field("change", "number", "total_wave2 - total_wave1; negative = better family functioning."),
        Field("borough", "category", "Borough working with the family."),
        Field("practitioner_trained", "boolean", "The family's practitioner had completed systemic training when work began; blank if unknown."),
    ),
)
_CHANGE_FIELDS = (
    Field("n", "integer", "Pairs (respondents or families) with a score at both waves."),
    Field("mean_wave1", "number", "Mean total at wave 1 (1-5)."),
    Field("mean_wave2", "number", "Mean total at wave 2 (1-5)."),
    Field("mean_change", "number", "Mean of the changes (wave 2 - wave 1); negative = improvement."),
    Field("sd_change", "number", "Standard deviation of the changes."),
    Field("ci_low", "number", "Lower end of the t-based 95% CI of the mean change."),
    Field("ci_high", "number", "Upper end of the t-based 95% CI of the mean change."),
    Field("boot_ci_low", "number", "Lower end of the percentile bootstrap 95% CI of the mean change."),
    Field("boot_ci_high", "number", "Upper end of the percentile bootstrap 95% CI of the mean change."),
    Field("d_z", "number", "Cohen's d_z: mean change / SD of changes."),
    Field("dz_ci_low", "number", "Lower end of the bootstrap 95% CI of d_z."),
    Field("dz_ci_high", "number", "Upper end of the bootstrap 95% CI of d_z."),
    Field("t", "number", "Paired t statistic."),
    Field("p", "number", "Two-sided p-value of the paired t-test."),
)
_CLUSTER_FIELDS = (
    Field("n_families", "integer", "Families the pairs belong to (the clusters of the family bootstrap)."),
    Field("family_boot_ci_low", "number", "Lower end of the 95% CI of the mean change from a bootstrap that resamples whole families (allows for members of one family being alike)."),
    Field("family_boot_ci_high", "number", "Upper end of that family-resampling bootstrap 95% CI."),
)
CHANGE_SUMMARY = OutputTable(
    key="score15_change_summary",
    filename="score15/change_summary.csv",
    strand=STRAND,
    description="Change in the total score between waves, per respondent and per family, overall and by practitioner training.",
    fields=(
        Field("unit", "category", "respondents or families."),
        Field("group", "category", "all, trained, not_trained (practitioner trained when work began) or unknown."),
        *_CHANGE_FIELDS,
        *_CLUSTER_FIELDS,
    ),
)
RELIABLE_CHANGE = OutputTable(
    key="score15_reliable_change",
    filename="score15/reliable_change.csv",
    strand=STRAND,
    description="Respondents by reliable-change category (Jacobson & Truax RCI from this data's wave-1 SD and alpha), overall and by practitioner training.",
    fields=(
        Field("group", "category", "all, trained, not_trained or unknown."),
        Field("n_respondents", "integer", "Respondents with a total at both waves."),
        Field("n_improved", "integer", "Change <= -RCI (reliably better)."),
        Field("pct_improved", "number", "n_improved as a % of n_respondents."),
        Field("n_no_reliable_change", "integer", "-RCI < change < RCI."),
        Field("pct_no_reliable_change", "number", "n_no_reliable_change as a % of n_respondents."),
        Field("n_worse", "integer", "Change >= RCI (reliably worse)."),
        Field("pct_worse", "number", "n_worse as a % of n_respondents."),
        Field("rci", "number", "The reliable change threshold on the total (mean, 1-5) scale."),
    ),
)
SUBSCALE_CHANGE = OutputTable(
    key="score15_subscale_change",
    filename="score15/subscale_change.csv",
    strand=STRAND,
    description="Change in each subscale and the total between waves, per respondent with the scale computed at both waves.",
    fields=(
        Field("scale", "category", "Subscale name or total."),
        Field("label", "string", "Scale name in words."),
        *_CHANGE_FIELDS,
    ),
)
OUTPUTS = (SCORES, RELIABILITY, CHANGE_RESPONDENTS, FAMILY_CHANGE, CHANGE_SUMMARY, RELIABLE_CHANGE, SUBSCALE_CHANGE)

TRAINED_LABELS = {"trained": "Practitioner trained", "not_trained": "Practitioner not (yet) trained", "unknown": "Training not known", "all": "All"}


# ---------------------------------------------------------------- scoring

def scored_items(responses: pd.DataFrame) -> pd.DataFrame:
    """The 15 items in the scored direction (float, NaN = missing), columns ``q01``..``q15``.

    Items in :data:`REVERSED_ITEMS` become 6 - answer; the others are kept.
    """
    items = responses[list(ITEMS)].astype("Float64").astype(float)
    for i in REVERSED_ITEMS:
        items[ITEMS[i - 1]] = 6 - items[ITEMS[i - 1]]
    return items


def score_items(items: pd.DataFrame) -> pd.DataFrame:
    """Score already-scored items (output of :func:`scored_items`) with the missing-item rule.

    Returns one row per form: the subscale means, ``total``, ``n_items_answered`` and the
    ``*_prorated`` flags (nullable booleans, missing when the score is not computed).
    """
    out = pd.DataFrame(index=items.index)
    answered = items.notna()
    all_subscales = pd.Series(True, index=items.index)
    flags = {}
    for name, numbers in SUBSCALES.items():
        cols = [ITEMS[i - 1] for i in numbers]
        n_ans = answered[cols].sum(axis=1)
        ok = (len(cols) - n_ans) <= MAX_MISSING_PER_SUBSCALE
        out[name] = items[cols].mean(axis=1).where(ok)
        flags[_flag_name(name)] = pd.Series(n_ans < len(cols), dtype="boolean").where(ok, pd.NA)
        all_subscales &= ok
    n_answered = answered.sum(axis=1)
    out["total"] = items.mean(axis=1).where(all_subscales)
    out["n_items_answered"] = n_answered.astype(int)
    for name, flag in flags.items():
        out[name] = flag
    out["total_prorated"] = pd.Series(n_answered < N_ITEMS, dtype="boolean").where(all_subscales, pd.NA)
    return out


def score_forms(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per form (the :data:`SCORES` table) from ingested responses."""
    keep = ["family_id", "respondent_id", "borough", "wave", "completed_on", "respondent_role"]
    scores = score_items(scored_items(responses))
    out = pd.concat([responses[keep].reset_index(drop=True), scores.reset_index(drop=True)], axis=1)
    out = out.sort_values(["wave", "completed_on", "respondent_id"], kind="stable").reset_index(drop=True)
    return out[SCORES.column_names]


# ---------------------------------------------------------------- reliability

def reliability(responses: pd.DataFrame, wave: int = 1) -> pd.DataFrame:
    """Cronbach's alpha with its 95% CI for the total and each subscale at ``wave``.

    Uses the scored items of forms with every item of the scale answered (listwise), the usual
    convention for alpha; ``n`` says how many forms that is.
    """
    items = scored_items(responses[responses["wave"] == wave])
    rows = []
    for scale in SCALES:
        numbers = range(1, N_ITEMS + 1) if scale == "total" else SUBSCALES[scale]
        res = stats.cronbach_alpha(items[[ITEMS[i - 1] for i in numbers]])
        rows.append({"scale": scale, "label": SUBSCALE_LABELS[scale], "n_items": res["k"], "n": res["n"],
                     "alpha": res["alpha"], "ci_low": res["ci_low"], "ci_high": res["ci_high"]})
    return pd.DataFrame(rows, columns=RELIABILITY.column_names)


# ---------------------------------------------------------------- change

def reliable_change_index(sd_baseline: float, alpha: float, z: float = RCI_Z) -> dict:
    """Jacobson & Truax (1991) reliable change threshold.

    SE of measurement = SD1 * sqrt(1 - alpha); SE of a difference Sdiff = sqrt(2) * SE;
    RCI = z * Sdiff. A change at least this large (in either direction) is "reliable".
    """
    se = float(sd_baseline) * np.sqrt(1 - float(alpha))
    sdiff = np.sqrt(2) * se
    return {"sd_baseline": float(sd_baseline), "alpha": float(alpha), "se_measurement": float(se), "s_diff": float(sdiff), "rci": float(z * sdiff)}


def classify_change(change, rci: float) -> pd.Series:
    """improved (change <= -RCI: lower is better), worse (change >= RCI) or no_reliable_change."""
    change = pd.Series(change, dtype=float)
    out = pd.Series("no_reliable_change", index=change.index, dtype=object)
    if rci is None or np.isnan(rci):  # no threshold (too few forms for alpha or an SD): no category
        return pd.Series(None, index=change.index, dtype=object)
    out[change <= -rci] = "improved"
    out[change >= rci] = "worse"
    out[change.isna()] = None
    return out


def _trained_group(trained: pd.Series) -> pd.Series:
    t = pd.Series(trained, dtype="boolean")
    return t.map({True: "trained", False: "not_trained"}).astype(object).where(t.notna(), "unknown")


def respondent_change(scores: pd.DataFrame, families: pd.DataFrame | None, rci: float) -> pd.DataFrame:
    """Respondents with a total at both waves: totals, change and reliable-change category.

    ``families`` (from :func:`helpers.roster.load_families`) supplies ``practitioner_trained``.
    """
    w1 = scores[scores["wave"] == 1].set_index("respondent_id")
    w2 = scores[scores["wave"] == 2].set_index("respondent_id")
    both = w1.index[w1["total"].notna()].intersection(w2.index[w2["total"].notna()])
    out = w1.loc[both, ["family_id", "borough", "respondent_role"]].reset_index()
    out["practitioner_trained"] = _trained_lookup(out["family_id"], families)
    out["total_wave1"] = w1.loc[both, "total"].to_numpy()
    out["total_wave2"] = w2.loc[both, "total"].to_numpy()
    out["change"] = out["total_wave2"] - out["total_wave1"]
    out["reliable_change"] = classify_change(out["change"], rci).to_numpy()
    out = out.sort_values(["family_id", "respondent_id"]).reset_index(drop=True)
    return out[CHANGE_RESPONDENTS.column_names]


def _trained_lookup(family_ids: pd.Series, families: pd.DataFrame | None) -> pd.Series:
    if families is None or "practitioner_trained" not in families:
        return pd.Series(pd.NA, index=family_ids.index, dtype="boolean")
    lookup = families.drop_duplicates("family_id").set_index("family_id")["practitioner_trained"].astype("boolean")
    return family_ids.map(lookup).astype("boolean")


def family_change(resp_change: pd.DataFrame) -> pd.DataFrame:
    """Per family: mean of its members' totals at each wave (members with both waves) and the change."""
    g = resp_change.groupby("family_id", sort=True)
    out = pd.DataFrame({
        "n_respondents": g.size(),
        "total_wave1": g["total_wave1"].mean(),
        "total_wave2": g["total_wave2"].mean(),
    })
    out["change"] = out["total_wave2"] - out["total_wave1"]
    out["borough"] = g["borough"].first()
    out["practitioner_trained"] = g["practitioner_trained"].first().astype("boolean")
    return out.reset_index()[FAMILY_CHANGE.column_names]


def _change_row(before, after, n_boot: int, seed: int) -> dict:
    res = stats.paired_change(before, after, n_boot=n_boot, seed=seed)
    res["mean_wave1"], res["mean_wave2"] = res["mean_before"], res["mean_after"]
    return {f.name: res.get(f.name, np.nan) for f in _CHANGE_FIELDS}


def family_bootstrap_ci(change, family, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of ``change`` resampling whole families (cluster bootstrap).

    Members of one family answer alike, so resampling respondents one by one understates the
    uncertainty of a respondent-level mean; resampling families keeps each family's members together.
    Each resample's mean is (sum of the drawn families' changes) / (number of their members).
    Returns (nan, nan) with fewer than two families.
    """
    t = pd.DataFrame({"change": np.asarray(change, dtype=float), "family": np.asarray(family)}).dropna()
    g = t.groupby("family")["change"].agg(["sum", "count"])
    if len(g) < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(g), size=(n_boot, len(g)))
    means = g["sum"].to_numpy()[idx].sum(axis=1) / g["count"].to_numpy()[idx].sum(axis=1)
    a = (1 - level) / 2
    return (float(np.quantile(means, a)), float(np.quantile(means, 1 - a)))


def change_summary(resp_change: pd.DataFrame, fam_change: pd.DataFrame, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 2014) -> pd.DataFrame:
    """Paired change of the total per respondent and per family, overall and by practitioner training.

    Groups with no members are left out (``unknown`` appears only when some training is unknown).
    """
    rows = []
    for unit, table in (("respondents", resp_change), ("families", fam_change)):
        groups = _trained_group(table["practitioner_trained"])
        for group in ("all", "trained", "not_trained", "unknown"):
            sub = table if group == "all" else table[groups.to_numpy() == group]
            if group != "all" and sub.empty:
                continue
            lo, hi = family_bootstrap_ci(sub["change"], sub["family_id"], n_boot=n_boot, seed=seed + 2)
            rows.append({"unit": unit, "group": group, **_change_row(sub["total_wave1"], sub["total_wave2"], n_boot, seed),
                         "n_families": sub["family_id"].nunique(), "family_boot_ci_low": lo, "family_boot_ci_high": hi})
    return pd.DataFrame(rows, columns=CHANGE_SUMMARY.column_names)


def trained_difference(fam_change: pd.DataFrame, level: float = 0.95) -> dict:
    """Difference in mean family change, trained minus not-trained practitioner (Welch t, 95% CI).

    Family level, so that each family counts once and members of one family are not treated as
    independent. Negative = more improvement where the practitioner was trained. NaNs when either group
    has fewer than two families.
    """
    groups = _trained_group(fam_change["practitioner_trained"]).to_numpy()
    d = stats.difference_in_means(fam_change.loc[groups == "trained", "change"],
                                  fam_change.loc[groups == "not_trained", "change"], n_boot=0, level=level)
    enough = d["n_x"] >= 2 and d["n_y"] >= 2
    return {"n_trained": d["n_x"], "n_not_trained": d["n_y"], "difference": d["difference"] if enough else np.nan,
            "ci_low": d["ci_low"], "ci_high": d["ci_high"], "p": d["p"]}


def subscale_change(scores: pd.DataFrame, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 2014) -> pd.DataFrame:
    """Paired change of each subscale and the total, per respondent with that scale at both waves."""
    w1 = scores[scores["wave"] == 1].set_index("respondent_id")
    w2 = scores[scores["wave"] == 2].set_index("respondent_id")
    common = w1.index.intersection(w2.index)
    rows = []
    for scale in SCALES:
        rows.append({"scale": scale, "label": SUBSCALE_LABELS[scale],
                     **_change_row(w1.loc[common, scale], w2.loc[common, scale], n_boot, seed)})
    return pd.DataFrame(rows, columns=SUBSCALE_CHANGE.column_names)


def reliable_change_table(resp_change: pd.DataFrame, rci: float) -> pd.DataFrame:
    """Counts and % of respondents improved / no reliable change / worse, overall and by training."""
    groups = _trained_group(resp_change["practitioner_trained"])
    rows = []
    for group in ("all", "trained", "not_trained", "unknown"):
        sub = resp_change if group == "all" else resp_change[groups.to_numpy() == group]
        if group != "all" and sub.empty:
            continue
        n = len(sub)
        row = {"group": group, "n_respondents": n}
        for cat in ("improved", "no_reliable_change", "worse"):
            k = int((sub["reliable_change"] == cat).sum())
            row[f"n_{cat}"] = k
            row[f"pct_{cat}"] = 100 * k / n if n else np.nan
        row["rci"] = rci
        rows.append(row)
    return pd.DataFrame(rows, columns=RELIABLE_CHANGE.column_names)


def analyse(responses: pd.DataFrame, families: pd.DataFrame | None, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 2014) -> dict:
    """Everything the strand computes from ingested (and borough-filtered) responses.

    Returns a dict of tables keyed by output key (``score15_scores`` ...) plus ``rci`` (the dict
    from :func:`reliable_change_index`) and ``trained_difference`` (:func:`trained_difference`).
    """
    scores = score_forms(responses)
    rel = reliability(responses, wave=1)
    total_alpha = float(rel.loc[rel["scale"] == "total", "alpha"].iloc[0])
    sd1 = float(scores.loc[scores["wave"] == 1, "total"].std(ddof=1))
    rci = reliable_change_index(sd1, total_alpha)
    resp = respondent_change(scores, families, rci["rci"])
    fam = family_change(resp)
    return {
        SCORES.key: scores,
        RELIABILITY.key: rel,
        CHANGE_RESPONDENTS.key: resp,
        FAMILY_CHANGE.key: fam,
        CHANGE_SUMMARY.key: change_summary(resp, fam, n_boot=n_boot, seed=seed),
        RELIABLE_CHANGE.key: reliable_change_table(resp, rci["rci"]),
        SUBSCALE_CHANGE.key: subscale_change(scores, n_boot=n_boot, seed=seed),
        "rci": rci,
        "trained_difference": trained_difference(fam),
    }


def filter_borough(responses: pd.DataFrame, names) -> pd.DataFrame:
    """Rows of the boroughs in ``names`` (from :func:`helpers.config.borough_names`)."""
    return responses[responses["borough"].isin(list(names))].reset_index(drop=True)


def item_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """Ingest issues on questionnaire items (answers set to missing), for the report's count."""
    if issues is None or issues.empty:
        return pd.DataFrame(columns=["file", "row", "column", "value", "reason", "action"])
    return issues[issues["column"].isin(ITEMS) & (issues["action"] == "value set to missing")]


# ---------------------------------------------------------------- charts

def chart_change(resp_change: pd.DataFrame, rci: float):
    """Histogram of per-respondent change in the total, with the ±RCI bands marked."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.axvspan(-rci, rci, color="#dddddd", alpha=0.6, label=f"no reliable change (|change| < {rci:.2f})")
    sns.histplot(resp_change["change"], bins=np.arange(-2.5, 2.55, 0.1), ax=ax, color="#1f77b4")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(min(-1.5, resp_change["change"].min() - 0.1) if len(resp_change) else -1.5,
                max(1.5, resp_change["change"].max() + 0.1) if len(resp_change) else 1.5)
    ax.set_xlabel("Change in SCORE-15 total, wave 2 minus wave 1 (negative = better)")
    ax.set_ylabel("Respondents")
    ax.legend(loc="upper left", frameon=False)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def chart_subscales_by_wave(scores: pd.DataFrame, resp_change: pd.DataFrame):
    """Mean subscale and total scores at each wave (respondents with a total at both waves), 95% CI."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    sub = scores[scores["respondent_id"].isin(resp_change["respondent_id"])]
    long = sub.melt(id_vars=["respondent_id", "wave"], value_vars=list(SCALES), var_name="scale", value_name="score")
    long["scale"] = long["scale"].map(SUBSCALE_LABELS)
    long["wave"] = "Wave " + long["wave"].astype(str)
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.pointplot(data=long, x="scale", y="score", hue="wave", dodge=0.3, errorbar=("ci", 95), seed=0,
                  linestyle="none", markers=["o", "s"], ax=ax, palette=["#7f7f7f", "#1f77b4"])
    ax.set_xlabel("")
    ax.set_ylabel("Mean score (1-5, higher = more difficulty)")
    ax.set_xticks(ax.get_xticks(), [t.get_text().replace(" (all 15 items)", "").replace(" and ", " &\n").replace(" by ", " by\n") for t in ax.get_xticklabels()])
    ax.legend(title="", frameon=False)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def chart_wave1_vs_wave2(resp_change: pd.DataFrame, rci: float):
    """Each respondent's wave-1 total against wave-2 total, with the no-change line and RCI band."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    data = resp_change.assign(group=_trained_group(resp_change["practitioner_trained"]).map(TRAINED_LABELS))
    fig, ax = plt.subplots(figsize=(5.5, 5))
    grid = np.array([1, 5])
    ax.fill_between(grid, grid - rci, grid + rci, color="#dddddd", alpha=0.6, label="no reliable change")
    ax.plot(grid, grid, color="black", lw=0.8)
    sns.scatterplot(data=data, x="total_wave1", y="total_wave2", hue="group", alpha=0.7, s=18, ax=ax)
    ax.set_xlim(1, 5)
    ax.set_ylim(1, 5)
    ax.set_aspect("equal")
    ax.set_xlabel("Total at wave 1 (1-5)")
    ax.set_ylabel("Total at wave 2 (1-5)")
    ax.legend(title="", frameon=False, loc="upper left", fontsize=8)
    sns.despine(fig)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- report section

def _fmt_ci(row, lo="ci_low", hi="ci_high", digits=2) -> str:
    return f"{row[lo]:.{digits}f} to {row[hi]:.{digits}f}"


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.0f}%" if n else "n/a"


def _count(k: int) -> str:
    """A count of people for prose: small counts (1 to the suppression threshold) are not given."""
    return f"fewer than {DEFAULT_SUPPRESSION_THRESHOLD + 1}" if is_small(k) else f"{int(k)}"


def _count_pct(k: int, n: int) -> str:
    """"k (p%)", or only "fewer than 6" when k is small (the % would give the count back)."""
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
        "every item reads *higher = more difficulty*, the published direction of the SCORE-15 \"family problem score\". "
        "Three subscales (strengths and adaptability; overwhelmed by difficulties; disrupted communication) and the total "
        "are reported as **means on the 1-5 scale** (not sums). "
        "No official rule for missing answers was found, so the project set its own: a subscale is scored when at most one "
        "of its five items is missing (it is then the mean of the four answered items, and flagged as prorated); the total "
        "is scored only when all three subscales are, as the mean of the answered items. "
        f"Of {_count(n)} forms, {_count_pct(prorated, n)} have a prorated total and {_count(unscored)} could not be scored. "
        f"Prorated subscales: strengths {_count(sub_prorated['strengths_adaptability'])}, overwhelmed "
        f"{_count(sub_prorated['overwhelmed_by_difficulties'])}, disrupted communication {_count(sub_prorated['disrupted_communication'])}. "
        + ("No answer in the extract was outside 1-5." if not n_item_issues else
           "In the whole extract, 1 answer was outside 1-5 or not a number; it was treated as missing and is listed "
           "in the data-quality section." if n_item_issues == 1 else
           f"In the whole extract, {n_item_issues} answers were outside 1-5 or not numbers; they were treated as "
           "missing and are listed in the data-quality section.")
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
        return ("**Trained and untrained practitioners.** Families of only one kind (trained or untrained practitioner) "
                "are in this selection, so the two cannot be compared.")
    t, u = resp.loc["trained"], resp.loc["not_trained"]
    if is_small(t["n"]) or is_small(u["n"]) or min(t["n"], u["n"]) < 2:
        return ("**Trained and untrained practitioners.** Too few family members in one of the two groups answered at "
                "both waves to compare them.")
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
            if diff and not np.isnan(diff["difference"]) and not (is_small(diff["n_trained"]) or is_small(diff["n_not_trained"]))
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
    return t[["unit", "group", "n", "n_families", "mean_wave1", "mean_wave2", "mean_change", "ci_low", "ci_high",
              "family_boot_ci_low", "family_boot_ci_high", "d_z", "p"]]


def build_section(section, results: dict, n_item_issues: int = 0, borough_label: str = "all three boroughs"):
    """Fill a :class:`helpers.report_section.Section` with the strand's prose, tables and charts.

    ``results`` is the dict from :func:`analyse`; ``n_item_issues`` the number of item answers set to
    missing at ingest (:func:`item_issues`). Figures are returned in a list (not shown, not closed).
    """
    scores = results[SCORES.key]
    rel = results[RELIABILITY.key]
    resp = results[CHANGE_RESPONDENTS.key]
    summary = results[CHANGE_SUMMARY.key]
    rc = results[RELIABLE_CHANGE.key]
    rci = results["rci"]
    n_resp = scores["respondent_id"].nunique()
    n_fam = scores["family_id"].nunique()
    w1 = int((scores["wave"] == 1).sum())
    w2 = int((scores["wave"] == 2).sum())
    section.markdown(
        "SCORE-15 (Systemic Clinical Outcome and Routine Evaluation) asks each family member aged 12 and over 15 "
        "questions about how their family gets on, for example *\"We trust each other\"* or *\"It feels miserable in "
        "our family\"*. It was designed to measure change in family therapy (Stratton et al. 2010, 2014). "
        f"In {borough_label}, {_count(n_resp)} members of {_count(n_fam)} families answered: {_count(w1)} forms at wave 1, "
        f"soon after work with the family began, and {_count(w2)} at wave 2, about six months later."
    )
    section.markdown(describe_scoring(scores, n_item_issues))
    section.markdown(describe_reliability(rel))
    section.table(
        # "items" not "n_items": the report treats n_* columns as counts of people.
        "reliability", rel[["label", "n_items", "n", "alpha", "ci_low", "ci_high"]].rename(columns={"label": "scale", "n_items": "items"}),
        caption="Cronbach's alpha at wave 1 with 95% CI (n = forms with every item of the scale answered).",
        count_columns=["n"], dependent_columns={"alpha": "n", "ci_low": "n", "ci_high": "n"},
    )
    section.markdown(describe_change(summary))
    section.table(
        "change", _display_change(summary),
        caption="Change in the SCORE-15 total (mean of items, 1-5; negative = better) between waves, per family member "
                "and per family (mean of its members), overall and by whether the practitioner was trained when work began.",
        count_columns=["n", "n_families"],
        dependent_columns={c: "n" for c in ["mean_wave1", "mean_wave2", "mean_change", "ci_low", "ci_high",
                                            "family_boot_ci_low", "family_boot_ci_high", "d_z", "p"]},
        note=("ci_low/ci_high: t-based 95% CI of the mean change. family_boot_ci: 95% CI from a bootstrap resampling whole "
              "families (for family members it allows for members of one family answering alike). d_z: mean change "
              "divided by the SD of the changes."),
    )
    figs = []
    show_figures = len(resp) > DEFAULT_SUPPRESSION_THRESHOLD  # no chart of individual scores for a handful of people
    if show_figures:
        fig = chart_subscales_by_wave(scores, resp)
        sc = results[SUBSCALE_CHANGE.key].set_index("scale")
        section.figure(
            "subscales_by_wave", fig,
            alt=(f"Dot chart of mean scores at wave 1 and wave 2 for the three SCORE-15 subscales and the total, for the "
                 f"{_count(len(resp))} family members who answered both times. Mean total: {sc.loc['total', 'mean_wave1']:.2f} at "
                 f"wave 1 and {sc.loc['total', 'mean_wave2']:.2f} at wave 2; subscale changes: "
                 + "; ".join(f"{SUBSCALE_LABELS[s].lower()} {sc.loc[s, 'mean_change']:+.2f}" for s in SUBSCALES) + "."),
            caption="Mean subscale and total scores by wave (1-5, higher = more difficulty), members with both waves; bars are 95% CIs.",
        )
        figs.append(fig)
    section.markdown(describe_reliable_change(rc, rci))
    disp = rc.assign(group=rc["group"].map(TRAINED_LABELS)).drop(columns=["rci"])
    section.table(
        "reliable_change", disp,
        caption=f"Family members by reliable change in the total (threshold ±{rci['rci']:.2f}, computed from this data's wave-1 SD and alpha).",
        count_columns=["n_respondents", "n_improved", "n_no_reliable_change", "n_worse"],
        dependent_columns={"pct_improved": "n_improved", "pct_no_reliable_change": "n_no_reliable_change", "pct_worse": "n_worse"},
        decimals=0,
    )
    if show_figures:
        a = rc[rc["group"] == "all"].iloc[0]
        fig = chart_change(resp, rci["rci"])
        section.figure(
            "change_distribution", fig,
            alt=(f"Histogram of the change in SCORE-15 total for {_count(a['n_respondents'])} family members, with a shaded band "
                 f"from -{rci['rci']:.2f} to +{rci['rci']:.2f} marking no reliable change. "
                 f"{_count_pct(a['n_improved'], a['n_respondents'])} fall below the band (reliably better) and "
                 f"{_count_pct(a['n_worse'], a['n_respondents'])} above it (reliably worse)."),
            caption="Change in the total per family member (wave 2 minus wave 1; left of zero = better). Shaded: within the reliable change threshold.",
        )
        figs.append(fig)
        fig = chart_wave1_vs_wave2(resp, rci["rci"])
        section.figure(
            "wave1_vs_wave2", fig,
            alt=("Scatter plot of each family member's SCORE-15 total at wave 1 (horizontal) against wave 2 (vertical), "
                 "coloured by whether the practitioner was trained, with the line of no change and the shaded band of no "
                 f"reliable change; most points lie {'below' if resp['change'].mean() < 0 else 'above'} the line, "
                 f"i.e. scores {'fell' if resp['change'].mean() < 0 else 'rose'} on average."),
            caption="Total at wave 1 against wave 2 per family member. Below the diagonal = better at wave 2.",
        )
        figs.append(fig)
    section.markdown(describe_trained(summary, rc, results.get("trained_difference")))
    section.markdown(CAVEATS)
    return figs
