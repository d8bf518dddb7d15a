"""One graph per network map (the family at the centre, members with their attributes, ties between
members) and the measures of each map."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from .inputs import DOMAINS, FAMILY, FORMAL_DOMAINS, NOT_RECORDED, QUALITIES
from .outputs import MAP_MEASURES, MAP_MEASURES_TABLE

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
