"""Command line: census workforce indicators from an HR extract, for any year, as CSV.

    python -m helpers.strands.workforce --hr DIR --year 2016 --out indicators.csv
    fop-workforce --hr DIR --year 2015,2016,2017 --borough westminster --out indicators.csv

``DIR`` holds ``hr_posts.csv`` and ``hr_absence.csv`` in the documented format (docs/data_dictionary.md).
Identifiers are pseudonymised when read (key from ``FOP_PSEUDONYMISATION_KEY`` or ``.secrets/``) and
never written out. The CSV has one row per borough and year (plus 'All' when several boroughs),
with the columns of ``workforce/hr_indicators.csv``. Rows the checks reject are counted on stderr
(``--rejected FILE`` writes them with their reasons). Exit code 2 when a file cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ...config import borough_names
from ...ingest import IngestError
from . import analysis, inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.strands.workforce",
        description="Census workforce indicators (agency, turnover, absence) from an HR extract.",
    )
    parser.add_argument("--hr", required=True, help="folder holding hr_posts.csv and hr_absence.csv")
    parser.add_argument("--year", required=True, help="census year(s), the year to 30 September: 2016 or 2015,2016")
    parser.add_argument("--out", required=True, help="CSV file to write")
    parser.add_argument("--borough", default="all", help="all (default) or one borough, e.g. westminster")
    parser.add_argument("--rejected", default=None, help="optional CSV file for the rejected rows and their reasons")
    args = parser.parse_args(argv)
    try:
        years = inputs.parse_years(args.year)
        names = borough_names(args.borough)
        posts, absence = inputs.read_hr(args.hr)
    except (IngestError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    p = posts.data[posts.data["borough"].isin(names)]
    a = absence.data[absence.data["borough"].isin(names)]
    table = analysis.indicators(p, a, years)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    for r in (posts, absence):
        print(
            f"{r.path.name}: {r.rows_read} rows read, {r.rows_accepted} accepted, {r.rows_rejected} rejected",
            file=sys.stderr,
        )
    if args.rejected:
        pd.concat([posts.rejected, absence.rejected], ignore_index=True).to_csv(args.rejected, index=False)
    print(f"wrote {len(table)} rows to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
