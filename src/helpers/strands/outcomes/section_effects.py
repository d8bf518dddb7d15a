"""The outcomes section's account of each outcome, in words written from the results: for the boroughs
combined and for each borough, when the change happened, how it compares with England and every LA
and with the statistical neighbours, whether the earlier trend explains it and what could have been
detected; the figures of the main outcome; and the checks (without the pre-rebase years, and the
flows into care on one vintage).
"""

from __future__ import annotations

from ...formatting import plural
from . import charts
from .definitions import OUTCOMES, SHORT, TOPIC_OF, TREATED_ID, Method, method_label
from .prose import (
    View,
    _lc,
    _list,
    change,
    direction,
    each_place,
    estimate,
    finite,
    fmt,
    interval,
    p_is,
    p_text,
    p_words,
    places,
    who,
)
from .sentences import boroughs_sentence, detectable_sentence, timing, unit_paragraph, verdicts

WHEN_WORDS = {
    "before": "{moved} mostly before the start",
    "after": "{moved} mostly after the start",
    "both": "{moved} before and after the start",
    "none": "about the same before and after the start",
}
AGAINST_WORDS = {
    "ordinary": "no different from the neighbours",
    "borderline": "a borderline difference from the neighbours",
    "unusual": "an unusual difference from the neighbours",
    "not computed": "no neighbour comparison",
}


def heading(v: View, outcome: str) -> str:
    """An outcome's heading, stating what the boroughs combined did."""
    w = verdicts(v, outcome, v.main_unit)
    t = timing(v, outcome, v.main_unit)
    moved = direction(t.post_mean - t.pre_mean) if t is not None else "changed"
    return f"{SHORT[outcome]}: {WHEN_WORDS[w['when']].format(moved=moved)}; {AGAINST_WORDS[w['neighbours']]}"


def singles(v: View) -> list:
    """The single treated units besides the main one (each borough, when the boroughs are combined)."""
    return [u for u in v.r.units if u != TREATED_ID and u != v.main_unit]


def outcomes(section, v: View) -> None:
    """Every analysed outcome in the body: its heading and one paragraph on the main unit (when,
    against England and all LAs, against the neighbours; the earlier trend for the answer box's
    outcomes; for the main outcome what could have been detected and each borough in one sentence);
    every area in full in the technical appendix."""
    for o in v.analysed:
        # the earlier trend in the body for the outcomes the report's answer box reads; every outcome's in
        # the technical appendix (each area in full)
        text = f"# {heading(v, o)}\n\n" + unit_paragraph(v, o, v.main_unit, short=o != v.key, trend=o in TOPIC_OF)
        if o == v.key:
            text += " " + " ".join(
                x for x in (detectable_sentence(v, o, v.main_unit), boroughs_sentence(v, o, singles(v))) if x
            )
        if o == "cla_starts_rate":
            text += " " + _vintage_sentence(v)
        section.markdown(text.strip())
        if o == v.key:
            _main_outcome_figures(section, v)
    skipped = [
        OUTCOMES[o].label
        for o in v.P["outcomes"]
        if OUTCOMES[o].analyse and OUTCOMES[o].full_design and o not in v.analysed
    ]
    if skipped:
        section.markdown(
            "Shown as trends only, without a before-and-after comparison (no or too few published years before "
            f"the start): {_list(skipped)}."
        )


def each_borough(section, v: View) -> None:
    """The technical appendix's account of every outcome for every unit in full: the same sentences
    as the body's with how many LAs or groups moved as far, the intervals and what could have been
    detected."""
    for o in v.analysed:
        lines = [
            f"- **{who(v, u)[:1].upper() + who(v, u)[1:]}.** {unit_paragraph(v, o, u, detail=True)}" for u in v.r.units
        ]
        section.markdown(f"**{SHORT[o]}, each area in full.**\n\n" + "\n".join(lines), appendix=True)


def _main_outcome_figures(section, v: View) -> None:
    """The index, event study, placebo and synthetic-control figures of the main outcome."""
    key, r = v.key, v.r
    label = OUTCOMES[key].label
    areas, their = places(v)
    section.figure(
        "outcomes_index",
        charts.trends(r, [o for o in ("cla_number", "cla_rate") if o in v.P["outcomes"]], index=True),
        alt=f"Index charts ({v.ref} = 100) of the number and rate of children looked after at 31 March for "
        f"{areas}, {their} neighbours, England, London and Inner London.",
        caption=f"Children looked after, indexed to the last year before the programme ({v.ref} = 100)",
        appendix=True,
    )
    section.figure(
        f"outcomes_event_{key}",
        charts.event_study(r, key),
        alt=f"Event-study chart of {_lc(label)}: each year's gap between {areas} and {their} neighbours, "
        f"relative to {v.ref}, with the middle 95% of the same gap over placebo LAs shaded.",
        caption=f"Event study: {label} (each year's gap from the neighbours against {v.ref})",
        appendix=True,
    )
    section.figure(
        f"outcomes_placebo_{key}",
        charts.placebo(r, key),
        alt=f"Histograms of the difference-in-differences estimate of {_lc(label)} for every eligible English LA "
        f"as if it had been treated, with {areas} marked"
        + (
            f", and of the mean of every set of {fmt(len(r.treated), 'count')} such LAs with {their} mean marked."
            if len(r.treated) > 1
            else "."
        ),
        caption=f"Placebo in space: where {areas} {'fall' if len(r.treated) > 1 else 'falls'} among every eligible LA",
        appendix=True,
    )
    section.figure(
        f"outcomes_synthetic_{key}",
        charts.synthetic(r, key),
        alt=f"Line charts of {_lc(label)} for {each_place(v)} and its synthetic control, a weighted mix of eligible "
        f"English LAs matched on the years before {v.fpy}.",
        caption=f"Synthetic control: {each_place(v)} against a weighted mix of other LAs",
        appendix=True,
    )
    text = _synthetic_sentence(v)
    if text:
        section.markdown(text, appendix=True)


def _synthetic_sentence(v: View) -> str:
    """The synthetic control of the main outcome, unit by unit, in the shared words."""
    parts = []
    for u in v.r.units:
        gap = estimate(v.r, v.key, u, Method.SC_GAP)
        if gap is not None and finite(gap.estimate):
            band = f" (95% interval {interval(v.key, gap.ci_low, gap.ci_high)})" if finite(gap.ci_low) else ""
            parts.append(f"{who(v, u)} {change(v.key, gap.estimate)}{band}")
    if not parts:
        return ""
    return (
        f"A synthetic control (a weighted mix of eligible LAs that followed the same path before {v.fpy}) gives the "
        f"gap after the start: {'; '.join(parts)}. Its fit after the start is ranked among the "
        "placebo LAs' in the table of every estimate."
    )


def _vintage_sentence(v: View) -> str:
    """The preferred series of children starting care joins first-published and revised counts: how
    big the revisions are and whether the comparison holds on the first-published counts alone."""
    j = v.r.vintage_join
    j = j[j.measure == OUTCOMES["cla_starts_rate"].numerator]
    if not len(j):
        return ""
    years = sorted(j.year.unique())
    own = j[j.area == v.names.get(v.main_unit)]
    pool = j[j.area == "median of eligible LAs"]
    main = estimate(v.r, "cla_starts_rate", v.main_unit, Method.DID)
    first = estimate(v.r, "cla_starts_first_published_rate", v.main_unit, Method.DID)
    text = (
        f"Children starting care are counted as first published to {years[0] - 1} and as revised by DfE from "
        f"{years[0]}; the revisions for {who(v, v.main_unit)} are {fmt(own.revision_pct.min(), 'percent', signed=True)} "
        f"to {fmt(own.revision_pct.max(), 'percent', signed=True)} (median LA "
        f"{fmt(pool.revision_pct.min(), 'percent', signed=True)} to {fmt(pool.revision_pct.max(), 'percent', signed=True)})."
    )
    if main is not None and first is not None and finite(first.estimate):
        fp = v.r.panel[(v.r.panel.outcome == "cla_starts_first_published_rate") & (v.r.panel.area_code == v.main_unit)]
        yrs = fp.dropna(subset=["value"]).year
        same = p_words(first.p_value) == p_words(main.p_value)
        text += (
            f" On the first-published counts alone ({int(yrs.min())}-{int(yrs.max())}, one vintage) the difference "
            f"from the neighbours is {change('cla_starts_rate', first.estimate)}, {p_text(first.p_value)}: "
            + (
                "the same verdict."
                if same
                else f"a different verdict, so it depends on the years after {int(yrs.max())} or on the revisions."
            )
        )
    return text


def checks(section, v: View) -> None:
    """Whether anything changes without the years whose rates use populations from before the
    Census 2011 rebase: the count and the main outcome's changes in the body, every change in the
    appendix."""
    changed = rebase_changes(v)
    if changed is None:
        return
    start = v.P["rebased_from"]
    head = (
        f"Rates for {v.P['first_year']}-{start - 1} use child populations estimated before the 2011 Census rebase"
        f"{_population_drop(v)}. Leaving those years out (comparing {start}-{v.ref} with the years after the start), "
    )
    if not changed:
        section.markdown("# Checks\n\n" + head + "no verdict changes, for any outcome or area.")
        return
    jumps = [c for c in changed if {c[3], c[4]} == {"unusual", "ordinary"}]
    main = [c for c in changed if c[0] == v.key and c[1] == v.main_unit]
    text = (
        f"{plural(len(changed), 'verdict')} of {fmt(rebase_count(v), 'count')} "
        f"{'changes' if len(changed) == 1 else 'change'}, "
        + (
            "each by one step (unusual or ordinary to borderline, or back)"
            if not jumps
            else f"{fmt(len(jumps), 'count')} of them between unusual and ordinary"
        )
    )
    if main:
        text += "; for " + _lc(SHORT[v.key]) + ": " + "; ".join(_change_words(c) for c in main)
    section.markdown("# Checks\n\n" + head + text + ". Every change is listed in the appendix.")
    section.markdown(
        "**Without the years before the 2011 Census rebase.** Verdicts that change: "
        + "; ".join(f"{_lc(SHORT[c[0]])}, {who(v, c[1])}, {_change_words(c)}" for c in changed)
        + ".",
        appendix=True,
    )


#: The comparisons repeated without the pre-rebase years: (main method, check method, against what).
REBASE_PAIRS = (
    (Method.DID, Method.DID_REBASED, "against the neighbours"),
    (Method.CHANGE, Method.CHANGE_REBASED, "against all LAs as one area"),
    (Method.MEAN_OF_K_CHANGE, Method.MEAN_OF_K_CHANGE_REBASED, "against all LAs by the average change"),
)


def _rebase_rows(v: View):
    """(outcome, unit, against what, main row, check row) of every comparison repeated without the
    pre-rebase years."""
    start, k = v.P["rebased_from"], len(v.r.treated)
    for o in v.analysed:
        for u in v.r.units:
            for main_key, check_key, what in REBASE_PAIRS:
                a, b = estimate(v.r, o, u, main_key, k=k), estimate(v.r, o, u, check_key, k=k, year=start)
                if a is not None and b is not None and finite(a.p_value) and finite(b.p_value):
                    yield o, u, what, a, b


def rebase_count(v: View) -> int:
    """How many comparisons were repeated without the pre-rebase years."""
    return sum(1 for _ in _rebase_rows(v))


def rebase_changes(v: View) -> list | None:
    """The comparisons whose verdict changes without the pre-rebase years: (outcome, unit, against
    what, word before, word after, p before, p after); None when the check was not run."""
    e = v.r.estimates
    if not (e.method == method_label(Method.DID_REBASED, year=v.P["rebased_from"])).any():
        return None
    return [
        (o, u, what, p_words(a.p_value), p_words(b.p_value), a.p_value, b.p_value)
        for o, u, what, a, b in _rebase_rows(v)
        if p_words(a.p_value) != p_words(b.p_value)
    ]


def _change_words(c) -> str:
    """ "against the neighbours, borderline (p = 0.07) becomes ordinary (p = 0.10)"."""
    return f"{c[2]}, {c[3]} ({p_is(c[5])}) becomes {c[4]} ({p_is(c[6])})"


def _population_drop(v: View) -> str:
    """The largest fall in a borough's child population at the rebase (mid-(first rebased year - 2)
    to mid-(first rebased year - 1)), from the denominators of the panel."""
    p = v.r.panel[(v.r.panel.outcome == "cla_rate") & v.r.panel.area_code.isin([str(t) for t in v.r.treated])]
    rows = []
    start = v.P["rebased_from"]
    for code, g in p.groupby("area_code"):
        d = g.set_index("year").denominator
        if start - 1 in d and start in d and finite(d[start - 1]) and finite(d[start]):
            rows.append((d[start] / d[start - 1] - 1, code, d[start - 1], d[start]))
    if not rows:
        return ""
    change, code, a, b = min(rows)
    return (
        f" ({v.names.get(code, code)}'s children aged 0-17 went from {fmt(a, 'count')} at mid-{start - 2} to "
        f"{fmt(b, 'count')} at mid-{start - 1}, {fmt(change * 100, 'percent', signed=True)}, which "
        f"{'lowers' if change < 0 else 'raises'} its earlier rates)"
    )
