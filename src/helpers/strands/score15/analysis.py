"""SCORE-15 analysis: scoring, reliability and change, as pure functions of DataFrames.

Also declares the processed tables the analysis writes (:data:`OUTPUTS`). No plotting, no prose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import roster, stats
from helpers.ingest import Field, OutputTable

from .inputs import ITEMS, MAX_MISSING_PER_SUBSCALE, N_ITEMS, RCI_Z, REVERSED_ITEMS, STRAND, SUBSCALE_LABELS, SUBSCALES

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
        *(
            Field(
                s,
                "number",
                f"{SUBSCALE_LABELS[s]} subscale: {_SCORE_DESC}; blank if more than {MAX_MISSING_PER_SUBSCALE} of its 5 items are missing.",
            )
            for s in SUBSCALES
        ),
        Field(
            "total",
            "number",
            "Total score: mean of all answered scored items, 1-5, higher = more difficulty; blank unless all three subscales are computed.",
        ),
        Field(
            "n_items_answered",
            "integer",
            "Number of the 15 items with a valid answer (out-of-range answers count as missing).",
        ),
        *(
            Field(
                _flag_name(s),
                "boolean",
                f"True when the {SUBSCALE_LABELS[s].lower()} score is the mean of 4 answered items; blank when not computed.",
            )
            for s in SUBSCALES
        ),
        Field(
            "total_prorated",
            "boolean",
            "True when the total is computed with at least one item missing; blank when not computed.",
        ),
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
        Field(
            "practitioner_trained",
            "boolean",
            "The family's practitioner had completed systemic training when work began; blank if unknown.",
        ),
        Field("total_wave1", "number", "Total score at wave 1 (mean, 1-5)."),
        Field("total_wave2", "number", "Total score at wave 2 (mean, 1-5)."),
        Field("change", "number", "total_wave2 - total_wave1; negative = better family functioning."),
        Field(
            "reliable_change", "category", "improved (change <= -RCI), no_reliable_change, or worse (change >= RCI)."
        ),
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
        Field(
            "practitioner_trained",
            "boolean",
            "The family's practitioner had completed systemic training when work began; blank if unknown.",
        ),
    ),
)
#: The paired change of the total (:func:`helpers.stats.paired_change`), declared once for every strand.
PAIRED_RESULTS = (
    "n",
    "mean_before",
    "mean_after",
    "mean_change",
    "sd_change",
    "ci_low",
    "ci_high",
    "boot_ci_low",
    "boot_ci_high",
    "d_z",
    "dz_ci_low",
    "dz_ci_high",
    "t",
    "p",
)
PAIRED_NAMES = {"mean_before": "mean_wave1", "mean_after": "mean_wave2"}
_CHANGE_FIELDS = stats.paired_change_fields(
    PAIRED_RESULTS,
    unit="respondents or families",
    names=PAIRED_NAMES,
    notes={
        "mean_before": "Total on the 1-5 scale.",
        "mean_after": "Total on the 1-5 scale.",
        "mean_change": "Negative = improvement.",
    },
)
_CLUSTER_FIELDS = (
    Field("n_families", "integer", "Families the pairs belong to (the clusters of the family bootstrap)."),
    Field(
        "family_boot_ci_low",
        "number",
        "Lower end of the 95% CI of the mean change from a bootstrap that resamples whole families (allows for members of one family being alike).",
    ),
    Field("family_boot_ci_high", "number", "Upper end of that family-resampling bootstrap 95% CI."),
    Field("n_practitioners", "integer", "Practitioners the families belong to (clusters of the robust CI)."),
    Field(
        "cluster_ci_low",
        "number",
        "Lower end of the 95% CI of the mean change with practitioner-clustered robust errors (CR1, t on "
        "practitioners - 1 df): allows for members of one family, and families of one practitioner, being alike. "
        "The primary interval.",
    ),
    Field("cluster_ci_high", "number", "Upper end of that practitioner-clustered 95% CI."),
    Field("cluster_p", "number", "Two-sided p-value of the practitioner-clustered test of no change (primary)."),
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

TRAINED_LABELS = {
    "trained": "Practitioner trained",
    "not_trained": "Practitioner not (yet) trained",
    "unknown": "Training not known",
    "all": "All",
}


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

    Prorated total: the mean of the *answered items* (when no subscale misses more than one item),
    not the mean of the three subscale means. With all 15 items the two are the same. With one item
    missing they differ slightly: the mean of subscales fills the gap with that subscale's own mean
    (each subscale weighs a third), the mean of items with the mean of all answered items (each item
    weighs 1/14). The published total is defined as the mean of the items (../shared/reference/
    score15.md), no official missing-item rule exists, and the mean of items keeps the total on the
    same footing as a complete form's, so it is used; the choice is tested
    (tests/test_inference.py) and the generator's truth uses the same rule.
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
        rows.append(
            {
                "scale": scale,
                "label": SUBSCALE_LABELS[scale],
                "n_items": res["k"],
                "n": res["n"],
                "alpha": res["alpha"],
                "ci_low": res["ci_low"],
                "ci_high": res["ci_high"],
            }
        )
    return pd.DataFrame(rows, columns=RELIABILITY.column_names)


# ---------------------------------------------------------------- change


def reliable_change_index(sd_baseline: float, alpha: float, z: float = RCI_Z) -> dict:
    """Jacobson & Truax (1991) reliable change threshold.

    SE of measurement = SD1 * sqrt(1 - alpha); SE of a difference Sdiff = sqrt(2) * SE;
    RCI = z * Sdiff. A change at least this large (in either direction) is "reliable".
    """
    se = float(sd_baseline) * np.sqrt(1 - float(alpha))
    sdiff = np.sqrt(2) * se
    return {
        "sd_baseline": float(sd_baseline),
        "alpha": float(alpha),
        "se_measurement": float(se),
        "s_diff": float(sdiff),
        "rci": float(z * sdiff),
    }


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
    out = pd.DataFrame(
        {
            "n_respondents": g.size(),
            "total_wave1": g["total_wave1"].mean(),
            "total_wave2": g["total_wave2"].mean(),
        }
    )
    out["change"] = out["total_wave2"] - out["total_wave1"]
    out["borough"] = g["borough"].first()
    out["practitioner_trained"] = g["practitioner_trained"].first().astype("boolean")
    return out.reset_index()[FAMILY_CHANGE.column_names]


def _change_row(before, after, n_boot: int, seed: int) -> dict:
    return stats.paired_change_row(
        stats.paired_change(before, after, n_boot=n_boot, seed=seed), PAIRED_RESULTS, PAIRED_NAMES
    )


def family_bootstrap_ci(
    change, family, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
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
    idx = stats.resample_indices(len(g), n_boot, seed)
    means = g["sum"].to_numpy()[idx].sum(axis=1) / g["count"].to_numpy()[idx].sum(axis=1)
    return stats.percentile_interval(means, level)


def change_summary(
    resp_change: pd.DataFrame,
    fam_change: pd.DataFrame,
    n_boot: int = stats.DEFAULT_BOOTSTRAP,
    seed: int = 2014,
    families: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Paired change of the total per respondent and per family, overall and by practitioner training.

    The primary interval and p-value are practitioner-clustered (``cluster_*``: members share a family
    and families share a practitioner); the respondent paired t-test (``ci_low``, ``p``) treats members
    as independent and is kept for the appendix only. Groups with no members are left out
    (``unknown`` appears only when some training is unknown).
    """
    rows = []
    for unit, table in (("respondents", resp_change), ("families", fam_change)):
        groups = _trained_group(table["practitioner_trained"])
        clusters = roster.practitioner_of(table["family_id"], families)
        for group in ("all", "trained", "not_trained", "unknown"):
            mask = np.ones(len(table), dtype=bool) if group == "all" else groups.to_numpy() == group
            sub = table[mask]
            if group != "all" and sub.empty:
                continue
            lo, hi = family_bootstrap_ci(sub["change"], sub["family_id"], n_boot=n_boot, seed=seed + 2)
            cm = stats.clustered_mean(sub["change"], clusters[mask])
            rows.append(
                {
                    "unit": unit,
                    "group": group,
                    **_change_row(sub["total_wave1"], sub["total_wave2"], n_boot, seed),
                    "n_families": sub["family_id"].nunique(),
                    "family_boot_ci_low": lo,
                    "family_boot_ci_high": hi,
                    "n_practitioners": cm["n_clusters"],
                    "cluster_ci_low": cm["ci_low"],
                    "cluster_ci_high": cm["ci_high"],
                    "cluster_p": cm["p"],
                }
            )
    return pd.DataFrame(rows, columns=CHANGE_SUMMARY.column_names)


def trained_difference(fam_change: pd.DataFrame, level: float = 0.95, families: pd.DataFrame | None = None) -> dict:
    """Trained minus not-trained practitioner, at family level (primary: baseline-adjusted, clustered).

    Primary (``difference``, ``ci_low``, ``ci_high``, ``p``): ANCOVA of the family's wave-2 total on
    its wave-1 total and the training group, with practitioner-clustered robust errors (CR2 with
    Bell-McCaffrey Satterthwaite df, :func:`helpers.stats.ancova_clustered`): up to five families share a practitioner, and the groups
    may start from different levels. Negative = better at wave 2 where the practitioner was trained.
    Also the unadjusted Welch difference in mean change (``unadjusted_*``, families independent) and
    the median start date of work in each group (``median_start_trained`` / ``_not_trained``):
    training was rolled out over time, so the comparison is also one of calendar time (seasonal
    referral mix, other service changes, staff turnover), which no adjustment here removes.
    """
    groups = _trained_group(fam_change["practitioner_trained"]).to_numpy()
    known = groups != "unknown"
    sub = fam_change[known]
    clusters = roster.practitioner_of(sub["family_id"], families)
    a = stats.ancova_clustered(sub["total_wave2"], sub["total_wave1"], groups[known] == "trained", clusters, level)
    d = stats.difference_in_means(
        fam_change.loc[groups == "trained", "change"],
        fam_change.loc[groups == "not_trained", "change"],
        n_boot=0,
        level=level,
    )
    enough = d["n_x"] >= 2 and d["n_y"] >= 2
    out = {
        "n_trained": d["n_x"],
        "n_not_trained": d["n_y"],
        "n_practitioners": a["n_clusters"],
        "difference": a["difference"] if enough else np.nan,
        "ci_low": a["ci_low"],
        "ci_high": a["ci_high"],
        "p": a["p"],
        "method": "ANCOVA (wave 2 on wave 1 + group), practitioner-clustered robust errors (CR2, Bell-McCaffrey df)",
        "unadjusted_difference": d["difference"] if enough else np.nan,
        "unadjusted_ci_low": d["ci_low"],
        "unadjusted_ci_high": d["ci_high"],
        "unadjusted_p": d["p"],
        "median_start_trained": None,
        "median_start_not_trained": None,
    }
    if families is not None and "work_started" in families:
        start = pd.to_datetime(
            families.drop_duplicates("family_id").set_index("family_id")["work_started"], errors="coerce"
        )
        for g, key in (("trained", "median_start_trained"), ("not_trained", "median_start_not_trained")):
            ids = fam_change.loc[groups == g, "family_id"]
            dates = ids.map(start).dropna() if len(ids) else ids
            if len(dates):
                out[key] = pd.Timestamp(dates.median()).strftime("%Y-%m-%d")
    return out


def subscale_change(scores: pd.DataFrame, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 2014) -> pd.DataFrame:
    """Paired change of each subscale and the total, per respondent with that scale at both waves."""
    w1 = scores[scores["wave"] == 1].set_index("respondent_id")
    w2 = scores[scores["wave"] == 2].set_index("respondent_id")
    common = w1.index.intersection(w2.index)
    rows = []
    for scale in SCALES:
        rows.append(
            {
                "scale": scale,
                "label": SUBSCALE_LABELS[scale],
                **_change_row(w1.loc[common, scale], w2.loc[common, scale], n_boot, seed),
            }
        )
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


def analyse(
    responses: pd.DataFrame, families: pd.DataFrame | None, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 2014
) -> dict:
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
        CHANGE_SUMMARY.key: change_summary(resp, fam, n_boot=n_boot, seed=seed, families=families),
        RELIABLE_CHANGE.key: reliable_change_table(resp, rci["rci"]),
        SUBSCALE_CHANGE.key: subscale_change(scores, n_boot=n_boot, seed=seed),
        "rci": rci,
        "trained_difference": trained_difference(fam, families=families),
    }
