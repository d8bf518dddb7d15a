"""The boroughs' later claims, recomputed from the published counts beside the comparators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .definitions import CLAIMS, CONTEXT, NEIGHBOURS_ID, TREATED_ID


def recompute_claims(values: pd.DataFrame, treated, neighbours, pool, names) -> pd.DataFrame:
    """Each published claim recomputed from the published counts, beside the comparators'
    change over the same years and the share of eligible LAs with a fall at least as large."""
    rows = []
    tcodes = [str(t) for t in treated]
    for c in CLAIMS:
        m, y0, y1 = c["measure"], c["from_year"], c["to_year"]
        s = values[m] if m in values else pd.Series(dtype=float)

        def level(codes, y, s=s):
            v = [s.get((code, y), np.nan) for code in codes]
            return float(np.sum(v)) if len(v) and not np.any(np.isnan(v)) else np.nan

        first_avail = sorted({y for (code, y), v in s.items() if code in tcodes and not pd.isna(v)}) if len(s) else []
        groups = (
            [(names.get(TREATED_ID, "Treated"), tcodes)]
            + [(names.get(t, t), [t]) for t in tcodes]
            + [(names.get(NEIGHBOURS_ID), list(neighbours))]
            + [(v, [k]) for k, v in CONTEXT.items()]
        )
        pool_changes = []
        for code in pool:
            a, b = level([code], y0), level([code], y1)
            if not (np.isnan(a) or np.isnan(b) or a == 0):
                pool_changes.append((b - a) / a * 100)
        pool_changes = np.array(pool_changes)
        for label, codes in groups:
            a, b = level(codes, y0), level(codes, y1)
            ch = (b - a) / a * 100 if not (np.isnan(a) or np.isnan(b) or a == 0) else np.nan
            share = float((pool_changes <= ch).mean()) if (len(pool_changes) and not np.isnan(ch)) else np.nan
            rows.append(
                {
                    "claim": c["claim"],
                    "claimed_change_pct": c["claimed_change_pct"],
                    "measure": m,
                    "from_year": y0,
                    "to_year": y1,
                    "area": label,
                    "value_from": a,
                    "value_to": b,
                    "change_pct": ch,
                    "share_of_eligible_las_with_fall_at_least_as_large": share,
                    "n_eligible_las": len(pool_changes),
                    "note": ""
                    if not np.isnan(ch)
                    else (
                        f"not in the published files for {y0}"
                        if first_avail and first_avail[0] > y0
                        else "not available"
                    ),
                }
            )
    return pd.DataFrame(rows)
