"""Tables as HTML, after disclosure control."""

from __future__ import annotations

import pandas as pd

from ..config import DEFAULT_SUPPRESSION_THRESHOLD
from ..disclosure import SUPPRESSED, count_like_columns, suppress_table
from ..formatting import MISSING, fmt, infer_kind, is_missing
from ..report_section import column_label, format_number
from .markup import esc

#: A body table with more rows than this goes to the technical appendix (the body points to it).
BODY_TABLE_MAX_ROWS = 20


def _is_bool_like(series: pd.Series) -> bool:
    values = series.dropna()
    if pd.api.types.is_bool_dtype(series):
        return True
    return len(values) > 0 and values.map(lambda v: isinstance(v, bool) or str(v) in ("True", "False")).all()


def _format_number(v, decimals: int) -> str:
    """A table cell or key figure with ``decimals`` places, by the one formatter
    (:func:`helpers.report_section.format_number`: no "-0.00", a value that rounds to zero is zero)."""
    return format_number(v, f"{{:,.{decimals}f}}")


def _column_kinds(table: pd.DataFrame, counts, declared: dict | None = None) -> dict:
    """How each column is written: "bool" (Yes/No), "text", or a kind of :func:`helpers.formatting.fmt`.

    A kind the table declares wins; otherwise it is inferred from the column's name and values
    (:func:`helpers.formatting.infer_kind`: years, ranks, p-values, counts), a column stored as
    integers is a count, and any other number is a general number with the table's decimals.
    """
    kinds = {}
    for c in table.columns:
        col = table[c]
        if declared and c in declared:
            kinds[c] = declared[c]
        elif _is_bool_like(col):
            kinds[c] = "bool"
        elif pd.api.types.is_numeric_dtype(col):
            inferred = infer_kind(c, col.tolist(), counts)
            if inferred is None and pd.api.types.is_integer_dtype(col):
                inferred = "count"
            kinds[c] = inferred or "number"
        else:
            kinds[c] = "text"
    return kinds


def _cell(v, kind: str, decimals: int) -> str:
    """One cell as the reader sees it ("–" when missing, a suppressed "c" unchanged, the unit in the
    header, not the cell)."""
    if isinstance(v, str) and v == SUPPRESSED:
        return v
    if kind == "bool":
        return MISSING if is_missing(v) else {"True": "Yes", "False": "No"}.get(str(v), str(v))
    if kind == "text" or isinstance(v, (str, bool)):
        return MISSING if is_missing(v) else str(v)
    return fmt(v, kind, decimals=decimals if kind in ("number", "percent", "pp", "rate") else None, unit=False)


def should_transpose(table: pd.DataFrame) -> bool:
    """A table of many columns and few rows (more than 8 columns, over twice as many as rows) reads
    better turned on its side: a measure a row, a group a column."""
    return len(table.columns) > 8 and len(table.columns) > 2 * len(table)


def _grid(labels: list[str], aligns: list[str], cells: list[list[str]]) -> dict:
    """Header, alignment of each column and rows (each row: [(text, align, header)]), as given."""
    rows = [[(v, a, h) for v, a, h in zip(row, aligns, labels, strict=True)] for row in cells]
    return {"head": list(zip(labels, aligns, strict=True)), "rows": rows, "row_headers": False}


def _transposed(labels: list[str], aligns: list[str], cells: list[list[str]]) -> dict:
    """The table on its side: the first column's values head the columns; each other column is a
    row, headed by its label."""
    first = [row[0] for row in cells]
    heads = [f"{labels[0]} {v}" if aligns[0] == "num" else v for v in first]
    rows = [
        [(labels[j], "txt", labels[0])] + [(row[j], aligns[j], h) for row, h in zip(cells, heads, strict=True)]
        for j in range(1, len(labels))
    ]
    return {"head": [("Measure", "txt")] + [(h, "num") for h in heads], "rows": rows, "row_headers": True}


def _table_element(grid: dict, caption: str, table_id: str, wide: bool, stack: bool) -> str:
    head = "".join(f'<th scope="col" class="{a}">{esc(h)}</th>' for h, a in grid["head"])
    body = []
    for row in grid["rows"]:
        cells = []
        for i, (v, a, h) in enumerate(row):
            label = f' data-label="{esc(h)}"' if stack else ""
            if i == 0 and grid["row_headers"]:
                cells.append(f'<th scope="row" class="{a}">{esc(v)}</th>')
            else:
                cells.append(f'<td class="{a}"{label}>{esc(v)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap_id = f"{table_id}-caption"
    cap = f'<caption id="{cap_id}">{esc(caption)}</caption>' if caption else ""
    label_attr = f'aria-labelledby="{cap_id}"' if caption else 'aria-label="Table"'
    wrap_class = "fop-table-wrap" + (" fop-wide" if wide else "")
    table_class = "fop-table" + (" fop-stack" if stack and len(grid["head"]) > 2 else "")
    return (
        f'<div class="{wrap_class}" role="region" {label_attr} tabindex="0">'
        f'<table class="{table_class}" id="{table_id}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def table_html(
    table: pd.DataFrame,
    caption: str = "",
    count_columns=(),
    dependent_columns: dict | None = None,
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
    decimals: int = 2,
    note: str | None = None,
    suppress: bool = True,
    totals: dict | None = None,
    row_margins: list | None = None,
    extra_suppressed=(),
    labels: dict | None = None,
    table_id: str = "table",
    column_kinds: dict | None = None,
    wide: bool = False,
    stack: bool = False,
    transpose: bool | None = None,
    not_counts=(),
) -> str:
    """A table as HTML, after disclosure control (declared count columns and any named like one).

    Headers are human (``labels``, then the project's :data:`~helpers.report_section.COLUMN_LABELS`,
    then humanised names); the caption is a real ``<caption>``; numbers are right-aligned with the
    same decimals down a column; booleans read Yes/No; the "c" note appears only when a "c" does.
    The table sits in a focusable scroll container, so a wide table scrolls inside it on a phone.
    ``suppress=False`` is for tables that count records, not people; the note must then say so.
    ``column_kinds`` ({column: kind of :func:`helpers.formatting.fmt`}) overrides the inferred kinds
    (a year is never "2,013", a count never "522.00", a rank never "49.000").
    ``stack=True`` lays each row out as a card on a phone (every cell with its header), so a key
    table never scrolls sideways there; ``wide=True`` declares a table that may scroll sideways even on
    a desktop (the browser test allows it). ``transpose`` shows the columns as rows (by default, for
    a stacked table much wider than it is long: :func:`should_transpose`). ``not_counts``: columns
    declared as counting things (or labels, or published statistics), never taken for counts of people
    by their name.
    """
    if suppress:
        named = [c for c in count_like_columns(table) if c not in not_counts]
        counts = list(dict.fromkeys([*count_columns, *named]))
        shown = suppress_table(
            table,
            counts,
            dependent_columns or {},
            threshold=threshold,
            totals=totals,
            row_margins=row_margins,
            extra=extra_suppressed,
        )
    else:
        counts = []
        shown = table.astype(object)

    kinds = _column_kinds(table, counts, column_kinds)
    align = {c: "txt" if kinds[c] in ("text", "bool") else "num" for c in table.columns}
    cells = [
        [_cell(v, kinds[c], decimals) for v, c in zip(row, table.columns, strict=True)]
        for row in shown.itertuples(index=False)
    ]
    has_c = any(v == SUPPRESSED for row in cells for v in row)
    labels_shown = [column_label(c, labels) for c in table.columns]
    aligns = [align[c] for c in table.columns]
    if transpose is None:
        transpose = stack and should_transpose(table)
    grid = _transposed(labels_shown, aligns, cells) if transpose else _grid(labels_shown, aligns, cells)
    parts = [_table_element(grid, caption, table_id, wide, stack)]
    if len(grid["head"]) > 3 and not stack:
        parts.append('<p class="fop-scroll-hint">Wide table: scroll sideways inside it to see every column.</p>')
    notes = []
    if has_c:
        notes.append(
            f'"c": a count from 1 to {threshold} (or a figure derived from one), suppressed to protect privacy.'
        )
    if note:
        notes.append(note)
    if notes:
        parts.append(f'<p class="fop-note">{esc(" ".join(notes))}</p>')
    return "\n".join(parts)
