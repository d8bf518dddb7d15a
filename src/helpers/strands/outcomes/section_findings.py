"""The outcomes section's key findings for the report's summary and answer box (CONTRACTS section 3),
and the section's main points, written from the same results: children in care, the flow into care,
child protection, re-referrals and the avoided cost (effects against the comparators), the bid's aim
and the boroughs' claims (published facts)."""

from __future__ import annotations

from .definitions import OUTCOMES, SHORT, TOPIC_OF, Method
from .prose import (
    View,
    change,
    direction,
    estimate,
    finding,
    finite,
    fmt,
    level,
    money,
    p_is,
    p_text,
    p_words,
    series,
    value_at,
    who,
)
from .section_claims import CLAIMS, LATEST, _rows, applies, taken_claim_readings
from .section_costs import against_programme_cost, central_rows
from .sentences import england_change, timing

#: The outcomes that answer a topic of the report's answer box, in its order.
EFFECT_OUTCOMES = ("cla_rate", "cla_starts_rate", "cpp_rate", "rereferral_pct")
WHEN = {
    "before": "mostly before the programme started",
    "after": "mostly after the programme started",
    "both": "both before and after the programme started",
    "none": "little",
}


def _neighbours_words(outcome: str, row) -> str:
    """The comparison with the neighbours in the shared words: "against similar authorities the
    difference (+1.5 per 10,000) is ordinary (p = 0.84)"."""
    return f"against similar authorities the difference ({change(outcome, row.estimate)}) is {p_text(row.p_value)}"


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
    comparisons."""
    o, u = "cla_rate", v.main_unit
    did, own, t = estimate(v.r, o, u, Method.DID), estimate(v.r, o, u, Method.CHANGE), timing(v, o, u)
    counts = [value_at(v.r, "cla_number", u, y) for y in (v.ref - 1, v.ref, v.after)]
    if did is None or own is None or t is None or not all(finite(c) for c in counts):
        return None
    a, b, c = counts
    eng = england_change(v, o)
    england = f", while England's rate {direction(eng)}," if eng is not None else ""
    answer = (
        f"Children in care in {who(v, u)} went from {fmt(a, 'count')} to {fmt(b, 'count')} "
        f"({fmt((b - a) / a * 100, 'percent', signed=True)}) in the year to 31 March {v.ref}, before the programme, "
        f"and were {fmt(c, 'count')} in {v.after}; their rate {direction(own.estimate)} {WHEN[t.when]}: a "
        f"{direction(own.estimate, 'rise', 'fall', 'change')} {p_words(own.p_value)} against all English LAs "
        f"({p_is(own.p_value)}){england} and "
        f"{p_words(did.p_value)} against similar authorities ({p_is(did.p_value)})."
    )
    text = answer
    return _effect(v, o, text, answer, did, TOPIC_OF[o])


def _outcome_effect(v: View, outcome: str) -> dict | None:
    """The flow into care, child protection and re-referrals: the published values around the start
    and the comparison with the neighbours."""
    u = v.main_unit
    did, t = estimate(v.r, outcome, u, Method.DID), timing(v, outcome, u)
    s = series(v.r, outcome, u)
    if did is None or t is None or v.ref not in s.index or v.after not in s.index:
        return None
    last = int(s.index.max())
    later = f" ({level(outcome, s[last])} in {last})" if last != v.after else ""
    answer = (
        f"{SHORT[outcome]} in {who(v, u)}: {level(outcome, s[v.ref])} in {v.ref}, {level(outcome, s[v.after])} in "
        f"{v.after}{later}; {_neighbours_words(outcome, did)}."
    )
    text = answer
    if outcome == "cla_starts_rate":
        taken = estimate(v.r, "cla_taken_rate", u, Method.DID)
        if taken is not None and finite(taken.estimate):
            text += f" Children taken into care: {_neighbours_words('cla_taken_rate', taken)}."
    if outcome == "cpp_rate":
        text += " " + _largest_change(v)
    return _effect(v, outcome, text.strip(), answer, did, TOPIC_OF[outcome])


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


def _costs(v: View) -> dict | None:
    """The avoided cost: central estimates by method against the programme cost."""
    central = central_rows(v)
    if not len(central):
        return None
    low, high = v.P["programme_cost"][0], v.P["programme_cost"][-1]
    first = central.iloc[0]
    by = "; ".join(f"{money(x.avoided_cost_gbp)} by {x.method}" for x in central.itertuples())
    reach = (central.avoided_cost_gbp >= low).sum()
    spans = ((central.avoided_cost_low_gbp < 0) & (central.avoided_cost_high_gbp > 0)).all()
    worth = (
        f"At {money(first.weekly_unit_cost_gbp)} a week per child in care, the avoided cost over {first.cost_years} is "
        f"{by}{' (each interval spans a net cost and a saving)' if spans else ''}"
    )
    if not against_programme_cost(v):  # the programme's cost was for the three boroughs together
        answer = worth + "; the programme's cost was for the three boroughs together and is not set against it."
    else:
        answer = f"{worth}, against a programme cost of {money(low)} to {money(high)}: " + (
            f"{fmt(int(reach), 'count')} of {fmt(len(central), 'count')} methods' central estimates recover it."
            if reach
            else "no method's central estimate recovers it."
        )
    intervals = "; ".join(
        f"{x.method} {money(x.avoided_cost_gbp)} (95% interval {money(x.avoided_cost_low_gbp)} to "
        f"{money(x.avoided_cost_high_gbp)})"
        for x in central.itertuples()
    )
    return dict(
        n=people(v, "cla_rate"),
        text=f"{answer} By method: {intervals}.",
        kind="effect",
        topic="costs",
        answer=answer,
        estimate=first.avoided_cost_gbp / 1e6,
        ci=(first.avoided_cost_low_gbp / 1e6, first.avoided_cost_high_gbp / 1e6),
        interval="95% placebo interval",
        label=f"Avoided cost of care, {first.cost_years}, {first.method} (£ million)",
        design="comparison",
        unit="local_authorities",
        units=len(v.r.treated),
        checks=[],
    )


def _fact(text: str, topic: str, label: str, estimate=None, n=None) -> dict:
    """A published fact (not evidence of an effect) for the answer box."""
    return dict(
        text=text, kind="fact", topic=topic, answer=text, source="published", label=label, estimate=estimate, n=n
    )


def _bid(v: View) -> dict | None:
    """The March 2015 bid's aim of 20% fewer looked-after children over three years."""
    rows = _rows(v, CLAIMS[2].key)
    if not len(rows):
        return None
    parts = [
        f"{fmt(r.change_pct, 'percent', signed=True)} from March {int(r.from_year)} to March {int(r.to_year)}"
        for r in rows.itertuples()
    ]
    met = any(finite(r.change_pct) and r.change_pct <= CLAIMS[2].claimed_change_pct for r in rows.itertuples())
    text = (
        f"The March 2015 bid's aim of {fmt(abs(CLAIMS[2].claimed_change_pct), 'percent', decimals=0)} fewer children in "
        f"care over three years was {'met' if met else 'not met'}: the published counts for {who(v, v.main_unit)} changed "
        f"by {' and '.join(parts)}."
    )
    label = "Change in children looked after over three years (%)"
    return _fact(text, "bid_target", label, rows.iloc[0].change_pct, int(rows.iloc[0].value_from))


def _claims(v: View) -> dict | None:
    """The boroughs' 2017 claims against the published counts."""
    rows = _rows(v, CLAIMS[0].key)
    latest = rows[rows.vintage == LATEST]
    readings, matches, before = taken_claim_readings(v)
    if not len(latest) or not readings:
        return None
    t = latest.iloc[0]
    n = sum(len(parts) for _, parts in readings)
    claimed = fmt(abs(CLAIMS[1].claimed_change_pct), "percent")
    flows = (
        f"no count of children starting or taken into care fell {claimed} from 2013 to any year to 2017"
        if not matches
        else f"{fmt(len(matches), 'count')} of {fmt(n, 'count')} readings of the flows into care show a {claimed} fall"
    )
    text = (
        f"In the published counts children in care changed by {fmt(t.change_pct, 'percent', signed=True)} from 2013 "
        f"to 2017 (the boroughs claimed {fmt(CLAIMS[0].claimed_change_pct, 'percent', decimals=0)}) and {flows}"
    )
    if before is not None:
        text += (
            f"; the published figure of {fmt(before.change_pct, 'percent', signed=True)} is children in care from March "
            f"{int(before.from_year)} to March {int(before.to_year)}, before the programme"
        )
    return _fact(
        text + ".", "claims", "Change in children looked after, 2013-2017 (%)", t.change_pct, int(t.value_from)
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


def answers(v: View) -> list[str]:
    """The section's main points: the findings' answers."""
    return [f["answer"] for f in findings(v)]


def key_findings(section, v: View) -> None:
    """Hand every finding to the report's summary."""
    for f in findings(v):
        f = dict(f)
        finding(section, f.pop("text"), **f)
