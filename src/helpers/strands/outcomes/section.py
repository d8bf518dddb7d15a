"""The report section of the outcomes strand, written from :class:`analysis.Results` only.

The figures are published LA-level statistics (already public): they need no small-number
suppression, and no individual-level count is ever put beside them. Reading order: a title that
states the main finding, the main points, the data and comparators, the main table, each outcome in
words (:mod:`.section_effects`), the checks, the boroughs' claims and the bid's aim
(:mod:`.section_claims`), spend and the avoided cost (:mod:`.section_costs`), what the comparisons
cannot show, the key findings for the report's summary (:mod:`.section_findings`) and the technical
appendix (:mod:`.section_appendix`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import evidence
from ...formatting import plural
from . import charts, section_appendix, section_claims, section_costs, section_effects, section_findings
from .definitions import OUTCOMES, PROGRAMME_LAS, TREATED_ID, Method, method_label
from .inputs import SOURCES
from .prose import View, _lc, _list, estimate, fmt, places, rule_words, view, who
from .sentences import verdicts

#: The title when the public statistics are missing; with them, :func:`title` states the finding.
TITLE = "Children's outcomes and the cost of care, against comparators"
ORDER = 40


def build_missing(section, message: str) -> None:
    """The whole section when the public statistics are not there: one paragraph, what to put where."""
    section.markdown(message)


def build_section(section, results) -> None:
    """Prose, tables and figures of the section, in reading order: the body holds the findings for the
    main unit (and a sentence per borough); method, each borough in full and every table behind the
    section go to the technical appendix."""
    v = view(results)
    section.title = title(v)
    if not _data_and_comparators(section, v):
        return
    _main_table(section, v)
    section_effects.outcomes(section, v)
    section_effects.checks(section, v)
    found = section_findings.findings(v)
    section_claims.claims(section, v, {f["topic"]: f["text"] for f in found})
    section_costs.spend(section, v)
    section_costs.avoided_cost(section, v)
    _limits(section, v)
    section_findings.key_findings(section, found)
    section_effects.each_borough(section, v)
    section_appendix.appendix(section, v)


def title(v: View) -> str:
    """The section's title, stating its main finding: when children in care changed, and how the
    change compares with similar authorities."""
    if not v.key or not v.main_unit:
        return TITLE
    w = verdicts(v, v.key, v.main_unit)
    did = estimate(v.r, v.key, v.main_unit, Method.DID)
    noun = "Children in care" if v.key == "cla_rate" else OUTCOMES[v.key].label.split(",")[0]
    own = estimate(v.r, v.key, v.main_unit, Method.CHANGE)
    moved = "changed" if own is None else ("fell" if own.estimate < 0 else "rose")
    when = {
        "before": f"{moved} mostly before the programme began",
        "after": f"{moved} mostly after the programme began",
        "both": f"{moved} before and after the programme began",
    }.get(w["when"], "changed little")
    against = {
        "ordinary": "moved as in similar authorities",
        "borderline": "differed from similar authorities by a borderline amount",
        "unusual": "moved unusually against similar authorities",
    }.get(w["neighbours"], "could not be compared with similar authorities")
    return f"{noun} {when}, then {against}" if did is not None else f"{noun} {when}"


def _intro(v: View, n_eligible: int, neighbours: list) -> str:
    """The body's opening: the question, the data and the three comparisons."""
    P, combined = v.P, TREATED_ID in v.r.units
    verb = "are" if len(v.treated_names) > 1 else "is"
    text = (
        f"# How {_list(v.treated_names)} {verb} compared\n\n"
        f"Real published statistics (DfE and ONS), {P['first_year']} to {P['last_year']}: did children's outcomes and "
        f"the cost of care change after the programme started ({P['programme_start']}) in a way other authorities "
        f"did not see? The figure at 31 March {v.fpy} is the first after the start. The comparisons: England; every "
        f"eligible English authority ({fmt(n_eligible, 'count')}), each treated as if it had had the programme; and "
        f"the DfE statistical neighbours ({P['neighbour_list']} groups): {_list(neighbours) if neighbours else 'none'}. "
        "Rates are computed from published counts"
    )
    if combined:
        text += (
            f"; {who(v, TREATED_ID)} and their neighbours are each combined as summed counts over summed populations"
        )
    return text + "."


def _data_and_comparators(section, v: View) -> bool:
    """The data, the comparators and the notes of the run (notes and exclusions in the appendix);
    False when no treated area can be compared."""
    r = v.r
    nb = r.neighbours.drop_duplicates("neighbour_la")
    elig = r.eligibility
    reasons = (
        elig.excluded.reason.str.replace(r" \(.*", "", regex=True)
        .str.replace(r": series.*", "", regex=True)
        .value_counts()
    )
    section.markdown(_intro(v, len(elig.eligible), list(nb.neighbour_name)))
    section.markdown(
        f"**Data and conventions.** A figure at 31 March, for the year ending 31 March or for a financial year "
        f"belongs to the year in which that date falls, so {v.ref} is the last year before the start. Rates use the "
        "ONS child population of the year before (the pre-Census-2021 series only). "
        + _compared(v)
        + f" {fmt(len(elig.eligible), 'count')} authorities are eligible and {fmt(elig.n_excluded, 'count')} are left "
        "out (" + "; ".join(f"{fmt(n, 'count')} {k.lower()}" for k, n in reasons.items()) + ").",
        appendix=True,
    )
    for note in r.notes:
        section.markdown(note, appendix=True)
    if not r.units:
        section.markdown(
            "No treated area has an unbroken published series over these years, so no comparison is possible."
        )
        return False
    return True


def _compared(v: View) -> str:
    """How the treated areas are set against their neighbours, naming one area when there is one."""
    if len(v.treated_names) == 1:
        return (
            f"{v.treated_names[0]} is compared with the average of its neighbours' rates (the neighbours leave out "
            "the Focus on Practice boroughs)."
        )
    return (
        "A single borough is compared with the average of its neighbours' rates; the boroughs combined with their "
        "neighbours combined, both as summed counts over summed populations (the neighbours leave out the "
        "programme boroughs themselves)."
    )


def _summary_rows(v: View, units) -> pd.DataFrame:
    """Each outcome of ``units`` before and after, against every LA and against the neighbours."""
    rows = []
    for o in v.analysed:
        for u in units:
            d, c = estimate(v.r, o, u, Method.DID), estimate(v.r, o, u, Method.CHANGE)
            pv = v.r.panel[(v.r.panel.outcome == o) & (v.r.panel.area_code == u)].set_index("year").value
            rows.append(
                {
                    "outcome": OUTCOMES[o].label,
                    "area": v.names.get(u, u),
                    "before": pv.get(v.ref, np.nan),
                    "after": pv.get(v.after, np.nan),
                    "change": c.estimate if c is not None else np.nan,
                    "change_p": c.p_value if c is not None else np.nan,
                    "did": d.estimate if d is not None else np.nan,
                    "did_low": d.ci_low if d is not None else np.nan,
                    "did_high": d.ci_high if d is not None else np.nan,
                    "did_p": d.p_value if d is not None else np.nan,
                }
            )
    return pd.DataFrame(rows)


def _main_table(section, v: View) -> None:
    """Each outcome before and after, against every LA and against the neighbours: the main unit in the
    body, every unit in the appendix; the trend of the main outcome in the body, of every outcome in
    the appendix."""
    areas, their = places(v)
    labels = {
        "outcome": "Outcome",
        "area": "Area",
        "before": str(v.ref),
        "after": str(v.after),
        "change": "Change, after minus before",
        "change_p": "Against every LA: placebo p",
        "did": "Change against neighbours (DiD)",
        "did_low": "95% interval, low",
        "did_high": "high",
        "did_p": "Against neighbours: placebo p",
    }
    note = (
        "Published statistics. 'After minus before' is the average of the years after the start less the average "
        "of the years before. Each p-value comes from running the same comparison on every eligible English LA (for "
        "areas combined, on random groups of as many LAs combined the same way) as if it had been treated, two-sided: "
        f"{rule_words()}."
    )
    several = len(v.r.units) > 1
    main = _summary_rows(v, [v.main_unit])
    section.table(
        "outcomes_summary",
        main.drop(columns=["area"]) if several else main,
        caption=f"Each outcome for {who(v, v.main_unit)} in {v.ref} and {v.after}, its change against every eligible "
        "LA and against the statistical neighbours, with how unusual each is among English LAs",
        labels=labels,
        note=note,
    )
    if several:
        section.table(
            "outcomes_summary_units",
            _summary_rows(v, v.r.units),
            appendix=True,
            caption=f"Each outcome for each area in {v.ref} and {v.after}, against every eligible LA and against the "
            "statistical neighbours",
            labels=labels,
            note=note,
        )
    if v.key:
        section.figure(
            "outcomes_trends",
            charts.trend(v.r, v.key),  # one idea: the boroughs against their neighbours and England
            alt=f"Line chart, {v.P['first_year']} to {v.P['last_year']}, of {_lc(OUTCOMES[v.key].label)} for "
            f"{_list(v.treated_names)}, {who(v, TREATED_ID) + ', ' if TREATED_ID in v.r.units else ''}their "
            f"statistical neighbours combined and England, with the programme start marked between {v.ref} and "
            f"{v.fpy}.",
            caption=f"{OUTCOMES[v.key].label}: {areas}, {their} neighbours and England (published statistics)",
        )
    section.figure(
        "outcomes_trends_all",
        charts.trends(v.r, v.analysed),
        alt=f"Line charts, {v.P['first_year']} to {v.P['last_year']}, of {fmt(len(v.analysed), 'count')} outcomes for "
        f"{_list(v.treated_names)}, their statistical neighbours combined, England, London and Inner London, with the "
        f"programme start marked between {v.ref} and {v.fpy}.",
        caption=f"Trends of every outcome: {areas}, {their} neighbours, England, London and Inner London",
        appendix=True,
    )


def _limits(section, v: View) -> None:
    """What these comparisons can and cannot show."""
    n_tests = int((v.r.estimates.method == method_label(Method.DID)).sum())
    section.markdown(
        "# What these comparisons can and cannot show\n\n"
        "They show whether the published figures moved differently from similar authorities, England and every "
        "other eligible authority, and whether a difference began before the programme. They cannot show that the "
        "programme caused a difference: other changes in the same places and years (local policy, housing, the "
        "courts, unaccompanied asylum-seeking children, recording) would look the same. Of the "
        f"{fmt(n_tests, 'count')} comparisons with the neighbours here, about "
        f"{fmt(n_tests * evidence.P_UNUSUAL, 'count')} would be unusual by chance alone."
    )
    areas = plural(len(v.treated_names), "borough" if set(v.r.treated) <= set(PROGRAMME_LAS) else "treated area")
    section.markdown(
        f"With {areas} and about ten yearly figures, the placebo comparisons are the fairest test; the trend "
        "tests on the yearly figures are likely too generous, and the synthetic control rests on a few years of fit.",
        appendix=True,
    )


def sources() -> list[dict]:
    return list(SOURCES)
