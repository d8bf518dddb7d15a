"""Areas in the public statistics: the LA lookup, names and codes, the eligible comparison pool and
the DfE statistical neighbours."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .files import read
from .schema import SMALL_AREAS


def la_lookup(path=None) -> pd.DataFrame:
    """``la_lookup.csv`` with ``old_la_code`` as a nullable integer."""
    lk = read("la_lookup", path)
    lk["old_la_code"] = pd.to_numeric(lk["old_la_code"], errors="coerce").astype("Int64")
    return lk


def resolve_areas(areas, path=None) -> list[int]:
    """DfE LA numbers for a list of LA numbers, GSS codes or names (one or a comma-separated string).

    Raises ``ValueError`` naming what is not an English LA in ``la_lookup.csv``.
    """
    if isinstance(areas, (str, int, np.integer)):
        areas = [a for a in re.split(r"[,;]", str(areas)) if a.strip()]
    lk = la_lookup(path)
    las = lk[lk["geographic_level"] == "Local authority"]
    out, unknown = [], []
    for a in areas:
        s = str(a).strip()
        hit = pd.Series(False, index=las.index)
        if s.isdigit():
            hit = las["old_la_code"] == int(s)
        else:
            codes = las["la_code"].fillna("").str.upper() == s.upper()
            seen = las["ons_codes_in_sources"].fillna("").str.upper().str.contains(re.escape(s.upper()))
            names = las["la_name"].str.lower() == s.lower()
            hit = codes | names | (seen if len(s) == 9 else False)
        codes_found = las.loc[hit, "old_la_code"].dropna().astype(int).unique().tolist()
        if len(codes_found) == 1:
            out.append(codes_found[0])
        elif len(codes_found) > 1:
            raise ValueError(f"{s!r} matches several LAs ({codes_found}); give the DfE LA number")
        else:
            unknown.append(s)
    if unknown:
        raise ValueError(
            f"not an English local authority in la_lookup.csv: {', '.join(unknown)} "
            f"(give DfE LA numbers such as 213, GSS codes such as E09000033, or names)"
        )
    return list(dict.fromkeys(out))


def area_names(codes: Iterable[int], path=None) -> dict[int, str]:
    """DfE LA number -> name."""
    lk = la_lookup(path).dropna(subset=["old_la_code"])
    names = dict(zip(lk["old_la_code"].astype(int), lk["la_name"], strict=True))
    return {int(c): names.get(int(c), str(c)) for c in codes}


@dataclass
class Eligibility:
    """Which LAs may be compared over a span of years, and which were left out and why."""

    eligible: list[int]
    excluded: pd.DataFrame  # old_la_code, la_name, reason

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)


def eligible_las(
    first_year: int, last_year: int, path=None, exclude_small: bool = True, exclude: Iterable[int] = ()
) -> Eligibility:
    """LAs with one unbroken series over ``first_year``..``last_year`` (years as in the files).

    Left out, each with its reason: an area whose series ends before ``last_year`` or starts after
    ``first_year`` because of a boundary change in ``la_changes.csv`` (abolished or created areas;
    code-only changes keep one series and stay in); an area with no data in the span; with
    ``exclude_small``, City of London and the Isles of Scilly (very small, mostly suppressed
    numbers); and any number in ``exclude`` (e.g. the treated areas, reason 'treated area').
    """
    lk = la_lookup(path)
    las = lk[(lk["geographic_level"] == "Local authority") & lk["old_la_code"].notna()].copy()
    ch = read("la_changes", path)
    boundary = ch[ch["change_type"].str.startswith("boundary change")]
    broken: dict[int, str] = {}
    for _, r in boundary.iterrows():
        for code in re.findall(r"\d+", str(r["old_dfe_la_codes"])):
            last = r["old_areas_last_year_with_data"]
            if pd.isna(last) or int(last) < last_year:
                broken[int(code)] = (
                    f"series ends {'' if pd.isna(last) else int(last)} (change {r['change_id']}: area abolished)"
                )
        for code in re.findall(r"\d+", str(r["new_dfe_la_codes"])):
            first = r["new_areas_first_year_with_data"]
            if pd.isna(first) or int(first) > first_year:
                broken[int(code)] = (
                    f"series starts {'' if pd.isna(first) else int(first)} (change {r['change_id']}: area created)"
                )
    exclude = {int(x) for x in exclude}
    rows, ok = [], []
    for _, r in las.iterrows():
        code = int(r["old_la_code"])
        if code in exclude:
            reason = "treated area (not a comparator)"
        elif code in broken:
            reason = "boundary change: " + broken[code]
        elif exclude_small and code in SMALL_AREAS:
            reason = "very small numbers, many suppressed"
        elif (
            pd.isna(r["first_year_with_data"])
            or int(r["last_year_with_data"]) < last_year
            or int(r["first_year_with_data"]) > first_year
        ):
            reason = "no data over the years compared"
        else:
            ok.append(code)
            continue
        rows.append({"old_la_code": code, "la_name": r["la_name"], "reason": reason})
    return Eligibility(sorted(ok), pd.DataFrame(rows, columns=["old_la_code", "la_name", "reason"]))


def statistical_neighbours(
    treated: Iterable[int], vintage: str = "2021", path=None, exclude_treated: bool = True, old_lists: bool = False
) -> pd.DataFrame:
    """The DfE statistical neighbours of each treated LA (``vintage`` '2021' = April 2021 groups,
    '2025' = May 2025), main list only, as rows ``treated_la, rank, neighbour_la, neighbour_name,
    closeness``. With ``exclude_treated`` the treated areas are removed from each other's lists
    (the three programme boroughs are each other's neighbours). An LA without a group (e.g.
    Cumberland in 2021) has no rows; the caller should say so. With ``old_lists`` an abolished
    authority without a main-list group (Dorset county, Poole, Bournemouth, Northamptonshire, and
    Cumbria in 2025) takes its published 'Old SNs' list instead."""
    key = {"2021": "sn_2021", "2025": "sn_2025"}.get(str(vintage))
    if key is None:
        raise ValueError(f"statistical neighbour list must be '2021' or '2025', not {vintage!r}")
    sn = read(key, path)
    treated = [int(t) for t in treated]
    main = sn[(sn["sn_list"] == "main list") & sn["old_la_code"].isin(treated)]
    if old_lists:
        without = set(treated) - set(main["old_la_code"].astype(int))
        old = sn[(sn["sn_list"] != "main list") & sn["old_la_code"].isin(without)]
        main = pd.concat([main, old])
    sn = main
    if exclude_treated:
        sn = sn[~sn["neighbour_old_la_code"].isin(treated)]
    out = sn.rename(
        columns={
            "old_la_code": "treated_la",
            "neighbour_old_la_code": "neighbour_la",
            "neighbour_la_name": "neighbour_name",
        }
    )
    out = out[["treated_la", "rank", "neighbour_la", "neighbour_name", "closeness"]].astype(
        {"treated_la": int, "neighbour_la": int, "rank": int}
    )
    return out.sort_values(["treated_la", "rank"]).reset_index(drop=True)
