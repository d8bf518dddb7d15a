"""Derived indicators by DfE's definitions, from the tidy tables the readers produce.

All functions are vectorised pandas (national scale: about a million episodes and six million
referrals run in well under two minutes; ``benchmarks/bench_la_extracts.py``). Years are years
ending 31 March: year 2015 runs from 1 April 2014 to 31 March 2015.

Definitions (``shared/reference/formats.md``; where DfE's published guidance was not at hand the
project's own rule is named as such and is written in the report's appendix):

* **Episodes across returns**: each year's SSDA903 return repeats the episodes still open; stacked
  returns are de-duplicated on (LA, child, DECOM, LS, PLACE), keeping the latest return (whose DEC
  and REC are the most complete).
* **Period of care**: a run of a child's episodes (ordered by DECOM, then DEC) from an episode with
  RNE = S up to the next one. It ends with the DEC of its last episode when that episode's REC is
  not X1 (X1 = still looked after). A period made only of V3/V4 short-break episodes is a
  short-break period and is left out of every count below.
* **Looked after at 31 March**: children with a non-short-break episode (LS not V3/V4) with
  DECOM <= 31 March and DEC blank or after 31 March (an episode ending on 31 March has ended).
* **Started / ceased during the year**: children with a non-short-break period starting (first
  episode RNE = S) / ending in the year; a child is counted once however many periods (DfE counts
  the first start and the last ceasing of each child).
* **Placement days**: days of each non-short-break episode inside the year, counting DECOM and not
  DEC (the next episode starts on DEC), so same-day changes add no days and no day is counted twice.
* **Placement moves** (project rule): episodes starting in the year with RNE in P, T, U, B (a change
  of placement) that last at least one day; a placement that starts and ends on the same day is a
  same-day correction, not a move. **Three or more placements**: children looked after at 31 March
  with the placement held on 1 April (if any) plus the placements starting in the year >= 3.
* **Referrals**: CIN referrals (CINdetails) with CINreferralDate in the year, de-duplicated on
  (LA, child, referral date) across returns. **Re-referral within 12 months**: a referral whose
  child's previous referral is no more than 12 calendar months earlier (previous date >= this date
  minus 12 months; a gap of exactly 12 months counts as within), as a % of referrals in the year.
* **Child protection plans at 31 March**: children with a plan started on or before 31 March and
  not ended before or on it (CPPendDate blank or after). **Second or subsequent plans**: plans
  starting in the year for a child with an earlier plan in the data or NumberOfPreviousCPP > 0, as
  a % of plans starting in the year.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...ingest import Field, OutputTable
from .codes import SHORT_BREAK_LS
from .inputs import STRAND

PLACEMENT_CHANGE_RNE = ("P", "T", "U", "B")
PLACEMENT_START_RNE = ("S", "P", "T", "U", "B")
EPISODE_KEY = ["la_code", "CHILD", "DECOM", "LS", "PLACE"]


def year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the year ending 31 March ``year``."""
    return pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)


# ---------------------------------------------------------------------------------------------
# Episodes and periods of care
# ---------------------------------------------------------------------------------------------

def longitudinal_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """Stacked SSDA903 episodes -> one row per episode, ordered, with period of care number.

    Adds ``short_break`` (LS V3/V4), ``period`` (a number unique across the table) and
    ``days`` (DEC - DECOM, NaN while open)."""
    cols = ["la_code", "CHILD", "DECOM", "DEC", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"]
    eps = episodes.copy()
    for c in cols:
        if c not in eps.columns:
            eps[c] = np.nan
    if "year" in eps.columns:
        eps = eps.sort_values("year", kind="stable")
    eps = eps.drop_duplicates(subset=EPISODE_KEY, keep="last")[cols]
    eps["DECOM"] = pd.to_datetime(eps["DECOM"])
    eps["DEC"] = pd.to_datetime(eps["DEC"])
    eps = eps.sort_values(["la_code", "CHILD", "DECOM", "DEC"], na_position="last", kind="stable").reset_index(drop=True)
    new_child = (eps["la_code"] != eps["la_code"].shift()) | (eps["CHILD"] != eps["CHILD"].shift())
    eps["period"] = (new_child | (eps["RNE"] == "S")).cumsum()
    eps["short_break"] = eps["LS"].isin(SHORT_BREAK_LS)
    return eps


def periods_of_care(eps: pd.DataFrame) -> pd.DataFrame:
    """One row per period of care: la_code, CHILD, start, end (NaT while looked after), starts_new
    (first episode RNE = S, so the start is in the data), short_break_only."""
    g = eps.groupby("period", sort=False)
    first = g.head(1).set_index("period")
    last = g.tail(1).set_index("period")
    out = pd.DataFrame({
        "la_code": first["la_code"], "CHILD": first["CHILD"], "start": first["DECOM"],
        "starts_new": first["RNE"] == "S",
        "short_break_only": g["short_break"].all(),
    })
    ended = last["DEC"].notna() & (last["REC"].astype(object) != "X1")
    out["end"] = last["DEC"].where(ended)
    return out.reset_index()


def _count_children(df: pd.DataFrame, mask: pd.Series, by=("la_code",)) -> pd.Series:
    return df.loc[mask].drop_duplicates(list(by) + ["CHILD"]).groupby(list(by)).size()


def cla_indicators(eps: pd.DataFrame, years) -> pd.DataFrame:
    """Looked after at 31 March, started, ceased, placement moves and 3+ placements, per LA and year
    (long: la_code, year, measure, value)."""
    per = periods_of_care(eps)
    per = per[~per["short_break_only"]]
    ok = eps[~eps["short_break"]]
    dur0 = ok["DEC"].notna() & (ok["DEC"] == ok["DECOM"])  # same-day placement: no move, no day
    frames = []
    for year in years:
        y0, y1 = year_bounds(year)
        open_end = (ok["DECOM"] <= y1) & (ok["DEC"].isna() | (ok["DEC"] > y1))
        open_start = (ok["DECOM"] < y0) & (ok["DEC"].isna() | (ok["DEC"] > y0))
        starts_in = ok["DECOM"].between(y0, y1)
        moves = starts_in & ok["RNE"].isin(PLACEMENT_CHANGE_RNE) & ~dur0
        placements = (starts_in & ok["RNE"].isin(PLACEMENT_START_RNE) & ~dur0) | open_start
        n_pl = placements.groupby([ok["la_code"], ok["CHILD"]]).sum()
        at_end = ok.loc[open_end, ["la_code", "CHILD"]].drop_duplicates()
        at_end = at_end.join(n_pl.rename("n"), on=["la_code", "CHILD"])
        m = {
            "cla_at_31_march_number": at_end.groupby("la_code").size(),
            "cla_started_during_year_number": _count_children(per, per["starts_new"] & per["start"].between(y0, y1)),
            "cla_ceased_during_year_number": _count_children(per, per["end"].between(y0, y1)),
            "placement_moves_number": moves.groupby(ok["la_code"]).sum(),
            "cla_3plus_placements_number": (at_end["n"] >= 3).groupby(at_end["la_code"]).sum(),
        }
        f = pd.DataFrame(m).fillna(0)
        f["year"] = year
        frames.append(f.rename_axis("la_code").reset_index())
    wide = pd.concat(frames, ignore_index=True)
    las = eps["la_code"].drop_duplicates()
    grid = pd.MultiIndex.from_product([las, list(years)], names=["la_code", "year"]).to_frame(index=False)
    wide = grid.merge(wide, on=["la_code", "year"], how="left").fillna(0)
    return wide.melt(id_vars=["la_code", "year"], var_name="measure", value_name="value")


def placement_days(eps: pd.DataFrame, years) -> pd.DataFrame:
    """Days in placement inside each year by LA and placement type (PLACE) and provider, short breaks
    excluded: la_code, year, PLACE, PLACE_PROVIDER, days."""
    ok = eps[~eps["short_break"]]
    frames = []
    for year in years:
        y0, y1 = year_bounds(year)
        stop = ok["DEC"].fillna(y1 + pd.Timedelta(days=1)).clip(upper=y1 + pd.Timedelta(days=1))
        begin = ok["DECOM"].clip(lower=y0)
        days = (stop - begin).dt.days.clip(lower=0)
        d = pd.DataFrame({"la_code": ok["la_code"], "PLACE": ok["PLACE"].astype(object).fillna("unknown"),
                          "PLACE_PROVIDER": ok["PLACE_PROVIDER"].astype(object).fillna("unknown"), "days": days})
        d = d[d["days"] > 0].groupby(["la_code", "PLACE", "PLACE_PROVIDER"], as_index=False)["days"].sum()
        d.insert(1, "year", year)
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# CIN: referrals and child protection plans
# ---------------------------------------------------------------------------------------------

def longitudinal_referrals(referrals: pd.DataFrame) -> pd.DataFrame:
    """Stacked CIN referrals -> one row per (LA, child, referral date), latest return kept, with
    ``prev_referral`` (the child's previous referral date) and ``rereferral_12m``."""
    ref = referrals.copy()
    if "year" in ref.columns:
        ref = ref.sort_values("year", kind="stable")
    ref["CINreferralDate"] = pd.to_datetime(ref["CINreferralDate"])
    ref = ref.drop_duplicates(subset=["la_code", "LAchildID", "CINreferralDate"], keep="last")
    ref = ref.sort_values(["la_code", "LAchildID", "CINreferralDate"], kind="stable").reset_index(drop=True)
    same = (ref["la_code"] == ref["la_code"].shift()) & (ref["LAchildID"] == ref["LAchildID"].shift())
    ref["prev_referral"] = ref["CINreferralDate"].shift().where(same)
    ref["rereferral_12m"] = ref["prev_referral"].notna() & (
        ref["prev_referral"] >= ref["CINreferralDate"] - pd.DateOffset(months=12))
    return ref


def longitudinal_cpp(cpp: pd.DataFrame) -> pd.DataFrame:
    """Stacked child protection plans -> one row per (LA, child, start date), with ``subsequent``."""
    p = cpp.copy()
    if "year" in p.columns:
        p = p.sort_values("year", kind="stable")
    p["CPPstartDate"] = pd.to_datetime(p["CPPstartDate"])
    p["CPPendDate"] = pd.to_datetime(p["CPPendDate"])
    p = p.drop_duplicates(subset=["la_code", "LAchildID", "CPPstartDate"], keep="last")
    p = p.sort_values(["la_code", "LAchildID", "CPPstartDate"], kind="stable").reset_index(drop=True)
    same = (p["la_code"] == p["la_code"].shift()) & (p["LAchildID"] == p["LAchildID"].shift())
    prev = pd.to_numeric(p.get("NumberOfPreviousCPP"), errors="coerce") if "NumberOfPreviousCPP" in p else 0
    p["subsequent"] = same | (pd.Series(prev, index=p.index).fillna(0) > 0)
    return p


def cin_indicators(ref: pd.DataFrame, cpp: pd.DataFrame | None, years) -> pd.DataFrame:
    """Referrals, re-referrals within 12 months (number and %), CPP at 31 March, plans starting and
    second or subsequent plans (number and %), per LA and year (long)."""
    frames = []
    for year in years:
        y0, y1 = year_bounds(year)
        inyr = ref["CINreferralDate"].between(y0, y1)
        n = inyr.groupby(ref["la_code"]).sum()
        rr = (inyr & ref["rereferral_12m"]).groupby(ref["la_code"]).sum()
        m = {"cin_referrals_number": n, "cin_rereferrals_within_12m_number": rr,
             "cin_rereferrals_within_12m_pct": 100 * rr / n.replace(0, np.nan)}
        if cpp is not None and len(cpp):
            open_end = (cpp["CPPstartDate"] <= y1) & (cpp["CPPendDate"].isna() | (cpp["CPPendDate"] > y1))
            starts = cpp["CPPstartDate"].between(y0, y1)
            ns = starts.groupby(cpp["la_code"]).sum()
            sub = (starts & cpp["subsequent"]).groupby(cpp["la_code"]).sum()
            m["cpp_at_31_march_number"] = cpp.loc[open_end].drop_duplicates(["la_code", "LAchildID"]).groupby("la_code").size()
            m["cpp_started_during_year_number"] = ns
            m["cpp_second_or_subsequent_number"] = sub
            m["cpp_second_or_subsequent_pct"] = 100 * sub / ns.replace(0, np.nan)
        f = pd.DataFrame(m)
        for c in f.columns:
            if c.endswith("_number"):
                f[c] = f[c].fillna(0)
        f["year"] = year
        frames.append(f.rename_axis("la_code").reset_index())
    wide = pd.concat(frames, ignore_index=True)
    return wide.melt(id_vars=["la_code", "year"], var_name="measure", value_name="value")


def derive_indicators(tables: dict[str, pd.DataFrame], years) -> pd.DataFrame:
    """Every derived indicator from tidy tables (``episodes``, ``cin_referrals``, ``cin_cpp``; any may
    be absent): long table la_code, year, measure, value, sorted."""
    parts = []
    years = list(years)
    if tables.get("episodes") is not None and len(tables["episodes"]):
        parts.append(cla_indicators(longitudinal_episodes(tables["episodes"]), years))
    if tables.get("cin_referrals") is not None and len(tables["cin_referrals"]):
        ref = longitudinal_referrals(tables["cin_referrals"])
        cpp = tables.get("cin_cpp")
        cpp = longitudinal_cpp(cpp) if cpp is not None and len(cpp) else None
        parts.append(cin_indicators(ref, cpp, years))
    if not parts:
        return pd.DataFrame(columns=["la_code", "year", "measure", "value"])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["la_code", "year", "measure"]).reset_index(drop=True)


OUTPUTS = (
    OutputTable("la_indicators", f"{STRAND}/indicators.csv", STRAND,
                "Indicators derived from the LA extracts by DfE's definitions, one row per LA, year and measure.",
                (Field("la_code", "string", "DfE LA number."), Field("year", "integer", "Year ending 31 March."),
                 Field("measure", "string", "Measure name (as in the published csc_indicators where one exists)."),
                 Field("value", "number", "Derived value (a count of children/referrals/plans, or a %)."))),
    OutputTable("la_placement_days", f"{STRAND}/placement_days.csv", STRAND,
                "Days in placement in the year by placement type and provider (short breaks excluded).",
                (Field("la_code", "string", "DfE LA number."), Field("year", "integer", "Year ending 31 March."),
                 Field("PLACE", "string", "SSDA903 placement type."), Field("PLACE_PROVIDER", "string", "Placement provider."),
                 Field("days", "integer", "Days in placement inside the year."))),
)
