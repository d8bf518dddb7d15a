"""Network maps analysis: one graph per map, its measures, and change between waves.

Pure functions of graphs and DataFrames (no plotting, no prose). Also declares the processed tables the
analysis writes (:data:`OUTPUTS`).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats as st

from helpers import roster, stats
from helpers.ingest import (
    Field,
    OutputTable,
)

from .inputs import DOMAINS, FAMILY, FORMAL_DOMAINS, NOT_RECORDED, QUALITIES, STRAND

#: Per-map measures: column -> (dtype, definition). The definitions go to the data dictionary.
MAP_MEASURES: dict[str, tuple[str, str]] = {
    "family_id": ("string", "Pseudonymised family identifier."),
    "wave": ("integer", "Wave of the map (1 or 2)."),
    "size": ("integer", "Number of members on the map (the family itself not counted)."),
    **{f"n_{d}": ("integer", f"Number of members in the domain '{label}'.") for d, label in DOMAINS.items()},
    "n_informal": ("integer", "Number of informal members: every domain except formal services."),
    "n_formal": ("integer", "Number of formal services and agencies."),
    "informal_share": ("number", "n_informal / size (blank for an empty map)."),
    "mean_emotional": ("number", "Mean emotional support over members (1-3)."),
    "mean_practical": ("number", "Mean practical support over members (1-3)."),
    "mean_informational": ("number", "Mean informational support over members (1-3)."),
    "mean_criticism": ("number", "Mean criticism over members (1-3; higher is more critical)."),
    "share_critical": ("number", "Share of members who are almost always critical (criticism 3)."),
    "reciprocity": ("number", "Share of members with whom help goes both ways (direction = both)."),
    "multiplexity": (
        "number",
        "Share of members who give at least two of the three kinds of support (emotional, practical, informational) sometimes or almost always (score 2 or 3).",
    ),
    "mean_closeness": ("number", "Mean closeness over members (1 not very close to 3 very close)."),
    "share_very_close": ("number", "Share of members who are very close (closeness 3)."),
    "share_strong": ("number", "Share of relationships described as strong."),
    "share_tenuous": ("number", "Share of relationships described as tenuous."),
    "share_stressful": ("number", "Share of relationships described as stressful."),
    "ties_recorded": (
        "boolean",
        "Whether ties between members were recorded on this map. When false, every tie-based measure below is blank and reads 'not recorded'.",
    ),
    "n_ties": ("integer", "Number of pairs of members who know each other (ties recorded only)."),
    "density": (
        "number",
        "Ties among members divided by the possible pairs, size x (size - 1) / 2; the family and its links to members are excluded (ties recorded and size >= 2 only).",
    ),
    "n_components": (
        "integer",
        "Number of connected groups among members once the family is removed; a member who knows nobody else is a group of one (ties recorded only).",
    ),
    "n_isolates": ("integer", "Members who know no other member (ties recorded only)."),
    "n_bridging": (
        "integer",
        "Members who hold the network together: articulation points of the members' graph, whose removal would split a group in two (ties recorded only).",
    ),
    "max_betweenness": (
        "number",
        "Highest normalised betweenness centrality of a member in the members' graph (family removed): the share of shortest paths between other members that pass through them (ties recorded only).",
    ),
    "key_member_role": (
        "string",
        "Role label of the member with the highest betweenness (first by member ID on ties); 'none' if nobody lies between others; 'not recorded' without ties.",
    ),
}
MAP_MEASURES_TABLE = OutputTable(
    key="network_map_measures",
    filename="networks/map_measures.csv",
    strand=STRAND,
    description="One row per family and wave: the network measures of that map.",
    fields=tuple(Field(k, t, d) for k, (t, d) in MAP_MEASURES.items()),
)

#: Measures compared between waves, with their report labels.
CHANGE_MEASURES = {
    "size": "Number of members",
    "n_informal": "Informal members",
    "n_formal": "Formal services",
    "informal_share": "Informal share of the network",
    "mean_emotional": "Emotional support (mean, 1-3)",
    "mean_practical": "Practical support (mean, 1-3)",
    "mean_informational": "Informational support (mean, 1-3)",
    "mean_criticism": "Criticism (mean, 1-3)",
    "reciprocity": "Share of members helping both ways",
    "multiplexity": "Share of members giving two or more kinds of support",
    "share_strong": "Share of strong relationships",
    "density": "Density among members (ties recorded at both waves)",
}

FAMILY_CHANGE_TABLE = OutputTable(
    key="network_family_change",
    filename="networks/family_change.csv",
    strand=STRAND,
    description="One row per family with a map at both waves: members kept, lost and gained, and the change in size and composition.",
    fields=(
        Field("family_id", "string", "Pseudonymised family identifier."),
        Field(
            "practitioner_trained",
            "boolean",
            "The allocated practitioner had completed systemic training when work began (blank if unknown).",
        ),
        Field("level_of_need", "string", "Highest level of statutory involvement when work began (families.csv)."),
        Field("kept", "integer", "Members on both maps (same member_id)."),
        Field("lost", "integer", "Members on the wave-1 map only."),
        Field("gained", "integer", "Members on the wave-2 map only."),
        Field("informal_gained", "integer", "Gained members who are informal (not formal services)."),
        Field("informal_lost", "integer", "Lost members who are informal."),
        *(
            f
            for m in ("size", "n_informal", "n_formal", "informal_share")
            for f in (
                Field(f"{m}_w1", "number", f"{m} at wave 1."),
                Field(f"{m}_w2", "number", f"{m} at wave 2."),
                Field(f"{m}_change", "number", f"{m} at wave 2 minus wave 1."),
            )
        ),
    ),
)

CHANGE_SUMMARY_TABLE = OutputTable(
    key="network_change_summary",
    filename="networks/change_summary.csv",
    strand=STRAND,
    description="Paired comparison of wave 2 with wave 1 for each measure, for all families and by whether the practitioner was trained.",
    fields=(
        Field("measure", "string", "Measure (column of map_measures.csv)."),
        Field("label", "string", "Measure as the report names it."),
        Field("group", "string", "all, trained or not trained (practitioner's systemic training when work began)."),
        Field("n_families", "integer", "Families with the measure at both waves."),
        Field("mean_wave1", "number", "Mean at wave 1."),
        Field("mean_wave2", "number", "Mean at wave 2."),
        Field("mean_change", "number", "Mean of the per-family change (wave 2 minus wave 1)."),
        Field(
            "ci_low",
            "number",
            "95% CI of the mean change, lower (paired t, families treated as independent; see cluster_ci_low).",
        ),
        Field("ci_high", "number", "95% CI of the mean change, upper (paired t, families treated as independent)."),
        Field(
            "boot_ci_low",
            "number",
            "95% percentile bootstrap CI of the mean change, lower (resampling families one by one).",
        ),
        Field("boot_ci_high", "number", "95% percentile bootstrap CI of the mean change, upper."),
        Field("d_z", "number", "Cohen's d_z: mean change / SD of the changes."),
        Field("dz_ci_low", "number", "95% bootstrap CI of d_z, lower."),
        Field("dz_ci_high", "number", "95% bootstrap CI of d_z, upper."),
        Field("p", "number", "Two-sided paired t-test p-value (families treated as independent)."),
        Field(
            "n_practitioners",
            "integer",
            "Practitioners of those families (the clusters of the clustered CI; a family whose practitioner is "
            "unknown counts as its own).",
        ),
        Field(
            "cluster_ci_low",
            "number",
            "Primary: 95% CI of the mean change with practitioner-clustered robust errors (CR1, t on practitioners "
            "- 1 df), which allows for families of one practitioner (up to five) changing alike; lower.",
        ),
        Field("cluster_ci_high", "number", "That practitioner-clustered 95% CI, upper."),
        Field("cluster_p", "number", "Two-sided p-value of the practitioner-clustered test of no change (primary)."),
    ),
)

TRAINING_DIFFERENCE_TABLE = OutputTable(
    key="network_change_by_training",
    filename="networks/change_by_training.csv",
    strand=STRAND,
    description="Difference in mean change between families whose practitioner was trained and the others.",
    fields=(
        Field("measure", "string", "Measure (column of map_measures.csv)."),
        Field("label", "string", "Measure as the report names it."),
        Field("n_trained", "integer", "Families with a trained practitioner and the measure at both waves."),
        Field("n_not_trained", "integer", "Families with an untrained practitioner and the measure at both waves."),
        Field("mean_change_trained", "number", "Mean change, trained."),
        Field("mean_change_not_trained", "number", "Mean change, not trained."),
        Field("difference", "number", "mean_change_trained - mean_change_not_trained."),
        Field("ci_low", "number", "95% Welch CI of the difference, lower."),
        Field("ci_high", "number", "95% Welch CI of the difference, upper."),
        Field("boot_ci_low", "number", "95% bootstrap CI of the difference (resampling within each group), lower."),
        Field("boot_ci_high", "number", "95% bootstrap CI of the difference, upper."),
        Field("n_practitioners", "integer", "Practitioners of those families (clusters of the adjusted CI)."),
        Field(
            "adjusted_difference",
            "number",
            "Primary: ANCOVA of the wave-2 value on the wave-1 value and the training group (trained minus not), "
            "i.e. the difference between families with the same wave-1 value.",
        ),
        Field(
            "adjusted_ci_low",
            "number",
            "95% CI of adjusted_difference with practitioner-clustered robust errors (CR2, Bell-McCaffrey "
            "Satterthwaite df), lower.",
        ),
        Field("adjusted_ci_high", "number", "That CI, upper."),
        Field("adjusted_p", "number", "Two-sided p-value of adjusted_difference (practitioner-clustered)."),
    ),
)

OUTPUTS = (MAP_MEASURES_TABLE, FAMILY_CHANGE_TABLE, CHANGE_SUMMARY_TABLE, TRAINING_DIFFERENCE_TABLE)
#: Where the SCORE-15 strand writes its per-family change (read if present; never imported).
SCORE15_CHANGE_FILE = Path("score15") / "family_change.csv"

# --------------------------------------------------------------------------------------------------
# Graphs and measures

MEMBER_ATTRIBUTES = (
    "role_label",
    "domain",
    "support_emotional",
    "support_practical",
    "support_informational",
    "criticism",
    "closeness",
    "contact_frequency",
    "direction",
    "years_known",
    "quality",
)


def build_graph(
    family_id: str, wave: int, ties_recorded: bool, members: list[dict], ties: list[tuple[str, str]] = (), map_date=None
) -> nx.Graph:
    """One map as a graph: :data:`FAMILY` at the centre, a node per member, family and tie edges.

    ``members`` are dicts with ``member_id`` and the :data:`MEMBER_ATTRIBUTES`; ``ties`` are pairs of
    member IDs. Graph attributes: family_id, wave, ties_recorded, map_date.
    """
    g = nx.Graph(family_id=family_id, wave=int(wave), ties_recorded=bool(ties_recorded), map_date=map_date)
    g.add_node(FAMILY, kind="family")
    for m in sorted(members, key=lambda m: m["member_id"]):
        attrs = {a: m[a] for a in MEMBER_ATTRIBUTES if a in m}
        g.add_node(m["member_id"], kind="member", **attrs)
        g.add_edge(
            FAMILY,
            m["member_id"],
            kind="family",
            direction=attrs.get("direction"),
            quality=attrs.get("quality"),
            closeness=attrs.get("closeness"),
        )
    for a, b in ties:
        g.add_edge(a, b, kind="tie")
    return g


def build_graphs(maps: pd.DataFrame, members: pd.DataFrame, ties: pd.DataFrame) -> dict[tuple[str, int], nx.Graph]:
    """One graph per row of ``maps``, keyed (family_id, wave), in sorted key order."""
    by_map: dict[tuple, list] = {}
    cols = ["member_id", *[a for a in MEMBER_ATTRIBUTES if a in members.columns]]
    for f, w, rec in zip(members["family_id"], members["wave"], members[cols].to_dict("records"), strict=True):
        by_map.setdefault((f, int(w)), []).append(rec)
    tie_map: dict[tuple, list] = {}
    for f, w, a, b in zip(ties["family_id"], ties["wave"], ties["member_a"], ties["member_b"], strict=True):
        tie_map.setdefault((f, int(w)), []).append((a, b))
    dates = maps["map_date"] if "map_date" in maps.columns else [None] * len(maps)
    graphs = {}
    for f, w, t, d in sorted(
        zip(maps["family_id"], maps["wave"].astype(int), maps["ties_recorded"], dates, strict=True),
        key=lambda r: (r[0], r[1]),
    ):
        graphs[(f, w)] = build_graph(f, w, bool(t), by_map.get((f, w), []), tie_map.get((f, w), []), d)
    return graphs


def members_of(g: nx.Graph) -> list[str]:
    """Member node names of a map graph, sorted."""
    return sorted(n for n, k in g.nodes(data="kind") if k == "member")


def member_graph(g: nx.Graph) -> nx.Graph:
    """The ties among members only: the map with the family removed."""
    return g.subgraph(members_of(g)).copy()


def measure_graph(g: nx.Graph) -> dict:
    """All per-map measures of :data:`MAP_MEASURES` for one map graph (definitions there).

    Three groups: composition (:func:`_composition`), support and relationships (:func:`_support`),
    and, where ties were recorded, the structure of the ties among members (:func:`_tie_structure`).
    """
    ids = members_of(g)
    nodes = [g.nodes[m] for m in ids]
    out: dict = {"family_id": g.graph.get("family_id"), "wave": g.graph.get("wave"), "size": len(ids)}
    out.update(_composition(nodes))
    out.update(_support(nodes))
    recorded = bool(g.graph.get("ties_recorded"))
    out["ties_recorded"] = recorded
    if not recorded:
        out.update(
            n_ties=np.nan,
            density=np.nan,
            n_components=np.nan,
            n_isolates=np.nan,
            n_bridging=np.nan,
            max_betweenness=np.nan,
            key_member_role=NOT_RECORDED,
        )
        return out
    out.update(_tie_structure(g, ids))
    return out


def _composition(nodes: list[dict]) -> dict:
    """Members per domain, informal and formal counts and the informal share."""
    n = len(nodes)
    counts = {d: 0 for d in DOMAINS}
    for a in nodes:
        counts[a["domain"]] += 1
    out = {f"n_{d}": counts[d] for d in DOMAINS}
    n_formal = sum(counts[d] for d in FORMAL_DOMAINS)
    out["n_informal"] = n - n_formal
    out["n_formal"] = n_formal
    out["informal_share"] = (n - n_formal) / n if n else np.nan
    return out


def _support(nodes: list[dict]) -> dict:
    """Mean support and criticism, reciprocity, multiplexity, closeness and relationship quality (NaN on an empty map)."""

    def share(values) -> float:
        return float(np.mean(values)) if nodes else np.nan

    out = {
        "mean_emotional": share([a["support_emotional"] for a in nodes]),
        "mean_practical": share([a["support_practical"] for a in nodes]),
        "mean_informational": share([a["support_informational"] for a in nodes]),
        "mean_criticism": share([a["criticism"] for a in nodes]),
        "share_critical": share([a["criticism"] == 3 for a in nodes]),
        "reciprocity": share([a["direction"] == "both" for a in nodes]),
        "multiplexity": share(
            [
                (a["support_emotional"] >= 2) + (a["support_practical"] >= 2) + (a["support_informational"] >= 2) >= 2
                for a in nodes
            ]
        ),
        "mean_closeness": share([a["closeness"] for a in nodes]),
        "share_very_close": share([a["closeness"] == 3 for a in nodes]),
    }
    for q in QUALITIES:
        out[f"share_{q}"] = share([a["quality"] == q for a in nodes])
    return out


def _tie_structure(g: nx.Graph, ids: list[str]) -> dict:
    """Ties, density, groups, isolates, bridging members and the key member, on the members' graph."""
    n = len(ids)
    mg = nx.Graph(g.subgraph(ids).edges())  # a plain copy: algorithms on subgraph views are slow
    mg.add_nodes_from(ids)
    n_ties = mg.number_of_edges()
    out = {
        "n_ties": n_ties,
        "density": n_ties / (n * (n - 1) / 2) if n >= 2 else np.nan,
        "n_components": nx.number_connected_components(mg) if n else 0,
        "n_isolates": sum(1 for m in ids if mg.degree(m) == 0),
        "n_bridging": sum(1 for _ in nx.articulation_points(mg)) if n else 0,
    }
    if n >= 3 and n_ties:
        bc = nx.betweenness_centrality(mg, normalized=True)
        best = min(ids, key=lambda m: (-bc[m], m))  # highest betweenness; first member ID on ties
        out["max_betweenness"] = float(bc[best])
        out["key_member_role"] = g.nodes[best]["role_label"] if bc[best] > 0 else "none"
    else:
        out["max_betweenness"] = 0.0 if n else np.nan
        out["key_member_role"] = "none"
    return out


def map_measures(graphs: dict) -> pd.DataFrame:
    """The measures of every map, one row per (family, wave), columns as :data:`MAP_MEASURES_TABLE`."""
    rows = [measure_graph(g) for g in graphs.values()]
    table = pd.DataFrame(rows, columns=MAP_MEASURES_TABLE.column_names)
    for c in ("n_ties", "n_components", "n_isolates", "n_bridging"):
        table[c] = table[c].astype("Int64")
    return table


def describe_map(g: nx.Graph) -> pd.DataFrame:
    """The measures of one map as a readable two-column table; tie measures read 'not recorded'."""
    m = measure_graph(g)
    rows = []
    for k, (_, definition) in MAP_MEASURES.items():
        if k in ("family_id", "wave"):
            continue
        v = m[k]
        if isinstance(v, float) and np.isnan(v):
            v = NOT_RECORDED if not m["ties_recorded"] else "not defined"
        elif isinstance(v, float):
            v = round(v, 3)
        rows.append({"measure": k, "value": v, "definition": definition})
    return pd.DataFrame(rows)


def members_table(g: nx.Graph) -> pd.DataFrame:
    """The members of one map (role labels, no names) with their attributes, sorted by domain and ID."""
    order = {d: i for i, d in enumerate(DOMAINS)}
    rows = [{"member_id": m, **{a: g.nodes[m].get(a) for a in MEMBER_ATTRIBUTES}} for m in members_of(g)]
    df = pd.DataFrame(rows, columns=["member_id", *MEMBER_ATTRIBUTES])
    if len(df):
        df = df.sort_values(
            ["domain", "member_id"], key=lambda s: s.map(order) if s.name == "domain" else s
        ).reset_index(drop=True)
    return df


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
                    "n_families": pc["n"],
                    "mean_wave1": pc["mean_before"],
                    "mean_wave2": pc["mean_after"],
                    **{k: pc[k] for k in CHANGE_SUMMARY_TABLE.column_names if k in pc},  # the paired t columns
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
    rng = np.random.default_rng(seed)
    boots = []
    for idx in rng.integers(0, len(x), size=(n_boot, len(x))):
        rx, ry = st.rankdata(x[idx]), st.rankdata(y[idx])
        if rx.std() > 0 and ry.std() > 0:
            boots.append(np.corrcoef(rx, ry)[0, 1])
    if boots:
        out.update(ci_low=float(np.quantile(boots, 0.025)), ci_high=float(np.quantile(boots, 0.975)))
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
