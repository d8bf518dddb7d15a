"""Writes ``docs/data_dictionary.md`` from the schemas the code enforces.

Every raw input (``RAW_FILES``) and processed output (``OUTPUTS``) of every strand module is declared
once, in the module that reads or writes it; this script renders those declarations, so the
dictionary cannot say something the readers do not do. ``tests/test_data_dictionary.py`` fails when
the committed file is out of date: run ``python -m helpers.data_dictionary`` (``make docs``).
"""
from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from .config import DOCS_DIR
from .ingest import ISSUE_COLUMNS, MISSING_TOKENS, Field, OutputTable, RawFile

#: Modules whose RAW_FILES / OUTPUTS are documented, in the order of the dictionary.
STRAND_MODULES = ("roster", "scenarios", "networks", "score15", "strands.la_extracts")

DATA_QUALITY_OUTPUTS = (
    OutputTable(
        key="reconciliation",
        filename="data_quality/reconciliation_<raw file key>.csv",
        strand="data quality",
        description="One row per raw file read: the reconciliation shown in the report's data-quality section.",
        fields=(
            Field("file", "string", "Raw file name."),
            Field("strand", "string", "Strand that reads it."),
            Field("rows_read", "integer", "Data rows in the file (header excluded)."),
            Field("rows_accepted", "integer", "Rows that passed every check."),
            Field("rows_rejected", "integer", "Rows rejected (rows_read = rows_accepted + rows_rejected)."),
            Field("values_set_to_missing", "integer", "Single values outside their scale, blanked instead of rejecting the row (questionnaire items)."),
            Field("ignored_columns", "string", "Columns in the file that no schema declares (;-separated); they are not read."),
            Field("synthetic", "boolean", "True when the file is byte-for-byte one the synthetic generator wrote."),
            Field("sha256", "string", "SHA-256 of the file as read."),
        ),
    ),
    OutputTable(
        key="issues",
        filename="data_quality/issues_<raw file key>.csv",
        strand="data quality",
        description="One row per problem found in a raw file (identifier values pseudonymised).",
        fields=tuple(
            Field(name, "string" if name != "row" else "integer", desc)
            for name, desc in zip(
                ISSUE_COLUMNS,
                (
                    "Raw file name.",
                    "Row number as a spreadsheet shows it (header = row 1).",
                    "Column with the problem (key columns joined by + for duplicates).",
                    "The value found.",
                    "Why it was not accepted.",
                    "'row rejected' or 'value set to missing'.",
                ),
            )
        ),
    ),
    OutputTable(
        key="rejected",
        filename="data_quality/rejected_<raw file key>.csv",
        strand="data quality",
        description="The rejected rows themselves, as read (identifiers pseudonymised), after three leading columns.",
        fields=(
            Field("file", "string", "Raw file name."),
            Field("row", "integer", "Row number (header = row 1)."),
            Field("reasons", "string", "Every reason the row was rejected, '; '-separated, each as 'column: reason'."),
            Field("<the raw file's columns>", "string", "The row's values as text."),
        ),
    ),
)


def _codes(col) -> str:
    if col.codes:
        return "; ".join(f"`{k}` {v}" if v != k else f"`{k}`" for k, v in col.codes.items())
    parts = []
    if col.minimum is not None:
        parts.append(f"≥ {col.minimum:g}")
    if col.maximum is not None:
        parts.append(f"≤ {col.maximum:g}")
    if col.dtype == "date":
        parts.append(col.date_format.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD"))
    if col.dtype == "boolean":
        parts.append("yes/no (also y/n, true/false, 1/0)")
    return ", ".join(parts)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def raw_file_markdown(schema: RawFile) -> str:
    lines = [f"### `{schema.filename}`", "", schema.description, ""]
    if schema.unique_key:
        lines.append(f"Unique key: {', '.join(f'`{k}`' for k in schema.unique_key)} (a later duplicate is rejected).")
    lines += ["", "| column | type | required column | blank allowed | codes / range | if invalid | meaning |", "|---|---|---|---|---|---|---|"]
    for c in schema.columns:
        invalid = "value set to missing" if (c.on_invalid == "set_missing" and c.nullable) else "row rejected"
        meaning = c.description + (" **Pseudonymised at ingest** (keyed hash, prefix `" + c.identifier_prefix + "`)." if c.is_identifier else "")
        lines.append(
            f"| `{c.name}` | {c.dtype} | {'yes' if c.required else 'no'} | {'yes' if c.nullable else 'no'} | "
            f"{_cell(_codes(c))} | {invalid} | {_cell(meaning)} |"
        )
    return "\n".join(lines) + "\n"


def output_markdown(spec: OutputTable) -> str:
    lines = [f"### `{spec.filename}`", "", spec.description, "", "| column | type | meaning |", "|---|---|---|"]
    for f in spec.fields:
        lines.append(f"| `{f.name}` | {f.dtype} | {_cell(f.description)} |")
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole data dictionary as Markdown."""
    tokens = ", ".join(f"`{t}`" if t else "empty" for t in sorted(MISSING_TOKENS))
    out = [
        "# Data dictionary",
        "",
        "Generated by `python -m helpers.data_dictionary` from the schemas the readers enforce; do not edit by hand.",
        "",
        "## Conventions for every raw file",
        "",
        "- CSV, UTF-8 (a byte-order mark is accepted), comma-separated, one header row. Column names are matched "
        "ignoring case and surrounding spaces; extra columns are ignored and listed in the reconciliation.",
        f"- Blank values: {tokens} (case-insensitive) all mean 'no value'.",
        "- Codes are matched ignoring case and surrounding spaces. Dates are ISO `YYYY-MM-DD` unless a column says otherwise.",
        "- A missing file, an unreadable file, or a missing required column stops the run with a message naming the file and column.",
        "- A bad value rejects its row (or, where the table says so, is set to missing); every such case is written to "
        "`data_quality/issues_<key>.csv` with file, row, column, value and reason, and rejected rows to `rejected_<key>.csv`.",
        "- Identifier columns are replaced by keyed pseudonyms (HMAC-SHA256, key outside git) before anything is written.",
        "- Processed outputs are written under `data/processed/<scope>/`, where scope is `all` or a borough slug.",
        "",
    ]
    for name in STRAND_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        title = (module.__doc__ or name).strip().splitlines()[0]
        out += [f"## {name}: {title}", ""]
        raw = getattr(module, "RAW_FILES", ())
        if raw:
            out += ["Raw inputs (in `raw_dir`):", ""]
            out += [raw_file_markdown(s) for s in raw]
        outputs = getattr(module, "OUTPUTS", ())
        if outputs:
            out += ["Processed outputs (in `data/processed/<scope>/`):", ""]
            out += [output_markdown(s) for s in outputs]
    out += ["## Data quality records (every strand)", ""]
    out += [output_markdown(s) for s in DATA_QUALITY_OUTPUTS]
    out += [
        "## Report sections",
        "",
        "Each strand notebook saves its section to `report_sections/<order>_<strand>/`: `section.json` (title, order, "
        "whether any input was synthetic, and the items in reading order: Markdown text; tables with the columns that "
        "count people, suppressed by the report; figures with alt text), the tables as CSV and the figures as PNG. "
        "The report notebook reads only these.",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.data_dictionary", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DOCS_DIR / "data_dictionary.md"))
    args = parser.parse_args(argv)
    Path(args.out).write_text(render(), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
