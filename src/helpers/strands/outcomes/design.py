"""Which areas the outcomes strand treats and compares them with: the treated LAs and units, area
names, the eligible English LAs (never a Focus on Practice borough), and the DfE statistical
neighbour lists of the treated LAs, of every placebo LA and of the placebo groups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import public_data as pdm
from .definitions import CONTEXT, NEIGHBOURS_ID, PROGRAMME_LAS, TREATED_ID


@dataclass
class Design:
    """What every outcome shares: the treated LAs and units, names, the eligible pool and the
    neighbour lists (treated LAs', placebo LAs', and those the placebo groups are compared with)."""

    treated: list
    tcodes: list
    units: list
    names: dict
    elig: pdm.Eligibility
    pool_codes: list
    sn: pd.DataFrame  # the treated LAs' eligible neighbours
    sn_of: dict  # placebo LA (int) -> its untreated neighbours (int)
    group_neighbours: dict  # any LA (str) -> its neighbours among the placebo and treated LAs
    neighbours_of: dict  # treated unit -> its eligible neighbours (str)
    all_neighbours: list
    years_all: np.ndarray
    fpy: int
    ref: int
    cost_years: tuple
    placebo_level: float
    group_draws: int
    use_pyfixest: bool
    rebased_from: int


def area_names(treated, path) -> dict:
    """Area names by code (LAs as text, context areas, the two groups)."""
    lookup = pdm.la_lookup(path).dropna(subset=["old_la_code"])["old_la_code"].astype(int)
    names = {str(k): v for k, v in pdm.area_names(lookup, path).items()}
    names.update(CONTEXT)
    names[TREATED_ID] = "Treated areas combined" if len(treated) > 1 else names[str(treated[0])]
    names[NEIGHBOURS_ID] = "Statistical neighbours combined"
    return names


def eligibility(treated, first_year, last_year, path, exclude_small, notes):
    """The eligible comparison pool (never a programme borough) and the treated LAs whose own series
    is broken over the years (each with a note)."""
    never = set(treated) | set(PROGRAMME_LAS)
    elig = pdm.eligible_las(first_year, last_year, path=path, exclude_small=exclude_small, exclude=never)
    elig.excluded.loc[elig.excluded.old_la_code.isin(set(PROGRAMME_LAS) - set(treated)), "reason"] = (
        "Focus on Practice borough (had the programme; not a comparator)"
    )
    own = pdm.eligible_las(first_year, last_year, path=path, exclude_small=False)
    broken = own.excluded[own.excluded.old_la_code.isin(treated)]
    for _, r in broken.iterrows():
        notes.append(
            f"{r.la_name} ({r.old_la_code}) has no unbroken series over {first_year}-{last_year}: {r.reason}. "
            f"It cannot be compared over these years."
        )
    return elig, set(broken.old_la_code)


def neighbour_lists(treated, elig, neighbour_list, path, names, notes) -> dict:
    """One read of the neighbour lists, of every eligible LA and every treated LA; a programme
    borough that is not treated is never anyone's neighbour. The treated LAs' own comparators, and
    each placebo LA's, are never treated; the combined unit's reference groups are drawn from the
    placebo LAs and the treated LAs alike, each compared with its members' neighbours among all of
    them (treated LAs included)."""
    never = set(treated) | set(PROGRAMME_LAS)
    pool_all = set(elig.eligible)
    sn_every = pdm.statistical_neighbours(
        sorted(pool_all | set(treated)), vintage=neighbour_list, path=path, exclude_treated=False, old_lists=True
    )
    sn_every = sn_every[~sn_every.neighbour_la.isin(never - set(treated))]
    untreated_neighbour = ~sn_every.neighbour_la.isin(never)
    sn = sn_every[sn_every.treated_la.isin(treated) & untreated_neighbour].reset_index(drop=True)
    sn_all = sn_every[sn_every.treated_la.isin(pool_all) & untreated_neighbour]
    for t in [t for t in treated if t not in set(sn.treated_la)]:
        notes.append(
            f"{names[str(t)]} has no DfE statistical-neighbour group in the {neighbour_list} list, so it has no neighbour comparison."
        )
    for _, r in sn[~sn.neighbour_la.isin(pool_all)].drop_duplicates("neighbour_la").iterrows():
        reason = elig.excluded.set_index("old_la_code").reason.get(r.neighbour_la, "not eligible")
        notes.append(f"Neighbour {r.neighbour_name} is left out of the comparisons ({reason}).")
    sn = sn[sn.neighbour_la.isin(pool_all)]
    neighbours_of = {str(t): [str(x) for x in sn[sn.treated_la == t].neighbour_la] for t in treated}
    all_neighbours = sorted({x for v in neighbours_of.values() for x in v}, key=int)
    neighbours_of[TREATED_ID] = all_neighbours
    return {
        "sn": sn,
        "sn_of": {int(k): [int(x) for x in g.neighbour_la] for k, g in sn_all.groupby("treated_la")},
        "group_neighbours": {str(k): [str(x) for x in g.neighbour_la] for k, g in sn_every.groupby("treated_la")},
        "neighbours_of": neighbours_of,
        "all_neighbours": all_neighbours,
    }


def design(treated, first_year, last_year, neighbour_list, path, exclude_small, settings: dict, notes) -> Design:
    """The treated LAs and units, names, eligible pool and neighbour lists shared by every outcome."""
    names = area_names(treated, path)
    elig, broken = eligibility(treated, first_year, last_year, path, exclude_small, notes)
    lists = neighbour_lists(treated, elig, neighbour_list, path, names, notes)
    units = [str(t) for t in treated if int(t) not in broken]
    if len(treated) > 1 and len(units) == len(treated):
        units.append(TREATED_ID)
    return Design(
        treated=treated,
        tcodes=[str(t) for t in treated],
        units=units,
        names=names,
        elig=elig,
        pool_codes=[str(c) for c in sorted(set(elig.eligible))],
        years_all=np.arange(first_year, last_year + 1),
        **lists,
        **settings,
    )
