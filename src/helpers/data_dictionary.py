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
from .ingest import DEFAULT_DATE_WINDOW, ISSUE_COLUMNS, MISSING_TOKENS, Field, OutputTable, RawFile

#: Modules under `helpers` whose RAW_FILES / OUTPUTS are documented, in the order of the dictionary
#: (a strand package as "strands.<strand>"; its heading uses the last part of the name).
STRAND_MODULES = (
    "roster",
    "strands.implementation",
    "strands.scenarios",
    "strands.interviews",
    "strands.networks",
    "strands.score15",
    "public_data",
    "strands.outcomes",
    "strands.la_extracts",
    "strands.workforce",
    "strands.time_use",
)

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
            Field(
                "values_set_to_missing",
                "integer",
                "Single values outside their scale, blanked instead of rejecting the row (questionnaire items).",
            ),
            Field(
                "ignored_columns",
                "string",
                "Columns in the file that no schema declares (;-separated); they are not read.",
            ),
            Field("synthetic", "boolean", "True when the file is byte-for-byte one the synthetic generator wrote."),
            Field("sha256", "string", "SHA-256 of the file as read."),
            Field(
                "rows_unmatched",
                "integer",
                "Accepted rows set aside by a link to another file (rows_read = rows_accepted + rows_rejected + rows_unmatched).",
            ),
            Field("encoding", "string", "Encoding the file was read in (utf-8, or cp1252 = Windows-1252)."),
        ),
    ),
    OutputTable(
        key="links",
        filename="data_quality/links_<raw file key>.csv",
        strand="data quality",
        description="One row per declared link from a raw file to another (a foreign key): the match rate shown in the report.",
        fields=(
            Field("link", "string", "file:column -> target file:column."),
            Field("file", "string", "Raw file holding the reference."),
            Field("target", "string", "Raw file referred to."),
            Field("rows_checked", "integer", "Accepted rows with a value in the link's columns."),
            Field("rows_matched", "integer", "Rows whose key is an accepted row of the target."),
            Field("rows_unmatched", "integer", "Rows whose key is not (rows_checked = rows_matched + rows_unmatched)."),
            Field("rows_without_key", "integer", "Rows with a blank key (allowed only where the column may be blank)."),
            Field("match_rate", "number", "rows_matched / rows_checked."),
            Field("required_share", "number", "Below this match rate the run stops."),
            Field(
                "values_disagreeing",
                "integer",
                "Matched rows whose shared attribute (e.g. borough) differs from the authoritative file's.",
            ),
            Field("authority", "string", "Shared attribute: the file authoritative for it."),
            Field("on_unmatched", "string", "'reject' (set aside as unmatched) or 'keep' (kept and logged)."),
            Field(
                "hint",
                "string",
                "Why the rows may not match, when it can be told (e.g. leading zeros lost in one file).",
            ),
        ),
    ),
    OutputTable(
        key="unmatched",
        filename="data_quality/unmatched_<raw file key>.csv",
        strand="data quality",
        description="The rows set aside by links, as accepted (identifiers pseudonymised), after three leading columns.",
        fields=(
            Field("file", "string", "Raw file name."),
            Field("row", "integer", "Row number (header = row 1)."),
            Field(
                "reasons",
                "string",
                "'columns: no row of <target> has this <key>', or the shared attribute that differed.",
            ),
            Field("<the raw file's columns>", "string", "The row's values."),
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
                strict=False,
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
        lines += [f"Unique key: {', '.join(f'`{k}`' for k in schema.unique_key)} (a later duplicate is rejected).", ""]
    if not schema.may_be_empty:
        lines += ["Required: a file with only its header stops the run.", ""]
    for link in schema.links:
        lines += [f"Link: {link.summary()}", ""]
    if schema.date_window != DEFAULT_DATE_WINDOW and any(c.dtype == "date" for c in schema.columns):
        lines += [
            f"Plausible dates: {schema.date_window[0]} to {schema.date_window[1]} (a date outside rejects the row).",
            "",
        ]
    lines += [
        "",
        "| column | type | required column | blank allowed | codes / range | if invalid | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in schema.columns:
        invalid = "value set to missing" if (c.on_invalid == "set_missing" and c.nullable) else "row rejected"
        meaning = c.description + (
            " **Pseudonymised at ingest** (keyed hash, prefix `" + c.identifier_prefix + "`)."
            if c.is_identifier
            else ""
        )
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
        "- CSV, UTF-8 (a byte-order mark is accepted), comma-separated, one header row. A file that is not UTF-8 but is "
        "Windows-1252 (as Excel saves) is read as Windows-1252 and logged; an encoding is declared in `raw_formats.yaml` "
        "beside the data (below) or with `FOP_RAW_ENCODING` for a run; "
        "any other bytes stop the run naming the file and line. Column names are matched "
        "ignoring case and surrounding spaces; extra columns are ignored and listed in the reconciliation; two columns whose "
        "names differ only in case (or a repeated name) stop the run naming both.",
        f"- Blank values: {tokens} (case-insensitive) all mean 'no value'.",
        "- Codes are matched ignoring case and surrounding spaces. Dates are ISO `YYYY-MM-DD` unless a column says otherwise; "
        "a file declared day-first (in `raw_formats.yaml`, or `FOP_RAW_DAYFIRST=<file names>`) may use DD/MM/YYYY. A date "
        "such as 03/04/2015 in an ISO file rejects its row (day and month cannot be told apart), as does a date outside the "
        "file's plausible window.",
        "- `raw_formats.yaml` (optional, in the raw folder beside the files) declares how the export was written: "
        "`encoding:` maps a file name (or `all`) to an encoding Python knows (e.g. `cp1252`), and `dayfirst:` lists the "
        "files (or `all`) whose dates are DD/MM/YYYY. Nothing else may be declared; a malformed entry stops the run naming "
        "the file and the entry. The environment variables win over it, and a change to either reruns the notebooks "
        "reading raw files.",
        "- A repeated unique key rejects the later row: 'duplicate' when the rows are identical, 'conflicting duplicate' "
        "(naming the columns that differ) when not. A file listed as required below that holds only its header stops the run, "
        "and so does any file whose every row is rejected (its format, not its data, is wrong).",
        "- Links between files (listed under each file) are checked after reading: a row whose key matches no accepted row "
        "of the file it refers to is set aside as unmatched (`data_quality/unmatched_<key>.csv`), so rows read = accepted + "
        "rejected + unmatched; each link's match rate is in `data_quality/links_<key>.csv`, and a link matching below its "
        "required share stops the run.",
        "- A missing file, an unreadable file, or a missing required column stops the run with a message naming the file and column.",
        "- A bad value rejects its row (or, where the table says so, is set to missing); every such case is written to "
        "`data_quality/issues_<key>.csv` with file, row, column, value and reason, and rejected rows to `rejected_<key>.csv`.",
        "- Identifier columns are replaced by keyed pseudonyms (HMAC-SHA256, key outside git) before anything is written.",
        "- Processed outputs are written under `data/processed/<scope>/`, where scope is `all` or a borough slug.",
        "- Every CSV written for people to open (processed outputs, rejected rows, issues, reconciliations) is safe in a "
        "spreadsheet: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading "
        "apostrophe (`'=HYPERLINK(...)`), so it shows as text and never runs as a formula. Numbers are never changed: "
        "numeric columns, and text cells that are plain numbers such as `-3`, stay as they are.",
        "",
    ]
    for name in STRAND_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        title = (module.__doc__ or name).strip().splitlines()[0]
        out += [f"## {name.rsplit('.', 1)[-1]}: {title}", ""]
        raw = getattr(module, "RAW_FILES", ())
        if raw:
            out += [f"Raw inputs ({getattr(module, 'RAW_LOCATION', 'in `raw_dir`')}):", ""]
            out += [raw_file_markdown(s) for s in raw]
        extra = getattr(module, "DATA_DICTIONARY_MARKDOWN", "")  # a format that is not a CSV (e.g. .qdpx)
        if extra:
            out += [extra]
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
