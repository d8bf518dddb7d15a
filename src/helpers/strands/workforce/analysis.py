"""Workforce indicators from an HR extract, by the DfE children's social work workforce census
definitions (``shared/reference/methods.md``, checked against the published England 2023 row).

For census year *Y* (the year to 30 September *Y*; reference date D = 30 September *Y*; window
1 October *Y-1* .. 30 September *Y*, both days included), counting only census roles
(:data:`inputs.CENSUS_ROLES`):

* **in post FTE**: FTE of ``permanent`` posts with start_date <= D and (end_date blank or > D). A worker
  whose last day is 30 September itself is a leaver of year *Y* and not in post at D (our reading of
  the census guidance: "in post at 30 September" excludes those leaving that day; *stated
  assumption*);
* **agency FTE**: the same for ``agency`` posts;
* **leavers FTE**: FTE of ``permanent`` posts whose end_date falls in the window, except those ended by
  an ``internal_move`` (the worker stays with the LA). A worker who leaves and returns is a leaver
  once for each time they leave; when back they count in post like anyone else;
* **working days lost**: days lost in sickness spells of workers whose post on the spell's first day
  is a permanent census-role post; a spell crossing 30 September is split in proportion to its weekdays
  on each side;
* **agency rate** = agency FTE / (agency FTE + in post FTE);
* **turnover rate** = leavers FTE / in post FTE;
* **absence rate** = days lost / (in post FTE x 253). The divisor of 253 working days is *inferred*:
  it reproduces the published England 2023 rate (3.2%), 260 would not; the census does not state it;
* **vacancy rate** = vacancies / (vacancies + in post): **not derivable** from an extract of people in
  posts (vacancies are funded posts with no permanent worker; they need the establishment list).

Before/after: rates pooled over the years of each period (sum of numerators / sum of denominators),
the change after - before, with a 95% percentile bootstrap CI that resamples *workers* (all of a
worker's rows and absence spells together, within borough), the unit the extract is made of. The
census is the whole workforce, so the interval describes how much the rates would move with a
different set of workers arising from the same process, not sampling error in a survey.

The turnover interval conditions on the workforce observed (issue 10): its denominator, FTE in post,
is exposure (known, not sampled), and so is the FTE at risk of leaving (``at_risk_fte``: in post at the
start of the year, or joining and leaving within it). Workers are resampled as above, but only the
leaving outcomes vary: each replicate's leavers total is the ratio estimator (resampled leavers /
resampled FTE at risk) x observed FTE at risk, divided by the observed FTE in post (ratio estimation
with a known auxiliary total, Cochran 1977, *Sampling Techniques*, 3rd ed., section 6.2; inference for
rates conditional on fixed person-time, Breslow and Day 1987, *Statistical Methods in Cancer Research*
vol. II, chapter 2). Its linearised variance is sum_i (a_i - q e_i)^2 / B^2 over workers i (a leavers
FTE, e FTE at risk, q = sum a / sum e, B FTE in post), the clustered binomial variance of leaving given
exposure. Resampling the FTE in post too (the earlier method) adds the denominator's variation, about
15% too wide in calibration where the establishment is refilled each year (``docs/aqa``, W10).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import stats
from ...ingest import Field, OutputTable
from .inputs import CENSUS_ROLES, NOT_A_LEAVER, STRAND

WORKING_DAYS = 253
MEASURES = ("agency_rate_pct", "turnover_rate_pct", "absence_rate_pct")
MEASURE_LABELS = {
    "fte_in_post": "Social worker FTE in post (employed)",
    "agency_rate_pct": "Agency rate (%)",
    "turnover_rate_pct": "Turnover rate (%)",
    "absence_rate_pct": "Absence rate (% of working days lost)",
    "vacancy_rate_pct": "Vacancy rate (%)",
    "average_caseload": "Average caseload",
}
#: Component sums behind each rate: (numerator, denominator, scale).
RATE_PARTS = {
    "agency_rate_pct": ("agency_fte", "agency_plus_in_post_fte", 100.0),
    "turnover_rate_pct": ("leavers_fte", "fte_in_post", 100.0),
    "absence_rate_pct": ("days_lost", "working_days_available", 100.0),
}

INDICATORS = OutputTable(
    key="workforce_indicators",
    filename="workforce/hr_indicators.csv",
    strand=STRAND,
    description="Census indicators from the HR extract, per borough (and all selected) and census year (to 30 September).",
    fields=(
        Field("borough", "string", "Borough, or 'All' for the boroughs selected."),
        Field(
            "year", "integer", "Census year Y: reference date 30 September Y, window 1 October Y-1 to 30 September Y."
        ),
        Field("workers_in_post", "integer", "Distinct permanent census-role workers in post at 30 September."),
        Field("fte_in_post", "number", "FTE of permanent census-role posts in post at 30 September."),
        Field("agency_fte", "number", "FTE of agency census-role posts at 30 September."),
        Field("leavers_fte", "number", "FTE of permanent census-role leavers in the window (internal moves excluded)."),
        Field(
            "days_lost",
            "number",
            "Working days lost to sickness in the window (spells split at 30 September by weekdays).",
        ),
        Field("agency_rate_pct", "number", "agency FTE / (agency FTE + FTE in post) x 100."),
        Field("turnover_rate_pct", "number", "leavers FTE / FTE in post x 100."),
        Field("absence_rate_pct", "number", "days lost / (FTE in post x 253) x 100 (253 inferred)."),
        Field("vacancy_rate_pct", "number", "Not derivable from an extract of people in posts: always blank."),
    ),
)
RECONCILIATION = OutputTable(
    key="workforce_reconciliation",
    filename="workforce/reconciliation.csv",
    strand=STRAND,
    description="HR-extract indicators against the published DfE figures, per borough, year and measure.",
    fields=(
        Field("borough", "string", "Borough."),
        Field("year", "integer", "Census year."),
        Field("measure", "string", "Indicator."),
        Field("extract", "number", "From the HR extract."),
        Field("published", "number", "DfE published figure (blank when suppressed or missing)."),
        Field("published_as", "string", "The published cell as printed (symbol when suppressed)."),
        Field("difference", "number", "extract - published (blank when either is missing)."),
    ),
)
CHANGE = OutputTable(
    key="workforce_change",
    filename="workforce/before_after.csv",
    strand=STRAND,
    description="Pooled rates before and after the programme from the HR extract, the change and its bootstrap CI.",
    fields=(
        Field("borough", "string", "Borough, or 'All'."),
        Field("measure", "string", "Indicator."),
        Field("before_years", "string", "Census years pooled as 'before'."),
        Field("after_years", "string", "Census years pooled as 'after'."),
        Field("workers", "integer", "Distinct workers resampled."),
        Field("before", "number", "Pooled rate before (%)."),
        Field("after", "number", "Pooled rate after (%)."),
        Field("change", "number", "after - before (percentage points)."),
        Field(
            "ci_low",
            "number",
            "95% bootstrap CI (workers resampled within borough; turnover conditional on the FTE in post and at risk), lower.",
        ),
        Field("ci_high", "number", "Upper."),
    ),
)
OUTPUTS = (INDICATORS, RECONCILIATION, CHANGE)


def window(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of census year ``year`` (1 October year-1 .. 30 September year)."""
    return pd.Timestamp(year - 1, 10, 1), pd.Timestamp(year, 9, 30)


def _census_posts(posts: pd.DataFrame) -> pd.DataFrame:
    return posts[posts["role"].isin(CENSUS_ROLES)]


def _in_post_at(posts: pd.DataFrame, date: pd.Timestamp) -> pd.Series:
    return (posts["start_date"] <= date) & (posts["end_date"].isna() | (posts["end_date"] > date))


def _weekdays(start, end) -> np.ndarray:
    """Weekdays from start to end inclusive (0 when end < start)."""
    s = np.asarray(start, dtype="datetime64[D]")
    e = np.asarray(end, dtype="datetime64[D]") + np.timedelta64(1, "D")
    return np.where(e > s, np.busday_count(s, np.maximum(e, s)), 0)


def counted_spells(posts: pd.DataFrame, absence: pd.DataFrame) -> pd.DataFrame:
    """Absence spells with ``counted`` (True when the worker's post on the spell's first day, in that
    borough, is a permanent census-role post) and ``matched`` (some post covers the first day)."""
    a = absence.reset_index(drop=True).copy()
    a["_spell"] = np.arange(len(a))
    m = a.merge(
        posts[["worker_id", "borough", "start_date", "end_date", "contract", "role"]],
        on=["worker_id", "borough"],
        how="left",
        suffixes=("", "_post"),
    )
    cover = (m["start_date_post"] <= m["start_date"]) & (
        m["end_date_post"].isna() | (m["end_date_post"] >= m["start_date"])
    )
    ok = cover & (m["contract"] == "permanent") & m["role"].isin(CENSUS_ROLES)
    a["matched"] = cover.groupby(m["_spell"]).any().reindex(a["_spell"]).fillna(False).to_numpy()
    a["counted"] = ok.groupby(m["_spell"]).any().reindex(a["_spell"]).fillna(False).to_numpy()
    return a.drop(columns="_spell")


def days_lost_in_year(spells: pd.DataFrame, year: int) -> np.ndarray:
    """Each spell's working days lost that fall in census year ``year``: the days lost times the share
    of the spell's weekdays inside the window (all of them for a spell of weekend days only that
    starts in the window)."""
    ws, we = window(year)
    total = _weekdays(spells["start_date"], spells["end_date"])
    inside = _weekdays(
        np.maximum(spells["start_date"].to_numpy(), ws.to_datetime64()),
        np.minimum(spells["end_date"].to_numpy(), we.to_datetime64()),
    )
    starts_in = ((spells["start_date"] >= ws) & (spells["start_date"] <= we)).to_numpy()
    share = np.where(total > 0, inside / np.maximum(total, 1), starts_in.astype(float))
    return spells["working_days_lost"].to_numpy(dtype=float) * share


def worker_components(posts: pd.DataFrame, absence: pd.DataFrame, years) -> pd.DataFrame:
    """One row per (borough, worker_id, year): the worker's contribution to each component sum
    (fte_in_post, agency_fte, leavers_fte, at_risk_fte, days_lost, in_post flag). Rates are ratios of
    sums of these, so the bootstrap can resample workers and re-add.

    ``at_risk_fte`` is the exposure to leaving: FTE of permanent census-role posts in post at the start
    of the year (30 September of the year before, by the same rule as the census date) plus those of
    leavers who joined during the year (so every leaver is in the exposure). It is used only by the
    turnover interval of :func:`before_after`."""
    p = _census_posts(posts)
    spells = counted_spells(posts, absence)
    spells = spells[spells["counted"]]
    keys = pd.concat([p[["borough", "worker_id"]], spells[["borough", "worker_id"]]]).drop_duplicates()
    frames = []
    for year in years:
        ws, we = window(year)
        at = _in_post_at(p, we)
        perm = p["contract"] == "permanent"
        left = perm & p["end_date"].between(ws, we) & ~p["leaving_reason"].isin(NOT_A_LEAVER)
        # at risk of leaving in the year: in post at the start (30 September of the year before, same
        # rule as at the end) or a leaver in the year (joined and left inside the window)
        at_risk = perm & (_in_post_at(p, ws - pd.Timedelta(days=1)) | left)
        comp = pd.DataFrame(
            {
                "borough": p["borough"],
                "worker_id": p["worker_id"],
                "fte_in_post": p["fte"].where(at & perm, 0.0),
                "agency_fte": p["fte"].where(at & (p["contract"] == "agency"), 0.0),
                "leavers_fte": p["fte"].where(left, 0.0),
                "at_risk_fte": p["fte"].where(at_risk, 0.0),
                "in_post": (at & perm).astype(int),
                "days_lost": 0.0,
            }
        )
        sp = pd.DataFrame(
            {
                "borough": spells["borough"],
                "worker_id": spells["worker_id"],
                "fte_in_post": 0.0,
                "agency_fte": 0.0,
                "leavers_fte": 0.0,
                "at_risk_fte": 0.0,
                "in_post": 0,
                "days_lost": days_lost_in_year(spells, year),
            }
        )
        g = pd.concat([comp, sp]).groupby(["borough", "worker_id"], as_index=False).sum()
        g["in_post"] = (g["in_post"] > 0).astype(int)
        g = keys.merge(g, on=["borough", "worker_id"], how="left").fillna(0.0)
        g["year"] = int(year)
        frames.append(g)
    cols = [
        "borough",
        "worker_id",
        "year",
        "fte_in_post",
        "agency_fte",
        "leavers_fte",
        "at_risk_fte",
        "days_lost",
        "in_post",
    ]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def _rates(sums: pd.DataFrame) -> pd.DataFrame:
    out = sums.copy()
    out["agency_plus_in_post_fte"] = out["agency_fte"] + out["fte_in_post"]
    out["working_days_available"] = out["fte_in_post"] * WORKING_DAYS
    with np.errstate(divide="ignore", invalid="ignore"):
        for m, (num, den, scale) in RATE_PARTS.items():
            out[m] = np.where(out[den] > 0, scale * out[num] / out[den].where(out[den] > 0, np.nan), np.nan)
    return out


def indicators(posts: pd.DataFrame, absence: pd.DataFrame, years, include_all: bool = True) -> pd.DataFrame:
    """Census indicators per borough and year (plus 'All' over the boroughs present); see :data:`INDICATORS`."""
    comp = worker_components(posts, absence, years)
    parts = ["fte_in_post", "agency_fte", "leavers_fte", "days_lost", "in_post"]
    by = comp.groupby(["borough", "year"], as_index=False)[parts].sum()
    if include_all and comp["borough"].nunique() > 1:
        allb = comp.groupby("year", as_index=False)[parts].sum()
        allb.insert(0, "borough", "All")
        by = pd.concat([by, allb], ignore_index=True)
    r = _rates(by).rename(columns={"in_post": "workers_in_post"})
    r["workers_in_post"] = r["workers_in_post"].astype(int)
    for c in ("fte_in_post", "agency_fte", "leavers_fte", "days_lost"):
        r[c] = r[c].round(2)
    r["vacancy_rate_pct"] = np.nan
    return r[INDICATORS.column_names].reset_index(drop=True)


def _pooled(comp: pd.DataFrame, years) -> dict:
    s = comp[comp["year"].isin(years)][["fte_in_post", "agency_fte", "leavers_fte", "days_lost"]].sum()
    r = _rates(pd.DataFrame([s]))
    return {m: float(r[m].iloc[0]) for m in MEASURES}


def before_after(
    posts: pd.DataFrame,
    absence: pd.DataFrame,
    before_years,
    after_years,
    n_boot: int = 1000,
    seed: int = 2014,
    level: float = 0.95,
) -> pd.DataFrame:
    """Pooled rates before and after, the change and a worker-resampling bootstrap CI (see :data:`CHANGE`).

    Workers are resampled with replacement within each borough (a worker's every row and spell in
    every year move together); 'All' resamples within each borough and adds the boroughs up. Agency
    and absence rates re-add numerator and denominator in each replicate. Turnover is conditional on
    the workforce observed (fixed FTE in post and FTE at risk; only leaving outcomes vary): the
    replicate rate is (leavers* / at_risk*) x at_risk / fte_in_post, a ratio estimator with known
    exposure (Cochran 1977, section 6.2; Breslow and Day 1987, chapter 2); see the module docstring.
    """
    years = sorted(set(before_years) | set(after_years))
    comp = worker_components(posts, absence, years)
    rows = []
    boroughs = sorted(comp["borough"].unique())
    boot_sums = _resampled_sums(comp, boroughs, (before_years, after_years), n_boot, seed)
    groups = [(b, [b]) for b in boroughs] + ([("All", boroughs)] if len(boroughs) > 1 else [])
    for label, bs in groups:
        cg = comp[comp["borough"].isin(bs)]
        est_b, est_a = _pooled(cg, before_years), _pooled(cg, after_years)
        sums = sum(boot_sums[b] for b in bs)
        obs = np.stack(
            [cg[cg["year"].isin(period)][_PARTS].sum().to_numpy(dtype=float) for period in (before_years, after_years)]
        )
        for m in MEASURES:
            lo, hi = stats.percentile_interval(
                _replicate_rate(m, sums, obs, 1) - _replicate_rate(m, sums, obs, 0), level
            )
            rows.append(
                {
                    "borough": label,
                    "measure": m,
                    "before_years": ",".join(map(str, before_years)),
                    "after_years": ",".join(map(str, after_years)),
                    "workers": int(cg["worker_id"].nunique()),
                    "before": est_b[m],
                    "after": est_a[m],
                    "change": est_a[m] - est_b[m],
                    "ci_low": float(lo),
                    "ci_high": float(hi),
                }
            )
    return pd.DataFrame(rows, columns=CHANGE.column_names)


#: The per-worker sums a replicate re-adds: every rate's numerator and denominator.
_PARTS = ["fte_in_post", "agency_fte", "leavers_fte", "days_lost", "at_risk_fte"]


def _resampled_sums(comp: pd.DataFrame, boroughs: list, periods: tuple, n_boot: int, seed: int) -> dict:
    """Borough -> the sums of :data:`_PARTS` in each replicate (n_boot x 2 periods x parts), workers
    resampled with all their rows (:func:`helpers.stats.cluster_weights`, one stream over the boroughs)."""
    rng = np.random.default_rng(seed)
    boot_sums = {}
    for b in boroughs:
        cb = comp[comp["borough"] == b]
        workers = cb["worker_id"].unique()
        mats = []
        for period in periods:
            sub = cb[cb["year"].isin(period)].groupby("worker_id")[_PARTS].sum().reindex(workers, fill_value=0.0)
            mats.append(sub.to_numpy())
        counts = stats.cluster_weights(len(workers), n_boot, rng)
        boot_sums[b] = np.stack([counts @ mats[0], counts @ mats[1]], axis=1)
    return boot_sums


def _replicate_rate(m: str, sums: np.ndarray, obs: np.ndarray, period: int) -> np.ndarray:
    """Measure ``m`` in each replicate for one period (0 before, 1 after) from the resampled sums."""
    num, den, scale = RATE_PARTS[m]
    pi = {p: i for i, p in enumerate(_PARTS)}
    s = sums[:, period, :]
    n = s[:, pi[num]]
    if m == "turnover_rate_pct":
        # conditional on the workforce observed: the in-post FTE (denominator) and the exposure are
        # fixed at their observed totals; only the leaving outcomes vary, as the ratio estimator of
        # the leavers total, (resampled leavers / resampled exposure) x observed exposure (Cochran
        # 1977, section 6.2)
        with np.errstate(divide="ignore", invalid="ignore"):
            leave = n / s[:, pi["at_risk_fte"]] * obs[period, pi["at_risk_fte"]]
            return scale * leave / obs[period, pi["fte_in_post"]]
    if den == "agency_plus_in_post_fte":
        d = s[:, pi["agency_fte"]] + s[:, pi["fte_in_post"]]
    elif den == "working_days_available":
        d = s[:, pi["fte_in_post"]] * WORKING_DAYS
    else:
        d = s[:, pi[den]]
    with np.errstate(divide="ignore", invalid="ignore"):
        return scale * n / d


def reconcile(ind: pd.DataFrame, published: pd.DataFrame | None) -> pd.DataFrame:
    """Extract indicators against published ones (``published``: borough, year, measure, value,
    value_as_published with measure in fte_in_post / *_rate_pct names). Missing stays missing."""
    if published is None:
        return pd.DataFrame(columns=RECONCILIATION.column_names)
    measures = ["fte_in_post", "agency_rate_pct", "turnover_rate_pct", "absence_rate_pct", "vacancy_rate_pct"]
    ext = ind[ind["borough"] != "All"].melt(
        id_vars=["borough", "year"], value_vars=measures, var_name="measure", value_name="extract"
    )
    pub = published.rename(columns={"value": "published", "value_as_published": "published_as"})
    m = ext.merge(
        pub[["borough", "year", "measure", "published", "published_as"]], on=["borough", "year", "measure"], how="inner"
    )
    m["difference"] = m["extract"] - m["published"]
    return m[RECONCILIATION.column_names].sort_values(["measure", "borough", "year"]).reset_index(drop=True)
