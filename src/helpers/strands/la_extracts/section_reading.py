"""The opening of the LA-extracts section: whom the report is about (:class:`Scope`) and what
happened to every return read (used, outside the report's scope, or not used because its CIN
header and its folder disagree), so that a return that was read is never called "not found"."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ...config import ALL_BOROUGHS, BOROUGHS, normalise_borough
from ...formatting import plural
from .folders import scope_las


def borough_names() -> dict:
    return {str(la): name for name, _, la in BOROUGHS.values()}


@dataclass
class Scope:
    """Whom the section is about: ``label`` names them in prose ("the three boroughs", "Bradford"),
    ``area`` is the word for one of them ("borough", "authority"), ``plural`` whether the report is
    about several, ``names`` maps LA numbers to names (the boroughs' as the project writes them)."""

    label: str = "the three boroughs"
    area: str = "borough"
    plural: bool = True
    names: dict = field(default_factory=dict)
    #: "" for an authority's own returns, "synthetic" for the project's generator, "test" for test data
    #: (e.g. the DfE validator projects' fake return): the words every illustrative figure carries.
    data: str = ""

    def __post_init__(self):
        self.names = {**self.names, **borough_names()}

    def name(self, la) -> str:
        return self.names.get(str(la), f"LA {la}")

    def owner(self) -> str:
        """ "Each borough's own returns" / "Bradford's own returns"."""
        return f"Each {self.area}'s own returns" if self.plural else f"{self.label}'s own returns"

    def their(self) -> str:
        """ "their" / "its"."""
        return "their" if self.plural else "its"

    def whose(self) -> str:
        """ "the boroughs'" / "Bradford's"."""
        return f"the {self.area}s'" if self.plural else f"{self.label}'s"

    def each(self) -> str:
        """ "each borough's" / "Bradford's"."""
        return f"each {self.area}'s" if self.plural else f"{self.label}'s"

    def areas(self, n: int) -> str:
        """ "3 boroughs", "1 authority"."""
        return plural(n, self.area, "authorities" if self.area == "authority" else None)

    def within(self) -> str:
        """ "within each borough" / "within Bradford"."""
        return f"within each {self.area}" if self.plural else f"within {self.label}"

    def illustrative(self) -> str:
        """The words after a figure from extracts that are not an authority's own ("" for real ones)."""
        if self.data == "synthetic":
            return " (synthetic extracts: the figures are illustrative)"
        if self.data == "test":
            return f" (test extracts, not {self.whose()} own: the figures are illustrative)"
        return ""


# ---- what was read ---------------------------------------------------------------------------


def _one_return(row, scope: Scope, detail: bool = True) -> str:
    what = "SSDA903 return" if row["return"] == "SSDA903" else "CIN census"
    year = "" if pd.isna(row["year"]) else f" for {int(row['year'])}"
    why = str(row["detail"]) if detail and isinstance(row["detail"], str) and row["detail"] else ""
    counted = f"{int(row['records']):,} {row['record_kind']}" + (f"; {why}" if why else "")
    return f"{scope.name(row['la_code'])}'s {what}{year} ({counted})"


def _listed(rows: pd.DataFrame, scope: Scope, detail: bool = True) -> str:
    items = [_one_return(r, scope, detail) for _, r in rows.iterrows()]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _not_used(ledger: pd.DataFrame | None, scope: Scope) -> str:
    """The returns read but not used, by fate, in words (their counts are data records, not people)."""
    if ledger is None or not len(ledger):
        return ""
    parts = []
    outside = ledger[ledger["fate"] == "outside"]
    if len(outside):
        parts.append(f"Outside this report's scope, so not used: {_listed(outside, scope)}.")
    for _, r in ledger[ledger["fate"] == "not used"].iterrows():
        parts.append(f"Not used: {_one_return(r, scope, detail=False)}: {r['detail']}.")
    relabelled = ledger[(ledger["fate"] == "used") & ledger["detail"].fillna("").astype(str).ne("")]
    for _, r in relabelled.iterrows():
        parts.append(f"{_one_return(r, scope, detail=False)} was {r['detail']}.")
    return " ".join(parts)


def returns_read(section, reading: dict, ledger, scope: Scope) -> bool:
    """The opening: what was read for this scope and what happened to every other return.
    Returns False when no return was used (the section then stops). The section's notice (test
    extracts) is said by the report, at its top and in the section's box, not here."""
    syn = scope.illustrative()
    others = _not_used(ledger, scope)
    if reading["episodes"] == 0 and reading["referrals"] == 0:
        if ledger is not None and len(ledger):
            found = f"None of the {len(ledger)} returns read is for {scope.label}"
        else:
            found = (
                f"No local authority extracts (SSDA903 or CIN census) were found in the raw folder for {scope.label}"
            )
        section.markdown(
            f"{found}, so no indicators, pathways or placement costs could be derived for "
            f"{scope.label}, and the DfE validation rules were not run on any of {scope.their()} returns. {others}".strip()
        )
        section.markdown(
            "Extracts go under `la_extracts/<LA number>/<year ending 31 March>/` in the raw folder "
            "(`ssda903/` with the CSV tables or `ssda903.xml`, and `cin/cin_census.xml`), or are read in place "
            "with the `extract_dir` parameter; see the data dictionary.",
            appendix=True,
        )
        return False
    section.markdown(
        f"{scope.owner()} to the DfE, the SSDA903 return on children looked after and the children in need (CIN) "
        f"census, were read as a local authority hands them over{syn}: {reading['files']} files, "
        f"{section.count(reading['children'])} children, {reading['episodes']:,} episodes of care and "
        f"{reading['referrals']:,} referrals, of which {reading['rejected']:,} records were rejected with their reasons "
        f"(see the data-quality section). Child identifiers were replaced by keyed pseudonyms as they were read. From them "
        f"the indicators the DfE publishes were derived by the DfE's definitions and set against the published figures; "
        f"children were then followed from referral; and the cost of their placements was estimated."
    )
    if others:
        section.markdown(others + " Every return read is listed in the data-quality section.")
    return True


def report_scope(
    borough: str = ALL_BOROUGHS, la=None, names: dict | None = None, data: str = ""
) -> tuple[list[str], Scope]:
    """The LA numbers a report covers (:func:`.folders.scope_las`) and how its prose names them;
    ``data``: :attr:`Scope.data`."""
    names = {str(k): v for k, v in (names or {}).items()}
    las = scope_las(borough, la)
    if la not in (None, ""):
        return las, Scope(names.get(las[0], f"LA {las[0]}"), "authority", False, names, data)
    if normalise_borough(borough) == ALL_BOROUGHS:
        return las, Scope(names=names, data=data)
    return las, Scope(BOROUGHS[normalise_borough(borough)][0], "borough", False, names, data)
