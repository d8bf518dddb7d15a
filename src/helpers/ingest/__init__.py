"""The ingest framework every strand uses: declared schemas, strict reading, nothing lost silently.

A strand declares each raw file it reads as a :class:`RawFile` (its columns as :class:`Column`) and
each processed table it writes as an :class:`OutputTable`. The same declarations drive validation,
the rejected-rows files, the data-quality section of the report and the data dictionary in ``docs/``,
so the documentation cannot drift from what the code accepts.

Reading a raw file (:func:`read_raw`):

* a file that is missing, cannot be parsed, or lacks a required column stops the run with an
  :class:`IngestError` naming the file and the column;
* every value is checked against its column's type, codes and range. A bad value either rejects the
  whole row or, for columns declared ``on_invalid="set_missing"`` (questionnaire items, where one
  bad tick should not lose a whole form), is blanked; either way it is logged with file, row, column,
  value and reason;
* ``rows read = rows accepted + rows rejected`` always holds and is recorded for the report;
* identifier columns are replaced by keyed pseudonyms before the data leave this module.

Inside a file (see :func:`read_raw`): UTF-8 with or without a byte-order mark is read as such;
a file that is not UTF-8 but is valid Windows-1252 (what Excel often saves) is read as that and the
choice is logged; a declared encoding (``encoding=``, ``FOP_RAW_ENCODING`` or the folder's
``raw_formats.yaml``, see :func:`raw_formats`) is used as declared;
anything else stops naming the file and line. Two headers that differ only in case, or a repeated
header, stop the run naming both columns. Dates follow one convention per file: ISO ``YYYY-MM-DD``
unless the file is declared day-first (``RawFile.dayfirst``, ``FOP_RAW_DAYFIRST`` or ``raw_formats.yaml``); a date such as
``03/04/2015`` in an ISO file is rejected with a reason that says whether the file's slashed dates
look day-first, month-first or cannot be told apart; dates outside the file's plausible window
(``RawFile.date_window``) reject their row. A repeated unique key is a "duplicate" when the rows
are identical and a "conflicting duplicate" (naming the columns that differ) when they are not.
A file that must not be empty (``RawFile.may_be_empty=False``) and holds only its header, or any
file whose every row is rejected, stops the run (:func:`raise_if_all_rejected`).

Between files (see :class:`Link` and :func:`apply_links`): every foreign key is declared with the
schema that holds it. Rows whose key matches nothing in the target file are "unmatched": taken out
of the data, kept in ``unmatched_<key>.csv`` with the reason and reconciled, so that
``rows read = accepted + rejected + unmatched``; each link's match rate is written to
``data_quality/links_<key>.csv``; below a link's ``required_share`` the run stops with one line
(with a hint when the IDs would match but for leading zeros). A link also says which file is
authoritative for an attribute both files hold (such as borough) and what a disagreement does.

Every CSV written here for people to open (:func:`write_csv`) has its text cells neutralised
against spreadsheet formula injection (:func:`neutralise_cells`).

Row numbers in messages are line numbers in the file as a spreadsheet shows them: the header is
row 1, the first data row is row 2.
"""

from __future__ import annotations

from .cells import (
    decode_raw,
    neutralise_cells,
    write_csv,
)
from .links import (
    apply_links,
    raise_for_links,
)
from .read import (
    check_cells,
    ingest,
    raw_formats,
    read_raw,
)
from .record import (
    accepted_rows,
    data_quality_dir,
    nothing_dropped_silently,
    raise_if_all_rejected,
    read_output,
    reject_accepted_rows,
    save_ingest_record,
    write_output,
)
from .schema import (
    DAYFIRST_ENV_VAR,
    DEFAULT_DATE_WINDOW,
    DTYPES,
    ENCODING_ENV_VAR,
    FALLBACK_ENCODING,
    FALSE_TOKENS,
    FORMULA_TRIGGERS,
    ISSUE_COLUMNS,
    LINK_COLUMNS,
    MISSING_TOKENS,
    RAW_FORMATS_FILE,
    RECONCILIATION_COLUMNS,
    SYNTHETIC_MANIFEST,
    TRUE_TOKENS,
    Column,
    Field,
    IngestError,
    IngestResult,
    Link,
    LinkError,
    OutputTable,
    RawFile,
    file_sha256,
    is_synthetic,
)

__all__ = [
    "DTYPES",
    "SYNTHETIC_MANIFEST",
    "MISSING_TOKENS",
    "TRUE_TOKENS",
    "FALSE_TOKENS",
    "ENCODING_ENV_VAR",
    "DAYFIRST_ENV_VAR",
    "RAW_FORMATS_FILE",
    "DEFAULT_DATE_WINDOW",
    "FALLBACK_ENCODING",
    "FORMULA_TRIGGERS",
    "IngestError",
    "LinkError",
    "Column",
    "Link",
    "RawFile",
    "Field",
    "OutputTable",
    "IngestResult",
    "RECONCILIATION_COLUMNS",
    "ISSUE_COLUMNS",
    "LINK_COLUMNS",
    "file_sha256",
    "is_synthetic",
    "neutralise_cells",
    "write_csv",
    "decode_raw",
    "raw_formats",
    "read_raw",
    "check_cells",
    "data_quality_dir",
    "save_ingest_record",
    "ingest",
    "raise_if_all_rejected",
    "apply_links",
    "raise_for_links",
    "nothing_dropped_silently",
    "write_output",
    "read_output",
    "accepted_rows",
    "reject_accepted_rows",
]
