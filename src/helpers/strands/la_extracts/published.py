"""The published figures an LA's derived indicators are reconciled with, its s251 spend and unit
cost, and the names of LAs, read through :mod:`helpers.public_data` (the one reader of the
published statistics, ``FOP_PUBLIC_DATA``)."""

from __future__ import annotations

import pandas as pd

from ... import public_data
from .indicators import RECONCILED_MEASURES

#: The figures read: those the derived indicators are reconciled with, and the s251 spend and unit cost.
PUBLISHED_MEASURES = (*RECONCILED_MEASURES, "s251_cla_gross_expenditure_gbp", "s251_cla_weekly_unit_cost_gbp")
COLUMNS = ["la_code", "year", "measure", "value", "source_id"]


def load_published(public_dir=None, la_codes=None) -> tuple[pd.DataFrame, list[dict]]:
    """Published LA figures (``csc_indicators_preferred.csv``): la_code (DfE number, as text), year,
    measure, value, source_id; and the sources (release ids) for the report. Empty when the folder
    or the file is absent (the section then says nothing was published to compare with)."""
    if not public_data.available(public_dir, files=("preferred",)):
        return pd.DataFrame(columns=COLUMNS), []
    areas = None if la_codes is None else [str(x) for x in la_codes]
    p = public_data.panel(PUBLISHED_MEASURES, areas=areas, path=public_dir)
    df = p.rename(columns={"area_code": "la_code"})[COLUMNS].copy()
    df["year"] = df["year"].astype(int)
    sources = [
        {"name": s, "publisher": "DfE", "released": "", "url": ""}  # release dates: the sources manifest
        for s in sorted(df["source_id"].dropna().unique())
    ]
    return df.reset_index(drop=True), sources


def la_names(la_codes, public_dir=None) -> dict[str, str]:
    """DfE LA number (as text) -> name from ``la_lookup.csv``; "LA <number>" when the lookup is
    absent or does not know the number."""
    codes = [str(c) for c in la_codes if str(c).isdigit()]
    names = {c: f"LA {c}" for c in codes}
    if codes and public_data.available(public_dir, files=("la_lookup",)):
        known = public_data.area_names([int(c) for c in codes], public_dir)
        names.update({str(k): v for k, v in known.items() if v != str(k)})
    return names
