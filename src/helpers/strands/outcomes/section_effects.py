"""The outcomes section's account of each outcome, in words written from the results: for the boroughs
combined and for each borough, when the change happened, how it compares with England and every LA
and with the statistical neighbours, whether the earlier trend explains it and what could have been
detected; the figures of the main outcome; and the checks (without the pre-rebase years, and the
flows into care on one vintage).
"""

from __future__ import annotations

from ...formatting import plural
from . import charts
from .definitions import OUTCOMES, SHORT, TREATED_ID, Method, method_label
from .prose import View, _lc, _list, change, estimate, finite, fmt, interval, p_is, p_text, p_words, who
from .sentences import detectable_sentence, unit_paragraph, verdicts

WHEN_WORDS = {
    "before": "changed mostly before the start",
    "after": "changed mostly after the start",
    "both": "changed before and after the start",
    "none": "changed little",
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
    return f"{SHORT[outcome]}: {WHEN_WORDS[w['when']]}; {AGAINST_WORDS[w['neighbours']]}"


def outcomes(section, v: View) -> None:
    """Every analysed outcome: its heading, the boroughs combined, each borough, and (for the main
    outcome) its figures."""
    for o in v.analysed:
        section.markdown(
            f"# {heading(v, o)}\n\n" + unit_paragraph(v, o, v.main_unit) + " " + detectable_sentence(v, o, v.main_unit)
        )
        singles = [u for u in v.r.units if u != TREATED_ID and u != v.main_unit]
        if singles:
            lines = [f"- **{who(v, u)}.** {unit_paragraph(v, o, u)}" for u in singles]
            single = detectable_sentence(v, o, singles[0], single=True)
            section.markdown("\n".join(lines) + (f"\n\n{single}" if single else ""))
        if o == v.key:
            _main_outcome_figures(section, v)
        if o == "cla_starts_rate":
            section.markdown(_vintage_sentence(v))
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


def _main_outcome_figures(section, v: View) -> None:
    """The index, event study, placebo and synthetic-control figures of the main outcome."""
    key, r = v.key, v.r
    label = OUTCOMES[key].label
    section.figure(
        "outcomes_index",
        charts.trends(r, [o for o in ("cla_number", "cla_rate") if o in v.P["outcomes"]], index=True),
        alt=f"Index charts ({v.ref} = 100) of the number and rate of children looked after at 31 March for the "
        f"boroughs, their neighbours, England, London and Inner London.",
        caption=f"Children looked after, indexed to the last year before the programme ({v.ref} = 100)",
    )
    section.figure(
        f"outcomes_event_{key}",
        charts.event_study(r, key),
        alt=f"Event-study chart of {_lc(label)}: each year's gap between the boroughs and their neighbours, "
        f"relative to {v.ref}, with the middle 95% of the same gap over placebo LAs shaded.",
        caption=f"Event study: {label} (each year's gap from the neighbours against {v.ref})",
    )
    section.figure(
        f"outcomes_placebo_{key}",
        charts.placebo(r, key),
        alt=f"Histograms of the difference-in-differences estimate of {_lc(label)} for every eligible English LA "
        f"as if it had been treated, with the boroughs marked, and of the mean of every set of "
        f"{fmt(len(r.treated), 'count')} such LAs with the boroughs' mean marked.",
        caption="Placebo in space: where the boroughs fall among every eligible LA",
    )
    section.figure(
        f"outcomes_synthetic_{key}",
        charts.synthetic(r, key),
        alt=f"Line charts of {_lc(label)} for each borough and its synthetic control, a weighted mix of eligible "
        f"English LAs matched on the years before {v.fpy}.",
        caption="Synthetic control: each borough against a weighted mix of other LAs",
    )
    section.markdown(_synthetic_sentence(v))


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
        "placebo LAs' in the appendix."
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
        f"Children starting care are counted as first published up to {years[0] - 1} and as revised by DfE from "
        f"{years[0]} (the series the comparisons use). Where both exist ({years[0]}-{years[-1]}), the revision for "
        f"{who(v, v.main_unit)} is {fmt(own.revision_pct.min(), 'percent', signed=True)} to "
        f"{fmt(own.revision_pct.max(), 'percent', signed=True)}, against a median of "
        f"{fmt(pool.revision_pct.min(), 'percent', signed=True)} to {fmt(pool.revision_pct.max(), 'percent', signed=True)} "
        f"for eligible LAs."
    )
    if main is not None and first is not None and finite(first.estimate):
        fp = v.r.panel[(v.r.panel.outcome == "cla_starts_first_published_rate") & (v.r.panel.area_code == v.main_unit)]
        yrs = fp.dropna(subset=["value"]).year
        same = p_words(first.p_value) == p_words(main.p_value)
        text += (
            f" On the first-published counts alone ({int(yrs.min())}-{int(yrs.max())}, one vintage) the difference "
            f"from the neighbours is {change('cla_starts_rate', first.estimate)}, {p_text(first.p_value)}, against "
            f"{change('cla_starts_rate', main.estimate)}, {p_text(main.p_value)}, on the series used: "
            + (
                "the verdict is the same."
                if same
                else f"the verdict differs, so it depends on the years after {int(yrs.max())} or on the revisions."
            )
        )
    return text


def checks(section, v: View) -> None:
    """Whether anything changes without the years whose rates use populations from before the
    Census 2011 rebase."""
    text = _rebase_sentence(v)
    if text:
        section.markdown("# Checks\n\n" + text)


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
        f" (the largest change among the boroughs is {v.names.get(code, code)}'s, from {fmt(a, 'count')} children "
        f"aged 0-17 at mid-{start - 2} to {fmt(b, 'count')} at mid-{start - 1}, {fmt(change * 100, 'percent', signed=True)})"
    )


def _rebase_sentence(v: View) -> str:
    """The comparisons without the pre-rebase years, and whether any verdict changes."""
    e = v.r.estimates
    start = v.P["rebased_from"]
    if not (e.method == method_label(Method.DID_REBASED, year=start)).any():
        return ""
    changed = []
    for o in v.analysed:
        for u in v.r.units:
            for main_key, check_key, what in (
                (Method.DID, Method.DID_REBASED, "neighbours"),
                (Method.CHANGE, Method.CHANGE_REBASED, "every LA"),
            ):
                a, b = estimate(v.r, o, u, main_key), estimate(v.r, o, u, check_key, year=start)
                if a is None or b is None or not finite(b.p_value):
                    continue
                if p_words(a.p_value) != p_words(b.p_value):
                    changed.append(
                        f"{_lc(SHORT[o])}, {who(v, u)} against {what}: {p_words(a.p_value)} "
                        f"({p_is(a.p_value)}) becomes {p_words(b.p_value)} ({p_is(b.p_value)})"
                    )
    head = (
        f"Rates for {v.P['first_year']}-{start - 1} use child populations estimated before the 2011 Census rebase"
        f"{_population_drop(v)}, which understates the earlier rates of a borough whose population was revised down. "
        f"Leaving those years out (comparing {start}-{v.ref} with the years after the start): "
    )
    if not changed:
        return head + "no verdict changes, for any outcome or area."
    return (
        head
        + f"{plural(len(changed), 'verdict')} {'changes' if len(changed) == 1 else 'change'}: "
        + "; ".join(changed)
        + ". Every other verdict is the same."
    )
