"""The outcomes section's key findings for the report's summary and answer box (CONTRACTS section 3),
and the section's main points, written from the same results: children in care, the flow into care,
child protection, re-referrals and the avoided cost (effects against the comparators), the bid's aim
and the boroughs' claims (published facts)."""

from __future__ import annotations

from .definitions import MEASURE_WORDS, OUTCOMES, SHORT, STARTED, TAKEN, TOPIC_OF, TREATED_ID, Method
from .prose import (
    View,
    _list,
    direction,
    estimate,
    finding,
    finite,
    fmt,
    is_flat,
    kind_of,
    level,
    millions,
    money,
    outside_programme,
    p_words,
    series,
    value_at,
    who,
)
from .section_claims import CLAIMS, LATEST, _rows, applies, taken_claim_readings
from .section_costs import against_programme_cost, central_rows
from .sentences import (
    all_las_sentence,
    detectable_sentence,
    neighbours_sentence,
    start_words,
    timing,
    trend_sentence,
)

#: The flows into care in a claim's sentence ("children taken into care went 96 in 2013, then ...").
FLOW_WORDS = {STARTED: "children starting care went", TAKEN: "children taken into care went"}
#: The outcomes that answer a topic of the report's answer box, in its order.
EFFECT_OUTCOMES = ("cla_rate", "cla_starts_rate", "cpp_rate", "rereferral_pct")


def went(outcome: str, a, b, years: tuple) -> str:
    """ "fell from 35.2 to 22.4 per 10,000 (2014 to 2017)", or "stayed level (15.6% in 2014, 15.7% in 2017)"
    when the change rounds to nothing: two published levels, the unit said once."""
    bare = fmt(a, kind_of(outcome)[0])
    if is_flat(outcome, b - a):
        return f"stayed level ({bare} in {years[0]}, {level(outcome, b)} in {years[1]})"
    return f"{direction(b - a)} from {bare} to {level(outcome, b)} ({years[0]} to {years[1]})"


def all_las_words(v: View, outcome: str, unit) -> str | None:
    """How the unit's own change stands among all English LAs, in the shared words: "unusual", or,
    when the two readings of the treated areas combined differ (the mean of their own changes among
    every set of as many LAs; their combined rate among groups combined the same way, see
    :func:`sentences.all_las_sentence`), both from the stronger: "unusual to borderline"."""
    one = estimate(v.r, outcome, unit, Method.CHANGE)
    if one is None or not finite(one.p_value):
        return None
    mean = estimate(v.r, outcome, unit, Method.MEAN_OF_K_CHANGE, k=len(v.r.treated)) if unit == TREATED_ID else None
    ps = sorted([one.p_value] + ([mean.p_value] if mean is not None and finite(mean.p_value) else []))
    words = list(dict.fromkeys(p_words(p) for p in ps))
    return " to ".join(words)


def comparisons(v: View, outcome: str, unit, did) -> str:
    """Both comparisons in words, for an answer: "unusual to borderline among English LAs,
    ordinary against similar authorities" (the p-values are in the finding's text)."""
    near = p_words(did.p_value)
    every = all_las_words(v, outcome, unit)
    if every is None:
        return f"{near} against similar authorities"
    if every == near:
        return f"{near} among English LAs and against similar authorities"
    return f"{every} among English LAs, {near} against similar authorities"


def _checks(v: View, outcome: str) -> list[dict]:
    """The checks the strength rule reads: the pre-programme trend of the gap (should show nothing),
    each borough's own estimate and, for the main outcome, the synthetic control (should point the
    same way)."""
    out = []
    pre = estimate(v.r, outcome, v.main_unit, Method.PRE_TREND)
    if pre is not None and finite(pre.p_value):
        out.append(dict(name="pre-programme trend of the gap from the neighbours", p=pre.p_value, expect="none"))
    for u in v.r.units:
        row = estimate(v.r, outcome, u, Method.DID)
        if u != v.main_unit and row is not None and finite(row.estimate):
            ci = (row.ci_low, row.ci_high) if finite(row.ci_low) else None
            out.append(dict(name=v.names.get(u, u), estimate=row.estimate, ci=ci, p=row.p_value, expect="same"))
    sc = estimate(v.r, outcome, v.main_unit, Method.SC_GAP)
    if outcome == v.key and sc is not None and finite(sc.estimate):
        ci = (sc.ci_low, sc.ci_high) if finite(sc.ci_low) else None
        out.append(dict(name="synthetic control", estimate=sc.estimate, ci=ci, expect="same"))
    return out


def people(v: View, outcome: str) -> int | None:
    """The children behind an outcome of the main unit: its published count in the last year before
    the start (the numerator of the rate)."""
    p = v.r.panel
    row = p[(p.outcome == outcome) & (p.area_code == v.main_unit) & (p.year == v.ref)]
    return int(row.numerator.iloc[0]) if len(row) and finite(row.numerator.iloc[0]) else None


def _effect(v: View, outcome: str, text: str, answer: str, row, topic: str) -> dict:
    """A finding about the programme's effect, with the strength rule's inputs."""
    return dict(
        n=people(v, outcome),
        text=text,
        kind="effect",
        topic=topic,
        answer=answer,
        estimate=row.estimate,
        ci=(row.ci_low, row.ci_high),
        p=row.p_value,
        interval="95% placebo interval",
        label=OUTCOMES[outcome].label,
        design="comparison",
        unit="local_authorities",
        units=len(v.r.treated),
        checks=_checks(v, outcome),
    )


def _children_in_care(v: View) -> dict | None:
    """Children in care: the published counts around the start, when the fall happened, and the two
    comparisons in words (answer); each comparison with what it is computed against, the earlier trend
    and what could have been detected (text)."""
    o, u = "cla_rate", v.main_unit
    did, t = estimate(v.r, o, u, Method.DID), timing(v, o, u)
    counts = [value_at(v.r, "cla_number", u, y) for y in (v.ref - 1, v.ref, v.after)]
    if did is None or t is None or not all(finite(c) for c in counts):
        return None
    a, b, c = counts
    where = "" if u == TREATED_ID else f" in {who(v, u)}"
    start = start_words(v.P["programme_start"])
    moved = (
        f"{direction(b - a, 'rose', 'fell', 'stayed')} from {fmt(a, 'count')} to "
        f"{fmt(b, 'count')} ({fmt((b - a) / a * 100, 'percent', signed=True)}) before the {start} start and were "
        f"{fmt(c, 'count')} in {v.after}"
    )
    # the answer box names the report's one area in its heading, so its line leaves "in <area>" out
    answer = f"Children in care {moved}: {comparisons(v, o, u, did)}."
    return _effect(v, o, _text(v, o, f"Children in care{where} {moved}"), answer, did, TOPIC_OF[o])


def _text(v: View, outcome: str, lead: str) -> str:
    """A finding's text for the report's summary: the published levels (``lead``), then each comparison
    with what it is computed against and its p-value, whether the earlier trend explains the change
    and what the design could have detected."""
    u = v.main_unit
    parts = (lead + ".", all_las_sentence(v, outcome, u), neighbours_sentence(v, outcome, u))
    parts += (trend_sentence(v, outcome, u), detectable_sentence(v, outcome, u))
    return " ".join(x for x in parts if x)


def _outcome_effect(v: View, outcome: str) -> dict | None:
    """The flow into care, child protection and re-referrals: the published values around the start
    and the two comparisons (answer); for the flow, children taken into care beside it (text)."""
    u = v.main_unit
    did, t = estimate(v.r, outcome, u, Method.DID), timing(v, outcome, u)
    s = series(v.r, outcome, u)
    if did is None or t is None or v.ref not in s.index or v.after not in s.index:
        return None
    where = "" if u == TREATED_ID else f" in {who(v, u)}"
    moved = went(outcome, s[v.ref], s[v.after], (v.ref, v.after))
    lead = f"{SHORT[outcome]}{where} {moved}"
    text = _text(v, outcome, lead)
    if outcome == "cla_starts_rate":
        text += " " + _taken(v)
    if outcome == "cpp_rate":
        text += " " + _largest_change(v)
    answer = f"{SHORT[outcome]} {moved}: {comparisons(v, outcome, u, did)}."  # the area: in the box's heading
    return _effect(v, outcome, text.strip(), answer, did, TOPIC_OF[outcome])


def _taken(v: View) -> str:
    """Children taken into care, with its levels and both comparisons (with p-values), beside the flow
    into care."""
    o, u = "cla_taken_rate", v.main_unit
    did, s = estimate(v.r, o, u, Method.DID), series(v.r, o, u)
    if did is None or not finite(did.estimate) or v.ref not in s.index or v.after not in s.index:
        return ""
    return f"Children taken into care {went(o, s[v.ref], s[v.after], (v.ref, v.after))}. " + " ".join(
        x for x in (all_las_sentence(v, o, u), neighbours_sentence(v, o, u)) if x
    )


def _largest_change(v: View) -> str:
    """Which analysed outcome of the main unit moved most between the last year before the start and
    the last cost year (relative change), said as a fact."""
    moves = []
    for o in v.analysed:
        s = series(v.r, o, v.main_unit)
        if v.ref in s.index and v.after in s.index and s[v.ref]:
            moves.append((abs(s[v.after] / s[v.ref] - 1), o, s[v.after] / s[v.ref] - 1))
    if not moves:
        return ""
    _, o, rel = max(moves)
    return (
        f"Between {v.ref} and {v.after} this is the largest relative change of any outcome in this section "
        f"({fmt(rel * 100, 'percent', signed=True)})."
        if o == "cpp_rate"
        else ""
    )


def _costs_outside_programme(v: View, lo: float, hi: float, years: str) -> str:
    """The cost of care of an area that did not run the programme against its comparators, in words a
    director reads at once: fewer (or more) children in care than the comparators suggest, and what that
    is worth by method; when the methods disagree on the direction, the signed range."""
    name = _list(v.treated_names)

    def span(a, b):
        return f"{millions(a)} to {millions(b)} by method" if millions(a) != millions(b) else millions(a)

    if lo >= 0:
        return f"{name} had fewer children in care over {years} than its comparators suggest, worth {span(lo, hi)}"
    if hi <= 0:
        return f"{name} had more children in care over {years} than its comparators suggest, costing {span(-hi, -lo)}"
    return (
        f"The methods differ on whether {name} had fewer or more children in care over {years} than its comparators "
        f"suggest: from {millions(-lo)} of care costs more to {millions(hi)} less, by method"
    )


def _credited(lo: float, hi: float, years: str) -> str:
    """The care costs the programme could be credited with (lowest to highest central estimate by method),
    in words a director reads at once rather than a signed range: an amount saved; an amount more than
    the comparators suggest (nothing to credit); or, when the methods differ on the direction, from an
    amount higher to an amount lower."""

    def amounts(a, b):
        return f"{millions(a)} to {millions(b)}" if millions(a) != millions(b) else millions(a)

    by = " by method" if millions(lo) != millions(hi) else ""
    if lo >= 0:
        return f"Care costs the programme could be credited with over {years} were {amounts(lo, hi)}{by}"
    if hi <= 0:
        return (
            f"Care costs over {years} were {amounts(-hi, -lo)} higher than the comparators suggest{by}, "
            "none to the programme's credit"
        )
    return (
        f"Care costs over {years} were between {millions(-lo)} higher and {millions(hi)} lower than the comparators "
        "suggest, by method"
    )


def _zero_in_intervals(central) -> str:
    """How sure the cost estimates are, in words: whether each method's 95% interval includes zero
    (" (every interval includes zero)", " (no interval includes zero)", " (2 of 3 intervals include zero)")."""
    spans = (central.avoided_cost_low_gbp < 0) & (central.avoided_cost_high_gbp > 0)
    if spans.all():
        return " (every interval includes zero)"
    if not spans.any():
        return " (no interval includes zero)" if len(spans) > 1 else " (its interval excludes zero)"
    return f" ({fmt(int(spans.sum()), 'count')} of {fmt(len(spans), 'count')} intervals include zero)"


def _costs(v: View) -> dict | None:
    """The cost of care the programme could be credited with (the comparators' counterfactual less the
    children actually in care, priced at the central unit cost): the central estimate by method, against
    the programme cost, in millions of pounds (one scale, no false precision)."""
    central = central_rows(v)
    if not len(central):
        return None
    low, high = v.P["programme_cost"][0], v.P["programme_cost"][-1]
    first = central.iloc[0]
    lo, hi = central.avoided_cost_gbp.min(), central.avoided_cost_gbp.max()
    sure = _zero_in_intervals(central)
    worth = _credited(lo, hi, first.cost_years) + sure
    if outside_programme(v):  # another authority: no cost of its can be the programme's
        answer = _costs_outside_programme(v, lo, hi, first.cost_years) + sure
        answer += f"; {_list(v.treated_names)} did not run the programme, so no programme cost is set against it."
    elif not against_programme_cost(v):  # the programme's cost was for the three boroughs together
        answer = worth + "; the programme's cost was for the three boroughs together."
    else:
        reach = int((central.avoided_cost_gbp >= low).sum())
        cost = f"{millions(low)}-{millions(high)}"
        answer = worth + (
            f": {fmt(reach, 'count')} of {fmt(len(central), 'count')} methods reach the programme's {cost} cost."
            if reach
            else f", short of the programme's {cost} cost."
        )
    intervals = "; ".join(
        f"{x.method} {millions(x.avoided_cost_gbp)} (95% interval {millions(x.avoided_cost_low_gbp)} to "
        f"{millions(x.avoided_cost_high_gbp)})"
        for x in central.itertuples()
    )
    return dict(
        n=people(v, "cla_rate"),
        text=f"{answer} At {money(first.weekly_unit_cost_gbp)} a week per child in care, by method: {intervals}.",
        kind="effect",
        topic="costs",
        answer=answer,
        estimate=first.avoided_cost_gbp / 1e6,
        ci=(first.avoided_cost_low_gbp / 1e6, first.avoided_cost_high_gbp / 1e6),
        interval="95% placebo interval",
        label=f"Cost of care against the comparators, {first.cost_years}, {first.method} (£ million)",
        design="comparison",
        unit="local_authorities",
        units=len(v.r.treated),
        checks=[],
    )


def _or(items: list) -> str:
    """ "a, b or c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _fact(text: str, topic: str, label: str, estimate=None, n=None, answer: str | None = None) -> dict:
    """A published fact (not evidence of an effect) for the answer box (``answer``: a shorter sentence
    than ``text``, when there is one)."""
    return dict(
        text=text,
        kind="fact",
        topic=topic,
        answer=answer or text,
        source="published",
        label=label,
        estimate=estimate,
        n=n,
    )


def _count_change(r) -> str:
    """ "477 to 485 (+1.7%)": one reading of a published count."""
    return f"{fmt(r.value_from, 'count')} to {fmt(r.value_to, 'count')} ({fmt(r.change_pct, 'percent', signed=True)})"


def _bid(v: View) -> dict | None:
    """The March 2015 bid's aim of 20% fewer looked-after children over three years."""
    rows = _rows(v, CLAIMS[2].key)
    if not len(rows):
        return None
    parts = [
        f"{_count_change(r)} from March {int(r.from_year)} to March {int(r.to_year)}"
        for r in rows.itertuples()
        if finite(r.change_pct)
    ]
    met = any(finite(r.change_pct) and r.change_pct <= CLAIMS[2].claimed_change_pct for r in rows.itertuples())
    text = (
        f"The March 2015 bid's aim of {fmt(abs(CLAIMS[2].claimed_change_pct), 'percent', decimals=0)} fewer children in "
        f"care over three years was {'met' if met else 'not met'}: children in care in {who(v, v.main_unit)} went from "
        f"{' and from '.join(parts)}."
    )
    label = "Change in children looked after over three years (%)"
    return _fact(text, "bid_target", label, rows.iloc[0].change_pct, int(rows.iloc[0].value_from))


def flow_readings(rows, last_only: bool = False) -> str:
    """ "from 96 in 2013 to 84 in 2014 (-12.5%), 63 in 2015 (-34.4%), not published for 2016, 99 in 2017
    (+3.1%)": every end year a claim about a count since a year could mean, with the numbers checked
    (``last_only``: the last published end year only)."""
    first = rows.iloc[0]
    if last_only:
        rows = rows[rows.change_pct.notna()].tail(1)
        if not len(rows):
            return f"from {fmt(first.value_from, 'count')} in {int(first.from_year)}"
    parts = [
        f"{fmt(r.value_to, 'count')} in {int(r.to_year)} ({fmt(r.change_pct, 'percent', signed=True)})"
        if finite(r.change_pct)
        else f"not published for {int(r.to_year)}"
        for r in rows.itertuples()
    ]
    return f"from {fmt(first.value_from, 'count')} in {int(first.from_year)} to {', '.join(parts)}"


def _claims(v: View) -> dict | None:
    """The boroughs' 2017 claims against the published counts, with the numbers checked: the flows into
    care as first published for every end year, children in care from 2013 to 2017, and the published
    -8.6% that is children in care over the year before the programme."""
    rows = _rows(v, CLAIMS[0].key)
    latest = rows[rows.vintage == LATEST]
    readings, matches, before = taken_claim_readings(v)
    claim = _rows(v, CLAIMS[1].key)
    if not len(latest) or not readings:
        return None
    t = latest.iloc[0]
    claimed = fmt(CLAIMS[1].claimed_change_pct, "percent")
    flows = "; ".join(
        f"{FLOW_WORDS.get(m, MEASURE_WORDS[m])} {flow_readings(claim[claim.measure == m])}" for m, _ in readings
    )
    verdict = (
        f"no reading is {claimed}"
        if not matches
        else f"{fmt(len(matches), 'count')} reading{'s' if len(matches) > 1 else ''} {'are' if len(matches) > 1 else 'is'} {claimed}"
    )
    in_care = (
        f"children in care went from {_count_change(t)} from 2013 to 2017, not "
        f"{fmt(CLAIMS[0].claimed_change_pct, 'percent', decimals=0)}"
    )
    earlier = (
        f"the published {fmt(before.change_pct, 'percent', signed=True)} is children in care from March "
        f"{int(before.from_year)} to March {int(before.to_year)} ({fmt(before.value_from, 'count')} to "
        f"{fmt(before.value_to, 'count')}), before the programme"
        if before is not None
        else ""
    )
    text = f"As first published, {flows}: {verdict}; {in_care}" + (f", and {earlier}" if earlier else "")
    # the answer: taken into care (what the claim names) year by year, any other flow at its last year
    short = "; ".join(
        f"{FLOW_WORDS.get(m, MEASURE_WORDS[m])} {flow_readings(claim[claim.measure == m], last_only=m != TAKEN)}"
        for m, _ in sorted(readings, key=lambda x: x[0] != TAKEN)
    )
    answer = f"As first published, {short}: {verdict}; {in_care}" + (f"; {earlier}." if earlier else ".")
    return _fact(
        text + ".", "claims", "Change in children looked after, 2013-2017 (%)", t.change_pct, int(t.value_from), answer
    )


def findings(v: View) -> list[dict]:
    """Every key finding of the section, in the answer box's order."""
    if not v.main_unit:
        return []
    out = [_children_in_care(v) if "cla_rate" in v.analysed else None]
    out += [_outcome_effect(v, o) for o in EFFECT_OUTCOMES[1:] if o in v.analysed]
    out.append(_costs(v))
    if applies(v):
        out += [_bid(v), _claims(v)]
    return [f for f in out if f is not None]


def key_findings(section, found: list[dict]) -> None:
    """Hand every finding (:func:`findings`) to the report's summary."""
    for f in found:
        f = dict(f)
        finding(section, f.pop("text"), **f)
