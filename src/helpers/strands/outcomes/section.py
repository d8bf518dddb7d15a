"""The report section of the outcomes strand, written from :class:`analysis.Results` only.

The figures are published LA-level statistics (already public): they need no small-number
suppression, and no individual-level count is ever put beside them. The section's parts are in
:mod:`.section_effects` (children looked after and the other outcomes), :mod:`.section_claims`,
:mod:`.section_costs`, :mod:`.section_findings` and :mod:`.section_appendix`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import charts, section_appendix, section_claims, section_costs, section_effects, section_findings
from .definitions import OUTCOMES, Method, method_label
from .inputs import SOURCES
from .prose import UNUSUAL_P, _est, _list, view

TITLE = "Children's outcomes and the cost of care, against comparators"
ORDER = 40


def build_missing(section, message: str) -> None:
    """The whole section when the public statistics are not there: one paragraph, what to put where."""
    section.markdown(message)


def build_section(section, results) -> None:
    """Prose, tables and figures of the section, in reading order."""
    v = view(results)
    if not _introduction(section, v):
        return
    _main_table(section, v)
    _trend_figures(section, v)
    claims = section_claims.claims_part(section, v)
    if v.key:
        section_effects.children_looked_after(section, v)
    section_effects.other_outcomes(section, v)
    section_costs.spend(section, v)
    section_costs.avoided_cost(section, v)
    _limits(section, v)
    section_findings.key_findings(section, v, claims)
    section_appendix.appendix(section, v)


def _introduction(section, v) -> bool:
    """What the section asks, the year convention, the comparators and the notes of the run; False when no treated area can be compared."""
    r, P, fpy, ref, treated_names = v.r, v.P, v.fpy, v.ref, v.treated_names
    nb = r.neighbours.drop_duplicates("neighbour_la")

    section.markdown(
        f"This section is built on **real published statistics** (DfE and ONS, listed below), not on synthetic data. "
        f"It asks whether children's outcomes and the cost of care in {_list(treated_names)} changed after the "
        f"programme started ({P['programme_start']}) in a way that other local authorities did not see. "
        f"**Year convention:** a figure at 31 March, for the year ending 31 March or for a financial year belongs to the "
        f"year in which that date falls, so the figure at 31 March {fpy} is the first one after the start and {ref} is the "
        f"last year before it. The years compared are {P['first_year']} to {P['last_year']}."
    )
    nb_text = _list([f"{x}" for x in nb.neighbour_name]) if len(nb) else "none"
    elig = r.eligibility
    reasons = (
        elig.excluded.reason.str.replace(r" \(.*", "", regex=True)
        .str.replace(r": series.*", "", regex=True)
        .value_counts()
    )
    section.markdown(
        f"**Comparators.** (1) The treated areas' DfE statistical neighbours ({P['neighbour_list']} groups), leaving out "
        f"the programme boroughs themselves, which are each other's neighbours: {nb_text}. The {P['neighbour_list']} groups "
        f"are used because {'they are the older of the two published lists, closer in time to the programme' if P['neighbour_list'] == '2021' else 'they were chosen by parameter'}; "
        f"no list from 2014 is in the published files. (2) England, London and Inner London as context. (3) Every eligible "
        f"English local authority, as if it had been treated (placebo runs) and as donors to a synthetic control. "
        f"{len(elig.eligible)} authorities are eligible; {elig.n_excluded} are left out ("
        + "; ".join(f"{n} {k.lower()}" for k, n in reasons.items())
        + "). Areas whose series is broken by a boundary change "
        "within the years compared are never spliced or compared. **Rates** are computed from the published counts and the "
        "ONS mid-year child population of the year before (pre-Census-2021 series only; the revised series is never mixed in); "
        "the treated areas combined and the neighbours combined are summed counts over summed populations, not averages of rates."
    )
    for note in r.notes:
        section.markdown(note)
    if not r.units:
        section.markdown(
            "No treated area has an unbroken published series over these years, so no comparison is possible."
        )
        return
    return True


def _main_table(section, v):
    """Each outcome before and after, against the neighbours and among English LAs."""
    r, P, names, ref, analysed = v.r, v.P, v.names, v.ref, v.analysed
    rows = []
    for o in analysed:
        for u in r.units:
            d = _est(r, o, u, Method.DID)
            sc = _est(r, o, u, Method.SC_GAP)
            pt = _est(r, o, u, Method.PRE_TREND)
            pv = r.panel[(r.panel.outcome == o) & (r.panel.area_code == u)].set_index("year").value
            rows.append(
                {
                    "outcome": OUTCOMES[o].label,
                    "area": names.get(u, u),
                    "before": pv.get(ref, np.nan),
                    "after": pv.get(min(P["cost_years"][1], P["last_year"]), np.nan),
                    "did": d.estimate if d is not None else np.nan,
                    "did_interval": section.ci(d.ci_low, d.ci_high, None, "{:,.1f}") if d is not None else "–",
                    "did_p": d.p_value if d is not None else np.nan,
                    "pre_p": pt.p_value if pt is not None else np.nan,
                    "sc_gap": sc.estimate if sc is not None else np.nan,
                    "sc_p": sc.p_value if sc is not None else np.nan,
                }
            )
    main = pd.DataFrame(rows)
    last_cost = min(P["cost_years"][1], P["last_year"])
    section.table(
        "outcomes_summary",
        main,
        caption=f"Each outcome before ({ref}) and after ({last_cost}), the change against the statistical neighbours "
        f"(difference in differences, with the range of placebo LAs), and how unusual it is among English LAs",
        labels={
            "outcome": "Outcome",
            "area": "Area",
            "before": f"{ref}",
            "after": f"{last_cost}",
            "did": "Change vs neighbours (DiD)",
            "did_interval": f"{P['placebo_level']:.0%} placebo interval",
            "did_p": "Placebo p-value",
            "pre_p": "Pre-programme divergence, placebo p",
            "sc_gap": "Gap from synthetic control",
            "sc_p": "Synthetic control p",
        },
        note="Published statistics. p-values come from running the same estimator on every eligible English LA as if it "
        "had been treated (small = unusual). A small 'pre-programme divergence' p means the treated area was already "
        "moving away from its neighbours before the start.",
    )


def _trend_figures(section, v):
    """The trends and the index of children looked after."""
    r, P, fpy, ref, treated_names, analysed = v.r, v.P, v.fpy, v.ref, v.treated_names, v.analysed
    section.figure(
        "outcomes_trends",
        charts.trends(r, analysed),
        alt=f"Line charts, {P['first_year']} to {P['last_year']}, of {len(analysed)} outcomes for "
        f"{_list(treated_names)}, their statistical neighbours combined, England, London and Inner London, "
        f"with the programme start marked between {ref} and {fpy}.",
        caption="Trends: treated areas, neighbours, England, London and Inner London (published statistics)",
    )
    section.figure(
        "outcomes_index",
        charts.trends(r, [o for o in ("cla_number", "cla_rate") if o in P["outcomes"]], index=True),
        alt=f"Index charts ({ref} = 100) of the number and rate of children looked after at 31 March for the "
        f"treated areas, their neighbours, England, London and Inner London.",
        caption=f"Children looked after, indexed to the last year before the programme ({ref} = 100)",
    )


def _limits(section, v):
    """What these comparisons can and cannot show."""
    r = v.r
    n_tests = int((r.estimates.method == method_label(Method.DID)).sum())
    section.markdown(
        "**What these comparisons can and cannot show.** They show whether the treated areas' published figures moved "
        "differently from their statistical neighbours, from England, and from what every other eligible authority did over the "
        "same years, and whether any difference had begun before the programme. They cannot show that the programme caused a "
        "difference: other changes in the same boroughs and years (local policy, housing, the courts, unaccompanied asylum-seeking "
        "children, changes of recording) would look the same in these data. With three treated areas and short yearly series, the "
        "placebo ranks are the fairest test; the interrupted time series intervals are likely too narrow, and the synthetic "
        "control rests on a few years of fit. "
        f"The section reports {n_tests} placebo p-values (outcomes x treated units): about {n_tests * UNUSUAL_P:.0f} of them would fall "
        f"below {UNUSUAL_P:.2f} by chance alone, so one small p-value for one outcome is weak evidence on its own. Rates use the pre-Census-2021 population series, in which central London's child "
        "population was later revised down sharply; levels on the revised series would be higher, but the comparison is made "
        "on one series throughout."
    )


def sources() -> list[dict]:
    return list(SOURCES)
