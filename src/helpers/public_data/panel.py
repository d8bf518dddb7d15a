"""The tidy panel of published values: one vintage of population at a time, and the counts as first
published."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .files import read, read_result
from .schema import POPULATION_MEASURES, PUBLIC_FILES, VINTAGE_PRE2021, VINTAGES

PANEL_COLUMNS = [
    "area_code",
    "old_la_code",
    "area_name",
    "geographic_level",
    "year",
    "period",
    "measure",
    "value",
    "value_as_published",
    "unit",
    "pop_vintage",
    "source_id",
    "series_break",
]


def panel(
    measures: Iterable[str],
    areas: Iterable | None = None,
    years: tuple[int, int] | None = None,
    vintage: str = VINTAGE_PRE2021,
    path=None,
    source: str = "preferred",
) -> pd.DataFrame:
    """Tidy rows ``area_code, old_la_code, area_name, geographic_level, year, period, measure, value,
    value_as_published, unit, pop_vintage, source_id, series_break`` for the measures asked.

    ``areas``: DfE LA numbers and/or GSS codes of aggregates (England ``E92000001``, London
    ``E12000007``, Inner London ``E13000001``...); ``None`` = every area. ``years``: inclusive span.
    ``area_code`` is the DfE number as text for LAs and the GSS code for aggregates.

    Vintages never meet: a rate or population on another vintage than ``vintage`` is refused
    (``ValueError``) rather than returned beside one on ``vintage``. ``source='long'`` reads the
    long file: every release of every cell (several rows per area x year x measure, told apart by
    ``source_id``), keeping only rows on ``vintage`` or with no vintage. Suppressed cells are rows with
    ``value`` NaN and their symbol.
    """
    if vintage not in VINTAGES:
        raise ValueError(f"vintage must be one of {VINTAGES}")
    measures = list(dict.fromkeys(measures))
    other = POPULATION_MEASURES[VINTAGES[1 - VINTAGES.index(vintage)]]
    if other in measures:
        raise ValueError(
            f"{other} is on the other population vintage than {vintage!r}: the two vintages never meet in one panel"
        )
    df = read(source, path)
    df = df[df["measure"].isin(measures)]
    unknown = set(measures) - set(df["measure"])
    if unknown:
        raise ValueError(f"measure(s) not in {PUBLIC_FILES[source].filename}: {', '.join(sorted(unknown))}")
    if source == "long":
        df = df[(df["pop_vintage"].fillna("") == "") | (df["pop_vintage"] == vintage)]
    bad = df[(df["pop_vintage"].fillna("") != "") & (df["pop_vintage"] != vintage)]
    if len(bad):
        raise ValueError(
            f"measure(s) {', '.join(sorted(bad['measure'].unique()))} are on {bad['pop_vintage'].iloc[0]!r}, "
            f"not {vintage!r}: the two population vintages never meet in one panel"
        )
    code = df["old_la_code"].fillna("")
    df = df.assign(
        area_code=np.where(code != "", code, df["la_code"].fillna("")),
        old_la_code=pd.to_numeric(code, errors="coerce").astype("Int64"),
        area_name=df["la_name"],
    )
    if areas is not None:
        wanted = {str(a).strip() for a in areas}
        df = df[df["area_code"].isin(wanted)]
    if years is not None:
        df = df[(df["year"] >= years[0]) & (df["year"] <= years[1])]
    return df[PANEL_COLUMNS].sort_values(["area_code", "measure", "year"]).reset_index(drop=True)


#: A release's id names the year it was published: "SFR36/2014" and "OSR26/2011" (statistical first
#: releases), "CLA_UD_2018" (underlying data), "EES_CLA_2021" and "EES_CIN_2022" (Explore Education
#: Statistics). Ids without a year ("LAIT", "LAIT_2025-05", "CSC_OE", "DERIVED", "S251_OUTTURN",
#: "EES_CIN_2022_POP") are compilations or derivations, never a first publication.
_RELEASE = re.compile(r"^(?:SFR|OSR)\d+/(\d{4})$|^(?:CLA_UD|EES_CLA|EES_CIN)_(\d{4})$")


def release_year(source_id) -> int | None:
    """The year the release ``source_id`` was published, or None for a compilation (see :data:`_RELEASE`)."""
    m = _RELEASE.match(str(source_id))
    return int(m.group(1) or m.group(2)) if m else None


def first_published(measures: Iterable[str], areas: Iterable | None = None, years=None, path=None) -> pd.DataFrame:
    """Counts as first published, one vintage throughout: for each area x year x measure, the value in
    the release of that year (DfE's annual release of year t first publishes the figures at 31 March t
    or for the year ending 31 March t), from the long file, with the columns of :func:`panel`.

    Cells no release of their own year carries are absent, not filled from a later revision: for
    children starting, taken into and ceasing care the first-published series ends in 2017, while the
    preferred file switches to LAIT's latest revision from 2015 (PROVENANCE.md). Where two releases of
    the same year carry a cell (a release's several files), the one whose id sorts first is kept.
    Measures the long file does not hold give no rows."""
    present = set(read_result("long", path).data["measure"].unique())
    measures = [m for m in measures if m in present]
    if not measures:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    df = panel(measures, areas=areas, years=years, path=path, source="long")
    published = df["source_id"].map(release_year)
    df = df[published.notna() & (published == df["year"])]
    df = df.sort_values(["area_code", "measure", "year", "source_id"])
    return df.drop_duplicates(["area_code", "measure", "year"]).reset_index(drop=True)


def population(areas=None, years=None, vintage: str = VINTAGE_PRE2021, path=None) -> pd.DataFrame:
    """Mid-year 0-17 population on one vintage: ``area_code, year (mid-year), population``."""
    p = panel([POPULATION_MEASURES[vintage]], areas=areas, years=years, vintage=vintage, path=path)
    return p[["area_code", "year", "value"]].rename(columns={"value": "population"})


def wide(df: pd.DataFrame) -> pd.DataFrame:
    """A tidy panel as a year x area table of one measure (raises if several measures)."""
    if df["measure"].nunique() > 1:
        raise ValueError("wide() takes one measure at a time")
    return df.pivot_table(index="year", columns="area_code", values="value", aggfunc="first", dropna=False)
