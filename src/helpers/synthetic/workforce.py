"""Synthetic HR extract (``hr_posts.csv``, ``hr_absence.csv``), census years 2012-2018 per borough.

Targets. For each borough and census year (to 30 September) the generator aims at an employed FTE,
an agency rate, a turnover rate and an absence rate. For 2015-2018 the targets are the **published**
DfE figures for the borough, read from the public-data folder (``FOP_PUBLIC_DATA``) when it is
present; a published cell that is suppressed or missing is replaced by the mean of the borough's
other published years 2015-2018 for that measure. Without the folder, the documented defaults
:data:`DEFAULT_TARGETS` are used for every borough and year (round illustrative values, not the
published figures). The truth record says which.

Planted change. Before the programme (2012 and 2013) each rate is set to the mean of the borough's
after-years targets (:data:`AFTER_YEARS`, 2016-2017) minus the planted change (``agency_rate_change``
-8, ``turnover_rate_change`` -6, ``absence_rate_change`` -1.0 percentage points: after - before, so
negative = more stable after), floored at 0.5; 2014 is half-way. The truth record
holds every target and the planted before/after rates pooled as the analysis pools them (ratio of
summed numerators and denominators implied by the targets), per borough and overall.

Construction (each step hits its target to within one worker's FTE):
* permanent workers: an initial stock at 30 Sept 2011; each year, leavers are drawn from those in
  post at the start of the window until their FTE reaches turnover x FTE target, each leaving on a
  random day of the window (30 September included); starters (including some former leavers who
  return with the same worker ID) join on random days until the FTE in post at 30 September reaches
  the target; a few workers each year move post internally (row ended ``internal_move``, new row next
  day), which is not leaving;
* agency workers: assignments that span 30 September are added until agency FTE / (agency + employed
  FTE) reaches the target; some are part-time; short assignments inside the year add noise;
* absence: spells (mostly 1-10 working days, some long-term) of employed census-role workers until
  the working days lost in the year (spells crossing 30 September split by weekdays, as the analysis
  does) reach absence rate x FTE x 253;
* a few family support workers and clinicians (not census roles) with their own absence, which the
  census indicators must leave out.
Tolerance (checked by the tests): FTE within 2%, agency and turnover rates within 1.5 points,
absence within 0.3 points of the target, for every borough and year.

Process mode (``effects={"workforce": {"process": 1}}``; used by ``benchmarks/calibration.py``). By
default the rates hit their targets almost exactly, so they hardly vary between seeds and the
before/after intervals (which describe how much the rates would move with another set of workers
from the same process) cannot be calibrated against them. In process mode the targets become
*expectations* of a random process over workers: each worker in post at the start of a year leaves
in it with one probability (expected leavers' FTE = the goal); the agency assignments spanning 30
September are a Poisson number (expected FTE = the goal); absence is a Poisson number of spells of
random length (expected days lost in the year, counting spells carried over from the year before,
= the goal; :data:`SPELL_MEAN_SPILL`). Starters still fill the FTE in post to its target (an LA
recruits to its establishment). The truth record (``planted_rates``) is the same: the expected
rates. Default-mode data are unchanged (process mode draws its extra random numbers only when on).
Malformed rows added (each rejected for one reason): posts with an unknown role, an FTE over 1, an end
before the start, a blank start date; an absence spell ending before it starts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import public_data
from ..config import BOROUGHS
from .roster import ABBREVIATIONS

POSTS_FILE = "hr_posts.csv"
ABSENCE_FILE = "hr_absence.csv"
YEARS = tuple(range(2012, 2019))
PUBLISHED_YEARS = (2015, 2016, 2017, 2018)
BEFORE_YEARS = (2012, 2013)
AFTER_YEARS = (2016, 2017)
WORKING_DAYS = 253
TOLERANCE = {"fte_in_post_pct": 2.0, "agency_rate_pct": 1.5, "turnover_rate_pct": 1.5, "absence_rate_pct": 0.3}
#: Used when the public-data folder is absent: round illustrative values, the same for every borough.
DEFAULT_TARGETS = {"fte_in_post": 130.0, "agency_rate_pct": 15.0, "turnover_rate_pct": 18.0, "absence_rate_pct": 2.5}
PLANTED_DEFAULTS = {"agency_rate_change": -8.0, "turnover_rate_change": -6.0, "absence_rate_change": -1.0}
CENSUS_ROLE_SHARES = {"social_worker": 0.6, "senior_social_worker": 0.25, "team_manager": 0.15}
LEAVING = {"resigned": 0.6, "moved_to_other_la": 0.2, "retired": 0.1, "dismissed": 0.05, "other": 0.05}
P_RETURN = 0.08
#: Expected FTE of an agency assignment (_fte with part-time probability 0.25) and expected length of
#: an absence spell in working days (5% long-term, 20-60; else geometric with p = 0.3): process mode.
AGENCY_MEAN_FTE = 0.75 + 0.25 * (0.5 + 0.6 + 0.8) / 3
SPELL_MEAN_DAYS = 0.05 * 40.0 + 0.95 / 0.3
#: Expected days of a spell that fall after the census year it starts in (a spell of L working days
#: starting on one of the year's ~261 weekdays at random spills over max(0, L - days left): on average
#: about L(L-1) / (2 x 261)). Process mode draws spells by their days *inside* the year, so that a
#: year's expected days lost (its own spells' days plus the previous year's spill) is the goal.
SPELL_MEAN_SPILL = (0.05 * float(np.mean([v * (v - 1) for v in range(20, 61)])) + 0.95 * 2 * 0.7 / 0.3**2) / (2 * 261)


def published_targets(public_dir: Path | None = None) -> tuple[dict, str]:
    """{borough: {year: {measure: value}}} for 2015-2018 and where they came from."""
    from ..strands.workforce.public import available, published_for_boroughs, read_workforce

    d = public_data.public_data_dir(public_dir)
    names = [name for name, _, _ in BOROUGHS.values()]
    measures = ("fte_in_post", "agency_rate_pct", "turnover_rate_pct", "absence_rate_pct")
    if not available(d):
        return (
            {b: {y: dict(DEFAULT_TARGETS) for y in PUBLISHED_YEARS} for b in names},
            "documented defaults (public-data folder not found)",
        )
    pub = published_for_boroughs(read_workforce(d))
    out = {}
    for b in names:
        out[b] = {}
        for y in PUBLISHED_YEARS:
            out[b][y] = {}
            for m in measures:
                sel = pub[(pub["borough"] == b) & (pub["measure"] == m)]
                v = sel.loc[sel["year"] == y, "value"]
                if len(v) and pd.notna(v.iloc[0]):
                    out[b][y][m] = float(v.iloc[0])
                else:  # suppressed or missing: mean of the borough's other published years
                    other = sel[sel["year"].isin(PUBLISHED_YEARS)]["value"].dropna()
                    out[b][y][m] = float(other.mean()) if len(other) else DEFAULT_TARGETS[m]
    return out, "published DfE figures 2015-2018 (csc_indicators_preferred.csv in the public-data folder)"


def _targets(pub: dict, planted: dict) -> dict:
    """Targets for every year 2012-2018 from the 2015-2017 ones and the planted changes."""
    t = {}
    for b, years in pub.items():
        t[b] = {y: dict(v) for y, v in years.items()}
        before = {}
        for m, key in (
            ("agency_rate_pct", "agency_rate_change"),
            ("turnover_rate_pct", "turnover_rate_change"),
            ("absence_rate_pct", "absence_rate_change"),
        ):
            after_mean = np.mean([t[b][y][m] for y in AFTER_YEARS])
            before[m] = max(0.5, float(after_mean - planted[key]))
        fte_first = t[b][2015]["fte_in_post"]
        for y in BEFORE_YEARS:
            t[b][y] = {"fte_in_post": fte_first, **before}
        t[b][2014] = {"fte_in_post": fte_first, **{m: (before[m] + t[b][2015][m]) / 2 for m in before}}
    return t


def _pooled_truth(targets: dict, years) -> dict:
    """Rates pooled over ``years`` as the analysis pools them, from the targets' implied sums."""
    s = {"fte": 0.0, "agency": 0.0, "leavers": 0.0, "days": 0.0}
    for y in years:
        v = targets[y]
        f, a = v["fte_in_post"], v["agency_rate_pct"] / 100
        s["fte"] += f
        s["agency"] += a / (1 - a) * f
        s["leavers"] += v["turnover_rate_pct"] / 100 * f
        s["days"] += v["absence_rate_pct"] / 100 * f * WORKING_DAYS
    return {
        "agency_rate_pct": 100 * s["agency"] / (s["agency"] + s["fte"]),
        "turnover_rate_pct": 100 * s["leavers"] / s["fte"],
        "absence_rate_pct": 100 * s["days"] / (s["fte"] * WORKING_DAYS),
        "_sums": s,
    }


def _day(rng, start: pd.Timestamp, end: pd.Timestamp) -> pd.Timestamp:
    return start + pd.Timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _fte(rng, part_time_p=0.2) -> float:
    return 1.0 if rng.random() > part_time_p else float(rng.choice([0.5, 0.6, 0.8]))


def _borough(rng, name: str, abbrev: str, targets: dict, process: bool = False) -> tuple[list[dict], list[dict]]:
    """One borough's HR extract: (post rows, absence spells) over :data:`YEARS` (see :class:`_BoroughHR`)."""
    return _BoroughHR(rng, name, abbrev, targets, process).generate()


class _BoroughHR:
    """The posts and absence spells of one borough, year by year, drawn towards the year's targets.

    Each year (October to September): two internal moves, leavers (a quota of the turnover target, or
    in process mode each worker with the same probability), returners, starters up to the FTE target,
    agency assignments and sickness absence spells. The draws are made in this order from ``rng``.
    """

    def __init__(self, rng, name: str, abbrev: str, targets: dict, process: bool):
        self.rng, self.name, self.abbrev, self.targets, self.process = rng, name, abbrev, targets, process
        self.posts: list[dict] = []
        self.spells: list[dict] = []
        self.n_ids = {"E": 0, "A": 0}
        self.first_ws = pd.Timestamp(YEARS[0] - 1, 10, 1)
        self.pending_returns: list[tuple[pd.Timestamp, dict]] = []
        self.days_by_year = {y: 0.0 for y in YEARS + (YEARS[-1] + 1,)}
        self.spell_keys: set = set()

    def new_id(self, kind):
        self.n_ids[kind] += 1
        return f"{self.abbrev}-{kind}{self.n_ids[kind]:05d}"

    def team(self):
        return f"{self.abbrev}-T{int(self.rng.integers(1, 9))}"

    def add_perm(self, start, wid=None, role=None, fte=None):
        rng = self.rng
        p = {
            "worker_id": wid or self.new_id("E"),
            "borough": self.name,
            "team": self.team(),
            "role": role or str(rng.choice(list(CENSUS_ROLE_SHARES), p=list(CENSUS_ROLE_SHARES.values()))),
            "fte": fte if fte is not None else _fte(rng),
            "contract": "permanent",
            "start_date": start,
            "end_date": None,
            "leaving_reason": None,
        }
        self.posts.append(p)
        return p

    def in_post(self, date, contract="permanent"):
        return [
            p
            for p in self.posts
            if p["contract"] == contract
            and p["role"] in CENSUS_ROLE_SHARES
            and p["start_date"] <= date
            and (p["end_date"] is None or p["end_date"] > date)
        ]

    def generate(self) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        stock = self.targets[YEARS[0]]["fte_in_post"]
        fte = 0.0
        while fte + 0.5 <= stock:
            p = self.add_perm(_day(rng, pd.Timestamp(2004, 1, 1), self.first_ws - pd.Timedelta(days=1)))
            fte += p["fte"]
        # Non-census roles (excluded from the indicators), with some absence of their own.
        for _ in range(12):
            self.add_perm(
                _day(rng, pd.Timestamp(2008, 1, 1), pd.Timestamp(2016, 1, 1)),
                role=str(rng.choice(["family_support_worker", "clinician"])),
            )
        for y in YEARS:
            ws, we = pd.Timestamp(y - 1, 10, 1), pd.Timestamp(y, 9, 30)
            tg = self.targets[y]
            self.moves_and_leavers(ws, we, tg)
            # starters up to the FTE target at 30 September
            fte_now = sum(p["fte"] for p in self.in_post(we))
            while fte_now + 0.5 <= tg["fte_in_post"]:
                p = self.add_perm(_day(rng, ws, we))
                fte_now += p["fte"]
            self.agency(ws, we, tg, fte_now)
            self.absence(y, ws, we, tg, fte_now)
        self.non_census_absence()
        # The extract is taken on 30 September 2018: later ends are still open.
        cut = pd.Timestamp(2018, 9, 30)
        for p in self.posts:
            if p["end_date"] is not None and p["end_date"] > cut:
                p["end_date"], p["leaving_reason"] = None, None
            if p["start_date"] > cut:
                p["start_date"] = cut
        return self.posts, self.spells

    def moves_and_leavers(self, ws, we, tg) -> None:
        """Internal moves (not leavers), leavers, and the returners due back in this year."""
        rng = self.rng
        active = self.in_post(ws - pd.Timedelta(days=1))
        for k in rng.choice(len(active), size=min(2, len(active)), replace=False):
            p = active[k]
            d = _day(rng, ws, we - pd.Timedelta(days=1))
            p["end_date"], p["leaving_reason"] = d, "internal_move"
            self.add_perm(d + pd.Timedelta(days=1), wid=p["worker_id"], role=p["role"], fte=p["fte"])
        # leavers
        active = self.in_post(ws - pd.Timedelta(days=1))
        order = rng.permutation(len(active))
        goal, got = tg["turnover_rate_pct"] / 100 * tg["fte_in_post"], 0.0
        # process mode: each worker in post leaves with the same probability, so that the expected
        # leavers' FTE is the goal (a Bernoulli process over workers, not a quota)
        can_leave = sum(p["fte"] for p in active if p["end_date"] is None)
        p_leave = min(1.0, goal / can_leave) if can_leave else 0.0
        for k in order:
            p = active[k]
            if p["end_date"] is not None:  # already moving internally this year: its new row may leave later
                continue
            if self.process:
                if rng.random() >= p_leave:
                    continue
            elif got + p["fte"] / 2 > goal:
                continue
            p["end_date"] = _day(rng, ws, we)
            p["leaving_reason"] = str(rng.choice(list(LEAVING), p=list(LEAVING.values())))
            got += p["fte"]
            if rng.random() < P_RETURN:
                self.pending_returns.append((p["end_date"] + pd.Timedelta(days=int(rng.integers(60, 400))), p))
        # returners due in this window come back
        for when, p in list(self.pending_returns):
            if when <= we:
                self.add_perm(max(when, ws), wid=p["worker_id"], role=p["role"], fte=p["fte"])
                self.pending_returns.remove((when, p))

    def agency(self, ws, we, tg, fte_now) -> None:
        """Agency assignments spanning 30 September, then short assignments inside the year."""
        rng = self.rng
        a = tg["agency_rate_pct"] / 100
        goal = a / (1 - a) * fte_now
        got = sum(p["fte"] for p in self.in_post(we, "agency"))
        # process mode: a Poisson number of assignments with the goal as expected FTE
        n_process = int(rng.poisson(max(goal - got, 0.0) / AGENCY_MEAN_FTE)) if self.process else 0
        while (n_process > 0) if self.process else (got + 0.3 <= goal):
            n_process -= 1
            f = _fte(rng, 0.25)
            if not self.process and got + f / 2 > goal:
                f = 0.5
            start = we - pd.Timedelta(days=int(rng.integers(0, 300)))
            self.posts.append(
                {
                    "worker_id": self.new_id("A"),
                    "borough": self.name,
                    "team": self.team(),
                    "role": str(rng.choice(["social_worker", "senior_social_worker"], p=[0.8, 0.2])),
                    "fte": f,
                    "contract": "agency",
                    "start_date": start,
                    "end_date": we + pd.Timedelta(days=int(rng.integers(1, 200))),
                    "leaving_reason": "end_of_contract",
                }
            )
            got += f
        for _ in range(int(rng.integers(2, 6))):  # short assignments inside the year
            s = _day(rng, ws, we - pd.Timedelta(days=60))
            self.posts.append(
                {
                    "worker_id": self.new_id("A"),
                    "borough": self.name,
                    "team": self.team(),
                    "role": "social_worker",
                    "fte": 1.0,
                    "contract": "agency",
                    "start_date": s,
                    "end_date": s + pd.Timedelta(days=int(rng.integers(14, 59))),
                    "leaving_reason": "end_of_contract",
                }
            )

    def absence(self, y, ws, we, tg, fte_now) -> None:
        """Sickness absence of employed census-role workers in post all year."""
        rng, days_by_year = self.rng, self.days_by_year
        eligible = [p for p in self.in_post(we) if p["start_date"] <= ws]
        goal = tg["absence_rate_pct"] / 100 * fte_now * WORKING_DAYS
        # process mode: a Poisson number of spells, of random length, with the goal as expected days
        mean_inside = SPELL_MEAN_DAYS - SPELL_MEAN_SPILL
        n_process = int(rng.poisson(max(goal - days_by_year[y], 0.0) / mean_inside)) if self.process else 0
        while eligible and ((n_process > 0) if self.process else (days_by_year[y] + 2 <= goal)):
            n_process -= 1
            p = eligible[int(rng.integers(len(eligible)))]
            length = int(rng.integers(20, 61)) if rng.random() < 0.05 else int(1 + rng.geometric(0.3) - 1)
            if not self.process:
                length = max(1, min(length, int(goal - days_by_year[y]) + 1))
            start = np.busday_offset(np.datetime64(_day(rng, ws, we).date()), 0, roll="forward")
            end = np.busday_offset(start, length - 1)
            start, end = pd.Timestamp(start), pd.Timestamp(end)
            if start > we or (p["worker_id"], start) in self.spell_keys:
                continue
            self.spell_keys.add((p["worker_id"], start))
            self.spells.append(
                {
                    "worker_id": p["worker_id"],
                    "borough": self.name,
                    "start_date": start,
                    "end_date": end,
                    "working_days_lost": float(length),
                }
            )
            inside = np.busday_count(start.date(), (min(end, we) + pd.Timedelta(days=1)).date())
            days_by_year[y] += length * inside / length
            days_by_year[y + 1] += length * (length - inside) / length

    def non_census_absence(self) -> None:
        """A five-day spell for each of the first six workers in roles outside the census."""
        others = [p for p in self.posts if p["role"] not in CENSUS_ROLE_SHARES]
        for p in others[:6]:
            s = pd.Timestamp(
                np.busday_offset(
                    np.datetime64(_day(self.rng, max(p["start_date"], self.first_ws), pd.Timestamp(2018, 6, 1)).date()),
                    0,
                    roll="forward",
                )
            )
            self.spells.append(
                {
                    "worker_id": p["worker_id"],
                    "borough": self.name,
                    "start_date": s,
                    "end_date": pd.Timestamp(np.busday_offset(np.datetime64(s.date()), 4)),
                    "working_days_lost": 5.0,
                }
            )


def _fmt(df: pd.DataFrame, date_cols) -> pd.DataFrame:
    out = df.copy()
    for c in date_cols:
        out[c] = out[c].map(lambda d: "" if d is None or pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d"))
    return out.fillna("")


def generate(ctx) -> dict:
    rng = ctx.rng("workforce")
    planted = {k: ctx.effect("workforce", k, v) for k, v in PLANTED_DEFAULTS.items()}
    process = bool(ctx.effect("workforce", "process", 0.0))
    pub, source = published_targets()
    targets = _targets(pub, planted)
    all_posts, all_spells = [], []
    for slug, (name, _, _) in BOROUGHS.items():
        p, s = _borough(rng, name, ABBREVIATIONS[slug], targets[name], process=process)
        all_posts += p
        all_spells += s
    posts = pd.DataFrame(all_posts)
    posts["fte"] = posts["fte"].map(lambda v: f"{v:g}")
    posts = (
        _fmt(posts, ["start_date", "end_date"])
        .sort_values(["borough", "start_date", "worker_id"], kind="stable")
        .reset_index(drop=True)
    )
    spells = pd.DataFrame(all_spells)
    spells["working_days_lost"] = spells["working_days_lost"].map(lambda v: f"{v:g}")
    spells = (
        _fmt(spells, ["start_date", "end_date"])
        .sort_values(["borough", "start_date", "worker_id"], kind="stable")
        .reset_index(drop=True)
    )

    bad_posts = []
    for k, (col, value) in enumerate(
        [("role", "caseworker"), ("fte", "1.4"), ("end_date", "2010-01-01"), ("start_date", "")]
    ):
        row = posts.iloc[int(rng.integers(len(posts)))].copy()
        row["worker_id"] = row["worker_id"].split("-")[0] + f"-X{k:05d}"
        row[col] = value
        bad_posts.append(row)
    bad_spells = []
    row = spells.iloc[int(rng.integers(len(spells)))].copy()
    row["worker_id"] = row["worker_id"].split("-")[0] + "-X09999"
    row["end_date"] = "2011-01-01"
    bad_spells.append(row)
    posts = pd.concat([posts, pd.DataFrame(bad_posts)], ignore_index=True)
    spells = pd.concat([spells, pd.DataFrame(bad_spells)], ignore_index=True)
    ctx.write_csv(
        posts[["worker_id", "borough", "team", "role", "fte", "contract", "start_date", "end_date", "leaving_reason"]],
        POSTS_FILE,
    )
    ctx.write_csv(spells[["worker_id", "borough", "start_date", "end_date", "working_days_lost"]], ABSENCE_FILE)

    planted_rates = {}
    for name in targets:
        b, a = _pooled_truth(targets[name], BEFORE_YEARS), _pooled_truth(targets[name], AFTER_YEARS)
        planted_rates[name] = {m: {"before": b[m], "after": a[m], "change": a[m] - b[m]} for m in b if m != "_sums"}
    # all boroughs: pool the implied sums
    tot = {}
    for period, years in (("before", BEFORE_YEARS), ("after", AFTER_YEARS)):
        s = {"fte": 0.0, "agency": 0.0, "leavers": 0.0, "days": 0.0}
        for name in targets:
            for k, v in _pooled_truth(targets[name], years)["_sums"].items():
                s[k] += v
        tot[period] = {
            "agency_rate_pct": 100 * s["agency"] / (s["agency"] + s["fte"]),
            "turnover_rate_pct": 100 * s["leavers"] / s["fte"],
            "absence_rate_pct": 100 * s["days"] / (s["fte"] * WORKING_DAYS),
        }
    planted_rates["All"] = {
        m: {"before": tot["before"][m], "after": tot["after"][m], "change": tot["after"][m] - tot["before"][m]}
        for m in tot["before"]
    }
    return {
        "files": [POSTS_FILE, ABSENCE_FILE],
        "rows_written": {"posts": int(len(posts)), "absence": int(len(spells))},
        "malformed_rows": {"posts": len(bad_posts), "absence": len(bad_spells)},
        "targets_source": source,
        "mode": "process (targets are expectations)" if process else "targets (hit within tolerance)",
        "targets": {b: {str(y): v for y, v in sorted(t.items())} for b, t in targets.items()},
        "tolerance": TOLERANCE,
        "before_years": list(BEFORE_YEARS),
        "after_years": list(AFTER_YEARS),
        "planted": {**planted, "note": "after - before, percentage points, per borough (targets); pooled rates below"},
        "planted_rates": planted_rates,
    }
