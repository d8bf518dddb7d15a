"""The outcomes section's key findings for the report's summary."""

from __future__ import annotations

from ...report_section import evidence_strength
from .definitions import (
    CLAIMS,
    OUTCOMES,
    TREATED_ID,
    Method,
)
from .prose import EARLY_P, UNUSUAL_P, _children, _est, _lc, _money, _who


def key_findings(section, v, claims):
    """The section's findings for the report's summary."""
    r, P, names, key, main_unit, ref, treated_names = v.r, v.P, v.names, v.key, v.main_unit, v.ref, v.treated_names
    c1, nbr, eng = claims["c1"], claims["nbr"], claims["eng"]
    c = r.costs
    if key:
        d = _est(r, key, main_unit, Method.DID)
        pt = _est(r, key, main_unit, Method.PRE_TREND)
        if d is not None:
            unusual = d.p_value < UNUSUAL_P
            early = pt is not None and pt.p_value < EARLY_P
            # the placebo test among English LAs is the test; a pre-programme divergence is a check
            # pointing the other way
            strength = evidence_strength("comparison", _children(r, main_unit, ref), consistent=not early, p=d.p_value)
            section.key_finding(
                f"Real published statistics: against their statistical neighbours, {_lc(OUTCOMES[key].label)} in "
                f"{_who(r, main_unit)} changed by "
                f"{section.published(d.estimate, '{:+.1f}')} after the programme began; among every eligible English LA treated as a placebo this is "
                + ("unusual" if unusual else "ordinary")
                + f" (p = {section.published(d.p_value, '{:.2f}')})"
                + (", and the divergence had begun before the start." if early else "."),
                strength=strength,
                estimate=d.estimate,
                ci=(d.ci_low, d.ci_high),
                interval=f"{P['placebo_level']:.0%} placebo interval",
                label=OUTCOMES[key].label,
            )
    if len(c1):
        t = c1[c1.area == (names[TREATED_ID] if TREATED_ID in r.units else treated_names[0])].iloc[0]
        section.key_finding(
            f"Real published statistics: children looked after fell by {section.published(-t.change_pct)}% from {CLAIMS[0]['from_year']} to "
            f"{CLAIMS[0]['to_year']} in {t.area if not (TREATED_ID in r.units and t.area == names[TREATED_ID]) else 'the treated areas combined'}, against the "
            f"{section.published(abs(CLAIMS[0]['claimed_change_pct']), '{:.0f}')}% the boroughs later claimed (the release's own definition is not known); over the same years the change was "
            f"{section.published(nbr.change_pct, '{:+.1f}')}% in their statistical neighbours and {section.published(eng.change_pct, '{:+.1f}')}% in England."
            if t.change_pct < 0
            else f"Real published statistics: children looked after changed by {section.published(t.change_pct)}% from {CLAIMS[0]['from_year']} to "
            f"{CLAIMS[0]['to_year']} (the boroughs later claimed a {section.published(abs(CLAIMS[0]['claimed_change_pct']), '{:.0f}')}% fall).",
            # complete published counts, for a descriptive question
            strength=evidence_strength("records", t.value_from),
            estimate=t.change_pct,
            label="Change in children looked after, 2013-2017 (%)",
        )
    if len(c) and main_unit in set(c.area_code):
        cu = c[c.area_code == main_unit]
        lo_all, hi_all = cu.avoided_cost_low_gbp.min(), cu.avoided_cost_high_gbp.max()
        section.key_finding(
            f"Real published statistics: the avoided cost of care, across methods and unit costs, ranges from {_money(section, lo_all)} to "
            f"{_money(section, hi_all)} over {P['cost_years'][0]}-{P['cost_years'][1]}, against a programme cost of about "
            f"{_money(section, P['programme_cost'][0])} to {_money(section, P['programme_cost'][-1])}"
            + (
                "; the range includes zero, so whether the programme saved money cannot be told from these figures."
                if lo_all < 0 < hi_all
                else "."
            ),
            # a counterfactual from the comparison designs; the range over methods and unit costs is its interval
            strength=evidence_strength("comparison", _children(r, main_unit, ref), ci=(lo_all, hi_all)),
            label="Avoided cost of care",
        )
