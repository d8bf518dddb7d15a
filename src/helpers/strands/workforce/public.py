"""Published DfE children's social work workforce statistics (real), read with :mod:`helpers.public_data`.

The shared reader validates the public files and keeps a suppressed or missing cell as NaN with its
published symbol. The preferred file leaves suppressed cells out altogether, so this module puts the
workforce measures on a full grid (area x year x measure) and takes each left-out cell's symbol from
the long file (an EES symbol such as ``x`` before LAIT's ``-``); a cell with no row anywhere reads
'not published'. **A suppressed or missing cell stays missing (NaN), never 0**, through to the report.

Comparators: each borough's ten DfE statistical neighbours (April 2021 groups, the oldest published
here) **excluding the other two programme boroughs** (``public_data.statistical_neighbours``), Inner
London and England. Kingston upon Thames and Richmond upon Thames publish one combined workforce
figure repeated under each (PROVENANCE.md): when both are neighbours of a borough, it counts once.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ... import public_data
from ...config import ALL_BOROUGHS, BOROUGHS, normalise_borough

FIRST_YEAR = 2015
#: Published measure -> the name used by the strand (same as the HR indicators where they match).
MEASURES = {
    "csww_fte_social_workers": "fte_in_post",
    "csww_agency_rate_pct": "agency_rate_pct",
    "csww_turnover_rate_pct": "turnover_rate_pct",
    "csww_vacancy_rate_pct": "vacancy_rate_pct",
    "csww_absence_rate_pct": "absence_rate_pct",
    "csww_average_caseload": "average_caseload",
}
PROGRAMME_CODES = {str(code) for _, _, code in BOROUGHS.values()}
COMBINED = {"314", "318"}  # Kingston upon Thames / Richmond upon Thames: one combined figure
INNER_LONDON = public_data.INNER_LONDON
ENGLAND = public_data.ENGLAND
NOT_PUBLISHED = "not published"
SOURCE = {
    "name": "Children's social work workforce (LA-level indicators at 30 September, via the Local Authority Interactive Tool)",
    "publisher": "DfE",
    "released": "LAIT builds of 28 May 2025 (30 Sept 2015) and 8 Apr 2026 (2016 on); CSC Outcomes and Enablers dashboard 27 Apr 2026",
    "url": "https://explore-education-statistics.service.gov.uk/find-statistics/childrens-social-work-workforce",
}
NEIGHBOURS_SOURCE = {
    "name": "Children's Services Statistical Neighbour Benchmarking Tool, April 2021 groups",
    "publisher": "DfE",
    "released": "April 2021",
    "url": "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait",
}


def available(public_dir: str | os.PathLike | None = None) -> bool:
    """True when the files this strand reads are in the public-data folder."""
    return public_data.available(public_dir, files=("preferred", "long", "sn_2021"))


def read_workforce(public_dir: str | os.PathLike | None = None, first_year: int = FIRST_YEAR) -> pd.DataFrame:
    """Every area's workforce measures from ``first_year``, on a full grid of area x year x measure.

    Columns: area_code (DfE number for an LA, GSS code for England and Inner London...), area_name,
    year, measure (strand name), value (float, NaN when suppressed or missing), value_as_published
    (the figure as printed, or its symbol, or 'not published'), source_id.
    """
    span = (first_year, 2100)
    pref = public_data.panel(list(MEASURES), years=span, path=public_dir)
    longf = public_data.panel(list(MEASURES), years=span, path=public_dir, source="long")
    cols = ["area_code", "area_name"]
    areas = pd.concat([pref[cols], longf[cols]]).drop_duplicates("area_code")
    years = sorted(set(pref["year"]) | set(longf["year"]))
    grid = areas.merge(pd.DataFrame({"year": years}), how="cross").merge(
        pd.DataFrame({"measure": list(MEASURES)}), how="cross"
    )
    key = ["area_code", "year", "measure"]
    out = grid.merge(pref[key + ["value", "value_as_published", "source_id"]], on=key, how="left")
    sym = longf[longf["value"].isna()].copy()
    sym["_lait"] = sym["source_id"].astype(str).str.startswith("LAIT")
    sym = sym.sort_values("_lait", kind="stable").drop_duplicates(key)[key + ["value_as_published"]]
    out = out.merge(sym.rename(columns={"value_as_published": "_sym"}), on=key, how="left")
    blank = out["value"].isna()
    out.loc[blank, "value_as_published"] = out.loc[blank, "_sym"].where(out.loc[blank, "_sym"].notna(), NOT_PUBLISHED)
    out["value_as_published"] = out["value_as_published"].astype(str)
    out["measure"] = out["measure"].map(MEASURES)
    out["source_id"] = out["source_id"].fillna("")
    return out.drop(columns="_sym").sort_values(["area_name", "measure", "year"]).reset_index(drop=True)


def treated_areas(borough: str = ALL_BOROUGHS, la=None, public_dir=None) -> dict[str, str]:
    """Name -> DfE LA number (as text) of the areas a report is about: ``la`` (an authority's own
    report, named as the LA lookup names it), else the ``borough`` parameter's programme boroughs."""
    if la not in (None, ""):
        return {public_data.area_names([int(la)], public_dir)[int(la)]: str(int(la))}
    slug = normalise_borough(borough)
    chosen = BOROUGHS.values() if slug == ALL_BOROUGHS else [BOROUGHS[slug]]
    return {name: str(code) for name, _, code in chosen}


def neighbours(public_dir=None, treated: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Area name -> its statistical neighbours' DfE numbers (as text; April 2021 groups, main list, in
    rank order), the programme boroughs left out of every list (they had the programme)."""
    treated = treated or treated_areas()
    sn = public_data.statistical_neighbours([int(c) for c in treated.values()], "2021", path=public_dir)
    return {
        name: [str(c) for c in sn.loc[sn["treated_la"] == int(code), "neighbour_la"] if str(c) not in PROGRAMME_CODES]
        for name, code in treated.items()
    }


def regions(treated: dict[str, str], public_dir=None) -> dict[str, tuple[str, str]]:
    """Area name -> (GSS code, name) of its region as the LA lookup gives it: Inner London for an
    inner London borough (the programme boroughs), the English region otherwise."""
    lk = public_data.la_lookup(public_dir)
    lk = lk[lk["old_la_code"].notna()]
    row = {
        str(int(c)): (rc, rn) for c, rc, rn in zip(lk["old_la_code"], lk["region_code"], lk["region_name"], strict=True)
    }
    return {name: row.get(str(code), (INNER_LONDON, "Inner London")) for name, code in treated.items()}


def _cell(by_code: pd.DataFrame, code: str, year, measure) -> tuple[float, str]:
    try:
        r = by_code.loc[(code, year, measure)]
        return r["value"], r["value_as_published"]
    except KeyError:
        return np.nan, NOT_PUBLISHED


def comparison(wf: pd.DataFrame, sn: dict[str, list[str]], treated=None, area_regions=None) -> pd.DataFrame:
    """Per area (column ``borough``: the programme boroughs, or one authority), measure and year: its
    published value (and symbol), the median of its neighbours (Kingston/Richmond's combined figure
    once), how many neighbours have a value, its region (``region``, named in ``region_name``;
    Inner London for the boroughs) and England. Missing stays NaN."""
    treated = treated or treated_areas()
    area_regions = area_regions or {name: (INNER_LONDON, "Inner London") for name in treated}
    by_code = wf.set_index(["area_code", "year", "measure"])
    rows = []
    for name, code in treated.items():
        nb = list(sn.get(name, []))
        if COMBINED <= set(nb):
            nb.remove("318")  # one combined figure, counted once
        region, region_name = area_regions[name]
        for (measure, year), _ in wf.groupby(["measure", "year"]):
            own, own_sym = _cell(by_code, str(code), year, measure)
            vals = np.array([_cell(by_code, c, year, measure)[0] for c in nb], dtype=float)
            rows.append(
                {
                    "borough": name,
                    "measure": measure,
                    "year": int(year),
                    "borough_value": own,
                    "borough_as_published": own_sym,
                    "neighbours_median": float(np.nanmedian(vals)) if np.isfinite(vals).any() else np.nan,
                    "neighbours_with_value": int(np.isfinite(vals).sum()),
                    "neighbours": len(nb),
                    "region": _cell(by_code, region, year, measure)[0],
                    "region_name": region_name,
                    "england": _cell(by_code, ENGLAND, year, measure)[0],
                }
            )
    return pd.DataFrame(rows).sort_values(["measure", "borough", "year"]).reset_index(drop=True)


def published_for_boroughs(wf: pd.DataFrame) -> pd.DataFrame:
    """The three boroughs' published values as borough, year, measure, value, value_as_published
    (the shape :func:`analysis.reconcile` takes)."""
    names = {str(code): name for name, _, code in BOROUGHS.values()}
    p = wf[wf["area_code"].isin(names)].copy()
    p["borough"] = p["area_code"].map(names)
    return p[["borough", "year", "measure", "value", "value_as_published"]].reset_index(drop=True)
