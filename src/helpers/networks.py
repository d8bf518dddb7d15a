"""Family network maps: who is around each family, how close they are and how they help.

Families drew a Social Network Map (Tracy & Whittaker 1990) with the practitioner or researcher at
each wave: every person or service around the family, with their life domain, the kinds of support
they give (emotional, practical, informational) and how critical they are (1 hardly ever,
2 sometimes, 3 almost always), how close they are (1 not very, 2 sort of, 3 very), how often they are
in contact, how long they have been known, the direction of help and the quality of the relationship
(the ecomap's strong / tenuous / stressful, Hartman 1978). Where it was recorded, the map also says
which members know each other.

Three raw files (:data:`RAW_FILES`): one row per map (``network_maps.csv``, with ``ties_recorded`` so
that "ties not recorded" is never confused with "recorded, none"), one row per member per map
(``network_members.csv``) and one row per pair of members who know each other
(``network_ties.csv``). After each file is validated on its own, :func:`cross_check` rejects rows that
only make sense with another file (a tie to a member who is not on that map, members of a map that
does not exist...), with file, row and column, in the same data-quality record, so that
``rows read = accepted + rejected`` still holds for every file.

Each map becomes one ``networkx`` graph (:func:`build_graphs`): the family at the centre (node
:data:`FAMILY`), members as nodes carrying their attributes, an edge from the family to every member
(``kind="family"``) and an edge for each tie between members (``kind="tie"``). :func:`measure_graph`
computes the measures defined in :data:`MAP_MEASURES`; :func:`family_change` and
:func:`change_summary` describe change between waves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import re

import numpy as np
import pandas as pd
from scipy import stats as st

from . import stats
from .config import DEFAULT_SUPPRESSION_THRESHOLD
from .ingest import ISSUE_COLUMNS, Column, Field, IngestResult, OutputTable, RawFile, read_raw, save_ingest_record

STRAND = "networks"
#: Node name of the family at the centre of every map graph.
FAMILY = "family"
NOT_RECORDED = "not recorded"

DOMAINS = {
    "household": "Household",
    "extended_family": "Extended family",
    "friends": "Friends",
    "neighbours": "Neighbours",
    "work_school": "Work or school",
    "community": "Clubs, faith and community groups",
    "formal_services": "Formal services and agencies",
}
FORMAL_DOMAINS = ("formal_services",)
INFORMAL_DOMAINS = tuple(d for d in DOMAINS if d not in FORMAL_DOMAINS)
SCORE_CODES = {"1": "hardly ever", "2": "sometimes", "3": "almost always"}
CLOSENESS = {1: "not very close", 2: "sort of close", 3: "very close"}
FREQUENCIES = {
    "daily": "Daily",
    "weekly": "Weekly",
    "monthly": "Monthly",
    "few_times_a_year": "A few times a year",
    "less": "Less often",
}
DIRECTIONS = {
    "both": "Help goes both ways",
    "to_family": "Help goes from the member to the family (they help the family)",
    "from_family": "Help goes from the family to the member (the family helps them)",
}
YEARS_KNOWN = {"<1": "Less than a year", "1-5": "One to five years", ">5": "More than five years"}
QUALITIES = {
    "strong": "Strong (solid line on an ecomap)",
    "tenuous": "Tenuous (dashed line)",
    "stressful": "Stressful (jagged line)",
}


def _score(name: str, what: str) -> Column:
    return Column(name, "integer", f"{what}: 1 hardly ever, 2 sometimes, 3 almost always.", minimum=1, maximum=3)


MAPS = RawFile(
    key="network_maps",
    filename="network_maps.csv",
    strand=STRAND,
    description="One row per network map: a family at a wave, and whether ties between members were recorded.",
    unique_key=("family_id", "wave"),
    columns=(
        Column("family_id", "string", "The LA's family or case identifier (pseudonymised at ingest; joins families.csv).", identifier_prefix="F"),
        Column("wave", "integer", "Wave of the map: 1 near the start of work, 2 about six to nine months later.", minimum=1, maximum=2),
        Column("map_date", "date", "Date the map was drawn (YYYY-MM-DD)."),
        Column("ties_recorded", "boolean", "yes if the map records which members know each other (network_ties.csv); no if it was not asked. With no, measures that need ties are 'not recorded', never 0."),
    ),
)

MEMBERS = RawFile(
    key="network_members",
    filename="network_members.csv",
    strand=STRAND,
    description=("One row per member (person, group or service) of a family's network map at a wave. A member of a "
                 "family and wave with no row in network_maps.csv is rejected (cross-file check)."),
    unique_key=("family_id", "wave", "member_id"),
    columns=(
        Column("family_id", "string", "Family identifier (pseudonymised at ingest).", identifier_prefix="F"),
        Column("wave", "integer", "Wave of the map (1 or 2).", minimum=1, maximum=2),
        Column("member_id", "string", "Identifier of the member within the family, the same at both waves (pseudonymised at ingest).", identifier_prefix="M"),
        Column("role_label", "string", "The member's role, never a name: 'maternal grandmother', 'school', 'GP', 'neighbour'."),
        Column("domain", "category", "Life domain of the member (Tracy & Whittaker).", codes=DOMAINS),
        _score("support_emotional", "Emotional support the member gives"),
        _score("support_practical", "Practical (concrete) support the member gives"),
        _score("support_informational", "Information or advice the member gives"),
        _score("criticism", "How often the member is critical of the family"),
        Column("closeness", "integer", "How close the family feels to the member: 1 not very, 2 sort of, 3 very close.", minimum=1, maximum=3),
        Column("contact_frequency", "category", "How often the family sees or hears from the member.", codes=FREQUENCIES),
        Column("direction", "category", "Direction of help.", codes=DIRECTIONS),
        Column("years_known", "category", "How long the family has known the member.", codes=YEARS_KNOWN),
        Column("quality", "category", "Quality of the relationship, as on an ecomap.", codes=QUALITIES),
    ),
)

TIES = RawFile(
    key="network_ties",
    filename="network_ties.csv",
    strand=STRAND,
    description=("One row per pair of members of a map who know each other (only for maps with ties_recorded = yes); "
                 "the file may hold only its header. Cross-file checks after reading: a tie must join two different "
                 "accepted members of the same family's map at the same wave, on a map with ties_recorded = yes, and "
                 "not repeat a tie in reverse; otherwise the row is rejected and logged with file, row and column."),
    unique_key=("family_id", "wave", "member_a", "member_b"),
    columns=(
        Column("family_id", "string", "Family identifier (pseudonymised at ingest).", identifier_prefix="F"),
        Column("wave", "integer", "Wave of the map (1 or 2).", minimum=1, maximum=2),
        Column("member_a", "string", "One member (member_id in network_members.csv, same map; pseudonymised).", identifier_prefix="M"),
        Column("member_b", "string", "The other member (pseudonymised). Ties are undirected: a-b and b-a are the same tie.", identifier_prefix="M"),
    ),
)

RAW_FILES = (MAPS, MEMBERS, TIES)

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
    "multiplexity": ("number", "Share of members who give at least two of the three kinds of support (emotional, practical, informational) sometimes or almost always (score 2 or 3)."),
    "mean_closeness": ("number", "Mean closeness over members (1 not very close to 3 very close)."),
    "share_very_close": ("number", "Share of members who are very close (closeness 3)."),
    "share_strong": ("number", "Share of relationships described as strong."),
    "share_tenuous": ("number", "Share of relationships described as tenuous."),
    "share_stressful": ("number", "Share of relationships described as stressful."),
    "ties_recorded": ("boolean", "Whether ties between members were recorded on this map. When false, every tie-based measure below is blank and reads 'not recorded'."),
    "n_ties": ("integer", "Number of pairs of members who know each other (ties recorded only)."),
    "density": ("number", "Ties among members divided by the possible pairs, size x (size - 1) / 2; the family and its links to members are excluded (ties recorded and size >= 2 only)."),
    "n_components": ("integer", "Number of connected groups among members once the family is removed; a member who knows nobody else is a group of one (ties recorded only)."),
    "n_isolates": ("integer", "Members who know no other member (ties recorded only)."),
    "n_bridging": ("integer", "Members who hold the network together: articulation points of the members' graph, whose removal would split a group in two (ties recorded only)."),
    "max_betweenness": ("number", "Highest normalised betweenness centrality of a member in the members' graph (family removed): the share of shortest paths between other members that pass through them (ties recorded only)."),
    "key_member_role": ("string", "Role label of the member with the highest betweenness (first by member ID on ties); 'none' if nobody lies between others; 'not recorded' without ties."),
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
        Field("practitioner_trained", "boolean", "The allocated practitioner had completed systemic training when work began (blank if unknown)."),
        Field("level_of_need", "string", "Highest level of statutory involvement when work began (families.csv)."),
        Field("kept", "integer", "Members on both maps (same member_id)."),
        Field("lost", "integer", "Members on the wave-1 map only."),
        Field("gained", "integer", "Members on the wave-2 map only."),
        Field("informal_gained", "integer", "Gained members who are informal (not formal services)."),
        Field("informal_lost", "integer", "Lost members who are informal."),
        *(f for m in ("size", "n_informal", "n_formal", "informal_share")
          for f in (Field(f"{m}_w1", "number", f"{m} at wave 1."), Field(f"{m}_w2", "number", f"{m} at wave 2."),
                    Field(f"{m}_change", "number", f"{m} at wave 2 minus wave 1."))),
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
        Field("ci_low", "number", "95% CI of the mean change, lower (t-based)."),
        Field("ci_high", "number", "95% CI of the mean change, upper (t-based)."),
        Field("boot_ci_low", "number", "95% percentile bootstrap CI of the mean change, lower."),
        Field("boot_ci_high", "number", "95% percentile bootstrap CI of the mean change, upper."),
        Field("d_z", "number", "Cohen's d_z: mean change / SD of the changes."),
        Field("dz_ci_low", "number", "95% bootstrap CI of d_z, lower."),
        Field("dz_ci_high", "number", "95% bootstrap CI of d_z, upper."),
        Field("p", "number", "Two-sided paired t-test p-value."),
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
    ),
)

OUTPUTS = (MAP_MEASURES_TABLE, FAMILY_CHANGE_TABLE, CHANGE_SUMMARY_TABLE, TRAINING_DIFFERENCE_TABLE)
#: Where the SCORE-15 strand writes its per-family change (read if present; never imported).
SCORE15_CHANGE_FILE = Path("score15") / "family_change.csv"


# --------------------------------------------------------------------------------------------------
# Reading and cross-file checks


@dataclass
class NetworkData:
    """The three validated network files (accepted rows) and their ingest results."""

    maps: pd.DataFrame
    members: pd.DataFrame
    ties: pd.DataFrame
    results: dict[str, IngestResult] = field(default_factory=dict)
    not_in_roster: int = 0

    @property
    def synthetic(self) -> bool:
        return any(r.synthetic for r in self.results.values())

    @property
    def cross_file_rejections(self) -> dict[str, int]:
        """Rows each file lost to the cross-file checks (beyond the file's own validation)."""
        out = {}
        for key, r in self.results.items():
            iss = r.issues
            out[key] = int(iss.loc[iss["reason"].str.startswith("cross-file:"), "row"].nunique()) if len(iss) else 0
        return out


def _accepted_rows(result: IngestResult) -> np.ndarray:
    """Spreadsheet row numbers of the accepted rows, in order (read_raw keeps file order)."""
    rejected = set(result.rejected["row"].astype(int)) if len(result.rejected) else set()
    rows = np.array([r for r in range(2, result.rows_read + 2) if r not in rejected], dtype=int)
    if len(rows) != len(result.data):  # pragma: no cover - guards the assumption above
        raise AssertionError(f"{result.path.name}: cannot recover row numbers of accepted rows")
    return rows


def _as_text(data: pd.DataFrame, schema: RawFile) -> pd.DataFrame:
    out = pd.DataFrame(index=data.index)
    for c in schema.columns:
        v = data[c.name]
        if c.dtype == "date":
            out[c.name] = v.dt.strftime(c.date_format).fillna("")
        elif c.dtype == "boolean":
            out[c.name] = v.map({True: "yes", False: "no"}).fillna("")
        else:
            out[c.name] = v.astype(object).map(lambda x: "" if pd.isna(x) else str(x))
    return out


def _reject(result: IngestResult, problems: list[tuple[int, str, str]]) -> None:
    """Move accepted rows (by position) to the rejected rows, logging each (position, column, reason)."""
    if not problems:
        return
    rows = _accepted_rows(result)
    text = _as_text(result.data, result.schema)
    reasons: dict[int, list[str]] = {}
    issues = []
    for pos, column, reason in problems:
        value = "/".join(text.iloc[pos][c] for c in column.split("+"))
        issues.append((result.path.name, int(rows[pos]), column, value, f"cross-file: {reason}", "row rejected"))
        reasons.setdefault(pos, []).append(f"{column}: {reason}")
    positions = sorted(reasons)
    rej = text.iloc[positions].copy()
    rej.insert(0, "reasons", ["; ".join(reasons[p]) for p in positions])
    rej.insert(0, "row", rows[positions])
    rej.insert(0, "file", result.path.name)
    result.rejected = pd.concat([result.rejected, rej], ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    result.issues = pd.concat([result.issues, pd.DataFrame(issues, columns=ISSUE_COLUMNS)], ignore_index=True)
    keep = np.ones(len(result.data), dtype=bool)
    keep[positions] = False
    result.data = result.data.loc[keep].reset_index(drop=True)


def cross_check(maps: IngestResult, members: IngestResult, ties: IngestResult) -> None:
    """Reject rows that contradict another network file; updates the three results in place.

    * a member or tie of a (family, wave) with no accepted row in ``network_maps.csv``;
    * a tie on a map whose ``ties_recorded`` is no;
    * a tie from a member to themselves, or the reverse of a tie already listed;
    * a tie naming a member who is not an accepted member of that family's map at that wave.

    Each rejection is logged with file, row and column (reason starting "cross-file:"), and the row
    moves from the accepted data to the rejected rows, so rows read = accepted + rejected holds.
    Members are checked before ties, so a tie to a member whose own row was rejected is rejected too.
    """
    map_keys = {(f, int(w)): bool(t) for f, w, t in zip(maps.data["family_id"], maps.data["wave"], maps.data["ties_recorded"])}
    problems = []
    for pos, (f, w) in enumerate(zip(members.data["family_id"], members.data["wave"])):
        if (f, int(w)) not in map_keys:
            problems.append((pos, "family_id+wave", "no map for this family and wave in network_maps.csv"))
    _reject(members, problems)

    on_map: dict[tuple, set] = {}
    for f, w, m in zip(members.data["family_id"], members.data["wave"], members.data["member_id"]):
        on_map.setdefault((f, int(w)), set()).add(m)
    problems = []
    seen: dict[tuple, int] = {}
    rows = _accepted_rows(ties)
    for pos, (f, w, a, b) in enumerate(zip(ties.data["family_id"], ties.data["wave"], ties.data["member_a"], ties.data["member_b"])):
        key = (f, int(w))
        if key not in map_keys:
            problems.append((pos, "family_id+wave", "no map for this family and wave in network_maps.csv"))
            continue
        if not map_keys[key]:
            problems.append((pos, "family_id+wave", "the map says ties between members were not recorded"))
            continue
        bad = False
        for col, m in (("member_a", a), ("member_b", b)):
            if m not in on_map.get(key, set()):
                problems.append((pos, col, "no member with this ID on this family's map at this wave in network_members.csv"))
                bad = True
        if bad:
            continue
        if a == b:
            problems.append((pos, "member_b", "a tie from a member to themselves"))
            continue
        pair = (f, int(w), *sorted((a, b)))
        if pair in seen:
            problems.append((pos, "member_a+member_b", f"same tie as row {seen[pair]} (ties are undirected)"))
            continue
        seen[pair] = int(rows[pos])
    _reject(ties, problems)


def load_networks(
    raw_dir,
    processed_dir: Path | None,
    families: pd.DataFrame | None = None,
    key: bytes | None = None,
    save_record: bool = True,
) -> NetworkData:
    """Read and validate the three network files, cross-check them and keep the families in scope.

    ``families`` (from :func:`helpers.roster.load_families`, already restricted to the borough
    parameter) selects the maps to keep; maps of families not in it are dropped and counted in
    ``not_in_roster`` (with the all-borough scope that count is the maps of unknown families).
    With ``save_record`` the data-quality record of each file is written to ``processed_dir``.
    """
    results = {s.key: read_raw(s, raw_dir, key=key) for s in RAW_FILES}
    cross_check(results["network_maps"], results["network_members"], results["network_ties"])
    if save_record:
        for r in results.values():
            save_ingest_record(r, processed_dir)
    maps = results["network_maps"].data.copy()
    members = results["network_members"].data.copy()
    ties = results["network_ties"].data.copy()
    for df in (maps, members, ties):
        df["wave"] = df["wave"].astype(int)
    maps["ties_recorded"] = maps["ties_recorded"].astype(bool)
    for c in ("support_emotional", "support_practical", "support_informational", "criticism", "closeness"):
        members[c] = members[c].astype(int)
    not_in_roster = 0
    if families is not None:
        keep = set(families["family_id"])
        not_in_roster = int((~maps["family_id"].isin(keep)).sum())
        maps = maps[maps["family_id"].isin(keep)].reset_index(drop=True)
        members = members[members["family_id"].isin(keep)].reset_index(drop=True)
        ties = ties[ties["family_id"].isin(keep)].reset_index(drop=True)
    return NetworkData(maps=maps, members=members, ties=ties, results=results, not_in_roster=not_in_roster)


# --------------------------------------------------------------------------------------------------
# Graphs and measures

MEMBER_ATTRIBUTES = ("role_label", "domain", "support_emotional", "support_practical", "support_informational",
                     "criticism", "closeness", "contact_frequency", "direction", "years_known", "quality")


def build_graph(family_id: str, wave: int, ties_recorded: bool, members: list[dict], ties: list[tuple[str, str]] = (),
                map_date=None) -> nx.Graph:
    """One map as a graph: :data:`FAMILY` at the centre, a node per member, family and tie edges.

    ``members`` are dicts with ``member_id`` and the :data:`MEMBER_ATTRIBUTES`; ``ties`` are pairs of
    member IDs. Graph attributes: family_id, wave, ties_recorded, map_date.
    """
    g = nx.Graph(family_id=family_id, wave=int(wave), ties_recorded=bool(ties_recorded), map_date=map_date)
    g.add_node(FAMILY, kind="family")
    for m in sorted(members, key=lambda m: m["member_id"]):
        attrs = {a: m[a] for a in MEMBER_ATTRIBUTES if a in m}
        g.add_node(m["member_id"], kind="member", **attrs)
        g.add_edge(FAMILY, m["member_id"], kind="family", direction=attrs.get("direction"),
                   quality=attrs.get("quality"), closeness=attrs.get("closeness"))
    for a, b in ties:
        g.add_edge(a, b, kind="tie")
    return g


def build_graphs(maps: pd.DataFrame, members: pd.DataFrame, ties: pd.DataFrame) -> dict[tuple[str, int], nx.Graph]:
    """One graph per row of ``maps``, keyed (family_id, wave), in sorted key order."""
    by_map: dict[tuple, list] = {}
    cols = ["member_id", *[a for a in MEMBER_ATTRIBUTES if a in members.columns]]
    for f, w, rec in zip(members["family_id"], members["wave"], members[cols].to_dict("records")):
        by_map.setdefault((f, int(w)), []).append(rec)
    tie_map: dict[tuple, list] = {}
    for f, w, a, b in zip(ties["family_id"], ties["wave"], ties["member_a"], ties["member_b"]):
        tie_map.setdefault((f, int(w)), []).append((a, b))
    dates = maps["map_date"] if "map_date" in maps.columns else [None] * len(maps)
    graphs = {}
    for f, w, t, d in sorted(zip(maps["family_id"], maps["wave"].astype(int), maps["ties_recorded"], dates), key=lambda r: (r[0], r[1])):
        graphs[(f, w)] = build_graph(f, w, bool(t), by_map.get((f, w), []), tie_map.get((f, w), []), d)
    return graphs


def members_of(g: nx.Graph) -> list[str]:
    """Member node names of a map graph, sorted."""
    return sorted(n for n, k in g.nodes(data="kind") if k == "member")


def member_graph(g: nx.Graph) -> nx.Graph:
    """The ties among members only: the map with the family removed."""
    return g.subgraph(members_of(g)).copy()


def measure_graph(g: nx.Graph) -> dict:
    """All per-map measures of :data:`MAP_MEASURES` for one map graph (definitions there)."""
    ids = members_of(g)
    nodes = [g.nodes[m] for m in ids]
    n = len(ids)
    out: dict = {"family_id": g.graph.get("family_id"), "wave": g.graph.get("wave"), "size": n}
    counts = {d: 0 for d in DOMAINS}
    for a in nodes:
        counts[a["domain"]] += 1
    for d in DOMAINS:
        out[f"n_{d}"] = counts[d]
    n_formal = sum(counts[d] for d in FORMAL_DOMAINS)
    out["n_informal"] = n - n_formal
    out["n_formal"] = n_formal

    def share(values) -> float:
        return float(np.mean(values)) if n else np.nan

    out["informal_share"] = (n - n_formal) / n if n else np.nan
    out["mean_emotional"] = share([a["support_emotional"] for a in nodes])
    out["mean_practical"] = share([a["support_practical"] for a in nodes])
    out["mean_informational"] = share([a["support_informational"] for a in nodes])
    out["mean_criticism"] = share([a["criticism"] for a in nodes])
    out["share_critical"] = share([a["criticism"] == 3 for a in nodes])
    out["reciprocity"] = share([a["direction"] == "both" for a in nodes])
    out["multiplexity"] = share([(a["support_emotional"] >= 2) + (a["support_practical"] >= 2) + (a["support_informational"] >= 2) >= 2 for a in nodes])
    out["mean_closeness"] = share([a["closeness"] for a in nodes])
    out["share_very_close"] = share([a["closeness"] == 3 for a in nodes])
    for q in QUALITIES:
        out[f"share_{q}"] = share([a["quality"] == q for a in nodes])
    recorded = bool(g.graph.get("ties_recorded"))
    out["ties_recorded"] = recorded
    if not recorded:
        out.update(n_ties=np.nan, density=np.nan, n_components=np.nan, n_isolates=np.nan, n_bridging=np.nan,
                   max_betweenness=np.nan, key_member_role=NOT_RECORDED)
        return out
    mg = nx.Graph(g.subgraph(ids).edges())  # a plain copy: algorithms on subgraph views are slow
    mg.add_nodes_from(ids)
    n_ties = mg.number_of_edges()
    out["n_ties"] = n_ties
    out["density"] = n_ties / (n * (n - 1) / 2) if n >= 2 else np.nan
    out["n_components"] = nx.number_connected_components(mg) if n else 0
    out["n_isolates"] = sum(1 for m in ids if mg.degree(m) == 0)
    out["n_bridging"] = sum(1 for _ in nx.articulation_points(mg)) if n else 0
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
        df = df.sort_values(["domain", "member_id"], key=lambda s: s.map(order) if s.name == "domain" else s).reset_index(drop=True)
    return df


# --------------------------------------------------------------------------------------------------
# Change between waves


def membership_change(g1: nx.Graph, g2: nx.Graph) -> dict:
    """Members kept (on both maps), lost (wave 1 only) and gained (wave 2 only), overall and informal."""
    m1, m2 = set(members_of(g1)), set(members_of(g2))
    lost, gained = m1 - m2, m2 - m1

    def informal(g, ids):
        return sum(1 for m in ids if g.nodes[m]["domain"] not in FORMAL_DOMAINS)

    return {"kept": len(m1 & m2), "lost": len(lost), "gained": len(gained),
            "informal_gained": informal(g2, gained), "informal_lost": informal(g1, lost)}


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
            row["practitioner_trained"] = fam.at[f, "practitioner_trained"] if "practitioner_trained" in fam.columns else pd.NA
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


def change_summary(measures: pd.DataFrame, families: pd.DataFrame | None = None, n_boot: int = stats.DEFAULT_BOOTSTRAP,
                   seed: int = 0) -> pd.DataFrame:
    """Paired change of every :data:`CHANGE_MEASURES` for all families and by training group."""
    rows = []
    for measure, label in CHANGE_MEASURES.items():
        pairs = paired_measures(measures, measure)
        for group, ids in _groups(families).items():
            sub = pairs if ids is None else pairs[pairs["family_id"].isin(ids)]
            pc = stats.paired_change(sub["w1"].astype(float), sub["w2"].astype(float), n_boot=n_boot, seed=seed)
            rows.append({"measure": measure, "label": label, "group": group, "n_families": pc["n"],
                         "mean_wave1": pc["mean_before"], "mean_wave2": pc["mean_after"],
                         **{k: pc[k] for k in CHANGE_SUMMARY_TABLE.column_names[6:]}})
    return pd.DataFrame(rows, columns=CHANGE_SUMMARY_TABLE.column_names)


def change_by_training(measures: pd.DataFrame, families: pd.DataFrame, n_boot: int = stats.DEFAULT_BOOTSTRAP,
                       seed: int = 0) -> pd.DataFrame:
    """Trained minus not-trained difference in mean change, per measure (:data:`TRAINING_DIFFERENCE_TABLE`)."""
    groups = _groups(families)
    rows = []
    for measure, label in CHANGE_MEASURES.items():
        pairs = paired_measures(measures, measure)
        ch = pairs.assign(change=pairs["w2"].astype(float) - pairs["w1"].astype(float)) if len(pairs) else pairs.assign(change=[])
        if "trained" not in groups:
            continue
        x = ch.loc[ch["family_id"].isin(groups["trained"]), "change"]
        y = ch.loc[ch["family_id"].isin(groups["not trained"]), "change"]
        d = stats.difference_in_means(x, y, n_boot=n_boot, seed=seed)
        rows.append({"measure": measure, "label": label, "n_trained": d["n_x"], "n_not_trained": d["n_y"],
                     "mean_change_trained": d["mean_x"], "mean_change_not_trained": d["mean_y"],
                     "difference": d["difference"], "ci_low": d["ci_low"], "ci_high": d["ci_high"],
                     "boot_ci_low": d["boot_ci_low"], "boot_ci_high": d["boot_ci_high"]})
    return pd.DataFrame(rows, columns=TRAINING_DIFFERENCE_TABLE.column_names)


def score15_association(change: pd.DataFrame, processed_dir, column: str = "n_informal_change",
                        n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 0) -> dict | None:
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
    out = {"n": len(both), "rho": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan,
           "mean_score15_change": float(both["change"].mean()) if len(both) else np.nan}
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


# --------------------------------------------------------------------------------------------------
# Report section


def _num(x, fmt="{:.1f}") -> str:
    """A number as prose prints it, never as '-0.0'."""
    text = fmt.format(x)
    return text[1:] if re.fullmatch(r"[-+]0(\.0+)?", text) else text


def _signed(x) -> str:
    return _num(x, "{:+.1f}")


def _ci(lo, hi, fmt="{:.1f}") -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "CI not computed"
    return f"95% CI {_num(lo, fmt)} to {_num(hi, fmt)}"


def composition_by_wave(measures: pd.DataFrame, families: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean members per domain at each wave (long format: wave, group, domain, mean_members, n_maps)."""
    m = measures
    rows = []
    groups = _groups(families)
    for group, ids in groups.items():
        sub = m if ids is None else m[m["family_id"].isin(ids)]
        for w, s in sub.groupby("wave"):
            for d, label in DOMAINS.items():
                rows.append({"wave": int(w), "group": group, "domain": d, "domain_label": label,
                             "mean_members": float(s[f"n_{d}"].mean()), "n_maps": len(s)})
    return pd.DataFrame(rows)


def build_section(section, data: NetworkData, measures: pd.DataFrame, change: pd.DataFrame,
                  summary: pd.DataFrame, by_training: pd.DataFrame, families: pd.DataFrame | None,
                  graphs: dict, association: dict | None, n_examples: int = 3,
                  min_count: int = DEFAULT_SUPPRESSION_THRESHOLD + 1):
    """Fill the report section: plain-English prose from the data, tables, aggregate charts and example maps.

    Tables declare their count columns, so the report suppresses small counts; charts and prose, which
    the report cannot suppress, leave out any group with fewer than ``min_count`` families or maps.
    """
    from . import network_drawing as nd  # drawing only when building the report

    n_maps = len(measures)
    n_fam = measures["family_id"].nunique()
    n_both = len(change)
    w1 = measures[measures["wave"] == 1]
    w2 = measures[measures["wave"] == 2]
    section.markdown(
        "Families drew a network map with their worker near the start of the work (wave 1) and again "
        "some months later (wave 2): everyone around the family, from relatives and friends to schools and "
        "services, how close each is, how they help, and how the relationship feels (the Social Network Map "
        "of Tracy and Whittaker, drawn as an ecomap). People on the maps are described only by their role."
    )
    if not n_maps:
        section.markdown("No network maps were available for this scope.")
        return section
    ties_share = measures["ties_recorded"].mean()
    section.markdown(
        f"**{n_maps} maps** from **{n_fam} families** were analysed: {len(w1)} at wave 1 and {len(w2)} at "
        f"wave 2; {n_both} families have a map at both waves, and {n_fam - n_both} only one map. "
        f"On {ties_share:.0%} of maps the family also said which of their members know each other, so "
        f"density and the people who hold the network together are described for those maps only; on the "
        f"others they are 'not recorded', not zero."
    )
    # What the maps show.
    size_med = w1["size"].median()
    inf_share = w1["informal_share"].mean()
    section.markdown(
        f"**What the networks look like.** At wave 1 the typical (median) map had {size_med:.0f} members "
        f"(range {w1['size'].min()} to {w1['size'].max()}). On average {inf_share:.0%} of members were "
        f"informal (household, relatives, friends, neighbours, work or school, community groups) and "
        f"{1 - inf_share:.0%} were formal services. Help went both ways with {w1['reciprocity'].mean():.0%} "
        f"of members, and {w1['multiplexity'].mean():.0%} gave more than one kind of support."
    )
    by_wave = []
    for w, s in ((1, w1), (2, w2)):
        if not len(s):
            continue
        by_wave.append({
            "Wave": f"Wave {w}", "n_maps": len(s), "Members (mean)": s["size"].mean(),
            "Informal members (mean)": s["n_informal"].mean(), "Formal services (mean)": s["n_formal"].mean(),
            "Informal share": s["informal_share"].mean(), "Emotional support (1-3)": s["mean_emotional"].mean(),
            "Practical support (1-3)": s["mean_practical"].mean(), "Informational support (1-3)": s["mean_informational"].mean(),
            "Criticism (1-3)": s["mean_criticism"].mean(), "Help both ways (share)": s["reciprocity"].mean(),
            "Two or more kinds of support (share)": s["multiplexity"].mean(), "Strong (share)": s["share_strong"].mean(),
            "Stressful (share)": s["share_stressful"].mean(), "n_maps_ties_recorded": int(s["ties_recorded"].sum()),
            "Density (ties recorded)": s["density"].mean(),
        })
    by_wave = pd.DataFrame(by_wave)
    section.table("map_measures_by_wave", by_wave,
                  caption="Network measures at each wave: means over maps (all families with a map at that wave).",
                  count_columns=["n_maps", "n_maps_ties_recorded"],
                  dependent_columns={**{c: "n_maps" for c in by_wave.columns if c not in ("Wave", "n_maps", "n_maps_ties_recorded", "Density (ties recorded)")},
                                     "Density (ties recorded)": "n_maps_ties_recorded"},
                  note="Shares are of members on each map, averaged over maps. Density only on maps where ties between members were recorded.")
    comp = composition_by_wave(measures, families)
    small = comp.groupby("group")["n_maps"].transform("min") < min_count
    comp = comp[~small | (comp["group"] == "all")]
    fig = nd.composition_chart(comp)
    section.figure("composition", fig, caption="Who is in families' networks: mean members per domain at each wave, by whether the practitioner was systemically trained.",
                   alt=f"Stacked bars of the mean number of network members in each life domain, at wave 1 and wave 2, for all families and by the practitioner's training. At wave 1 the mean map had {w1['size'].mean():.1f} members, {w1['n_informal'].mean():.1f} of them informal.")

    # What changed, for whom.
    def row(measure, group):
        r = summary[(summary["measure"] == measure) & (summary["group"] == group)]
        return r.iloc[0] if len(r) else None

    allr = row("size", "all")
    inf = {g: row("n_informal", g) for g in ("all", "trained", "not trained")}
    form = row("n_formal", "all")
    if allr is not None and allr["n_families"] >= min_count:
        section.markdown(
            f"**What changed.** Across the {int(allr['n_families'])} families with two maps, networks changed by "
            f"{_signed(allr['mean_change'])} members on average ({_ci(allr['ci_low'], allr['ci_high'])}; d_z = {allr['d_z']:.2f}). "
            f"Informal members changed by {_signed(inf['all']['mean_change'])} ({_ci(inf['all']['ci_low'], inf['all']['ci_high'])}) and "
            f"formal services by {_signed(form['mean_change'])} ({_ci(form['ci_low'], form['ci_high'])}). "
            f"On average a family kept {change['kept'].mean():.1f} members, lost {change['lost'].mean():.1f} and gained "
            f"{change['gained'].mean():.1f}: networks turn over even when their size stays the same."
        )
    if (inf.get("trained") is not None and inf.get("not trained") is not None and len(by_training)
            and inf["trained"]["n_families"] >= min_count and inf["not trained"]["n_families"] >= min_count):
        d = by_training[by_training["measure"] == "n_informal"].iloc[0]
        t, u = inf["trained"], inf["not trained"]
        section.markdown(
            f"**For whom.** Where the practitioner had completed systemic training before the work began, families' "
            f"informal networks changed by {_signed(t['mean_change'])} members ({_ci(t['ci_low'], t['ci_high'])}, "
            f"{int(t['n_families'])} families); where not, by {_signed(u['mean_change'])} ({_ci(u['ci_low'], u['ci_high'])}, "
            f"{int(u['n_families'])} families). The difference is {_signed(d['difference'])} members "
            f"({_ci(d['ci_low'], d['ci_high'])}; bootstrap {_ci(d['boot_ci_low'], d['boot_ci_high'])}). "
            "This compares families of trained and untrained practitioners; it is not a randomised comparison, "
            "and families may differ in other ways."
        )
    tab = summary[summary["measure"].isin(["size", "n_informal", "n_formal", "informal_share", "mean_emotional", "mean_practical", "reciprocity", "density"])]
    tab = tab.assign(group=tab["group"].map({"all": "All families", "trained": "Trained", "not trained": "Not trained"}))
    tab = tab[["label", "group", "n_families", "mean_wave1", "mean_wave2", "mean_change", "ci_low", "ci_high", "d_z"]].rename(columns={
        "label": "Measure", "group": "Practitioner", "mean_wave1": "Wave 1", "mean_wave2": "Wave 2", "mean_change": "Change",
        "ci_low": "95% CI low", "ci_high": "95% CI high", "d_z": "d_z"})
    section.table("change_summary", tab, caption="Change between waves (families with maps at both waves): paired means, 95% CI of the mean change and Cohen's d_z.",
                  count_columns=["n_families"], dependent_columns={c: "n_families" for c in ["Wave 1", "Wave 2", "Change", "95% CI low", "95% CI high", "d_z"]})
    shown = summary[(summary["n_families"] >= min_count) | (summary["group"] == "all")]
    fig = nd.change_chart(shown, ["size", "n_informal", "n_formal"])
    section.figure("change_by_training", fig, caption="Mean change in network members between waves, with 95% confidence intervals, by the practitioner's training.",
                   alt="Dot-and-whisker chart of the mean change between waves in the number of members, informal members and formal services, for all families and separately for families of trained and untrained practitioners, each with its 95% confidence interval.")
    if len(change) and change["level_of_need"].notna().any():
        need = change.groupby("level_of_need", observed=True).agg(n_families=("family_id", "size"),
                                                                   informal_change=("n_informal_change", "mean"),
                                                                   formal_change=("n_formal_change", "mean"),
                                                                   size_w1=("size_w1", "mean")).reset_index()
        from .roster import LEVELS_OF_NEED
        need["level_of_need"] = need["level_of_need"].map(LEVELS_OF_NEED).fillna(need["level_of_need"])
        need = need.rename(columns={"level_of_need": "Level of need", "informal_change": "Informal change (mean)",
                                    "formal_change": "Formal change (mean)", "size_w1": "Members at wave 1 (mean)"})
        section.table("change_by_need", need, caption="Change by level of need when work began (families with maps at both waves).",
                      count_columns=["n_families"], dependent_columns={c: "n_families" for c in need.columns[2:]})

    # Ties and the members who hold networks together.
    rec = measures[measures["ties_recorded"]]
    if len(rec):
        keys = rec.loc[~rec["key_member_role"].isin(["none", NOT_RECORDED]), "key_member_role"]
        top = keys.value_counts().rename_axis("Role").reset_index(name="n_maps").head(8)
        section.markdown(
            f"**Who holds networks together.** On the {len(rec)} maps with ties recorded, a median of "
            f"{rec['density'].median():.0%} of the possible pairs of members knew each other; once the family itself is set aside, "
            f"{(rec['n_components'] > 1).mean():.0%} of these networks fall into separate groups who do not know each other. The person most often "
            f"'in between' others (highest betweenness) is listed by role below."
        )
        section.table("key_members", top, caption="Roles of the member with the highest betweenness on each map (maps with ties recorded).",
                      count_columns=["n_maps"])
    # SCORE-15.
    if association is None:
        section.markdown("**Network change and family functioning.** SCORE-15 results not available: the association between network change and SCORE-15 change is not computed.")
    elif association["n"] < max(4, min_count) or pd.isna(association["rho"]):
        section.markdown("**Network change and family functioning.** Too few families have both a network change and a SCORE-15 change to describe their association.")
    else:
        section.markdown(
            f"**Network change and family functioning.** For the {association['n']} families with both, the change in informal "
            f"members and the change in SCORE-15 total (higher scores mean more reported difficulty) had a Spearman correlation of "
            f"{association['rho']:.2f} ({_ci(association['ci_low'], association['ci_high'], '{:.2f}')}; {stats.describe_p(association['p'])}). "
            "A correlation across families does not show that one change caused the other."
        )
    # Example maps.
    examples = pick_examples(change, n_examples)
    if examples:
        section.markdown(
            "**Example maps.** The maps below are examples chosen by a fixed rule (a family close to the average change "
            "for trained and for untrained practitioners, and the family with most services), labelled by role only. "
            "The family is at the centre; rings show closeness (inner ring very close); colour shows the life domain; "
            "solid lines are strong relationships, dashed tenuous, jagged stressful; arrows show which way help goes. "
            "Members present at both waves keep their place."
        )
        for i, f in enumerate(examples):
            name = f"Family {chr(65 + i)}"
            fig = nd.draw_family_waves(graphs.get((f, 1)), graphs.get((f, 2)), title=name)
            c = change[change["family_id"] == f].iloc[0]
            section.figure(f"example_{chr(97 + i)}", fig, caption=f"{name}: network map at wave 1 and wave 2.",
                           alt=f"Two ecomaps side by side for {name}. Wave 1 has {int(c['size_w1'])} members and wave 2 has {int(c['size_w2'])}; "
                               f"{int(c['kept'])} members were kept, {int(c['lost'])} lost and {int(c['gained'])} gained.")
        keys = sorted(k for k in graphs if k[1] == 1)
        step = max(1, len(keys) // 12)
        sample = keys[::step][:12]
        fig = nd.small_multiples([graphs[k] for k in sample], titles=[f"Map {i + 1}" for i in range(len(sample))])
        section.figure("overview", fig, caption="Overview: a fixed sample of wave-1 maps, drawn the same way without labels.",
                       alt=f"A grid of {len(sample)} small ecomaps at wave 1, showing how networks differ in size and in the mix of family, friends and services.")
    rej = data.cross_file_rejections
    if sum(rej.values()):
        section.markdown(
            f"Data checks across the three map files rejected {rej.get('network_members', 0)} member rows and "
            f"{rej.get('network_ties', 0)} tie rows (for example a tie to a member not on that map); they are listed in the data-quality section."
        )
    return section


def resolve_family_ids(values, available, key: bytes | None = None) -> list[str]:
    """Map family identifiers typed by an evaluator to the pseudonyms used in the data.

    Each value may be a pseudonym already present in ``available`` or the LA's own family identifier,
    which is pseudonymised with the project key (as at ingest). Unknown values raise a ValueError.
    """
    from .pseudonymise import load_key, pseudonym

    available = set(available)
    out, unknown = [], []
    secret = None
    for v in values:
        v = str(v).strip()
        if v in available:
            out.append(v)
            continue
        secret = secret if secret is not None else (key if key is not None else load_key())
        p = pseudonym(v, secret, "F")
        (out if p in available else unknown).append(p if p in available else v)
    if unknown:
        raise ValueError(f"no network map for family {', '.join(unknown)} in this scope; "
                         "give the LA's family identifier or its pseudonym (F + 16 hex digits)")
    return out


def parse_list(value) -> list[str]:
    """A list (family identifiers, formats...) from a notebook parameter: a list, a JSON list or a comma-separated string.

    (``papermill -p family_ids '["A", "B"]'`` passes a string; ``-y 'family_ids: [A, B]'`` a list.)
    """
    import json

    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("["):
        return parse_list(json.loads(text))
    return [v.strip() for v in text.split(",") if v.strip()]
