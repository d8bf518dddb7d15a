"""The workforce strand's published-statistics section (real; ``synthetic=False`` with sources):
each area's published DfE workforce measures from 2015 against its statistical neighbours' median,
its region (Inner London for the programme boroughs) and England, and the findings it hands the
answer box. The areas are the three programme boroughs, or one authority in its own report
(:class:`Areas` words the prose for either).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...config import BOROUGH_NAMES
from ...disclosure import things
from ...formatting import noun
from ...ingest import Field, OutputTable
from ...report_section import format_number, join_words
from . import charts
from .analysis import MEASURE_LABELS
from .inputs import STRAND

PUBLIC_STRAND = "workforce"  # section folder 50_workforce: the published statistics, first
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
        "Published DfE workforce measures for each programme borough (or, in an authority's own report, that "
        "authority) and year from 2015, with its statistical neighbours' median (the programme boroughs left out), "
        "its region (Inner London for the boroughs) and England. Real published statistics; a suppressed or missing "
        "cell is blank, with its published symbol."
    ),
    fields=(
        Field("borough", "string", "Programme borough, or the authority of an authority's own report."),
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
        Field("region", "number", "Its region: Inner London for the programme boroughs, else its English region."),
        Field("region_name", "string", "The region's name."),
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


#: The comparators of the published figures, as prose names them (the region's name comes from the data).
COMPARATORS = {
    "neighbours_median": "statistical neighbours' median",
    "region": "Inner London",
    "england": "England",
}


@dataclass(frozen=True)
class Areas:
    """How the prose names the areas compared: the programme boroughs (as it always has), or one
    authority in its own report, and their region."""

    names: tuple
    region: str = "Inner London"

    @classmethod
    def of(cls, comp: pd.DataFrame) -> Areas:
        names = tuple(dict.fromkeys(comp["borough"]))
        regions = list(dict.fromkeys(comp["region_name"])) if "region_name" in comp else ["Inner London"]
        return cls(names, " / ".join(regions))

    @property
    def programme(self) -> bool:
        """The programme boroughs (or a comparison of several areas), not one authority's own report."""
        return len(self.names) != 1 or self.names[0] in BOROUGH_NAMES

    @property
    def several(self) -> bool:
        """More than one area: the sentences speak of "the boroughs" and "borough-years"; one area (a
        programme borough's own report, or another authority's) is named, with "its" and "years"."""
        return len(self.names) != 1

    @property
    def word(self) -> str:
        return "borough" if self.programme else "authority"

    def count(self, n: int) -> str:
        """ "boroughs" / "authority" / "authorities" after a number."""
        return noun(n, self.word, "authorities" if self.word == "authority" else None)

    @property
    def label(self) -> str:
        return "the boroughs" if self.several else join_words(list(self.names))

    @property
    def whose(self) -> str:
        return "the boroughs'" if self.several else f"{self.label}'s"

    @property
    def each(self) -> str:
        return "each borough" if self.several else self.label

    @property
    def their(self) -> str:
        return "their" if self.several else "its"

    @property
    def years(self) -> str:
        """ "borough-years" / "years" (one area's)."""
        return "borough-years" if self.several else "years"

    def comparators(self) -> dict:
        return {**COMPARATORS, "region": self.region}


def _stability_counts(comp: pd.DataFrame, years) -> dict:
    """Per measure with a direction: borough-years (in ``years``) below each comparator (``{comparator:
    {"below", "compared"}}``, comparators of :data:`COMPARATORS`; ``below``/``compared`` at the top level
    are the neighbours', the comparison every sentence leads with), with how many cells there are and how
    many have no published figure."""
    out = {}
    for m in LOWER_IS_STABLER:
        d = comp[(comp["measure"] == m) & comp["year"].isin(years)]
        out[m] = {"cells": int(len(d)), "missing": int(d["borough_value"].isna().sum())}
        for col in COMPARATORS:
            both = d.dropna(subset=["borough_value", col])
            out[m][col] = {"below": int((both["borough_value"] < both[col]).sum()), "compared": int(len(both))}
        out[m] |= out[m]["neighbours_median"]
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


def _change_sentence(a: Areas, names: dict, f: dict, first: int, last: int) -> str:
    """How each measure moved from ``first`` to ``last`` (``f`` from :func:`_falls`), for the areas and
    their neighbours' medians, and England's. Several areas: "fell in 1 of 3 boroughs"; one authority
    (one pair of years each): "fell" or "did not fall", since "1 of 1 authority" says nothing more."""

    def moved(c, i=0):
        if not a.several and c["compared"] == 1:
            return "fell" if c["fell"] else "did not fall"
        return f"fell in {c['fell']} of {c['compared']}" + (f" {a.count(c['compared'])}" if i == 0 else "")

    areas = join_words([f"{names[m]} {moved(f[m]['borough_value'], i)}" for i, m in enumerate(names)])
    if a.several:
        medians = "medians fell in " + join_words(
            [f"{f[m]['neighbours_median']['fell']} of {f[m]['neighbours_median']['compared']}" for m in names]
        )
    else:
        medians = join_words([f"median {names[m]} {moved(f[m]['neighbours_median'])}" for m in names])
    england = [names[m] for m in names if f[m]["england"]["fell"]]
    return (
        f"From September {first} (the first published year, already after the programme began) to September "
        f"{last}, {'the' if a.several else a.whose} {areas}; over the same years {a.their} statistical neighbours' {medians}"
        + (f", and England's {join_words(england)} fell" if england else ", and none of England's fell")
        + ". The series start too late to show "
        + ("the before-and-after change the 2016 evaluation reported." if a.programme else "a before-and-after change.")
    )


def _public_findings(section, comp: pd.DataFrame, counts: dict, focus_years) -> None:
    """The published-statistics section's key findings: facts, never a strength. One hands the answer box
    its sentence (where staffing stood against the comparators); the other sets the change from the
    first published year beside the 2016 evaluation (topic workforce)."""
    first, last = min(focus_years), max(focus_years)
    fy = f"{first}-{last}"
    names = {"agency_rate_pct": "agency rate", "turnover_rate_pct": "turnover", "absence_rate_pct": "sickness absence"}
    a = Areas.of(comp)
    labels = a.comparators()

    def of(c, base=None):
        # against a comparator with the same borough-years as the neighbours', the count alone reads best
        return (
            str(c["below"])
            if base is not None and c["compared"] == base["compared"]
            else f"{c['below']} of {c['compared']}"
        )

    # every count says what it is against: the neighbours' median leads (the answer box's one comparison);
    # the finding adds the region's and England's, each named with its own counts
    against = "; ".join(
        f"below {labels[col]}'s in " + join_words([of(counts[m][col], counts[m]) for m in names])
        for col in ("region", "england")
    )
    below = f"below {a.their} statistical neighbours' median " + join_words(
        [f"for {names[m]} in {of(counts[m])}" + (f" {a.years}" if i == 0 else "") for i, m in enumerate(names)]
    )
    # the programme's timing matters only for the boroughs that ran it (another authority ran nothing then)
    answer = f"In {fy} {a.whose} published figures were {below} ({against})" + (
        "; these figures start after the programme began, so they show where staffing stood, not whether the "
        "programme changed it."
        if a.programme
        else "; they show where staffing stood in those years."
    )
    # the answer box: one short sentence with the same comparison and the same counts as the finding's lead
    # (the neighbours'), so the box and the summary cannot read as saying different things
    short = f"Published figures for {fy} put {a.label} {below}" + (
        ", but start after the programme began." if a.programme else "."
    )
    section.key_finding(
        answer, kind="fact", source="published", topic="workforce", answer=short, label="Workforce against comparators"
    )
    f = _falls(comp, first, last)
    if not any(f[m]["borough_value"]["compared"] for m in names):
        return
    section.key_finding(
        _change_sentence(a, names, f, first, last),
        kind="fact",
        source="published",
        topic="workforce",
        label=f"Workforce change {fy}",
    )


def _public_intro(section, a: Areas, first: int, programme_year: int) -> None:
    who = (
        "The programme boroughs are compared with their statistical neighbours (the ten authorities DfE judges most "
        "similar, April 2021 groups; the other programme boroughs are left out of each group, so that no borough is "
        "compared with the programme itself)"
        if a.several
        else f"{a.label} is compared with its statistical neighbours (the ten authorities DfE judges most similar, April "
        "2021 groups; "
        + (
            "the other programme boroughs are left out of its group, so that it is not compared with the programme itself)"
            if a.programme
            else "the three Focus on Practice boroughs are left out, as they had the programme)"
        )
    )
    section.markdown(
        "The Department for Education's children's social work workforce statistics give, for every local authority, "
        "the full-time equivalent (FTE) of social workers it employs, its agency rate, turnover rate, vacancy rate, "
        f"sickness absence rate and average caseload, at or in the year to 30 September. {who}, with {a.region} and "
        "with England."
    )
    section.markdown(
        f"**What these figures cannot show.** The published series start at 30 September {first}, after the programme "
        f"began in {programme_year}. On their own they cannot show a before and after: they describe where {a.label} "
        f"stood during and after the programme, not whether it changed anything. A before and after would need "
        f"{a.whose} own staff records from before the programme."
    )


def _missing_cells(section, comp: pd.DataFrame, a: Areas, first: int, last: int) -> None:
    missing = comp[comp["borough_value"].isna()]
    if not len(missing):
        return
    cells = "; ".join(
        f"{r.borough} {SHORT[r.measure]} {r.year} (published as '{r.borough_as_published}')"
        if r.borough_as_published != SUPPRESSED_LABEL
        else f"{r.borough} {SHORT[r.measure]} {r.year}"
        for r in missing.sort_values(["borough", "measure", "year"]).itertuples()
    )
    section.markdown(
        f"**Suppressed or missing figures** are left as gaps, never as zero: {len(missing)} {a.word} cells from "
        f"{first} to {last} have no published figure ({cells}).",
        appendix=True,
    )
    section.markdown(
        f"Some {a.word} figures were not published ({len(missing)} cells, for example agency rates in later years); "
        "they appear as gaps in the charts and as 'not published' in the tables, never as zero."
    )


def _public_figure(section, comp: pd.DataFrame, a: Areas, counts: dict, fy: str, programme_year: int):
    first, last = int(comp["year"].min()), int(comp["year"].max())
    measures = ["agency_rate_pct", "turnover_rate_pct", "vacancy_rate_pct", "absence_rate_pct"]
    below = " ".join(
        f"In {fy} the {a.word}'s {SHORT[m]} was below the neighbours' median in "
        f"{c['below']} of {c['compared']} {a.years} with both figures."
        for m, c in counts.items()
    )
    fig = charts.published_gaps(comp, measures, list(a.names))
    section.figure(
        "published_gaps",
        fig,
        alt=(
            f"Line charts, one per measure (agency, turnover, vacancy and absence rates), {first} to {last}: how far "
            f"{a.each}'s published figure was above or below its statistical neighbours' median, in percentage "
            f"points, the median drawn as a dashed line at zero. {below}"
        ),
        caption=f"{a.each[:1].upper() + a.each[1:]} against its statistical neighbours' median (dashed line at zero), "
        "by year to 30 September. Below the line: lower than the neighbours. Gaps: figure not published.",
    )
    section.figure(
        "published_panels",
        charts.published_panels(comp, measures, list(a.names), programme_year),
        alt=(
            f"Grid of line charts, one row per measure (agency, turnover, vacancy and absence rates) and one column "
            f"per {a.word}, {first} to {last}, {a.each} against its statistical neighbours' median, {a.region} and "
            f"England. {below}"
        ),
        caption=f"Published workforce measures by year to 30 September: {a.each} against its comparators. Gaps: "
        "figure not published.",
        appendix=True,
    )
    return fig


def _published_cells(comp: pd.DataFrame) -> pd.DataFrame:
    t = comp.copy()
    t["published"] = [shown_value(v, s) for v, s in zip(t["borough_value"], t["borough_as_published"], strict=False)]
    t["measure"] = t["measure"].map(MEASURE_LABELS)
    t["year"] = t["year"].map(year_label)
    return t


def _public_tables(section, comp: pd.DataFrame, a: Areas, focus_years, fy: str) -> None:
    first, last = int(comp["year"].min()), int(comp["year"].max())
    area = a.word.capitalize()
    focus = _published_cells(comp[comp["year"].isin(focus_years) & comp["measure"].isin(PUBLIC_MEASURES)])
    labels = {"measure": "Measure", "borough": area, "published": area, "neighbours_median": "Neighbours (median)"}
    labels |= {"region": a.region, "england": "England"}
    section.table(
        "published_focus",
        focus[["measure", "borough", "year", "published", "neighbours_median", "region", "england"]],
        caption=f"Published workforce measures {fy}: {a.each}, its statistical neighbours' median, {a.region} and "
        "England.",
        decimals=1,
        labels={**labels, "year": "Year to 30 Sept"},
        note="Real published statistics (local-authority level; no suppression needed). 'not published': suppressed "
        "or missing, never zero.",
    )
    cols = ["measure", "borough", "year", "published", "neighbours_median", "neighbours_with_value", "neighbours"]
    section.table(
        "published_all_years",
        _published_cells(comp)[[*cols, "region", "england"]].rename(
            columns={"neighbours_with_value": "las_with_value", "neighbours": "las_compared"}
        ),
        caption=f"All published workforce measures {first}-{last}, with how many neighbours had a figure.",
        counts={"las_with_value": things("local authorities"), "las_compared": things("local authorities")},
        decimals=1,
        appendix=True,
        labels={
            **labels,
            "year": "Year",
            "las_with_value": "Neighbours with a figure",
            "las_compared": "Neighbours compared",
        },
        note=f"Neighbours: DfE statistical neighbours (April 2021), {'other ' if a.programme else ''}programme "
        "boroughs excluded; Kingston and Richmond publish one combined figure, counted once.",
    )


def build_public_section(section, comp: pd.DataFrame, programme_year: int = 2014, focus_years=(2015, 2016, 2017)):
    """Fill the published-statistics section from :func:`public.comparison` output; returns figures."""
    first, last = int(comp["year"].min()), int(comp["year"].max())
    a = Areas.of(comp)
    _public_intro(section, a, first, programme_year)
    _missing_cells(section, comp, a, first, last)
    counts = _stability_counts(comp, focus_years)
    fy = f"{min(focus_years)}-{max(focus_years)}"
    fig = _public_figure(section, comp, a, counts, fy, programme_year)
    _public_tables(section, comp, a, focus_years, fy)
    _public_findings(section, comp, counts, focus_years)
    return [fig]
