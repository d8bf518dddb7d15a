"""Command line for an LA analyst: derive DfE indicators from an extract folder, no notebooks.

    python -m helpers.strands.la_extracts --extract DIR --year 2016 --out DIR
    fop-la-indicators --extract DIR --year 2015 --year 2016 --out DIR

``--extract`` is either one LA-year folder (holding ``ssda903/`` with the CSV tables or
``ssda903.xml``, and/or ``cin/cin_census.xml``), a folder holding those files directly, or a raw
folder with the ``la_extracts/<LA number>/<year>/`` layout (then every LA-year in it is read).
It writes ``indicators.csv`` (la_code, year, measure, value), ``placement_days.csv`` and the
data-quality record (``reconciliation.csv``, ``issues.csv``, ``rejected_<table>.csv``) to ``--out``.
Child identifiers are pseudonymised as they are read (key: FOP_PSEUDONYMISATION_KEY, or a private
key file made on first use), so nothing written holds a raw child ID.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ...ingest import IngestError
from .indicators import derive_indicators, longitudinal_episodes, placement_days
from .inputs import read_all, read_extract


def _header_lea(results: dict) -> str | None:
    """The LEA the CIN census header gives, when the extract's rows name exactly one; else None."""
    codes = {str(c) for r in results.values() if "la_code" in r.data for c in r.data["la_code"].dropna().unique()}
    return codes.pop() if len(codes) == 1 else None


def run(extract: Path, years: list[int], out: Path, la: str | None = None, key: bytes | None = None) -> dict:
    extract = Path(extract)
    if (extract / "la_extracts").is_dir():
        results = read_all(extract, key=key)
    else:
        results = read_extract(extract, la_code=la, year=None, key=key)
        la = la if la is not None else _header_lea(results)  # every row, SSDA903 too, as the help says
    tables = {}
    for name, r in results.items():
        d = r.data.copy()
        if la is not None:
            d["la_code"] = la
        d["la_code"] = d["la_code"].astype(object).where(d["la_code"].notna(), "unknown").astype(str)
        tables[name] = d
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ind = derive_indicators(tables, years)
    ind.to_csv(out / "indicators.csv", index=False)
    if "episodes" in tables and len(tables["episodes"]):
        days = placement_days(longitudinal_episodes(tables["episodes"]), years)
        days.to_csv(out / "placement_days.csv", index=False)
    rec = pd.DataFrame([{"table": t, **r.reconciliation()} for t, r in results.items() if r.files])
    rec.to_csv(out / "reconciliation.csv", index=False)
    issues = [r.issues.assign(table=t) for t, r in results.items() if len(r.issues)]
    (
        pd.concat(issues, ignore_index=True)
        if issues
        else pd.DataFrame(columns=["file", "row", "column", "value", "reason", "action", "table"])
    ).to_csv(out / "issues.csv", index=False)
    for t, r in results.items():
        if len(r.rejected):
            r.rejected.to_csv(out / f"rejected_{t}.csv", index=False)
    return {"indicators": ind, "reconciliation": rec}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m helpers.strands.la_extracts",
        description="Derive DfE children's social care indicators from SSDA903 / CIN census extracts.",
    )
    p.add_argument(
        "--extract",
        required=True,
        help="extract folder (an LA-year folder, the files themselves, or a raw folder with la_extracts/)",
    )
    p.add_argument(
        "--year", required=True, action="append", type=int, help="year ending 31 March (repeat for several years)"
    )
    p.add_argument("--out", required=True, help="folder to write indicators.csv and the data-quality record to")
    p.add_argument(
        "--la",
        default=None,
        help="DfE LA number to label the results with (default: the CIN header's LEA, else 'unknown')",
    )
    args = p.parse_args(argv)
    try:
        res = run(Path(args.extract), args.year, Path(args.out), la=args.la)
    except IngestError as exc:
        print(f"error: {exc}")
        return 2
    rec = res["reconciliation"]
    print(
        f"read {int(rec['rows_read'].sum()) if len(rec) else 0} records from {len(rec)} tables "
        f"({int(rec['rows_rejected'].sum()) if len(rec) else 0} rejected, see issues.csv)"
    )
    print(f"wrote {len(res['indicators'])} indicator values to {Path(args.out) / 'indicators.csv'}")
    return 0
