"""The boroughs' later claims and the March 2015 bid's aim in the outcomes section, each reading of
them recomputed from the published counts on one vintage (:data:`definitions.CLAIMS`)."""

from __future__ import annotations

import pandas as pd

from ...disclosure import published, things
from .definitions import CLAIMS, MEASURE_WORDS, NEIGHBOURS_ID, PROGRAMME_LAS, TREATED_ID, VINTAGE_WORDS
from .prose import View, _list, finite, fmt, who

LATEST, FIRST = "latest revision", "as first published"


def applies(v: View) -> bool:
    """The claims are about the Focus on Practice boroughs: checked only when they are the treated areas."""
    return set(v.r.treated) <= set(PROGRAMME_LAS) and len(v.r.claims) > 0


def _rows(v: View, key: str, area=None) -> pd.DataFrame:
    """The claims table's rows of one claim, for the boroughs combined (or ``area``)."""
    claim = next(c for c in CLAIMS if c.key == key)
    c = v.r.claims
    area = area or v.names.get(TREATED_ID if TREATED_ID in v.r.units else str(v.r.treated[0]))
    return c[(c.claim == claim.claim) & (c.area == area)]


def _pct(x) -> str:
    return fmt(x, "percent", signed=True)


def _matches(row, claimed) -> bool:
    """Whether a recomputed change is the claimed one as published (to one decimal)."""
    return finite(row.change_pct) and fmt(row.change_pct, "percent") == fmt(claimed, "percent")


def cla_claim_sentence(v: View) -> str:
    """The 22% claim: the published counts on both vintages, against the comparators."""
    claim = CLAIMS[0]
    rows = _rows(v, claim.key)
    latest, first = rows[rows.vintage == LATEST], rows[rows.vintage == FIRST]
    if not len(latest):
        return ""
    t = latest.iloc[0]
    comp = v.r.claims[(v.r.claims.claim == claim.claim) & (v.r.claims.vintage == LATEST)].set_index("area")
    first_text = f"; {_pct(first.iloc[0].change_pct)} on the counts as first published" if len(first) else ""
    verdict = "matches the claim" if _matches(t, claim.claimed_change_pct) else "does not reproduce the claimed fall"
    return (
        f"A November 2017 council release claimed a {fmt(abs(claim.claimed_change_pct), 'percent', decimals=0)} drop "
        f"in looked-after children from {claim.checks[0].from_year} to {claim.checks[0].to_year}. The published counts "
        f"for {who(v, v.main_unit)} are {fmt(t.value_from, 'count')} at 31 March {int(t.from_year)} and "
        f"{fmt(t.value_to, 'count')} at 31 March {int(t.to_year)} ({_pct(t.change_pct)}{first_text}): the published "
        f"figure {verdict} (the release's own figures and definition are not known). Over the same years their "
        f"neighbours combined changed by {_pct(comp.loc[v.names[NEIGHBOURS_ID], 'change_pct'])}, Inner London by "
        f"{_pct(comp.loc['Inner London', 'change_pct'])} and England by {_pct(comp.loc['England', 'change_pct'])}; "
        f"{fmt(t.share_of_eligible_las_with_fall_at_least_as_large * 100, 'percent', decimals=0)} of eligible English "
        f"LAs had a fall at least as large."
    )


def taken_claim_readings(v: View) -> tuple[list, list, object]:
    """The 8.6% claim's readings on the flows (first published), the ones that match it, and the
    change in children looked after over the year before the programme (latest revision)."""
    claim = CLAIMS[1]
    rows = _rows(v, claim.key)
    flows = rows[rows.measure != "cla_at_31_march_number"]
    readings = []
    for measure, g in flows.groupby("measure", sort=False):
        parts = [
            f"{_pct(r.change_pct)} to {int(r.to_year)}"
            if finite(r.change_pct)
            else f"not published for {int(r.to_year)}"
            for r in g.itertuples()
        ]
        readings.append((measure, parts))
    matches = [r for r in flows.itertuples() if _matches(r, claim.claimed_change_pct)]
    before = rows[(rows.measure == "cla_at_31_march_number") & (rows.vintage == LATEST)]
    return readings, matches, before.iloc[0] if len(before) else None


def taken_claim_sentence(v: View) -> str:
    """The 8.6% claim on both flows into care and every end year, on one vintage, and the published
    change in children looked after over the year before the programme, as a fact."""
    claim = CLAIMS[1]
    readings, matches, before = taken_claim_readings(v)
    if not readings:
        return ""
    lines = "; ".join(f"{MEASURE_WORDS[m]}: {', '.join(parts)}" for m, parts in readings)
    verdict = (
        f"{fmt(len(matches), 'count')} reading(s) give the claimed fall"
        if matches
        else f"no reading gives a fall of {fmt(abs(claim.claimed_change_pct), 'percent')}"
    )
    text = (
        f"The same release claimed an {fmt(abs(claim.claimed_change_pct), 'percent')} drop in children taken into "
        f"care since {claim.checks[0].from_year}. On the counts as first published (one vintage throughout: the "
        f"preferred file switches to revised counts in 2015), the change from {claim.checks[0].from_year} for "
        f"{who(v, v.main_unit)} was, {lines}: {verdict}."
    )
    if before is not None:
        first = _rows(v, claim.key)
        first = first[(first.measure == "cla_at_31_march_number") & (first.vintage == FIRST)]
        alt = (
            f" ({fmt(first.iloc[0].value_to, 'count')} and {_pct(first.iloc[0].change_pct)} as first published)"
            if len(first)
            else ""
        )
        text += (
            f" A published fact, whatever the release meant: children looked after went from "
            f"{fmt(before.value_from, 'count')} at 31 March {int(before.from_year)} to {fmt(before.value_to, 'count')} at "
            f"31 March {int(before.to_year)}, {_pct(before.change_pct)}{alt}, before the programme started."
        )
    return text


def bid_sentence(v: View) -> str:
    """The March 2015 bid's aim against the published counts, over each three years it could mean."""
    claim = CLAIMS[2]
    rows = _rows(v, claim.key)
    if not len(rows):
        return ""
    comp = v.r.claims[(v.r.claims.claim == claim.claim)]
    parts = []
    for t in rows.itertuples():
        nbr = comp[(comp.area == v.names[NEIGHBOURS_ID]) & (comp.from_year == t.from_year)]
        eng = comp[(comp.area == "England") & (comp.from_year == t.from_year)]
        parts.append(
            f"from 31 March {int(t.from_year)} to 31 March {int(t.to_year)} ({t.note}) the count went from "
            f"{fmt(t.value_from, 'count')} to {fmt(t.value_to, 'count')}, {_pct(t.change_pct)} (neighbours combined "
            f"{_pct(nbr.change_pct.iloc[0])}, England {_pct(eng.change_pct.iloc[0])})"
        )
    met = any(finite(t.change_pct) and t.change_pct <= claim.claimed_change_pct for t in rows.itertuples())
    return (
        f"The bid of March 2015 aimed to cut the number of looked-after children by "
        f"{fmt(abs(claim.claimed_change_pct), 'percent', decimals=0)} over three years. In the published counts for "
        f"{who(v, v.main_unit)}, " + "; ".join(parts) + (": the aim was met." if met else ": the aim was not met.")
    )


def claims(section, v: View, findings: dict) -> None:
    """The claims and the bid's aim beside the published counts (the body: the findings' sentences,
    with the numbers checked; the appendix: each reading against the comparators), with the full table."""
    if not applies(v):
        if len(v.r.claims):
            section.markdown(
                "The Focus on Practice boroughs' published claims are about themselves and are checked only when "
                "they are the treated areas."
            )
        return
    scope = (
        ""
        if set(PROGRAMME_LAS) <= set(v.r.treated)
        else f" The claims were made for the three boroughs together; this section reads them for {_list(v.treated_names)} only."
    )
    a, b = CLAIMS[1], CLAIMS[0]
    said = (
        f"A November 2017 council release claimed an {fmt(abs(a.claimed_change_pct), 'percent')} drop in children "
        f"taken into care since {a.checks[0].from_year} and a {fmt(abs(b.claimed_change_pct), 'percent', decimals=0)} "
        f"drop in looked-after children from {b.checks[0].from_year} to {b.checks[0].to_year} (its own figures and "
        "definitions are not known)."
    )
    body = [said] + [findings[k] for k in ("claims",) if findings.get(k)]
    section.markdown(
        "# The boroughs' claims and the bid's aim, against the published counts\n\n" + " ".join(body) + scope,
        # For the three boroughs the report's 2016 section says the claims finding in full (each number said
        # once); read for fewer areas, the body keeps it with the scope that sentence does not carry.
        appendix=not scope,
    )
    section.markdown(
        "**The claims against the comparators.** "
        + " ".join(x for x in (cla_claim_sentence(v), taken_claim_sentence(v), bid_sentence(v)) if x),
        appendix=True,
    )
    shown = v.r.claims.drop(columns=["measure"]).astype({"from_year": str, "to_year": str})
    shown.insert(2, "what", v.r.claims.measure.map(MEASURE_WORDS))
    section.table(
        "outcomes_claims",
        shown,
        appendix=True,
        caption="The boroughs' later claims and the bid's aim beside the published counts and the comparators",
        counts={
            "value_from": published("children (DfE)"),
            "value_to": published("children (DfE)"),
            "n_eligible_las": things("local authorities"),
        },
        labels={
            "claim": "Claim or aim",
            "claimed_change_pct": "Claimed change %",
            "what": "Published count",
            "vintage": "Vintage",
            "from_year": "From",
            "to_year": "To",
            "area": "Area",
            "value_from": "Number (from)",
            "value_to": "Number (to)",
            "change_pct": "Change %",
            "share_of_eligible_las_with_fall_at_least_as_large": "Share of eligible LAs with a fall at least as large",
            "n_eligible_las": "Eligible LAs",
            "note": "Note",
        },
        decimals=1,
        note=f"Vintages: '{VINTAGE_WORDS['preferred']}' is the preferred file (each year's latest release); "
        f"'{VINTAGE_WORDS['first published']}' is each year's own annual release. The claims were made for the three "
        "boroughs together.",
    )
