"""The two workforce report sections, written from the analysis results only.

* :func:`build_public_section`: published DfE statistics (real; ``synthetic=False`` with sources);
* :func:`build_hr_section`: the HR extract (synthetic by default): definitions, reconciliation with
  the published figures, before and after with intervals.
"""

from __future__ import annotations

import pandas as pd

from ...evidence import Check
from ...ingest import Field, OutputTable
from ...report_section import format_number, join_words
from . import charts
from .analysis import MEASURE_LABELS, MEASURES, WORKING_DAYS
from .inputs import STRAND

PUBLIC_STRAND = "workforce"  # section folder 50_workforce: the published statistics, first
HR_STRAND = "workforce_hr"  # section folder 50_workforce_hr: the HR extract, after it
PUBLIC_MEASURES = [
    "agency_rate_pct",
    "turnover_rate_pct",
    "vacancy_rate_pct",
    "absence_rate_pct",
    "average_caseload",
    "fte_in_post",
]
#: For each measure, whether a lower value means more stable staffing (caseload and FTE: no direction).
LOWER_IS_STABLER = {
    "agency_rate_pct": True,
    "turnover_rate_pct": True,
    "vacancy_rate_pct": True,
    "absence_rate_pct": True,
}

PUBLIC_COMPARISON = OutputTable(
    key="workforce_public_comparison",
    filename="workforce/published_comparison.csv",
    strand=STRAND,
    description=(
        "Published DfE workforce measures for each programme borough and year from 2015, with its statistical "
        "neighbours' median (excluding the other programme boroughs), Inner London and England. Real published "
        "statistics; a suppressed or missing cell is blank, with its published symbol."
    ),
    fields=(
        Field("borough", "string", "Programme borough."),
        Field("measure", "string", "Measure."),
        Field("year", "integer", "Year to 30 September."),
        Field("borough_value", "number", "The borough's published figure (blank when suppressed or missing)."),
        Field(
            "borough_as_published",
            "string",
            "The cell as published: the figure, or its symbol (x, -, ...) or 'not published'.",
        ),
        Field("neighbours_median", "number", "Median of the neighbours with a published figure."),
        Field(
            "neighbours_with_value", "integer", "Neighbours with a published figure (local authorities, not people)."
        ),
        Field(
            "neighbours",
            "integer",
            "Neighbours compared (local authorities; the combined Kingston/Richmond figure once).",
        ),
        Field("inner_london", "number", "Inner London."),
        Field("england", "number", "England."),
    ),
)
PUBLIC_OUTPUTS = (PUBLIC_COMPARISON,)

SUPPRESSED_LABEL = "not published"
#: Measure names for prose.
SHORT = {
    "fte_in_post": "social worker FTE",
    "agency_rate_pct": "agency rate",
    "turnover_rate_pct": "turnover rate",
    "vacancy_rate_pct": "vacancy rate",
    "absence_rate_pct": "absence rate",
    "average_caseload": "average caseload",
}


def year_label(year) -> str:
    """A census year as tables show it: 'Sept 2016' (the year to 30 September 2016). Text, so that the
    report does not print it as a quantity with a thousands separator."""
    return f"Sept {int(year)}"


def shown_value(value, as_published: str, decimals: int = 1) -> str:
    """A published cell for a reader: the figure, or what the publisher printed instead of it (never 0)."""
    if value is None or pd.isna(value):
        sym = (as_published or "").strip()
        return f"{sym} ({SUPPRESSED_LABEL})" if sym and sym != SUPPRESSED_LABEL else SUPPRESSED_LABEL
    return format_number(value, f"{{:,.{decimals}f}}")


#: The measures with a direction, as the answer box names them.
SHORT_NAMES = {"agency_rate_pct": "agency rate", "turnover_rate_pct": "turnover", "absence_rate_pct": "absence"}
#: The comparators of the published figures, as prose names them.
COMPARATORS = {
    "neighbours_median": "statistical neighbours' median",
    "inner_london": "Inner London",
    "england": "England",
}


def _stability_counts(comp: pd.DataFrame, years) -> dict:
    """Per measure with a direction: borough-years (in ``years``) below each comparator (``{comparator:
    {"below", "compared"}}``, comparators of :data:`COMPARATORS`; ``below``/``compared`` at the top level
    are the neighbours'), with how many cells there are and how many have no published figure."""
    out = {}
    for m in LOWER_IS_STABLER:
        d = comp[(comp["measure"] == m) & comp["year"].isin(years)]
        out[m] = {"cells": int(len(d)), "missing": int(d["borough_value"].isna().sum())}
        for col in COMPARATORS:
            both = d.dropna(subset=["borough_value", col])
            out[m][col] = {"below": int((both["borough_value"] < both[col]).sum()), "compared": int(len(both))}
        out[m] |= out[m]["neighbours_median"]
        every = d.dropna(subset=["borough_value", *COMPARATORS])
        below = (every["borough_value"].to_numpy()[:, None] < every[list(COMPARATORS)].to_numpy()).all(axis=1)
        out[m]["all"] = {"below": int(below.sum()), "compared": int(len(every))}
    return out


def _falls(comp: pd.DataFrame, first: int, last: int) -> dict:
    """Per measure with a direction: of the boroughs with a published figure in both ``first`` and ``last``,
    how many fell (to one decimal, as published), and the same for their statistical neighbours' medians;
    and whether England's fell."""
    out = {}
    for m in LOWER_IS_STABLER:
        d = comp[comp["measure"] == m].set_index(["borough", "year"])
        row = {}
        for col in ("borough_value", "neighbours_median", "england"):
            pairs = [
                (d.loc[(b, first), col], d.loc[(b, last), col])
                for b in dict.fromkeys(comp["borough"])
                if (b, first) in d.index and (b, last) in d.index
            ]
            pairs = [(a, z) for a, z in pairs if pd.notna(a) and pd.notna(z)]
            row[col] = {"fell": sum(round(z, 1) < round(a, 1) for a, z in pairs), "compared": len(pairs)}
        out[m] = row
    return out


def _public_findings(section, comp: pd.DataFrame, counts: dict, focus_years) -> None:
    """The published-statistics section's key findings: facts, never a strength. One hands the answer box
    its sentence (where staffing stood against the comparators); the other sets the change from the
    first published year beside the 2016 evaluation (topic workforce)."""
    first, last = min(focus_years), max(focus_years)
    fy = f"{first}-{last}"
    names = {"agency_rate_pct": "agency rate", "turnover_rate_pct": "turnover", "absence_rate_pct": "sickness absence"}

    def of(c, base=None):
        # against a comparator with the same borough-years as the neighbours', the count alone reads best
        return (
            str(c["below"])
            if base is not None and c["compared"] == base["compared"]
            else f"{c['below']} of {c['compared']}"
        )

    against = "; ".join(
        f"{COMPARATORS[col]}: " + join_words([of(counts[m][col], counts[m]) for m in names])
        for col in ("inner_london", "england")
    )
    answer = (
        f"In {fy} the boroughs' published agency rate was below their statistical neighbours' median in "
        f"{of(counts['agency_rate_pct'])} borough-years, turnover in {of(counts['turnover_rate_pct'])} and "
        f"sickness absence in {of(counts['absence_rate_pct'])} (against {against}); these figures start after the "
        "programme began, so they show where staffing stood, not whether the programme changed it."
    )
    # the answer box: one short sentence, each measure against all three comparators at once
    short = (
        f"Published figures for {fy} put the boroughs' agency rate below their statistical neighbours', Inner London's "
        "and England's in "
        + join_words(
            [
                ("" if i == 0 else f"{SHORT_NAMES[m]} in ")
                + of(counts[m]["all"])
                + (" borough-years" if i == 0 else "")
                for i, m in enumerate(names)
            ]
        )
        + ", but start after the programme began."
    )
    section.key_finding(
        answer, kind="fact", source="published", topic="workforce", answer=short, label="Workforce against comparators"
    )
    f = _falls(comp, first, last)
    if not any(f[m]["borough_value"]["compared"] for m in names):
        return
    england = [names[m] for m in names if f[m]["england"]["fell"]]
    section.key_finding(
        f"From September {first} (the first published year, already after the programme began) to September {last}, the "
        + join_words(
            [
                f"{names[m]} fell in {f[m]['borough_value']['fell']} of {f[m]['borough_value']['compared']}"
                + (" boroughs" if i == 0 else "")
                for i, m in enumerate(names)
            ]
        )
        + "; over the same years their statistical neighbours' medians fell in "
        + join_words([f"{f[m]['neighbours_median']['fell']} of {f[m]['neighbours_median']['compared']}" for m in names])
        + (f", and England's {join_words(england)} fell" if england else ", and none of England's fell")
        + ". The series start too late to "
        "show the before-and-after change the 2016 evaluation reported.",
        kind="fact",
        source="published",
        topic="workforce",
        label=f"Workforce change {fy}",
    )


def build_public_section(section, comp: pd.DataFrame, programme_year: int = 2014, focus_years=(2015, 2016, 2017)):
    """Fill the published-statistics section from :func:`public.comparison` output; returns figures."""
    first, last = int(comp["year"].min()), int(comp["year"].max())
    boroughs = list(dict.fromkeys(comp["borough"]))
    section.markdown(
        "The Department for Education's children's social work workforce statistics give, for every local authority, "
        "the full-time equivalent (FTE) of social workers it employs, its agency rate, turnover rate, vacancy rate, "
        "sickness absence rate and average caseload, at or in the year to 30 September. The programme boroughs are "
        "compared with their statistical neighbours (the ten authorities DfE judges most similar, April 2021 groups; the "
        "other programme boroughs are left out of each group, so that no borough is compared with the programme itself), "
        "with Inner London and with England."
    )
    section.markdown(
        f"**What these figures cannot show.** The published series start at 30 September {first}, after the programme "
        f"began in {programme_year}. On their own they cannot show a before and after: they describe where the boroughs "
        "stood during and after the programme, not whether it changed anything. A before and after would need the "
        "boroughs' own staff records from before the programme."
    )
    missing = comp[comp["borough_value"].isna()]
    if len(missing):
        cells = "; ".join(
            f"{r.borough} {SHORT[r.measure]} {r.year} (published as '{r.borough_as_published}')"
            if r.borough_as_published != SUPPRESSED_LABEL
            else f"{r.borough} {SHORT[r.measure]} {r.year}"
            for r in missing.sort_values(["borough", "measure", "year"]).itertuples()
        )
        section.markdown(
            f"**Suppressed or missing figures** are left as gaps, never as zero: {len(missing)} borough cells from "
            f"{first} to {last} have no published figure ({cells}).",
            appendix=True,
        )
        section.markdown(
            f"Some borough figures were not published ({len(missing)} cells, for example agency rates in later years); "
            "they appear as gaps in the charts and as 'not published' in the tables, never as zero."
        )
    fig = charts.published_panels(
        comp, ["agency_rate_pct", "turnover_rate_pct", "vacancy_rate_pct", "absence_rate_pct"], boroughs, programme_year
    )
    counts = _stability_counts(comp, focus_years)
    fy = f"{min(focus_years)}-{max(focus_years)}"
    section.figure(
        "published_panels",
        fig,
        alt=(
            f"Grid of line charts, one row per borough and one column per measure (agency, turnover, vacancy and absence "
            f"rates), {first} to {last}, each borough against its statistical neighbours' median, Inner London and England. "
            + " ".join(
                f"In {fy} the borough's {SHORT[m]} was below the neighbours' median in "
                f"{c['below']} of {c['compared']} borough-years with both figures."
                for m, c in counts.items()
            )
        ),
        caption="Published workforce measures by year to 30 September: each borough against its comparators. Gaps: figure not published.",
    )
    focus = comp[comp["year"].isin(focus_years) & comp["measure"].isin(PUBLIC_MEASURES)].copy()
    focus["published"] = [
        shown_value(v, s) for v, s in zip(focus["borough_value"], focus["borough_as_published"], strict=False)
    ]
    focus["measure"] = focus["measure"].map(MEASURE_LABELS)
    focus["year"] = focus["year"].map(year_label)
    section.table(
        "published_focus",
        focus[["measure", "borough", "year", "published", "neighbours_median", "inner_london", "england"]],
        caption=f"Published workforce measures {fy}: each borough, its statistical neighbours' median, Inner London and England.",
        decimals=1,
        labels={
            "measure": "Measure",
            "borough": "Borough",
            "year": "Year to 30 Sept",
            "published": "Borough",
            "neighbours_median": "Neighbours (median)",
            "inner_london": "Inner London",
            "england": "England",
        },
        note="Real published statistics (local-authority level; no suppression needed). 'not published': suppressed or missing, never zero.",
    )
    full = comp.copy()
    full["published"] = [
        shown_value(v, s) for v, s in zip(full["borough_value"], full["borough_as_published"], strict=False)
    ]
    full["measure"] = full["measure"].map(MEASURE_LABELS)
    full["year"] = full["year"].map(year_label)
    section.table(
        "published_all_years",
        full[
            [
                "measure",
                "borough",
                "year",
                "published",
                "neighbours_median",
                "neighbours_with_value",
                "neighbours",
                "inner_london",
                "england",
            ]
        ].rename(columns={"neighbours_with_value": "las_with_value", "neighbours": "las_compared"}),
        caption=f"All published workforce measures {first}-{last}, with how many neighbours had a figure.",
        decimals=1,
        appendix=True,
        labels={
            "measure": "Measure",
            "borough": "Borough",
            "year": "Year",
            "published": "Borough",
            "neighbours_median": "Neighbours (median)",
            "las_with_value": "Neighbours with a figure",
            "las_compared": "Neighbours compared",
            "inner_london": "Inner London",
            "england": "England",
        },
        note="Neighbours: DfE statistical neighbours (April 2021), other programme boroughs excluded; Kingston and Richmond publish one combined figure, counted once.",
    )
    _public_findings(section, comp, counts, focus_years)
    return [fig]


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
    (None without public data); ``change``: :func:`analysis.before_after`; ``rows``: {file: (read, rejected)}."""
    figs = []
    if ind.empty or change.empty:
        section.markdown(
            f"The HR extract holds no social work posts for {borough_label}, so no indicator can be computed from it. "
            + " ".join(f"{f}: {r} rows read, {j} rejected." for f, (r, j) in rows.items())
        )
        section.markdown(DEFINITIONS)
        return figs
    b_years, a_years = (_years_text(change["before_years"].iloc[0]), _years_text(change["after_years"].iloc[0]))
    all_ind = ind[ind["borough"] == "All"] if (ind["borough"] == "All").any() else ind
    n_workers = int(
        change[change["borough"] == ("All" if (change["borough"] == "All").any() else change["borough"].iloc[0])][
            "workers"
        ].iloc[0]
    )
    section.markdown(
        f"For {borough_label}, the HR extract lists every social work post held from {int(ind['year'].min()) - 1} to {int(ind['year'].max())} "
        f"({section.count(n_workers)} workers, permanent and agency, over the years compared), with sickness-absence spells. "
        "From it the same indicators DfE publishes can be computed for any year, including the years before the programme, "
        "which the published series do not cover. "
        + " ".join(
            f"{f}: {r} rows read, {j} rejected (listed in the data-quality section)." for f, (r, j) in rows.items()
        )
    )
    section.markdown(DEFINITIONS)
    meas = list(MEASURES)
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
    figs.append(fig)
    if rec is not None and len(rec):
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
            )
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
    c_all = change[change["borough"] == "All"] if (change["borough"] == "All").any() else change
    parts = []
    for r in c_all.itertuples():
        parts.append(
            f"{SHORT[r.measure]} {section.value(r.before, r.workers)}% before and "
            f"{section.value(r.after, r.workers)}% after ({section.value(r.change, r.workers, '{:+.1f}')} points, "
            f"95% CI {section.ci(r.ci_low, r.ci_high, r.workers, '{:+.1f}')})"
        )
    section.markdown(
        f"**Before and after.** Pooling census years {b_years} (before the programme) and {a_years} (after it had run two years), "
        f"for {borough_label}: "
        + "; ".join(parts)
        + ". Intervals come from resampling workers (each worker's posts and absence "
        "together), the unit the extract is made of; for turnover the staff in post are held as observed and only who "
        "left varies (see the appendix). A change here is a change over time: other things changed in these years "
        "too (the London agency market, national recruitment), so it is not by itself the programme's effect."
        + (
            f" On these synthetic data {_made_up(list(dict.fromkeys(c_all['measure'])), truth)}."
            if section.synthetic
            else ""
        )
    )
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
    figs.append(fig)
    disp = change.copy()
    disp["measure"] = disp["measure"].map(MEASURE_LABELS)
    section.table(
        "before_after",
        disp[["borough", "measure", "workers", "before", "after", "change", "ci_low", "ci_high"]],
        caption=f"Pooled rates before ({b_years}) and after ({a_years}), the change and its 95% bootstrap CI (workers resampled within borough).",
        count_columns=["workers"],
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
    section.markdown(
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
        "calibration on synthetic data, where the establishment is refilled every year (assumption W10 in docs/aqa).",
        appendix=True,
    )
    section.table(
        "hr_indicators",
        ind.drop(columns=["vacancy_rate_pct"]).assign(year=ind["year"].map(year_label)),
        caption="Census indicators from the HR extract, each borough and year (vacancy rate not derivable).",
        count_columns=["workers_in_post"],
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
    _hr_findings(section, change, c_all, b_years, a_years, truth)
    if truth and "planted_rates" in truth:
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
    return figs


def _made_up(measures, truth: dict | None) -> str:
    """On synthetic data: how the generator set the measures' before and after, so that no reader takes a
    change for a finding (the later years copy the published figures, which makes them look real)."""
    planted = (truth or {}).get("planted", {})
    steps = [(SHORT[m], planted.get(m.replace("_pct", "_change"))) for m in measures]
    if any(v is None for _, v in steps):
        return "these are made-up data, so a change between the years is not a finding"
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
        f"the generator made these up, with the later years {later} and the earlier ones set {set_to}, "
        "so the change is its setting, not a finding"
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
