"""The panel the outcomes strand analyses, from the published counts (never averaged rates).

A rate is a summed numerator over a summed denominator; rates per 10,000 children use the ONS
mid-(t-1) estimate of children aged 0-17 on the pre-Census-2021 vintage only (DfE's own convention
for CLA rates; the other vintage is never read). A group's series (the treated areas combined, the
neighbours combined) exists only in years where every member has both parts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import public_data as pdm
from .definitions import CONTEXT, FIRST_PUBLISHED, NEIGHBOURS_ID, OUTCOMES, TREATED_ID, Outcome
from .outputs import PANEL, VINTAGE_JOIN

#: Read alongside the outcomes: the areas' own s251 weekly unit cost (for the cost table) and the
#: counts the claims and the vintage join are read on.
EXTRA_MEASURES = (
    "s251_cla_weekly_unit_cost_gbp",
    "cla_at_31_march_number",
    "cla_started_during_year_number",
    "cla_taken_into_care_during_year_number",
)

PANEL_COLUMNS = PANEL.column_names


def component_measures(outcomes) -> list[str]:
    """Every published measure the outcomes are computed from (numerators and non-population
    denominators), with :data:`EXTRA_MEASURES`, each once."""
    out = list(EXTRA_MEASURES)
    for k in outcomes:
        o = OUTCOMES[k]
        if o.source == FIRST_PUBLISHED:
            continue  # read as first published (:func:`first_published_counts`)
        out.append(o.numerator)
        if o.denominator and o.denominator != "population":
            out.append(o.denominator)
    return list(dict.fromkeys(out))


def load_components(outcomes, first_year: int, last_year: int, path=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Published counts of every area, wide: (area_code, year) x measure, plus ``population``
    (mid-(t-1) 0-17, pre-Census-2021 vintage) and a parallel frame of source ids."""
    present = set(pdm.read_result("preferred", path).data["measure"].unique())
    measures = [m for m in component_measures(outcomes) if m in present or m not in EXTRA_MEASURES]
    popm = pdm.POPULATION_MEASURES[pdm.VINTAGE_PRE2021]
    p = pdm.panel(measures + [popm], years=(first_year - 1, last_year), path=path)
    pop = p[p.measure == popm].assign(year=lambda d: d.year + 1, measure="population")  # mid-(t-1) -> year t
    p = pd.concat([p[p.measure != popm], pop])
    p = p[(p.year >= first_year) & (p.year <= last_year)]
    values = p.pivot_table(
        index=["area_code", "year"], columns="measure", values="value", aggfunc="first", dropna=False
    )
    sources = p.pivot_table(index=["area_code", "year"], columns="measure", values="source_id", aggfunc="first")
    for m in measures + ["population"]:
        if m not in values:
            values[m] = np.nan
    for o in (OUTCOMES[k] for k in outcomes):
        if o.source == FIRST_PUBLISHED:
            fp = pdm.first_published([o.numerator], years=(first_year, last_year), path=path)
            index = ["area_code", "year"]
            values[o.column] = fp.set_index(index)["value"].reindex(values.index)
            sources[o.column] = fp.set_index(index)["source_id"].reindex(sources.index)
    return values, sources


def first_published_counts(measures, first_year: int, last_year: int, path=None) -> pd.DataFrame:
    """Counts as first published (:func:`helpers.public_data.first_published`), wide like
    :func:`load_components`: (area_code, year) x measure."""
    fp = pdm.first_published(measures, years=(first_year, last_year), path=path)
    wide = fp.pivot_table(index=["area_code", "year"], columns="measure", values="value", aggfunc="first")
    for m in measures:
        if m not in wide:
            wide[m] = np.nan
    return wide


def revised_years(sources: pd.DataFrame, measure: str, codes) -> list[int]:
    """The years in which the preferred file holds a later revision of ``measure`` for ``codes``
    rather than the count as first published (its source is not that year's own release)."""
    if measure not in sources:
        return []
    src = sources[measure].dropna()
    src = src[src.index.get_level_values("area_code").isin(list(codes))]
    revised = [y for (_, y), sid in src.items() if pdm.release_year(sid) != y]
    return sorted(set(revised))


def vintage_join(values, first, sources, measure: str, groups, pool) -> pd.DataFrame:
    """Each year in which the preferred file holds revised counts (:func:`revised_years`) and the
    counts as first published exist too, for each group of areas (summed; only where every member has
    both) and the median eligible LA: the size of the revision at the preferred file's join of vintages."""
    rows = []
    if measure not in values or measure not in first:
        return pd.DataFrame(rows, columns=VINTAGE_JOIN.column_names)
    paired = pd.concat({"first": first[measure], "latest": values[measure]}, axis=1)
    treated_codes = [c for _, codes in groups[:1] for c in codes]
    years = [
        y for y in revised_years(sources, measure, treated_codes) if y in set(first.index.get_level_values("year"))
    ]
    for year in years:
        for label, codes in groups:
            cells = paired.reindex([(c, year) for c in codes])
            if cells.isna().any(axis=None):
                continue
            a, b = float(cells["first"].sum()), float(cells["latest"].sum())
            rows.append((measure, year, label, a, b, (b - a) / a * 100 if a else np.nan, len(codes)))
        cells = paired.reindex([(c, year) for c in pool]).dropna()
        cells = cells[cells["first"] > 0]
        if len(cells):
            median = float(((cells["latest"] - cells["first"]) / cells["first"] * 100).median())
            rows.append((measure, year, "median of eligible LAs", np.nan, np.nan, median, len(cells)))
    return pd.DataFrame(rows, columns=VINTAGE_JOIN.column_names)


def outcome_matrix(values: pd.DataFrame, outcome: Outcome) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(numerator, denominator) as year x area tables for one outcome (denominator 1 for counts)."""
    num = values[outcome.column].unstack("area_code")
    if outcome.denominator is None:
        den = num.notna().astype(float).where(num.notna())
    else:
        den = values[outcome.denominator].unstack("area_code")
    den = den.where(den > 0)
    return num, den


def combine(num: pd.DataFrame, den: pd.DataFrame, members, scale: float, count: bool = False) -> pd.Series:
    """A group's series from summed numerators over summed denominators (a ``count`` is the summed
    numerator itself), only in years where every member has both (a partial sum would fall when an
    area goes missing)."""
    members = [m for m in members]
    n = num.reindex(columns=members)
    d = den.reindex(columns=members)
    ok = n.notna().all(axis=1) & d.notna().all(axis=1)
    if count:
        return (n.sum(axis=1) * scale).where(ok)
    return (n.sum(axis=1) / d.sum(axis=1) * scale).where(ok)


def _roles(cols, tcodes, neighbours) -> dict:
    """Each area's role in the panel table."""
    tset, nset = set(tcodes), set(neighbours)

    def role(c):
        if c in tset:
            return "treated"
        if c == TREATED_ID:
            return "treated combined"
        if c == NEIGHBOURS_ID:
            return "neighbours combined"
        if c in CONTEXT:
            return "context"
        return "statistical neighbour" if c in nset else "comparison pool"

    return {c: role(c) for c in cols}


def _sources(sources, o: Outcome, index: pd.MultiIndex, groups) -> np.ndarray:
    """The source ids behind each (area, year) of one outcome: the numerator's and the denominator's
    (joined when they differ), "sum of ..." for a group."""

    def src(measure):
        if measure not in sources:
            return np.full(len(index), "", dtype=object)
        return np.array(sources[measure].reindex(index).astype(object).fillna("").to_numpy(), dtype=object)

    sn = src(o.numerator)
    if o.denominator:
        sd = src(o.denominator)
        sn = np.array(
            [a if (not b or a == b) else (b if not a else f"{a}; {b}") for a, b in zip(sn, sd, strict=True)],
            dtype=object,
        )
    codes_long = index.get_level_values(0).to_numpy()
    for gid, members in groups:
        sn[codes_long == gid] = "sum of " + ", ".join(members)
    return sn


def panel_rows(okey, o, series, num, den, sources, years_all, tcodes, neighbours, names) -> pd.DataFrame:
    """Tidy rows of one outcome for every area shown or compared (vectorised)."""
    codes = [c for c in series if c not in (TREATED_ID, NEIGHBOURS_ID)]
    val = pd.DataFrame({c: series[c] for c in series}).reindex(years_all)
    n = num.reindex(index=years_all, columns=codes)
    d = (
        den.reindex(index=years_all, columns=codes)
        if o.denominator
        else pd.DataFrame(np.nan, index=years_all, columns=codes)
    )
    groups = ((TREATED_ID, tcodes), (NEIGHBOURS_ID, neighbours))
    for gid, members in groups:
        if gid in series:
            ok = series[gid].reindex(years_all).notna()
            n[gid] = num.reindex(index=years_all, columns=members).sum(axis=1).where(ok)
            d[gid] = den.reindex(index=years_all, columns=members).sum(axis=1).where(ok) if o.denominator else np.nan
    cols = list(val.columns)
    index = pd.MultiIndex.from_product([cols, years_all], names=["area_code", "year"])
    long = pd.DataFrame(
        {
            "area_code": index.get_level_values(0).to_numpy(),
            "year": index.get_level_values(1).to_numpy(),
            "value": val[cols].to_numpy(dtype=float).T.ravel(),
            "numerator": n[cols].to_numpy(dtype=float).T.ravel(),
            "denominator": d[cols].to_numpy(dtype=float).T.ravel(),
            "source": _sources(sources, o, index, groups),
        }
    )
    long["area_name"] = long.area_code.map({c: names.get(c, c) for c in cols})
    long["role"] = long.area_code.map(_roles(cols, tcodes, neighbours))
    long["outcome"] = okey
    long["unit"] = o.unit
    long["pop_vintage"] = pdm.VINTAGE_PRE2021 if o.denominator == "population" else ""
    return long[PANEL_COLUMNS]


def spend_table(panel: pd.DataFrame, units, years=None) -> pd.DataFrame:
    """s251 spend per child aged 0-17 and per child looked after, treated vs neighbours vs England."""
    keep = panel[
        panel.outcome.isin(["cla_spend_per_child", "cla_spend_per_cla"])
        & panel.role.isin(["treated", "treated combined", "neighbours combined", "context"])
    ]
    if years is not None:
        keep = keep[keep.year.isin(years)]
    return keep.pivot_table(index=["outcome", "area_name"], columns="year", values="value").reset_index()
