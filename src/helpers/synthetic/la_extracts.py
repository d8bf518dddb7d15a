"""Synthetic LA extracts in the DfE formats: SSDA903 (CSV) and CIN census (XML) per borough and year.

Writes ``la_extracts/<LA number>/<year>/ssda903/{header,episodes}.csv`` for years ending 31 March
2011-2019 and ``la_extracts/<LA number>/<year>/cin/cin_census.xml`` for 2010-2019 (the 2010 CIN
return is there so that re-referrals in 2011 can find their previous referral, as DfE's
longitudinal data would) for Westminster (213), Hammersmith and Fulham (205) and Kensington and
Chelsea (207).

**Targets.** Each borough-year is built to match its published figures: children looked after at
31 March, children starting to be looked after, CIN referrals and the % re-referred within 12
months, read from ``csc_indicators_preferred.csv`` in the public-data folder when it is there (a
small local read with pandas: the shared reader ``helpers.public_data`` is on another branch). When
the folder is absent, or a year has no published value, documented defaults are used
(:data:`DEFAULTS`; starts without a published value = the borough's mean published starts/CLA ratio
x CLA, else 0.55 x CLA). Every target is multiplied by ``scale`` (1 = real size).

**Tolerance** (stated in the truth record and tested): looked after at 31 March, starts and
referrals match the (scaled) target exactly unless a target is infeasible (more children ceasing
than there are in care), when the shortfall is recorded; the re-referral % is within
:data:`REREFERRAL_TOLERANCE_PP` percentage points (rounding of the number of re-referrals and the
rare case where no earlier referral is available).

**Hard cases planted** (counted in the truth record): episodes open across 31 March (every child in
care at year end); short breaks (children with V3 episodes and V4 series open across 31 March);
children with two periods of care (a child who left care returns later); re-referrals just inside
12 months (the previous referral is the oldest still inside the window) and just outside (a child
whose last referral is just over 12 months before); same-day placement changes (a placement that
starts and ends on the day of a change); two malformed episode rows per borough (rejected at ingest).

**Pathways.** A child protection plan follows a referral with probability ``cpp_before`` (referrals
before the programme start) or ``cpp_after`` (planted effects, ``ctx.effect("la_extracts", ...)``;
``effects={"la_extracts": {"cpp_within_12m_change": 0.0}}`` is the null option: ``cpp_after`` =
``cpp_before`` + the change, so 0 plants no effect);
most children starting care were referred in the previous 12 months.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from pathlib import Path

import numpy as np
import pandas as pd

from .. import public_data
from ..config import BOROUGHS

STRAND = "la_extracts"
YEARS = tuple(range(2011, 2020))
CIN_YEARS = tuple(range(2010, 2020))
PROGRAMME_START = dt.date(2014, 7, 1)
REREFERRAL_TOLERANCE_PP = 1.0
MEASURES = {
    "cla": "cla_at_31_march_number",
    "starts": "cla_started_during_year_number",
    "referrals": "cin_referrals_number",
    "rereferral_pct": "cin_rereferrals_within_12m_pct",
}
#: The published measures the generator aims at (the reconciliation judges synthetic extracts on these).
TARGET_MEASURES = tuple(MEASURES.values())
#: Used when the public-data folder (or a year's value) is absent: round illustrative figures for an
#: inner London borough, not any borough's published numbers.
DEFAULTS = {"cla": 180, "referrals": 1800, "rereferral_pct": 15.0, "starts_per_cla": 0.55}
HORIZON = dt.date(2019, 3, 31)
PLACES = (
    ("U4", 0.25),
    ("U6", 0.30),
    ("U1", 0.06),
    ("U3", 0.06),
    ("K2", 0.12),
    ("K1", 0.02),
    ("P1", 0.05),
    ("H5", 0.06),
    ("R1", 0.03),
    ("T2", 0.05),
)
LEGAL = (("C2", 0.45), ("C1", 0.15), ("V2", 0.33), ("E1", 0.07))
LEAVE_REASONS = ("E11", "E12", "E13", "E4A", "E41", "E8", "E2")
CHANGE_REASONS = ("CARPL", "CLOSE", "ALLEG", "STAND", "CHILD", "LAREQ", "PLACE", "OTHER")
ETHNIC = ("WBRI", "WOTH", "BAFR", "BCRB", "MWBC", "AOTH", "OOTH", "MOTH")


def _d(x: dt.date) -> str:
    return x.strftime("%d/%m/%Y")


def _minus_12_months(d: dt.date) -> dt.date:
    """d minus 12 calendar months (29 February -> 28 February), as pandas DateOffset(months=12)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def load_targets(public_dir: Path | None = None) -> tuple[pd.DataFrame, str]:
    """Published targets per borough and year (long: la_code, year, key, value) and their origin, read
    through :mod:`helpers.public_data` (the one reader of the published statistics)."""
    las = [la for _, _, la in BOROUGHS.values()]
    if not public_data.available(public_dir, files=("preferred",)):
        return pd.DataFrame(columns=["la_code", "year", "key", "value"]), "defaults (public-data folder absent)"
    df = public_data.read("preferred", public_dir)
    inv = {v: k for k, v in MEASURES.items()}
    df = df[df["old_la_code"].isin([str(x) for x in las]) & df["measure"].isin(list(inv))]
    out = pd.DataFrame(
        {
            "la_code": df["old_la_code"].astype(int),
            "year": df["year"].astype(int),
            "key": df["measure"].map(inv),
            "value": pd.to_numeric(df["value"], errors="coerce"),
        }
    )
    return out.dropna(), f"published ({public_data.PREFERRED.filename})"


def borough_targets(targets: pd.DataFrame, la: int, scale: float) -> dict:
    """{key: {year: value}} for one borough, defaults filled in, counts scaled."""
    t = targets[targets["la_code"] == la]
    get = {k: dict(zip(g["year"], g["value"], strict=False)) for k, g in t.groupby("key")}
    cla = {y: get.get("cla", {}).get(y, DEFAULTS["cla"]) for y in (2010, *YEARS)}
    starts_pub = get.get("starts", {})
    ratios = [starts_pub[y] / cla[y] for y in starts_pub if y in cla and cla[y] > 0]
    ratio = float(np.mean(ratios)) if ratios else DEFAULTS["starts_per_cla"]
    out = {
        "cla": {y: int(round(v * scale)) for y, v in cla.items()},
        "starts": {y: int(round(starts_pub.get(y, ratio * cla[y]) * scale)) for y in YEARS},
        "referrals": {y: int(round(get.get("referrals", {}).get(y, DEFAULTS["referrals"]) * scale)) for y in CIN_YEARS},
        "rereferral_pct": {
            y: float(
                get.get("rereferral_pct", {}).get(
                    y, get.get("rereferral_pct", {}).get(2011, DEFAULTS["rereferral_pct"])
                )
            )
            for y in CIN_YEARS
        },
        "published": {k: {int(y): float(v) for y, v in d.items()} for k, d in get.items()},
    }
    return out


def _year_bounds(y: int) -> tuple[dt.date, dt.date]:
    return dt.date(y - 1, 4, 1), dt.date(y, 3, 31)


def _rand_date(rng, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=int(rng.integers(0, (b - a).days + 1)))


class _Borough:
    """The history of one borough: children, referrals, plans, periods of care, episodes."""

    def __init__(self, rng, la: int, tg: dict, cpp_before: float, cpp_after: float):
        self.rng, self.la, self.tg = rng, la, tg
        self.cpp_p = (cpp_before, cpp_after)
        self.children: dict[str, dict] = {}
        self.serial = 0
        self.truth = {
            "rereferrals_just_inside": 0,
            "rereferrals_just_outside": 0,
            "same_day_changes": 0,
            "short_break_children": 0,
            "two_periods_children": 0,
            "infeasible_ceased_shortfall": 0,
        }

    def new_child(self, around: dt.date) -> str:
        self.serial += 1
        cid = f"{self.la}{self.serial:06d}"
        age_days = int(self.rng.integers(0, 16 * 365))
        self.children[cid] = {
            "dob": around - dt.timedelta(days=age_days),
            "sex": str(self.rng.choice(["1", "2"])),
            "ethnic": str(self.rng.choice(ETHNIC)),
        }
        return cid

    # ---- CIN ----------------------------------------------------------------------------------
    def referrals(self):
        rng = self.rng
        refs = []
        last: dict[str, dt.date] = {}
        pool: deque = deque()  # (date, child) of referrals in the last 12 months
        stale: list[str] = []  # children whose last referral dropped out of the window (most recent last)
        for y in CIN_YEARS:
            y0, y1 = _year_bounds(y)
            n = self.tg["referrals"][y]
            k = int(round(self.tg["rereferral_pct"][y] / 100 * n))
            dates = sorted(_rand_date(rng, y0, y1) for _ in range(n))
            flags = rng.permutation(np.r_[np.ones(k, bool), np.zeros(n - k, bool)])
            for d, rr in zip(dates, flags, strict=False):
                bound = _minus_12_months(d)
                while pool and pool[0][0] < bound:
                    od, oc = pool.popleft()
                    if last.get(oc) == od:
                        stale.append(oc)
                child = None
                if rr and pool:
                    if rng.random() < 0.03:
                        cand = [pool[0]]  # the oldest still inside the window: just inside 12 months
                    else:
                        cand = [pool[int(rng.integers(0, len(pool)))]]
                    od, oc = cand[0]
                    if last[oc] < d:
                        child = oc
                        if (od - bound).days <= 14 and last[oc] == od:
                            self.truth["rereferrals_just_inside"] += 1
                if child is None:
                    if stale and rng.random() < 0.06:
                        oc = stale.pop()  # last referral just over 12 months ago: just outside
                        if last[oc] < bound:
                            child = oc
                            if (bound - last[oc]).days <= 14:
                                self.truth["rereferrals_just_outside"] += 1
                    if child is None:
                        child = self.new_child(d)
                closure = d + dt.timedelta(days=int(rng.integers(5, 400)))
                nfa = rng.random() < 0.1
                if nfa:
                    closure = d + dt.timedelta(days=int(rng.integers(0, 10)))
                refs.append({"child": child, "date": d, "closure": closure if closure <= HORIZON else None, "nfa": nfa})
                last[child] = d
                pool.append((d, child))
        self.refs = refs
        # plans, assessments, s47, CIN plans
        plan_open_until: dict[str, dt.date] = {}
        n_plans: dict[str, int] = {}
        for r in refs:
            r.update(assessment=None, s47=None, cpp=None, cinplan=None)
            if r["nfa"]:
                continue
            a = r["date"] + dt.timedelta(days=int(rng.integers(0, 8)))
            r["assessment"] = (a, a + dt.timedelta(days=int(rng.integers(10, 46))))
            p = self.cpp_p[r["date"] >= PROGRAMME_START]
            if rng.random() < p and plan_open_until.get(r["child"], dt.date.min) < r["date"]:
                s = r["date"] + dt.timedelta(days=int(rng.integers(15, 76)))
                e = s + dt.timedelta(days=int(rng.integers(90, 541)))
                r["s47"] = (r["date"] + dt.timedelta(days=int(rng.integers(1, 10))), s)
                r["cpp"] = (
                    s,
                    e if e <= HORIZON else None,
                    n_plans.get(r["child"], 0),
                    str(rng.choice(["NEG", "EMO", "PHY", "SAB", "MUL"])),
                )
                n_plans[r["child"]] = n_plans.get(r["child"], 0) + 1
                plan_open_until[r["child"]] = e
                if r["closure"] is not None and r["closure"] < e:
                    r["closure"] = e if e <= HORIZON else None
            elif rng.random() < 0.1:
                r["s47"] = (r["date"] + dt.timedelta(days=int(rng.integers(1, 10))), None)
            elif rng.random() < 0.25:
                s = r["date"] + dt.timedelta(days=int(rng.integers(20, 61)))
                r["cinplan"] = (s, s + dt.timedelta(days=int(rng.integers(60, 301))))

    def cpp_truth(self) -> dict:
        """The realised share of children whose first referral in each period (from 1 April 2010,
        with 12 months of follow-up before 31 March 2019) was followed by a plan within 12 months,
        counted here directly from the generated records (the analysis's second method)."""
        starts: dict[str, list] = {}
        for r in self.refs:
            if r["cpp"]:
                starts.setdefault(r["child"], []).append(r["cpp"][0])
        seen, hits = set(), {"before": [0, 0], "after": [0, 0]}
        for r in sorted(self.refs, key=lambda r: r["date"]):
            d = r["date"]
            end = d.replace(year=d.year + 1) if not (d.month == 2 and d.day == 29) else dt.date(d.year + 1, 2, 28)
            if d < dt.date(2010, 4, 1) or end > HORIZON:
                continue
            period = "after" if d >= PROGRAMME_START else "before"
            if (r["child"], period) in seen:
                continue
            seen.add((r["child"], period))
            hits[period][1] += 1
            hits[period][0] += any(d <= s <= end for s in starts.get(r["child"], []))
        return {p: {"children": n, "with_plan": k, "pct": 100 * k / n if n else None} for p, (k, n) in hits.items()}

    def cin_return(self, y: int) -> str:
        y0, y1 = _year_bounds(y)

        def dd(x):
            return "" if x is None or x > y1 else x.isoformat()

        by_child: dict[str, list] = {}
        for r in self.refs:
            if r["date"] <= y1 and (r["closure"] is None or r["closure"] >= y0):
                by_child.setdefault(r["child"], []).append(r)
        out = [
            f'<?xml version="1.0" encoding="utf-8"?>\n<Message><Header><CollectionDetails><Collection>CIN</Collection>'
            f"<Year>{y}</Year><ReferenceDate>{y1.isoformat()}</ReferenceDate></CollectionDetails><Source>"
            f"<SourceLevel>L</SourceLevel><LEA>{self.la}</LEA><SoftwareCode>synthetic</SoftwareCode></Source></Header><Children>\n"
        ]
        for cid, rs in by_child.items():
            c = self.children[cid]
            sex = f"<GenderCurrent>{c['sex']}</GenderCurrent>"
            parts = [
                f"<Child><ChildIdentifiers><LAchildID>{cid}</LAchildID><PersonBirthDate>{c['dob'].isoformat()}</PersonBirthDate>"
                f"{sex}</ChildIdentifiers><ChildCharacteristics><Ethnicity>{c['ethnic']}</Ethnicity></ChildCharacteristics>"
            ]
            for r in rs:
                closed = r["closure"] is not None and r["closure"] <= y1
                x = [
                    f"<CINdetails><CINreferralDate>{r['date'].isoformat()}</CINreferralDate><ReferralSource>1A</ReferralSource>"
                    f"<PrimaryNeedCode>N{int(self.rng.integers(1, 9))}</PrimaryNeedCode>"
                ]
                if closed:
                    x.append(
                        f"<CINclosureDate>{r['closure'].isoformat()}</CINclosureDate><ReasonForClosure>RC{1 if r['nfa'] else 8}</ReasonForClosure>"
                    )
                x.append(f"<ReferralNFA>{'1' if r['nfa'] else '0'}</ReferralNFA>")
                if r["assessment"] and r["assessment"][0] <= y1:
                    x.append(
                        f"<Assessments><AssessmentActualStartDate>{r['assessment'][0].isoformat()}</AssessmentActualStartDate>"
                        f"<AssessmentAuthorisationDate>{dd(r['assessment'][1])}</AssessmentAuthorisationDate></Assessments>"
                    )
                if r["cinplan"] and r["cinplan"][0] <= y1:
                    x.append(
                        f"<CINPlanDates><CINPlanStartDate>{r['cinplan'][0].isoformat()}</CINPlanStartDate>"
                        f"<CINPlanEndDate>{dd(r['cinplan'][1])}</CINPlanEndDate></CINPlanDates>"
                    )
                if r["s47"] and r["s47"][0] <= y1:
                    icpc = r["s47"][1]
                    x.append(
                        f"<Section47><S47ActualStartDate>{r['s47'][0].isoformat()}</S47ActualStartDate>"
                        f"<DateOfInitialCPC>{dd(icpc)}</DateOfInitialCPC><ICPCnotRequired>{'false' if icpc else 'true'}</ICPCnotRequired></Section47>"
                    )
                if r["cpp"] and r["cpp"][0] <= y1:
                    s, e, prev, cat = r["cpp"]
                    x.append(
                        f"<ChildProtectionPlans><CPPstartDate>{s.isoformat()}</CPPstartDate><CPPendDate>{dd(e)}</CPPendDate>"
                        f"<InitialCategoryOfAbuse>{cat}</InitialCategoryOfAbuse><LatestCategoryOfAbuse>{cat}</LatestCategoryOfAbuse>"
                        f"<NumberOfPreviousCPP>{prev}</NumberOfPreviousCPP></ChildProtectionPlans>"
                    )
                x.append("</CINdetails>")
                parts.append("".join(x))
            parts.append("</Child>\n")
            out.append("".join(parts))
        out.append("</Children></Message>\n")
        return "".join(out)

    # ---- SSDA903 ------------------------------------------------------------------------------
    def periods(self):
        rng = self.rng
        periods = []
        open_: dict[str, dict] = {}
        left: list[str] = []
        n0 = self.tg["cla"][2010]
        for _ in range(n0):
            s = dt.date(2010, 3, 31) - dt.timedelta(days=int(rng.integers(30, 6 * 365)))
            cid = self.new_child(s)
            p = {"child": cid, "start": s, "end": None}
            periods.append(p)
            open_[cid] = p
        ref_by_date = sorted((r["date"], r["child"]) for r in self.refs)
        ref_dates = np.array([d.toordinal() for d, _ in ref_by_date])
        for y in YEARS:
            y0, y1 = _year_bounds(y)
            n_start = self.tg["starts"][y]
            n_cease = len(open_) + n_start - self.tg["cla"][y]
            if n_cease < 0 or n_cease > len(open_):
                clipped = min(max(n_cease, 0), len(open_))
                self.truth["infeasible_ceased_shortfall"] += abs(n_cease - clipped)
                n_cease = clipped
            ceasers = rng.choice(sorted(open_), size=n_cease, replace=False) if n_cease else []
            for cid in ceasers:
                p = open_.pop(cid)
                p["end"] = _rand_date(rng, max(y0, p["start"] + dt.timedelta(days=1)), y1)
                left.append(cid)
            for _ in range(n_start):
                s = _rand_date(rng, y0, y1)
                cid = None
                u = rng.random()
                if u < 0.08 and left:
                    j = int(rng.integers(0, len(left)))
                    cand = left[j]
                    prev_end = max(p["end"] for p in periods if p["child"] == cand and p["end"] is not None)
                    if cand not in open_ and prev_end < s:
                        cid = left.pop(j)
                        self.truth["two_periods_children"] += 1
                elif u < 0.78:
                    lo = np.searchsorted(ref_dates, (s - dt.timedelta(days=365)).toordinal())
                    hi = np.searchsorted(ref_dates, s.toordinal())
                    if hi > lo:
                        cand = ref_by_date[int(rng.integers(lo, hi))][1]
                        if cand not in open_ and all(p["child"] != cand for p in periods):
                            cid = cand
                if cid is None:
                    cid = self.new_child(s)
                p = {"child": cid, "start": s, "end": None}
                periods.append(p)
                open_[cid] = p
        self.periods_ = periods

    def episodes(self) -> pd.DataFrame:
        rng = self.rng
        rows = []
        for p in self.periods_:
            s, e = p["start"], p["end"]
            stop = e or HORIZON + dt.timedelta(days=200)
            ls = LEGAL[int(rng.choice(len(LEGAL), p=[w for _, w in LEGAL]))][0]
            n_changes = rng.poisson(0.5 * max((stop - s).days, 1) / 365)
            cuts = (
                sorted(
                    {_rand_date(rng, s + dt.timedelta(days=1), stop - dt.timedelta(days=1)) for _ in range(n_changes)}
                )
                if (stop - s).days > 2
                else []
            )
            bounds = [s, *cuts, stop]
            for i in range(len(bounds) - 1):
                a, b = bounds[i], bounds[i + 1]
                last = i == len(bounds) - 2
                place = PLACES[int(rng.choice(len(PLACES), p=[w for _, w in PLACES]))][0]
                prov = "PR0" if place == "P1" else ("PR4" if place in ("K2", "H5") or rng.random() < 0.35 else "PR1")
                if i > 0 and rng.random() < 0.05:  # same-day change: a placement that starts and ends on day a
                    rows.append(
                        {
                            "CHILD": p["child"],
                            "DECOM": a,
                            "RNE": "P",
                            "LS": ls,
                            "PLACE": "T2",
                            "PLACE_PROVIDER": "PR1",
                            "DEC": a,
                            "REC": "X1",
                            "REASON_PLACE_CHANGE": "OTHER",
                        }
                    )
                    self.truth["same_day_changes"] += 1
                rows.append(
                    {
                        "CHILD": p["child"],
                        "DECOM": a,
                        "RNE": "S" if i == 0 else "P",
                        "LS": ls,
                        "PLACE": place,
                        "PLACE_PROVIDER": prov,
                        "DEC": (b if (not last or e is not None) else None),
                        "REC": ("X1" if not last else (str(rng.choice(LEAVE_REASONS)) if e is not None else None)),
                        "REASON_PLACE_CHANGE": (str(rng.choice(CHANGE_REASONS)) if not last else None),
                    }
                )
        return pd.DataFrame(rows + self.short_breaks())

    def short_breaks(self) -> list[dict]:
        """A V3 single short break, and a V4 series open across 31 March, for about 4% of the children
        looked after each year (drawn after the periods of care, so the draws are as before)."""
        rng = self.rng
        rows = []
        for y in YEARS:
            y0, y1 = _year_bounds(y)
            for _ in range(max(1, int(round(0.04 * self.tg["cla"][y])))):
                a = _rand_date(rng, y0, y1 - dt.timedelta(days=10))
                cid = self.new_child(a)
                if rng.random() < 0.5:
                    rows.append(
                        {
                            "CHILD": cid,
                            "DECOM": a,
                            "RNE": "S",
                            "LS": "V3",
                            "PLACE": "K2",
                            "PLACE_PROVIDER": "PR1",
                            "DEC": a + dt.timedelta(days=int(rng.integers(1, 6))),
                            "REC": "E8",
                            "REASON_PLACE_CHANGE": None,
                        }
                    )
                else:
                    b = y1 + dt.timedelta(days=int(rng.integers(5, 60)))
                    rows.append(
                        {
                            "CHILD": cid,
                            "DECOM": max(a, y1 - dt.timedelta(days=20)),
                            "RNE": "S",
                            "LS": "V4",
                            "PLACE": "U6",
                            "PLACE_PROVIDER": "PR1",
                            "DEC": b if b <= HORIZON else None,
                            "REC": "E8" if b <= HORIZON else None,
                            "REASON_PLACE_CHANGE": None,
                        }
                    )
                self.truth["short_break_children"] += 1
        return rows


def _ssda903_return(eps: pd.DataFrame, children: dict, y: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    y0, y1 = _year_bounds(y)
    dec = eps["DEC"]
    keep = (eps["DECOM"] <= y1) & (dec.isna() | (dec.map(lambda x: x is not None and x >= y0)))
    r = eps[keep].copy()
    later = r["DEC"].map(lambda x: x is not None and x > y1)
    r.loc[later, ["DEC", "REC", "REASON_PLACE_CHANGE"]] = None
    r["DECOM"] = r["DECOM"].map(_d)
    r["DEC"] = r["DEC"].map(lambda x: _d(x) if x is not None else "")
    r["CIN"] = "N1"
    r["HOME_POST"] = ""
    r["PL_POST"] = ""
    r["URN"] = ""
    r = r[
        [
            "CHILD",
            "DECOM",
            "RNE",
            "LS",
            "CIN",
            "PLACE",
            "PLACE_PROVIDER",
            "DEC",
            "REC",
            "REASON_PLACE_CHANGE",
            "HOME_POST",
            "PL_POST",
            "URN",
        ]
    ].fillna("")
    ids = list(dict.fromkeys(r["CHILD"]))
    header = pd.DataFrame(
        {
            "CHILD": ids,
            "SEX": [children[c]["sex"] for c in ids],
            "DOB": [_d(children[c]["dob"]) for c in ids],
            "ETHNIC": [children[c]["ethnic"] for c in ids],
            "UPN": "",
            "MOTHER": "",
            "MC_DOB": "",
        }
    )
    return header, r


def generate(ctx) -> dict:
    rng = ctx.rng(STRAND)
    targets, origin = load_targets()
    cpp_before = ctx.effect(STRAND, "cpp_within_12m_before", 0.14)
    cpp_after = ctx.effect(STRAND, "cpp_within_12m_after", 0.10)
    if "cpp_within_12m_change" in ctx.effects.get(STRAND, {}):
        # the programme's change as one effect (0 = the null option used by the calibration)
        cpp_after = cpp_before + ctx.effect(STRAND, "cpp_within_12m_change", 0.0)
    truth = {
        "targets_from": origin,
        "scale": ctx.scale,
        "programme_start": PROGRAMME_START.isoformat(),
        "tolerance": {
            "cla_at_31_march_number": 0,
            "cla_started_during_year_number": 0,
            "cin_referrals_number": 0,
            "cin_rereferrals_within_12m_pct_pp": REREFERRAL_TOLERANCE_PP,
        },
        "planted": {"cpp_within_12m_before": cpp_before, "cpp_within_12m_after": cpp_after},
        "malformed_rows": 0,
        "boroughs": {},
    }
    for _slug, (_, _, la) in BOROUGHS.items():
        tg = borough_targets(targets, la, ctx.scale)
        b = _Borough(rng, la, tg, cpp_before, cpp_after)
        b.referrals()
        b.periods()
        eps = b.episodes()
        for y in CIN_YEARS:
            ctx.write_text(b.cin_return(y), f"la_extracts/{la}/{y}/cin/cin_census.xml")
        for y in YEARS:
            header, ep = _ssda903_return(eps, b.children, y)
            if y == 2016:  # malformed rows: an impossible date and a missing start date (rejected at ingest)
                bad = pd.DataFrame(
                    [
                        {**ep.iloc[0].to_dict(), "CHILD": f"{la}BAD1", "DECOM": "31/02/2016"},
                        {**ep.iloc[0].to_dict(), "CHILD": f"{la}BAD2", "DECOM": ""},
                    ]
                )
                ep = pd.concat([ep, bad], ignore_index=True)
                truth["malformed_rows"] += 2
            ctx.write_csv(header, f"la_extracts/{la}/{y}/ssda903/header.csv")
            ctx.write_csv(ep, f"la_extracts/{la}/{y}/ssda903/episodes.csv")
        truth["boroughs"][str(la)] = {
            "cpp_within_12m_first_referral": b.cpp_truth(),
            "targets": {k: {str(y): v for y, v in d.items()} for k, d in tg.items() if k != "published"},
            **b.truth,
        }
    return truth
