"""The boroughs' own claims in the outcomes section, beside the published figures."""

from __future__ import annotations

from .definitions import (
    CLAIMS,
    NEIGHBOURS_ID,
    PROGRAMME_LAS,
    TREATED_ID,
)
from .prose import _list


def claims_part(section, v) -> dict:
    """The boroughs' own claims beside the published figures. Returns the rows the key finding reads."""
    r, names, treated_names = v.r, v.names, v.treated_names
    cl = r.claims
    c1 = cl[(cl.measure == "cla_at_31_march_number")]
    programme = set(r.treated) <= set(PROGRAMME_LAS)
    if len(c1) and not programme:
        t = c1[c1.area == (names[TREATED_ID] if TREATED_ID in r.units else treated_names[0])].iloc[0]
        nbr = c1[c1.area == names[NEIGHBOURS_ID]].iloc[0]
        eng = c1[c1.area == "England"].iloc[0]
        section.markdown(
            f"**Children looked after, {CLAIMS[0]['from_year']} to {CLAIMS[0]['to_year']}.** {t.area}: {section.published(t.value_from, '{:,.0f}')} "
            f"at 31 March {CLAIMS[0]['from_year']} and {section.published(t.value_to, '{:,.0f}')} at 31 March {CLAIMS[0]['to_year']} "
            f"({section.published(t.change_pct, '{:+.1f}')}%); statistical neighbours combined {section.published(nbr.change_pct, '{:+.1f}')}%, England "
            f"{section.published(eng.change_pct, '{:+.1f}')}%. (The Focus on Practice boroughs' published claims are about themselves and are "
            f"checked only when they are the treated areas.)"
        )
        c1 = c1.iloc[0:0]
    if len(c1):
        t = c1[c1.area == names[TREATED_ID]] if (TREATED_ID in r.units) else c1[c1.area == treated_names[0]]
        t = t.iloc[0]
        nbr = c1[c1.area == names[NEIGHBOURS_ID]].iloc[0]
        eng = c1[c1.area == "England"].iloc[0]
        inner = c1[c1.area == "Inner London"].iloc[0]
        section.markdown(
            f"**The boroughs' own claims.** A November 2017 council release claimed a {section.published(abs(CLAIMS[0]['claimed_change_pct']), '{:.0f}')}% drop "
            f"in looked-after children from {CLAIMS[0]['from_year']} to {CLAIMS[0]['to_year']}. From the published figures, "
            f"{'the treated areas combined' if (TREATED_ID in r.units and t.area == names[TREATED_ID]) else t.area} had {section.published(t.value_from, '{:,.0f}')} children looked after at "
            f"31 March {CLAIMS[0]['from_year']} and {section.published(t.value_to, '{:,.0f}')} at 31 March {CLAIMS[0]['to_year']}: a change of "
            f"{section.published(t.change_pct)}%"
            + (
                " (the published counts do not reproduce the claimed fall; the release's own figures and definition are not known)"
                if abs(t.change_pct - CLAIMS[0]["claimed_change_pct"]) > 1
                else " (close to the claim)"
            )
            + f". Over the same years the statistical neighbours combined changed by {section.published(nbr.change_pct)}%, Inner "
            f"London by {section.published(inner.change_pct)}% and England by {section.published(eng.change_pct)}%; "
            f"{section.published(t.share_of_eligible_las_with_fall_at_least_as_large * 100, '{:.0f}')}% of eligible English LAs had a fall at least as large. "
            f"The claim of an {abs(CLAIMS[1]['claimed_change_pct'])}% drop in children taken into care since {CLAIMS[1]['from_year']} "
            f"cannot be checked here: the published files hold LA-level counts of children starting to be looked after only from "
            f"31 March 2015, after the programme started."
            + (
                ""
                if TREATED_ID in r.units
                else f" The claims were made for the three boroughs together; this section covers {_list(treated_names)} only."
            )
        )
        shown = cl.drop(columns=["measure", "note"]).astype({"from_year": str, "to_year": str})
        shown["value_from"] = shown["value_from"].round().astype("Int64")
        shown["value_to"] = shown["value_to"].round().astype("Int64")
        section.table(
            "outcomes_claims",
            shown,
            caption="The boroughs' later claims beside the published figures and the comparators",
            labels={
                "claim": "Claim",
                "claimed_change_pct": "Claimed change %",
                "from_year": "From",
                "to_year": "To",
                "area": "Area",
                "value_from": "Number (from)",
                "value_to": "Number (to)",
                "change_pct": "Change %",
                "share_of_eligible_las_with_fall_at_least_as_large": "Share of eligible LAs with a fall at least as large",
                "n_eligible_las": "Eligible LAs",
            },
            decimals=2,
        )
    return {"c1": c1, "nbr": locals().get("nbr"), "eng": locals().get("eng")}
