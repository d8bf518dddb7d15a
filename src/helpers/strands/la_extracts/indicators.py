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
* **Years derived**: a year's figure is derived only from the returns that cover it: an SSDA903
  figure (and placement days) where the LA's SSDA903 return for that year was read, a CIN figure
  where its CIN return for that year was read and, for re-referrals, also the previous year's (the
  12 months before a referral reach into it; a return holds only the referrals open in its year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import SHORT_BREAK_LS

#: The definitions as the report's appendix prints them (from this docstring).
DEFINITIONS = __doc__[__doc__.index("* **Episodes") :]

PLACEMENT_CHANGE_RNE = ("P", "T", "U", "B")
PLACEMENT_START_RNE = ("S", "P", "T", "U", "B")
EPISODE_KEY = ["la_code", "CHILD", "DECOM", "LS", "PLACE"]


def year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the year ending 31 March ``year``."""
    return pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)


# ---------------------------------------------------------------------------------------------
# Episodes and periods of care
# ---------------------------------------------------------------------------------------------


def _keys(df: pd.DataFrame, child_col: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes for the LA and for the (LA, child) pair: every later step groups on these
    integers (np.bincount) instead of re-hashing string IDs, which is what makes national scale fast."""
    la_idx = pd.factorize(df["la_code"])[0]
    child_idx = pd.factorize(df[child_col])[0]
    pair = la_idx.astype(np.int64) * (int(child_idx.max()) + 1 if len(child_idx) else 1) + child_idx
    return la_idx, pd.factorize(pair)[0]


def _nat_last(values: pd.Series) -> np.ndarray:
    """Dates as int64 for sorting, blanks last."""
    v = values.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.where(values.isna().to_numpy(), np.iinfo(np.int64).max, v)


def longitudinal_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """Stacked SSDA903 episodes -> one row per episode, ordered, with period of care number.

    Adds ``short_break`` (LS V3/V4), ``period`` (a number unique across the table) and the integer
    keys ``_la`` and ``_ck`` (LA, and LA x child)."""
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
    la_idx, ck = _keys(eps, "CHILD")
    order = np.lexsort((_nat_last(eps["DEC"]), _nat_last(eps["DECOM"]), ck))
    eps = eps.iloc[order].reset_index(drop=True)
    eps["_la"], eps["_ck"] = la_idx[order], ck[order]
    ckv = eps["_ck"].to_numpy()
    new_child = np.r_[True, ckv[1:] != ckv[:-1]]
    eps["period"] = np.cumsum(new_child | (eps["RNE"] == "S").to_numpy())
    eps["short_break"] = eps["LS"].isin(SHORT_BREAK_LS)
    return eps


def periods_of_care(eps: pd.DataFrame) -> pd.DataFrame:
    """One row per period of care: la_code, CHILD, start, end (NaT while looked after), starts_new
    (first episode RNE = S, so the start is in the data), short_break_only (and the keys _la, _ck)."""
    p = eps["period"].to_numpy()
    first = np.r_[True, p[1:] != p[:-1]]
    last = np.r_[p[1:] != p[:-1], True]
    f, l_ = eps[first], eps[last]
    n_sb = np.bincount(p, weights=eps["short_break"].to_numpy(), minlength=p.max() + 1 if len(p) else 0)
    n_all = np.bincount(p, minlength=p.max() + 1 if len(p) else 0)
    ids = f["period"].to_numpy()
    out = pd.DataFrame(
        {
            "period": ids,
            "la_code": f["la_code"].to_numpy(),
            "CHILD": f["CHILD"].to_numpy(),
            "_la": f["_la"].to_numpy(),
            "_ck": f["_ck"].to_numpy(),
            "start": f["DECOM"].to_numpy(),
            "starts_new": (f["RNE"] == "S").to_numpy(),
            "short_break_only": n_sb[ids] == n_all[ids],
        }
    )
    ended = l_["DEC"].notna().to_numpy() & (l_["REC"].astype(object) != "X1").to_numpy()
    out["end"] = pd.Series(l_["DEC"].to_numpy()).where(ended).to_numpy()
    return out


def _la_table(eps: pd.DataFrame) -> tuple[pd.Index, np.ndarray]:
    """The LA labels in code order, and the LA code of every (LA, child) key."""
    n_la = int(eps["_la"].max()) + 1 if len(eps) else 0
    las = pd.Series(eps["la_code"].to_numpy()).groupby(eps["_la"].to_numpy()).first().reindex(range(n_la))
    la_of_ck = np.zeros(int(eps["_ck"].max()) + 1 if len(eps) else 0, dtype=np.int64)
    la_of_ck[eps["_ck"].to_numpy()] = eps["_la"].to_numpy()
    return pd.Index(las.to_numpy()), la_of_ck


def _children_by_la(ck: np.ndarray, mask: np.ndarray, la_of_ck: np.ndarray, n_la: int) -> np.ndarray:
    kids = np.unique(ck[mask])
    return np.bincount(la_of_ck[kids], minlength=n_la)


def cla_indicators(eps: pd.DataFrame, years) -> pd.DataFrame:
    """Looked after at 31 March, started, ceased, placement moves and 3+ placements, per LA and year
    (long: la_code, year, measure, value)."""
    las, la_of_ck = _la_table(eps)
    n_la, n_ck = len(las), len(la_of_ck)
    per = periods_of_care(eps)
    per = per[~per["short_break_only"]]
    ok = eps[~eps["short_break"]]
    la, ck = ok["_la"].to_numpy(), ok["_ck"].to_numpy()
    decom, dec = ok["DECOM"].to_numpy(), ok["DEC"].to_numpy()
    open_ = np.isnat(dec)
    dur0 = ~open_ & (dec == decom)  # same-day placement: no move, no day
    change = ok["RNE"].isin(PLACEMENT_CHANGE_RNE).to_numpy()
    place_start = ok["RNE"].isin(PLACEMENT_START_RNE).to_numpy()
    p_ck, p_start, p_end = per["_ck"].to_numpy(), per["start"].to_numpy(), per["end"].to_numpy()
    p_new = per["starts_new"].to_numpy()
    frames = []
    for year in years:
        y0, y1 = (np.datetime64(x) for x in year_bounds(year))
        open_end = (decom <= y1) & (open_ | (dec > y1))
        open_start = (decom < y0) & (open_ | (dec > y0))
        starts_in = (decom >= y0) & (decom <= y1)
        moves = starts_in & change & ~dur0
        placements = (starts_in & place_start & ~dur0) | open_start
        n_pl = np.bincount(ck, weights=placements, minlength=n_ck)
        kids_end = np.unique(ck[open_end])
        frames.append(
            pd.DataFrame(
                {
                    "la_code": las,
                    "year": year,
                    "cla_at_31_march_number": np.bincount(la_of_ck[kids_end], minlength=n_la),
                    "cla_started_during_year_number": _children_by_la(
                        p_ck, p_new & (p_start >= y0) & (p_start <= y1), la_of_ck, n_la
                    ),
                    "cla_ceased_during_year_number": _children_by_la(
                        p_ck, (p_end >= y0) & (p_end <= y1), la_of_ck, n_la
                    ),
                    "placement_moves_number": np.bincount(la[moves], minlength=n_la),
                    "cla_3plus_placements_number": np.bincount(la_of_ck[kids_end[n_pl[kids_end] >= 3]], minlength=n_la),
                }
            )
        )
    wide = pd.concat(frames, ignore_index=True)
    return wide.melt(id_vars=["la_code", "year"], var_name="measure", value_name="value").astype({"value": float})


def placement_days(eps: pd.DataFrame, years) -> pd.DataFrame:
    """Days in placement inside each year by LA and placement type (PLACE) and provider, short breaks
    excluded: la_code, year, PLACE, PLACE_PROVIDER, days."""
    ok = eps[~eps["short_break"]]
    keys = pd.DataFrame(
        {
            "la_code": ok["la_code"].to_numpy(),
            "PLACE": ok["PLACE"].astype(object).fillna("unknown").to_numpy(),
            "PLACE_PROVIDER": ok["PLACE_PROVIDER"].astype(object).fillna("unknown").to_numpy(),
        }
    )
    g = keys.groupby(list(keys.columns), sort=True).ngroup().to_numpy()
    labels = (
        keys.drop_duplicates()
        .assign(_g=lambda d: g[d.index])
        .sort_values("_g")
        .drop(columns="_g")
        .reset_index(drop=True)
    )
    decom, dec = ok["DECOM"].to_numpy(), ok["DEC"].to_numpy()
    frames = []
    for year in years:
        y0, y1 = (np.datetime64(x) for x in year_bounds(year))
        stop = np.where(np.isnat(dec), y1 + np.timedelta64(1, "D"), np.minimum(dec, y1 + np.timedelta64(1, "D")))
        begin = np.maximum(decom, y0)
        days = np.clip((stop - begin).astype("timedelta64[D]").astype(np.int64), 0, None)
        tot = np.bincount(g, weights=days, minlength=len(labels)) if len(g) else np.zeros(0)
        d = labels.assign(days=tot.astype(np.int64))
        d = d[d["days"] > 0]
        d.insert(1, "year", year)
        frames.append(d)
    if not frames:
        return pd.DataFrame(columns=["la_code", "year", "PLACE", "PLACE_PROVIDER", "days"])
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# CIN: referrals and child protection plans
# ---------------------------------------------------------------------------------------------


def _longitudinal(df: pd.DataFrame, date_col: str) -> pd.DataFrame:
    """Stacked CIN records -> one per (LA, child, date), the latest return kept, ordered by child and
    date, with integer keys _la and _ck and ``same_child_as_previous``."""
    d = df.copy()
    if "year" in d.columns:
        d = d.sort_values("year", kind="stable")
    d[date_col] = pd.to_datetime(d[date_col])
    la_idx, ck = _keys(d, "LAchildID")
    dates = _nat_last(d[date_col])
    keep = ~pd.DataFrame({"k": ck, "d": dates}).duplicated(keep="last").to_numpy()
    d, la_idx, ck, dates = d[keep], la_idx[keep], ck[keep], dates[keep]
    order = np.lexsort((dates, ck))
    d = d.iloc[order].reset_index(drop=True)
    d["_la"], d["_ck"] = la_idx[order], ck[order]
    c = d["_ck"].to_numpy()
    d["same_child_as_previous"] = np.r_[False, c[1:] == c[:-1]]
    return d


def longitudinal_referrals(referrals: pd.DataFrame) -> pd.DataFrame:
    """Stacked CIN referrals -> one row per (LA, child, referral date), latest return kept, with
    ``prev_referral`` (the child's previous referral date) and ``rereferral_12m``."""
    ref = _longitudinal(referrals, "CINreferralDate")
    ref["prev_referral"] = ref["CINreferralDate"].shift().where(ref["same_child_as_previous"])
    ref["rereferral_12m"] = ref["prev_referral"].notna() & (
        ref["prev_referral"] >= ref["CINreferralDate"] - pd.DateOffset(months=12)
    )
    return ref


def longitudinal_cpp(cpp: pd.DataFrame) -> pd.DataFrame:
    """Stacked child protection plans -> one row per (LA, child, start date), with ``subsequent``."""
    p = _longitudinal(cpp, "CPPstartDate")
    p["CPPendDate"] = pd.to_datetime(p["CPPendDate"])
    prev = (
        pd.to_numeric(p["NumberOfPreviousCPP"], errors="coerce")
        if "NumberOfPreviousCPP" in p
        else pd.Series(0, index=p.index)
    )
    p["subsequent"] = p["same_child_as_previous"] | (prev.fillna(0) > 0)
    return p


def cin_indicators(ref: pd.DataFrame, cpp: pd.DataFrame | None, years) -> pd.DataFrame:
    """Referrals, re-referrals within 12 months (number and %), CPP at 31 March, plans starting and
    second or subsequent plans (number and %), per LA and year (long)."""
    las = pd.Index(pd.concat([ref["la_code"], cpp["la_code"] if cpp is not None else pd.Series(dtype=object)]).unique())
    r_la = las.get_indexer(ref["la_code"])
    n_la = len(las)
    rdate, rr = ref["CINreferralDate"].to_numpy(), ref["rereferral_12m"].to_numpy()
    have_cpp = cpp is not None and len(cpp)
    if have_cpp:
        c_la = las.get_indexer(cpp["la_code"])
        c_ck = cpp["_ck"].to_numpy()
        la_of_ck = np.zeros(int(c_ck.max()) + 1, dtype=np.int64)
        la_of_ck[c_ck] = c_la
        cs, ce, sub = cpp["CPPstartDate"].to_numpy(), cpp["CPPendDate"].to_numpy(), cpp["subsequent"].to_numpy()
    frames = []
    for year in years:
        y0, y1 = (np.datetime64(x) for x in year_bounds(year))
        inyr = (rdate >= y0) & (rdate <= y1)
        n = np.bincount(r_la[inyr], minlength=n_la).astype(float)
        k = np.bincount(r_la[inyr & rr], minlength=n_la).astype(float)
        m = {
            "la_code": las,
            "year": year,
            "cin_referrals_number": n,
            "cin_rereferrals_within_12m_number": k,
            "cin_rereferrals_within_12m_pct": np.where(n > 0, 100 * k / np.where(n > 0, n, 1), np.nan),
        }
        if have_cpp:
            open_end = (cs <= y1) & (np.isnat(ce) | (ce > y1))
            starts = (cs >= y0) & (cs <= y1)
            ns = np.bincount(c_la[starts], minlength=n_la).astype(float)
            nsub = np.bincount(c_la[starts & sub], minlength=n_la).astype(float)
            m["cpp_at_31_march_number"] = _children_by_la(c_ck, open_end, la_of_ck, n_la).astype(float)
            m["cpp_started_during_year_number"] = ns
            m["cpp_second_or_subsequent_number"] = nsub
            m["cpp_second_or_subsequent_pct"] = np.where(ns > 0, 100 * nsub / np.where(ns > 0, ns, 1), np.nan)
        frames.append(pd.DataFrame(m))
    wide = pd.concat(frames, ignore_index=True)
    return wide.melt(id_vars=["la_code", "year"], var_name="measure", value_name="value")


#: Measures whose year needs the previous year's CIN return too (a re-referral looks back 12 months).
NEEDS_PREVIOUS_CIN_RETURN = ("cin_rereferrals_within_12m_number", "cin_rereferrals_within_12m_pct")
#: Measures derived from the SSDA903 return (every other derived measure comes from the CIN census).
SSDA903_MEASURES = (
    "cla_at_31_march_number",
    "cla_started_during_year_number",
    "cla_ceased_during_year_number",
    "placement_moves_number",
    "cla_3plus_placements_number",
)


def keep_covered(df: pd.DataFrame, ssda903_years, cin_years) -> pd.DataFrame:
    """The rows of a derived table (``la_code``, ``year``, and ``measure`` when it has one; without
    one it is an SSDA903 table such as placement days) that the returns read cover (see "Years
    derived" above). ``ssda903_years`` / ``cin_years``: sets of (la_code, year) with a return."""
    key = list(zip(df["la_code"].astype(str), df["year"].astype(int), strict=True))
    s903 = {(str(la), int(y)) for la, y in ssda903_years}
    cin = {(str(la), int(y)) for la, y in cin_years}
    if "measure" not in df.columns:
        return df.loc[np.array([k in s903 for k in key], dtype=bool)].reset_index(drop=True)
    measure = df["measure"].to_numpy()
    keep = [
        (k in s903)
        if m in SSDA903_MEASURES
        else (k in cin and (m not in NEEDS_PREVIOUS_CIN_RETURN or (k[0], k[1] - 1) in cin))
        for k, m in zip(key, measure, strict=True)
    ]
    return df.loc[np.array(keep, dtype=bool)].reset_index(drop=True)  # an empty list must select no row, not no column


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


# ---------------------------------------------------------------------------------------------
# Reconciliation with the published figures
# ---------------------------------------------------------------------------------------------

RECONCILED_MEASURES = (
    "cla_at_31_march_number",
    "cla_started_during_year_number",
    "cla_ceased_during_year_number",
    "cin_referrals_number",
    "cin_rereferrals_within_12m_pct",
    "cpp_at_31_march_number",
)


def reconcile(derived: pd.DataFrame, published: pd.DataFrame, tolerance: dict | None = None) -> pd.DataFrame:
    """Derived vs published per LA, year and measure: difference, % difference and whether it is
    within ``tolerance`` ({measure: absolute difference allowed}; default 0 = exact).

    ``published``: la_code, year, measure, value (e.g. the public ``csc_indicators_preferred.csv``)."""
    tolerance = tolerance or {}
    d = derived[derived["measure"].isin(RECONCILED_MEASURES)].copy()
    p = published[published["measure"].isin(RECONCILED_MEASURES)][["la_code", "year", "measure", "value"]].copy()
    d["la_code"] = d["la_code"].astype(str)
    p["la_code"] = p["la_code"].astype(str)
    p["year"] = p["year"].astype(int)
    m = d.merge(p, on=["la_code", "year", "measure"], how="left", suffixes=("_derived", "_published"))
    m["difference"] = m["value_derived"] - m["value_published"]
    m["difference_pct"] = 100 * m["difference"] / m["value_published"].where(m["value_published"] != 0)
    tol = m["measure"].map(lambda x: tolerance.get(x, 0.0)).astype(float)
    m["within_tolerance"] = np.where(m["value_published"].isna(), pd.NA, m["difference"].abs() <= tol + 1e-9)
    return m.sort_values(["la_code", "measure", "year"]).reset_index(drop=True)
