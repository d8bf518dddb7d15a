"""The two workforce report sections, written from the analysis results only.

* :func:`.section_public.build_public_section`: published DfE statistics (real; ``synthetic=False``
  with sources);
* :func:`build_hr_section`: the HR extract (synthetic by default): definitions, reconciliation with
  the published figures, before and after with intervals.
"""

from __future__ import annotations

import pandas as pd

from ...disclosure import people
from ...evidence import Check
from ...report_section import format_number, join_words
from . import charts
from .analysis import MEASURE_LABELS, MEASURES, WORKING_DAYS
from .section_public import PUBLIC_STRAND, SHORT, build_public_section, shown_value, year_label

HR_STRAND = "workforce_hr"  # section folder 50_workforce_hr: the HR extract, after it


def _years_text(text: str) -> str:
    """'2012,2013' -> '2012 and 2013'; '2015,2016,2017' -> '2015 to 2017' (consecutive years)."""
    ys = sorted(int(y) for y in str(text).split(",") if y)
    if len(ys) == 1:
        return str(ys[0])
    if ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 2:
        return f"{ys[0]} to {ys[-1]}"
    return ", ".join(map(str, ys[:-1])) + f" and {ys[-1]}"


DEFINITIONS = (
    "**Definitions (DfE children's social work workforce census).** For each census year, the year to 30 September, "
    "counting registered social workers only (social workers, senior and consultant social workers, team managers):\n\n"
    "- *Agency rate* = FTE of agency workers at 30 September ÷ (agency FTE + FTE of employed social workers in post).\n"
    "- *Turnover rate* = FTE of employed social workers who left in the year to 30 September ÷ FTE in post at 30 September. "
    "Someone whose last day is 30 September counts as a leaver, not as in post; a move to another post in the same borough "
    "is not leaving; someone who leaves and returns is a leaver for each time they leave.\n"
    f"- *Absence rate* = working days lost to sickness in the year ÷ (FTE in post × {WORKING_DAYS} working days). The divisor "
    f"{WORKING_DAYS} is inferred (it reproduces the published England 2023 rate; DfE does not state it). A spell crossing 30 "
    "September is split between the two years by its weekdays.\n"
    "- *Vacancy rate* = vacancies ÷ (vacancies + FTE in post): **not derivable** from this extract, which lists people in "
    "posts, not the funded posts left empty."
)


INTERVALS = (
    "**How the intervals are worked out.** The extract is a census of the borough's staff, so an interval describes "
    "how much a rate would move with the same process producing different outcomes, not survey sampling error. "
    "Each is a 95% percentile bootstrap that resamples workers within each borough (all of a worker's posts, years "
    "and absence spells move together). For the agency and absence rates the resampled numerator and denominator "
    "are both re-added. For turnover (leavers FTE / FTE in post) the denominator is exposure, known rather than "
    "sampled: the interval conditions on the workforce observed, holding the FTE in post and the FTE at risk of "
    "leaving (in post at the start of the year, or joining and leaving within it) at their observed totals, and "
    "lets only the leaving outcomes vary, as a ratio estimator of the leavers total (resampled leavers / resampled "
    "FTE at risk, times the observed FTE at risk; Cochran 1977, section 6.2; rates with fixed person-time, Breslow "
    "and Day 1987, chapter 2). Letting the FTE in post vary as well made the turnover interval too wide in the "
    "calibration on synthetic data, where the establishment is refilled every year (assumption W10 in docs/aqa)."
)


def build_hr_section(
    section,
    ind: pd.DataFrame,
    rec: pd.DataFrame | None,
    change: pd.DataFrame,
    published: pd.DataFrame | None,
    rows: dict,
    programme_year: int = 2014,
    truth: dict | None = None,
    borough_label: str = "all three boroughs",
):
    """Fill the HR-extract section. ``ind``: :func:`analysis.indicators`; ``rec``: :func:`analysis.reconcile`
    (None without public data); ``change``: :func:`analysis.before_after`; ``rows``: {file: (read, rejected)}.

    The parts, in order: what the extract holds and the definitions; the indicators by year (chart) and
    their reconciliation with the published figures; before and after (prose, chart, tables, how the
    intervals are worked out); the key findings; the check against the planted change."""
    figs = []
    if ind.empty or change.empty:
        section.markdown(
            f"The HR extract holds no social work posts for {borough_label}, so no indicator can be computed from it. "
            + " ".join(f"{f}: {r} rows read, {j} rejected." for f, (r, j) in rows.items())
        )
        section.markdown(DEFINITIONS, appendix=True)
        return figs
    b_years, a_years = (_years_text(change["before_years"].iloc[0]), _years_text(change["after_years"].iloc[0]))
    _what_the_extract_holds(section, ind, change, rows, borough_label)
    section.markdown(DEFINITIONS, appendix=True)
    meas = list(MEASURES)
    figs.append(_indicators_chart(section, ind, published, meas, programme_year))
    if rec is not None and len(rec):
        _reconciliation(section, rec, meas)
    c_all = change[change["borough"] == "All"] if (change["borough"] == "All").any() else change
    _before_and_after(section, c_all, b_years, a_years, borough_label, truth)
    figs.append(_change_chart(section, change, c_all, meas, b_years, a_years))
    _before_after_table(section, change, b_years, a_years)
    section.markdown(INTERVALS, appendix=True)
    _indicators_table(section, ind)
    _hr_findings(section, change, c_all, b_years, a_years, truth)
    if truth and "planted_rates" in truth:
        _planted_check(section, change, truth)
    return figs


def _what_the_extract_holds(section, ind: pd.DataFrame, change: pd.DataFrame, rows: dict, borough_label: str) -> None:
    """The opening paragraph: the years and workers the extract covers, and its rows read and rejected."""
    n_workers = int(
        change[change["borough"] == ("All" if (change["borough"] == "All").any() else change["borough"].iloc[0])][
            "workers"
        ].iloc[0]
    )
    extract = (
        "the synthetic HR extract (made up by the project's generator in the shape of the boroughs' HR records, not "
        "their staff)"
        if section.synthetic
        else "the HR extract"
    )
    section.markdown(
        f"For {borough_label}, {extract} lists every social work post held from {int(ind['year'].min()) - 1} to {int(ind['year'].max())} "
        f"({section.count(n_workers)} workers, permanent and agency, over the years compared), with sickness-absence spells. "
        "From it the same indicators DfE publishes can be computed for any year, including the years before the programme, "
        "which the published series do not cover. "
        + " ".join(
            f"{f}: {r} rows read, {j} rejected (listed in the data-quality section)." for f, (r, j) in rows.items()
        )
    )


def _indicators_chart(section, ind: pd.DataFrame, published: pd.DataFrame | None, meas: list, programme_year: int):
    """The line charts of each rate by year and borough, with the published figures; the alt text gives the
    boroughs together in the first and last year."""
    all_ind = ind[ind["borough"] == "All"] if (ind["borough"] == "All").any() else ind
    first_row, last_row = all_ind.sort_values("year").iloc[0], all_ind.sort_values("year").iloc[-1]
    fig = charts.hr_series(ind[ind["borough"] != "All"], published, meas, programme_year)
    section.figure(
        "hr_series",
        fig,
        alt=(
            "Three line charts (agency, turnover and absence rates) by census year for each borough from the HR extract, "
            "with the published figures as hollow circles and the programme years shaded. Across the boroughs together, "
            + "; ".join(
                f"{SHORT[m]} went from "
                f"{section.value(first_row[m], first_row['workers_in_post'])}% in {int(first_row['year'])} to "
                f"{section.value(last_row[m], last_row['workers_in_post'])}% in {int(last_row['year'])}"
                for m in meas
            )
            + "."
        ),
        caption="Census indicators from the HR extract by year to 30 September (lines), with the published figures (hollow circles) where they exist.",
    )
    return fig


def _reconciliation(section, rec: pd.DataFrame, meas: list) -> None:
    """The appendix check of the extract's indicators against DfE's: the largest difference per measure in
    prose, every year in the table."""
    r = rec.dropna(subset=["difference"])
    worst = r.assign(abs_diff=r["difference"].abs()).groupby("measure")["abs_diff"].max()
    section.markdown(
        "**Reconciliation with the published figures.** Where both exist, the extract's indicators differ from DfE's by at most "
        + "; ".join(
            f"{section.value(worst[m], None, '{:.2f}')} {'FTE' if m == 'fte_in_post' else 'points'} ({SHORT[m]})"
            for m in ["fte_in_post", *meas]
            if m in worst
        )
        + f" over {r['year'].nunique()} years. Published cells that are suppressed or missing are shown as such and not compared; "
        "the vacancy rate cannot be derived from the extract."
        + (
            " The synthetic extract was generated to match the published figures, so this agreement is true by "
            "construction: it shows that the indicators are computed as DfE defines them, not that any records are right."
            if section.synthetic
            else ""
        ),
        appendix=True,  # beside its table: a check of the indicators, not a finding
    )
    shown = rec.copy()
    shown["published_shown"] = [
        shown_value(v, s, 2) for v, s in zip(shown["published"], shown["published_as"], strict=False)
    ]
    shown["measure"] = shown["measure"].map(MEASURE_LABELS)
    shown["year"] = shown["year"].map(year_label)
    section.table(
        "reconciliation",
        shown[["measure", "borough", "year", "extract", "published_shown", "difference"]],
        caption="HR-extract indicators against the published DfE figures (difference = extract - published).",
        decimals=2,
        appendix=True,
        labels={
            "measure": "Measure",
            "borough": "Borough",
            "year": "Year",
            "extract": "HR extract",
            "published_shown": "Published",
            "difference": "Difference",
        },
    )


def _before_and_after(
    section, c_all: pd.DataFrame, b_years: str, a_years: str, borough_label: str, truth: dict | None
) -> None:
    """The before-and-after paragraph for the boroughs together; on synthetic data it opens by saying how the
    generator set the change, so that nobody reads it as a finding."""
    parts = []
    for r in c_all.itertuples():
        parts.append(
            f"{SHORT[r.measure]} {section.value(r.before, r.workers)}% before and "
            f"{section.value(r.after, r.workers)}% after ({section.value(r.change, r.workers, '{:+.1f}')} points, "
            f"95% CI {section.ci(r.ci_low, r.ci_high, r.workers, '{:+.1f}')})"
        )
    made_up = list(dict.fromkeys(c_all["measure"]))
    section.markdown(
        (f"**Before and after, on made-up data.** {_made_up(made_up, truth, lead=True)}. " if section.synthetic else "")
        + f"{'' if section.synthetic else '**Before and after.** '}Pooling census years {b_years} (before the programme) "
        f"and {a_years} (after it had run two years), for {borough_label}: "
        + "; ".join(parts)
        + ". Intervals come from resampling workers (each worker's posts and absence "
        "together), the unit the extract is made of; for turnover the staff in post are held as observed and only who "
        "left varies (see the appendix). A change here is a change over time: other things changed in these years "
        "too (the London agency market, national recruitment), so it is not by itself the programme's effect."
    )


def _change_chart(section, change: pd.DataFrame, c_all: pd.DataFrame, meas: list, b_years: str, a_years: str):
    """The dot charts of the change in each rate, per borough and for the boroughs together."""
    fig = charts.change_dots(change, meas)
    section.figure(
        "before_after",
        fig,
        alt=(
            f"Dot charts of the change from {b_years} to {a_years} in agency, turnover and absence rates, per borough and for all "
            "boroughs together, with 95% bootstrap intervals; "
            + "; ".join(
                f"overall {SHORT[r.measure]} {section.value(r.change, r.workers, '{:+.1f}')} points"
                for r in c_all.itertuples()
            )
            + "."
        ),
        caption=f"Change in each rate, {a_years} minus {b_years} (percentage points), with 95% intervals from resampling workers.",
    )
    return fig


def _before_after_table(section, change: pd.DataFrame, b_years: str, a_years: str) -> None:
    """The table of pooled rates before and after, per borough and measure, with the change and its interval."""
    disp = change.copy()
    disp["measure"] = disp["measure"].map(MEASURE_LABELS)
    section.table(
        "before_after",
        disp[["borough", "measure", "workers", "before", "after", "change", "ci_low", "ci_high"]],
        caption=f"Pooled rates before ({b_years}) and after ({a_years}), the change and its 95% bootstrap CI (workers resampled within borough).",
        counts={"workers": people("workers")},
        dependent_columns={c: "workers" for c in ("before", "after", "change", "ci_low", "ci_high")},
        decimals=2,
        labels={
            "borough": "Borough",
            "measure": "Measure",
            "workers": "Workers",
            "before": "Before %",
            "after": "After %",
            "change": "Change (points)",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
        },
    )


def _indicators_table(section, ind: pd.DataFrame) -> None:
    """The appendix table of every indicator per borough and year (the vacancy rate, not derivable, left out)."""
    section.table(
        "hr_indicators",
        ind.drop(columns=["vacancy_rate_pct"]).assign(year=ind["year"].map(year_label)),
        caption="Census indicators from the HR extract, each borough and year (vacancy rate not derivable).",
        counts={"workers_in_post": people("workers in post")},
        dependent_columns={
            c: "workers_in_post"
            for c in (
                "fte_in_post",
                "agency_fte",
                "leavers_fte",
                "days_lost",
                "agency_rate_pct",
                "turnover_rate_pct",
                "absence_rate_pct",
            )
        },
        decimals=2,
        appendix=True,
    )


def _planted_check(section, change: pd.DataFrame, truth: dict) -> None:
    """On synthetic data: does each borough's interval cover the change the generator planted? (Groups too
    small to describe are left out.)"""
    lines = []
    for r in change.itertuples():
        p = truth["planted_rates"].get(r.borough, {}).get(r.measure)
        if p is None or section.is_small(r.workers):
            continue
        lines.append(
            f"{r.borough}, {SHORT[r.measure]}: planted {section.value(p['change'], None, '{:+.2f}')}, estimated "
            f"{section.value(r.change, r.workers, '{:+.2f}')} (95% CI {section.ci(r.ci_low, r.ci_high, r.workers, '{:+.2f}')}) - "
            + ("covered" if r.ci_low <= p["change"] <= r.ci_high else "NOT covered")
        )
    if lines:
        section.markdown(
            "**Check against the synthetic data's planted change** (targets: "
            f"{truth.get('targets_source', 'not recorded')}):\n\n" + "\n".join(f"- {line}" for line in lines),
            appendix=True,
        )


def _made_up(measures, truth: dict | None, lead: bool = False) -> str:
    """On synthetic data: how the generator set the measures' before and after, so that no reader takes a
    change for a finding (the later years copy the published figures, which makes them look real).
    ``lead``: worded to open a sentence."""
    planted = (truth or {}).get("planted", {})
    steps = [(SHORT[m], planted.get(m.replace("_pct", "_change"))) for m in measures]
    if any(v is None for _, v in steps):
        return f"{'These' if lead else 'these'} are made-up data, so a change between the years is not a finding"
    source = str((truth or {}).get("targets_source", ""))
    later = (
        "copied from the published figures" if source.startswith("published") else "set to round illustrative values"
    )
    set_to = join_words(
        [
            f"{format_number(abs(v), '{:.1f}')} points {'higher' if v < 0 else 'lower'} for the {name}"
            for name, v in steps
        ]
    )
    return (
        f"{'The' if lead else 'the'} generator made these up, with the later years {later} and the earlier ones set "
        f"{set_to}, so the change is its setting, not a finding"
    )


def _hr_findings(section, change: pd.DataFrame, c_all: pd.DataFrame, b_years: str, a_years: str, truth) -> None:
    """The HR section's key findings: the change in the agency and turnover rates, before and after with no
    comparison group, the workers the interval resamples as units and each borough on its own as a check.
    On synthetic data the sentence says how the generator set the change."""
    for r in c_all.itertuples():
        if r.measure not in ("agency_rate_pct", "turnover_rate_pct") or section.is_small(r.workers):
            continue
        boroughs = change[(change["borough"] != "All") & (change["measure"] == r.measure)]
        text = (
            f"In the HR extract, the {SHORT[r.measure]} was {section.value(r.before, r.workers)}% in "
            f"{b_years} and {section.value(r.after, r.workers)}% in {a_years} ({section.value(r.change, r.workers, '{:+.1f}')} points, "
            f"95% CI {section.ci(r.ci_low, r.ci_high, r.workers, '{:+.1f}')}); a before-after change with no comparison group."
        )
        if section.synthetic:
            text = f"Synthetic HR extract, not the boroughs' records: {_made_up([r.measure], truth)}. " + text
        section.key_finding(
            text,
            kind="effect",
            design="before_after",
            unit="workers",
            units=r.workers,
            estimate=r.change,
            ci=(r.ci_low, r.ci_high),
            checks=[Check(b.borough, b.change) for b in boroughs.itertuples() if not section.is_small(b.workers)],
            label=f"Change in {MEASURE_LABELS[r.measure].lower()}, points",
        )


def build_section(section, *args, **kwargs):
    """Fill one of the strand's two sections, chosen by ``section.strand``.

    The workforce strand hands the report two sections because their data differ in kind: the
    published DfE statistics (``PUBLIC_STRAND``, real) and the HR extract (``HR_STRAND``, synthetic
    by default). Arguments are those of :func:`build_public_section` or :func:`build_hr_section`.
    """
    if section.strand == PUBLIC_STRAND:
        return build_public_section(section, *args, **kwargs)
    if section.strand == HR_STRAND:
        return build_hr_section(section, *args, **kwargs)
    raise ValueError(f"workforce build_section: unknown section strand {section.strand!r}")
