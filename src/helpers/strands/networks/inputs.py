"""Network maps raw input: the three files' schemas and codes, cross-file checks and reading.

:func:`load_networks` reads and validates the three files, :func:`cross_check` rejects rows that only
make sense with another file. :func:`resolve_family_ids` and :func:`parse_list` turn notebook parameters
into the family pseudonyms used in the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.ingest import (
    ISSUE_COLUMNS,
    Column,
    IngestResult,
    Link,
    RawFile,
    apply_links,
    raise_for_links,
    raise_if_all_rejected,
    read_raw,
    save_ingest_record,
)
from helpers.roster import FAMILIES, REQUIRED_MATCH

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
    date_window=("2013-01-01", "2018-12-31"),
    links=(Link(("family_id",), FAMILIES, required_share=REQUIRED_MATCH),),
    columns=(
        Column(
            "family_id",
            "string",
            "The LA's family or case identifier (pseudonymised at ingest; joins families.csv).",
            identifier_prefix="F",
        ),
        Column(
            "wave",
            "integer",
            "Wave of the map: 1 near the start of work, 2 about six to nine months later.",
            minimum=1,
            maximum=2,
        ),
        Column("map_date", "date", "Date the map was drawn (YYYY-MM-DD)."),
        Column(
            "ties_recorded",
            "boolean",
            "yes if the map records which members know each other (network_ties.csv); no if it was not asked. With no, measures that need ties are 'not recorded', never 0.",
        ),
        Column(
            "illustration_consent",
            "boolean",
            "Optional. yes if the family agreed that this map may be shown, labelled by role only, as an example in "
            "a report; no or blank if not (or not asked). A report draws a family's maps only when consent is "
            "recorded for every map of the family drawn; otherwise it shows no example maps.",
            required=False,
            nullable=True,
        ),
    ),
)

MEMBERS = RawFile(
    key="network_members",
    filename="network_members.csv",
    strand=STRAND,
    description=(
        "One row per member (person, group or service) of a family's network map at a wave. A member of a "
        "family and wave with no row in network_maps.csv is rejected (cross-file check)."
    ),
    unique_key=("family_id", "wave", "member_id"),
    columns=(
        Column("family_id", "string", "Family identifier (pseudonymised at ingest).", identifier_prefix="F"),
        Column("wave", "integer", "Wave of the map (1 or 2).", minimum=1, maximum=2),
        Column(
            "member_id",
            "string",
            "Identifier of the member within the family, the same at both waves (pseudonymised at ingest).",
            identifier_prefix="M",
        ),
        Column(
            "role_label",
            "string",
            "The member's role, never a name: 'maternal grandmother', 'school', 'GP', 'neighbour'.",
        ),
        Column("domain", "category", "Life domain of the member (Tracy & Whittaker).", codes=DOMAINS),
        _score("support_emotional", "Emotional support the member gives"),
        _score("support_practical", "Practical (concrete) support the member gives"),
        _score("support_informational", "Information or advice the member gives"),
        _score("criticism", "How often the member is critical of the family"),
        Column(
            "closeness",
            "integer",
            "How close the family feels to the member: 1 not very, 2 sort of, 3 very close.",
            minimum=1,
            maximum=3,
        ),
        Column(
            "contact_frequency", "category", "How often the family sees or hears from the member.", codes=FREQUENCIES
        ),
        Column("direction", "category", "Direction of help.", codes=DIRECTIONS),
        Column("years_known", "category", "How long the family has known the member.", codes=YEARS_KNOWN),
        Column("quality", "category", "Quality of the relationship, as on an ecomap.", codes=QUALITIES),
    ),
)

TIES = RawFile(
    key="network_ties",
    filename="network_ties.csv",
    strand=STRAND,
    description=(
        "One row per pair of members of a map who know each other (only for maps with ties_recorded = yes); "
        "the file may hold only its header. Cross-file checks after reading: a tie must join two different "
        "accepted members of the same family's map at the same wave, on a map with ties_recorded = yes, and "
        "not repeat a tie in reverse; otherwise the row is rejected and logged with file, row and column."
    ),
    unique_key=("family_id", "wave", "member_a", "member_b"),
    columns=(
        Column("family_id", "string", "Family identifier (pseudonymised at ingest).", identifier_prefix="F"),
        Column("wave", "integer", "Wave of the map (1 or 2).", minimum=1, maximum=2),
        Column(
            "member_a",
            "string",
            "One member (member_id in network_members.csv, same map; pseudonymised).",
            identifier_prefix="M",
        ),
        Column(
            "member_b",
            "string",
            "The other member (pseudonymised). Ties are undirected: a-b and b-a are the same tie.",
            identifier_prefix="M",
        ),
    ),
)

RAW_FILES = (MAPS, MEMBERS, TIES)
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
    if result.unmatched is not None and len(result.unmatched):  # set aside by a link
        rejected |= set(pd.to_numeric(result.unmatched["row"], errors="coerce").dropna().astype(int))
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
    result.rejected = (
        pd.concat([result.rejected, rej], ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    )
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
    map_keys = {
        (f, int(w)): bool(t)
        for f, w, t in zip(maps.data["family_id"], maps.data["wave"], maps.data["ties_recorded"], strict=True)
    }
    # Maps set aside by the link to families.csv: their members and ties go with them, saying why.
    set_aside = set()
    if maps.unmatched is not None and len(maps.unmatched):
        set_aside = {
            (f, int(w))
            for f, w in zip(maps.unmatched["family_id"], maps.unmatched["wave"], strict=True)
            if str(w).strip().isdigit()
        }

    def no_map(key) -> str:
        if key in set_aside:
            return "the map of this family and wave was set aside (its family is not an accepted row of families.csv)"
        return "no map for this family and wave in network_maps.csv"

    problems = []
    for pos, (f, w) in enumerate(zip(members.data["family_id"], members.data["wave"], strict=True)):
        if (f, int(w)) not in map_keys:
            problems.append((pos, "family_id+wave", no_map((f, int(w)))))
    _reject(members, problems)

    on_map: dict[tuple, set] = {}
    for f, w, m in zip(members.data["family_id"], members.data["wave"], members.data["member_id"], strict=True):
        on_map.setdefault((f, int(w)), set()).add(m)
    problems = []
    seen: dict[tuple, int] = {}
    rows = _accepted_rows(ties)
    for pos, (f, w, a, b) in enumerate(
        zip(ties.data["family_id"], ties.data["wave"], ties.data["member_a"], ties.data["member_b"], strict=True)
    ):
        key = (f, int(w))
        if key not in map_keys:
            problems.append((pos, "family_id+wave", no_map(key)))
            continue
        if not map_keys[key]:
            problems.append((pos, "family_id+wave", "the map says ties between members were not recorded"))
            continue
        bad = False
        for col, m in (("member_a", a), ("member_b", b)):
            if m not in on_map.get(key, set()):
                problems.append(
                    (pos, col, "no member with this ID on this family's map at this wave in network_members.csv")
                )
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
    families: IngestResult | pd.DataFrame | None = None,
    key: bytes | None = None,
    save_record: bool = True,
) -> NetworkData:
    """Read and validate the three network files, cross-check them and keep the families in scope.

    ``families`` is the result of :func:`helpers.roster.load_families` (preferred) or its ``data``.
    With the result, every map is first checked against all accepted families (the declared link
    of :data:`MAPS`): a map of a family not in families.csv, or whose row there was rejected, is
    set aside as unmatched and reconciled, and its members and ties are then rejected by the
    cross-file checks. The maps kept are those of the families in ``families.data`` (the borough
    parameter); maps of families in other boroughs are counted in ``not_in_roster``. With a
    DataFrame only the scope is applied (maps of families not in it are counted there).
    With ``save_record`` the data-quality record of each file is written to ``processed_dir``.
    """
    results = {s.key: read_raw(s, raw_dir, key=key) for s in RAW_FILES}
    if isinstance(families, IngestResult):
        apply_links(results["network_maps"], {FAMILIES.key: families})
        in_scope = families.data
    else:
        in_scope = families
    cross_check(results["network_maps"], results["network_members"], results["network_ties"])
    if save_record:
        for r in results.values():
            save_ingest_record(r, processed_dir)
    for r in results.values():
        raise_if_all_rejected(r)
    raise_for_links(results["network_maps"])
    maps = results["network_maps"].data.copy()
    members = results["network_members"].data.copy()
    ties = results["network_ties"].data.copy()
    for df in (maps, members, ties):
        df["wave"] = df["wave"].astype(int)
    maps["ties_recorded"] = maps["ties_recorded"].astype(bool)
    maps["illustration_consent"] = maps["illustration_consent"].astype("boolean").fillna(False).astype(bool)
    for c in ("support_emotional", "support_practical", "support_informational", "criticism", "closeness"):
        members[c] = members[c].astype(int)
    not_in_roster = 0
    if in_scope is not None:
        keep = set(in_scope["family_id"])
        not_in_roster = int((~maps["family_id"].isin(keep)).sum())
        maps = maps[maps["family_id"].isin(keep)].reset_index(drop=True)
        members = members[members["family_id"].isin(keep)].reset_index(drop=True)
        ties = ties[ties["family_id"].isin(keep)].reset_index(drop=True)
    return NetworkData(maps=maps, members=members, ties=ties, results=results, not_in_roster=not_in_roster)


def resolve_family_ids(values, available, key: bytes | None = None) -> list[str]:
    """Map family identifiers typed by an evaluator to the pseudonyms used in the data.

    Each value may be a pseudonym already present in ``available`` or the LA's own family identifier,
    which is pseudonymised with the project key (as at ingest). Unknown values raise a ValueError.
    """
    from helpers.pseudonymise import load_key, pseudonym

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
        raise ValueError(
            f"no network map for family {', '.join(unknown)} in this scope; "
            "give the LA's family identifier or its pseudonym (F + 16 hex digits)"
        )
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
