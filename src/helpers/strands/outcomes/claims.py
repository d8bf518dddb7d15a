"""The boroughs' later claims and the bid's aim, recomputed from the published counts beside the
comparators, each reading on one vintage (:data:`definitions.CLAIMS`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .definitions import CLAIMS, CONTEXT, NEIGHBOURS_ID, PREFERRED, TREATED_ID, VINTAGE_WORDS
from .outputs import CLAIMS_T


def _level(series: pd.Series, codes, year) -> float:
    """The summed count of ``codes`` in ``year``; NaN when any is missing (never a partial sum)."""
    v = [series.get((code, year), np.nan) for code in codes]
    return float(np.sum(v)) if len(v) and not np.any(np.isnan(v)) else np.nan


def percent_change(a: float, b: float) -> float:
    """(b - a) / a x 100, or NaN when either is missing or a is 0."""
    return (b - a) / a * 100 if not (np.isnan(a) or np.isnan(b) or a == 0) else np.nan


def _groups(tcodes, neighbours, names) -> list[tuple[str, list]]:
    """The areas a claim is read for: the treated areas combined, each, their neighbours combined and
    the context areas."""
    combined = [(names.get(TREATED_ID, "Treated"), tcodes)] if len(tcodes) > 1 else []
    return (
        combined
        + [(names.get(t, t), [t]) for t in tcodes]
        + [(names.get(NEIGHBOURS_ID), list(neighbours))]
        + [(v, [k]) for k, v in CONTEXT.items()]
    )


def _missing_note(series: pd.Series, codes, from_year, to_year) -> str:
    """Why a change cannot be computed from the published counts."""
    years = sorted({y for (code, y), v in series.items() if code in codes and not pd.isna(v)})
    if not years:
        return "not available"
    gaps = [y for y in (from_year, to_year) if np.isnan(_level(series, codes, y))]
    return "not in the published files for " + " and ".join(str(y) for y in gaps) if gaps else "not available"


def recompute_claims(values: pd.DataFrame, first: pd.DataFrame, treated, neighbours, pool, names) -> pd.DataFrame:
    """Each claim's every reading (:class:`definitions.ClaimCheck`) recomputed from the published counts
    on its vintage (``values``: the preferred file's; ``first``: as first published), for the treated
    areas and comparators, with the share of eligible LAs whose change was at or below it."""
    rows = []
    tcodes = [str(t) for t in treated]
    for claim in CLAIMS:
        for check in claim.checks:
            frame = values if check.vintage == PREFERRED else first
            s = frame[check.measure] if check.measure in frame else pd.Series(dtype=float)
            y0, y1 = check.from_year, check.to_year
            pool_changes = np.array([percent_change(_level(s, [c], y0), _level(s, [c], y1)) for c in pool])
            pool_changes = pool_changes[~np.isnan(pool_changes)]
            for label, codes in _groups(tcodes, neighbours, names):
                a, b = _level(s, codes, y0), _level(s, codes, y1)
                ch = percent_change(a, b)
                share = float((pool_changes <= ch).mean()) if len(pool_changes) and not np.isnan(ch) else np.nan
                note = check.note if not np.isnan(ch) else _missing_note(s, codes, y0, y1)
                rows.append(
                    (claim.claim, claim.claimed_change_pct, check.measure, VINTAGE_WORDS[check.vintage], y0, y1)
                    + (label, a, b, ch, share, len(pool_changes), note)
                )
    return pd.DataFrame(rows, columns=CLAIMS_T.column_names)
