"""Published DfE children's social work workforce statistics (real), read from the public-data folder.

Reads ``csc_indicators_preferred.csv`` (one value per area, year and measure) and, for cells that
file leaves out, the symbol they were published with from ``csc_indicators_long.csv`` (``x``, ``c``,
``-``, ``u`` ...). **A suppressed or missing cell stays missing (NaN), never 0**, and keeps its
symbol, so the report can show it as suppressed. A strand-local reader: the shared
``helpers.public_data`` reader was not available on this branch when this was written (see the
module's use in the notebook); it reads only what this strand needs.

Comparators: each borough's ten DfE statistical neighbours (April 2021 groups, the oldest published
here) **excluding the other two programme boroughs**, Inner London and England. Kingston upon Thames
and Richmond upon Thames publish one combined workforce figure repeated under each (PROVENANCE.md):
when both are neighbours of a borough, the figure is counted once.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...config import BOROUGHS, PUBLIC_DATA_DIR

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
INNER_LONDON = "E13000001"
ENGLAND = "E92000001"
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


def available(public_dir: str | Path = PUBLIC_DATA_DIR) -> bool:
    return (Path(public_dir) / "csc_indicators_preferred.csv").exists()


def read_workforce(public_dir: str | Path = PUBLIC_DATA_DIR, first_year: int = FIRST_YEAR) -> pd.DataFrame:
    """Every area's workforce measures from ``first_year``, on a full grid of area x year x measure.

    Columns: old_la_code (str), la_code, la_name, year, measure (strand name), value (float, NaN when
    suppressed or missing), value_as_published (the symbol, or 'not published' when no row exists),
    source_id, notes.
    """
    d = Path(public_dir)
    pref = pd.read_csv(d / "csc_indicators_preferred.csv", dtype=str, keep_default_na=False)
    pref = pref[pref["measure"].isin(MEASURES)]
    longf = pd.read_csv(d / "csc_indicators_long.csv", dtype=str, keep_default_na=False,
                        usecols=["old_la_code", "la_code", "la_name", "year", "measure", "value", "value_as_published", "source_id"])
    longf = longf[longf["measure"].isin(MEASURES)]
    for f in (pref, longf):
        f["year"] = f["year"].astype(int)
    pref = pref[pref["year"] >= first_year]
    longf = longf[longf["year"] >= first_year]
    areas = pd.concat([pref, longf])[["old_la_code", "la_code", "la_name"]].drop_duplicates("la_code")
    years = sorted(set(pref["year"]) | set(longf["year"]))
    grid = areas.merge(pd.DataFrame({"year": years}), how="cross").merge(pd.DataFrame({"measure": list(MEASURES)}), how="cross")
    keep = ["la_code", "year", "measure", "value", "value_as_published", "source_id"] + (["notes"] if "notes" in pref else [])
    out = grid.merge(pref[keep], on=["la_code", "year", "measure"], how="left")
    # Cells the preferred file leaves out: the symbol they were published with (first non-LAIT symbol,
    # e.g. EES's 'x', else LAIT's '-'), from the long file.
    sym = longf[longf["value"] == ""].copy()
    sym["_lait"] = sym["source_id"].str.startswith("LAIT")
    sym = sym.sort_values("_lait").drop_duplicates(["la_code", "year", "measure"])
    out = out.merge(sym[["la_code", "year", "measure", "value_as_published"]].rename(columns={"value_as_published": "_sym"}),
                    on=["la_code", "year", "measure"], how="left")
    out["value"] = pd.to_numeric(out["value"].replace("", np.nan), errors="coerce")
    blank = out["value"].isna()
    out.loc[blank, "value_as_published"] = out.loc[blank, "_sym"].fillna("not published")
    out["measure"] = out["measure"].map(MEASURES)
    if "notes" not in out:
        out["notes"] = ""
    out = out.drop(columns="_sym")
    out["source_id"] = out["source_id"].fillna("")
    out["notes"] = out["notes"].fillna("")
    return out.sort_values(["la_name", "measure", "year"]).reset_index(drop=True)


def neighbours(public_dir: str | Path = PUBLIC_DATA_DIR) -> dict[str, list[str]]:
    """Programme borough name -> its statistical neighbours' LA numbers, less the other programme
    boroughs (April 2021 groups, main list)."""
    sn = pd.read_csv(Path(public_dir) / "statistical_neighbours_2021.csv", dtype=str, keep_default_na=False)
    if "sn_list" in sn:
        sn = sn[sn["sn_list"].str.startswith("main") | (sn["sn_list"] == "")]
    out = {}
    for name, _, code in BOROUGHS.values():
        rows = sn[sn["old_la_code"] == str(code)].sort_values("rank", key=lambda s: s.astype(int))
        out[name] = [c for c in rows["neighbour_old_la_code"] if c not in PROGRAMME_CODES]
    return out


def comparison(wf: pd.DataFrame, sn: dict[str, list[str]]) -> pd.DataFrame:
    """Per borough, measure and year: the borough's published value (and symbol), the median of its
    neighbours (excluding the other programme boroughs; Kingston/Richmond's combined figure once),
    how many neighbours have a value, Inner London and England. Missing stays NaN."""
    rows = []
    by_code = wf.set_index(["old_la_code", "year", "measure"])
    for name, _, code in BOROUGHS.values():
        nb = list(sn.get(name, []))
        if COMBINED <= set(nb):
            nb.remove("318")  # one combined figure, counted once
        for (measure, year), _ in wf.groupby(["measure", "year"]):
            def get(c):
                try:
                    r = by_code.loc[(c, year, measure)]
                    return r["value"], r["value_as_published"]
                except KeyError:
                    return np.nan, "not published"
            own, own_sym = get(str(code))
            vals = np.array([get(c)[0] for c in nb], dtype=float)
            il = wf[(wf["la_code"] == INNER_LONDON) & (wf["year"] == year) & (wf["measure"] == measure)]["value"]
            en = wf[(wf["la_code"] == ENGLAND) & (wf["year"] == year) & (wf["measure"] == measure)]["value"]
            rows.append({
                "borough": name, "measure": measure, "year": int(year), "borough_value": own,
                "borough_as_published": own_sym, "neighbours_median": float(np.nanmedian(vals)) if np.isfinite(vals).any() else np.nan,
                "neighbours_with_value": int(np.isfinite(vals).sum()), "neighbours": len(nb),
                "inner_london": float(il.iloc[0]) if len(il) else np.nan, "england": float(en.iloc[0]) if len(en) else np.nan,
            })
    return pd.DataFrame(rows).sort_values(["measure", "borough", "year"]).reset_index(drop=True)


def published_for_boroughs(wf: pd.DataFrame) -> pd.DataFrame:
    """The three boroughs' published values as borough, year, measure, value, value_as_published
    (the shape :func:`analysis.reconcile` takes)."""
    names = {str(code): name for name, _, code in BOROUGHS.values()}
    p = wf[wf["old_la_code"].isin(names)].copy()
    p["borough"] = p["old_la_code"].map(names)
    return p[["borough", "year", "measure", "value", "value_as_published"]].reset_index(drop=True)
