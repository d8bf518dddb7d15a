"""Network maps analysis: one graph per map, its measures, and change between waves.

Pure functions of graphs and DataFrames (no plotting, no prose). The graphs and their measures live in
:mod:`.graphs`, the processed tables (:data:`OUTPUTS`) in :mod:`.outputs`; both are importable from here.
This module holds the change between waves and its comparisons.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats as st

from helpers import roster, stats

from .graphs import (
    MEMBER_ATTRIBUTES,
    build_graph,
    build_graphs,
    describe_map,
    map_measures,
    measure_graph,
    member_graph,
    members_of,
    members_table,
)
from .inputs import DOMAINS, FORMAL_DOMAINS
from .outputs import (
    CHANGE_MEASURES,
    CHANGE_SUMMARY_TABLE,
    FAMILY_CHANGE_TABLE,
    MAP_MEASURES,
    MAP_MEASURES_TABLE,
    OUTPUTS,
    PAIRED_NAMES,
    PAIRED_RESULTS,
    TRAINING_DIFFERENCE_TABLE,
)

__all__ = [
    "CHANGE_MEASURES",
    "CHANGE_SUMMARY_TABLE",
    "FAMILY_CHANGE_TABLE",
    "MAP_MEASURES",
    "MAP_MEASURES_TABLE",
    "MEMBER_ATTRIBUTES",
    "OUTPUTS",
    "TRAINING_DIFFERENCE_TABLE",
    "build_graph",
    "build_graphs",
    "describe_map",
    "map_measures",
    "measure_graph",
    "member_graph",
    "members_of",
    "members_table",
]

#: Where the SCORE-15 strand writes its per-family change (read if present; never imported).
SCORE15_CHANGE_FILE = Path("score15") / "family_change.csv"


# --------------------------------------------------------------------------------------------------
# Change between waves


def membership_change(g1: nx.Graph, g2: nx.Graph) -> dict:
    """Members kept (on both maps), lost (wave 1 only) and gained (wave 2 only), overall and informal."""
    m1, m2 = set(members_of(g1)), set(members_of(g2))
    lost, gained = m1 - m2, m2 - m1

    def informal(g, ids):
        return sum(1 for m in ids if g.nodes[m]["domain"] not in FORMAL_DOMAINS)

    return {
        "kept": len(m1 & m2),
        "lost": len(lost),
        "gained": len(gained),
        "informal_gained": informal(g2, gained),
        "informal_lost": informal(g1, lost),
    }


def family_change(graphs: dict, measures: pd.DataFrame, families: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per family with maps at both waves (columns as :data:`FAMILY_CHANGE_TABLE`)."""
    m = measures.set_index(["family_id", "wave"])
    fam = families.set_index("family_id") if families is not None else None
    rows = []
    for f in sorted({k[0] for k in graphs}):
        if (f, 1) not in graphs or (f, 2) not in graphs:
            continue
        row = {"family_id": f}
        if fam is not None and f in fam.index:
            row["practitioner_trained"] = (
                fam.at[f, "practitioner_trained"] if "practitioner_trained" in fam.columns else pd.NA
            )
            row["level_of_need"] = fam.at[f, "level_of_need"]
        else:
            row["practitioner_trained"] = pd.NA
            row["level_of_need"] = pd.NA
        row.update(membership_change(graphs[(f, 1)], graphs[(f, 2)]))
        for c in ("size", "n_informal", "n_formal", "informal_share"):
            a, b = m.at[(f, 1), c], m.at[(f, 2), c]
            row.update({f"{c}_w1": a, f"{c}_w2": b, f"{c}_change": b - a})
        rows.append(row)
    table = pd.DataFrame(rows, columns=FAMILY_CHANGE_TABLE.column_names)
    table["practitioner_trained"] = table["practitioner_trained"].astype("boolean")
    return table


def paired_measures(measures: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Wave 1 and wave 2 values of one measure, one row per family with both maps."""
    wide = measures.pivot(index="family_id", columns="wave", values=measure)
    if 1 not in wide.columns or 2 not in wide.columns:
        return pd.DataFrame(columns=["family_id", "w1", "w2"])
    return wide[[1, 2]].dropna(how="any").rename(columns={1: "w1", 2: "w2"}).reset_index()


def _groups(families: pd.DataFrame | None) -> dict[str, set | None]:
    groups: dict[str, set | None] = {"all": None}
    if families is not None and "practitioner_trained" in families.columns:
        t = families["practitioner_trained"].astype("boolean")
        groups["trained"] = set(families.loc[t.fillna(False).astype(bool), "family_id"])
        groups["not trained"] = set(families.loc[(~t).fillna(False).astype(bool), "family_id"])
    return groups


def change_summary(
    measures: pd.DataFrame, families: pd.DataFrame | None = None, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 0
) -> pd.DataFrame:
    """Paired change of every :data:`CHANGE_MEASURES` for all families and by training group.

    The primary interval and p-value (``cluster_*``) are practitioner-clustered
    (:func:`helpers.stats.clustered_mean`, CR1 on practitioners - 1 df): up to five families share a
    practitioner, whose way of working can move all their networks alike. The paired t interval
    (``ci_low``, ``ci_high``, ``p``), the bootstrap and d_z treat families as independent and are kept
    beside it."""
    rows = []
    for measure, label in CHANGE_MEASURES.items():
        pairs = paired_measures(measures, measure)
        for group, ids in _groups(families).items():
            sub = pairs if ids is None else pairs[pairs["family_id"].isin(ids)]
            w1, w2 = sub["w1"].astype(float), sub["w2"].astype(float)
            pc = stats.paired_change(w1, w2, n_boot=n_boot, seed=seed)
            cm = stats.clustered_mean(
                (w2 - w1).to_numpy(), roster.practitioner_of(sub["family_id"], families).to_numpy()
            )
            rows.append(
                {
                    "measure": measure,
                    "label": label,
                    "group": group,
                    **stats.paired_change_row(pc, PAIRED_RESULTS, PAIRED_NAMES),
                    "n_practitioners": cm["n_clusters"],
                    "cluster_ci_low": cm["ci_low"],
                    "cluster_ci_high": cm["ci_high"],
                    "cluster_p": cm["p"],
                }
            )
    return pd.DataFrame(rows, columns=CHANGE_SUMMARY_TABLE.column_names)


def change_by_training(
    measures: pd.DataFrame, families: pd.DataFrame, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 0
) -> pd.DataFrame:
    """Trained minus not-trained, per measure (:data:`TRAINING_DIFFERENCE_TABLE`).

    Primary: the baseline-adjusted difference (ANCOVA, wave 2 on wave 1 + group) with
    practitioner-clustered robust errors (CR2 with Bell-McCaffrey Satterthwaite df), since up to five
    families share a practitioner (:func:`helpers.stats.ancova_clustered`). Also the unadjusted
    difference in mean change (Welch and bootstrap, families treated as independent)."""
    groups = _groups(families)
    rows = []
    for measure, label in CHANGE_MEASURES.items():
        pairs = paired_measures(measures, measure)
        ch = (
            pairs.assign(change=pairs["w2"].astype(float) - pairs["w1"].astype(float))
            if len(pairs)
            else pairs.assign(change=[])
        )
        if "trained" not in groups:
            continue
        x = ch.loc[ch["family_id"].isin(groups["trained"]), "change"]
        y = ch.loc[ch["family_id"].isin(groups["not trained"]), "change"]
        d = stats.difference_in_means(x, y, n_boot=n_boot, seed=seed)
        known = ch[ch["family_id"].isin(groups["trained"] | groups["not trained"])]
        a = stats.ancova_clustered(
            known["w2"].astype(float),
            known["w1"].astype(float),
            known["family_id"].isin(groups["trained"]),
            roster.practitioner_of(known["family_id"], families).to_numpy(),
        )
        rows.append(
            {
                "measure": measure,
                "label": label,
                "n_trained": d["n_x"],
                "n_not_trained": d["n_y"],
                "mean_change_trained": d["mean_x"],
                "mean_change_not_trained": d["mean_y"],
                "difference": d["difference"],
                "ci_low": d["ci_low"],
                "ci_high": d["ci_high"],
                "boot_ci_low": d["boot_ci_low"],
                "boot_ci_high": d["boot_ci_high"],
                "n_practitioners": a["n_clusters"],
                "adjusted_difference": a["difference"],
                "adjusted_ci_low": a["ci_low"],
                "adjusted_ci_high": a["ci_high"],
                "adjusted_p": a["p"],
            }
        )
    return pd.DataFrame(rows, columns=TRAINING_DIFFERENCE_TABLE.column_names)


def score15_association(
    change: pd.DataFrame,
    processed_dir,
    column: str = "n_informal_change",
    n_boot: int = stats.DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> dict | None:
    """Spearman correlation of a network change with SCORE-15 change, where both exist.

    Reads ``<processed_dir>/score15/family_change.csv`` (columns family_id, change, ...), written by
    the SCORE-15 strand. Returns None when that file is absent; otherwise n, rho, a percentile
    bootstrap CI of rho and the p-value.
    """
    path = Path(processed_dir) / SCORE15_CHANGE_FILE
    if not path.exists():
        return None
    score = pd.read_csv(path)
    if not {"family_id", "change"} <= set(score.columns):
        return None
    both = change[["family_id", column]].merge(score[["family_id", "change"]], on="family_id").dropna()
    out = {
        "n": len(both),
        "rho": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p": np.nan,
        "mean_score15_change": float(both["change"].mean()) if len(both) else np.nan,
    }
    if len(both) < 4:
        return out
    x = both[column].to_numpy(float)
    y = both["change"].to_numpy(float)
    res = st.spearmanr(x, y)
    out.update(rho=float(res.statistic), p=float(res.pvalue))
    boots = []
    for idx in stats.resample_indices(len(x), n_boot, seed):
        rx, ry = st.rankdata(x[idx]), st.rankdata(y[idx])
        if rx.std() > 0 and ry.std() > 0:
            boots.append(np.corrcoef(rx, ry)[0, 1])
    if boots:
        out["ci_low"], out["ci_high"] = stats.percentile_interval(boots, 0.95)
    return out


def pick_examples(change: pd.DataFrame, k: int = 3) -> list[str]:
    """Families to show as example maps, chosen deterministically from the data.

    First the trained family whose informal change is closest to its group's mean, then the same
    for the not-trained group, then the family with the most formal services at wave 1; ties are
    broken by family ID. Families already chosen are skipped.
    """
    chosen: list[str] = []
    if not len(change):
        return chosen
    t = change["practitioner_trained"].astype("boolean")
    for mask in (t.fillna(False).astype(bool), (~t).fillna(False).astype(bool)):
        sub = change[mask & ~change["family_id"].isin(chosen)]
        if len(sub):
            gap = (sub["n_informal_change"] - sub["n_informal_change"].mean()).abs()
            chosen.append(sub.assign(gap=gap).sort_values(["gap", "family_id"]).iloc[0]["family_id"])
    rest = change[~change["family_id"].isin(chosen)].sort_values(["n_formal_w1", "family_id"], ascending=[False, True])
    chosen += list(rest["family_id"].head(max(k - len(chosen), 0)))
    return chosen[:k]


def composition_by_wave(measures: pd.DataFrame, families: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean members per domain at each wave (long format: wave, group, domain, mean_members, n_maps)."""
    m = measures
    rows = []
    groups = _groups(families)
    for group, ids in groups.items():
        sub = m if ids is None else m[m["family_id"].isin(ids)]
        for w, s in sub.groupby("wave"):
            for d, label in DOMAINS.items():
                rows.append(
                    {
                        "wave": int(w),
                        "group": group,
                        "domain": d,
                        "domain_label": label,
                        "mean_members": float(s[f"n_{d}"].mean()),
                        "n_maps": len(s),
                    }
                )
    return pd.DataFrame(rows)
