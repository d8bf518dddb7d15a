"""The data-quality section: every raw file reconciled, the links between files, the problems found."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..formatting import fmt, plural
from ..ingest import LINK_COLUMNS, data_quality_dir, nothing_dropped_silently
from ..report_section import join_words
from .glossary import link_glossary
from .header import heading_html, synthetic_inputs
from .markup import esc
from .tables import BODY_TABLE_MAX_ROWS, table_html


def data_quality_tables(processed_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reconciliation per file, issues counted by file/column/reason/action)."""
    rec = synthetic_inputs(processed_dir)
    rec = (
        rec.drop(columns=["sha256", "strand"], errors="ignore").drop_duplicates("file")
        if len(rec)
        else rec.drop(columns=["sha256", "strand"], errors="ignore")
    )
    issue_files = sorted(data_quality_dir(processed_dir).glob("issues_*.csv"))
    issues = (
        pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in issue_files], ignore_index=True)
        if issue_files
        else pd.DataFrame(columns=["file", "row", "column", "value", "reason", "action"])
    )
    # Reasons are summarised without the values themselves: a value may be an answer or a date.
    reason = issues["reason"].str.replace(r"duplicate of row \d+", "duplicate of an earlier row", regex=True)
    summary = (
        issues.assign(reason=reason).groupby(["file", "column", "reason", "action"]).size().reset_index(name="records")
        if len(issues)
        else pd.DataFrame(columns=["file", "column", "reason", "action", "records"])
    )
    return rec, summary


def link_records(processed_dir: Path) -> pd.DataFrame:
    """One row per declared link between raw files checked for this scope (``links_*.csv``)."""
    files = sorted(data_quality_dir(processed_dir).glob("links_*.csv"))
    if not files:
        return pd.DataFrame(columns=LINK_COLUMNS)
    links = pd.concat([pd.read_csv(f, keep_default_na=False) for f in files], ignore_index=True)
    return links.drop_duplicates("link", keep="last").reset_index(drop=True)


def links_html(links: pd.DataFrame, number: int) -> str:
    """The table of links between files: rows checked, matched and unmatched, and the match rate."""
    if not len(links):
        return ""
    t = links.copy()
    for c in ("rows_checked", "rows_matched", "rows_unmatched", "values_disagreeing"):
        t[c] = pd.to_numeric(t[c], errors="coerce").fillna(0).astype(int)
    rate = pd.to_numeric(t["match_rate"], errors="coerce")
    t["match_rate"] = [("–" if pd.isna(r) else f"{r:.1%}") for r in rate]
    t["required"] = [f"{float(r):.0%}" if str(r) not in ("", "nan") and float(r) else "–" for r in t["required_share"]]
    t["if unmatched"] = (
        t["on_unmatched"].map({"reject": "row set aside as unmatched", "keep": "row kept, logged"}).fillna("")
    )
    shown = t[
        [
            "link",
            "rows_checked",
            "rows_matched",
            "rows_unmatched",
            "match_rate",
            "required",
            "if unmatched",
            "values_disagreeing",
            "authority",
        ]
    ].rename(columns={"values_disagreeing": "shared values that differed", "authority": "authoritative file"})
    out = table_html(
        shown,
        "Links between files: rows checked = matched + unmatched, per link",
        suppress=False,
        note="These count data records, not people, so they are not suppressed. Each unmatched row "
        "and each differing shared value is listed in the data-quality files.",
        table_id=f"s{number}-links",
    )
    hints = [h for h in t["hint"].astype(str) if h and h != "nan"]
    if hints:
        out += '<p class="fop-note">' + esc(" ".join(hints)) + "</p>"
    return out


#: The ledger of LA extract returns (helpers.strands.la_extracts): every return read, and its fate.
RETURNS_FILE = "la_extract_returns.csv"
_RETURN_COLUMNS = {
    "folder": "Folder or file",
    "return": "Return",
    "la_code": "LA",
    "header_lea": "LEA in the CIN header",
    "year": "Year ending 31 March",
    "records": "Records read",
    "status": "What happened",
}


def extract_returns(processed_dir: Path) -> pd.DataFrame:
    """Every LA extract return read for this scope, and what happened to it (empty when none)."""
    path = data_quality_dir(processed_dir) / RETURNS_FILE
    if not path.exists():
        return pd.DataFrame(columns=list(_RETURN_COLUMNS))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def returns_html(processed_dir: Path, number: int, appendix: bool = False) -> str:
    """The LA extract returns read, in a sentence and a table of what happened to each (records are
    data records, not people: not suppressed). The table is in the body unless it is long, then in the
    technical appendix (``appendix=True`` renders it there)."""
    led = extract_returns(processed_dir)
    if not len(led):
        return ""
    long = len(led) > BODY_TABLE_MAX_ROWS
    shown = led.assign(
        records=[f"{fmt(int(r), 'count')} {k}" for r, k in zip(led["records"], led["record_kind"], strict=True)]
    )
    table = table_html(
        shown[list(_RETURN_COLUMNS)],
        "LA extract returns read, and what happened to each",
        suppress=False,
        labels=_RETURN_COLUMNS,
        note="Records, not people, so they are not suppressed. 'Outside this report's scope': a return of "
        "another authority, read and left out of this report's figures.",
        table_id=f"s{number}-returns",
    )
    if appendix:
        return table if long else ""
    fates = led["fate"].value_counts()
    said = join_words(
        f"{fmt(int(fates[f]), 'count')} {words}"
        for f, words in (("used", "used"), ("outside", "outside this report's scope"), ("not used", "not used"))
        if f in fates
    )
    returns = plural(len(led), "return")
    text = f"<p>{esc(f'LA extract returns: {returns} read: {said}.')}</p>"
    if long:
        return (
            text + f'<p class="fop-more">Each is listed in the <a href="#s{number}-returns">technical appendix</a>.</p>'
        )
    return text + table


def _totals(rec: pd.DataFrame) -> dict:
    keys = ("rows_read", "rows_accepted", "rows_rejected", "values_set_to_missing")
    return {k: int(pd.to_numeric(rec[k]).sum()) for k in keys} if len(rec) else {}


def _cleared_sentence(rec: pd.DataFrame, total: int) -> str:
    """The single values set to missing (an answer outside its scale, a date outside the plausible
    range), with the files they were in, so an authority's report does not speak of questionnaires
    it never read; nothing when there were none."""
    if not total:
        return ""
    per_file = pd.to_numeric(rec["values_set_to_missing"]).groupby(rec["file"].astype(str)).sum()
    where = join_words(f"{fmt(int(n), 'count')} in {f}" for f, n in per_file.items() if n > 0)
    return (
        f"A further {plural(total, 'single value')} ({where}) {'was' if total == 1 else 'were'} outside the "
        "values the format allows and treated as missing rather than rejecting the whole row. "
    )


def data_quality_html(processed_dir: Path, number: int) -> tuple[str, dict]:
    """The data-quality section of the report's body: what was read and whether anything was lost,
    in words; the tables behind it are in the technical appendix (:func:`data_quality_appendix_html`).
    Returns the HTML and the totals (rows read, accepted, rejected, values set to missing)."""
    rec, _ = data_quality_tables(processed_dir)
    totals = _totals(rec)
    parts = [heading_html(number, "Data quality")]
    if not len(rec):
        parts.append("<p>No raw file was ingested for this report.</p>")
        return f'<section aria-labelledby="section-{number}">' + "".join(parts) + "</section>", totals
    # The "nothing dropped silently" sentence is computed from the counts (helpers.ingest), never written.
    _, accounted = nothing_dropped_silently(rec, link_records(processed_dir))
    parts.append(
        "<p>"
        + esc(
            "Every raw file was checked against its documented format (see the data dictionary). "
            f"Across {plural(len(rec), 'file')}, {plural(totals['rows_read'], 'row')} "
            f"{'was' if totals['rows_read'] == 1 else 'were'} read. "
            f"{_cleared_sentence(rec, totals['values_set_to_missing'])}{accounted}"
        )
        + "</p>"
        + returns_html(processed_dir, number)
        + f'<p class="fop-more">The reconciliation of every file, the links between files and the problems found '
        f'are in the <a href="#appendix-{number}">technical appendix</a>.</p>'
    )
    return f'<section aria-labelledby="section-{number}">' + link_glossary("".join(parts)) + "</section>", totals


def _reconciliation_table(rec: pd.DataFrame, number: int) -> str:
    unmatched = ["rows_unmatched"] if "rows_unmatched" in rec.columns else []
    cols = [
        c
        for c in [
            "file",
            "rows_read",
            "rows_accepted",
            "rows_rejected",
            *unmatched,
            "values_set_to_missing",
            "synthetic",
        ]
        if c in rec.columns
    ]
    shown = rec[cols].copy()
    if "synthetic" in shown:
        shown["synthetic"] = shown["synthetic"].astype(str).str.lower().isin(["true", "1"])
    for c in cols[1:-1]:
        shown[c] = pd.to_numeric(shown[c], errors="coerce").fillna(0).astype(int)
    return table_html(
        shown,
        "Reconciliation: rows read = rows accepted + rows rejected"
        + (" + rows unmatched" if unmatched else "")
        + ", per file",
        suppress=False,
        note="These count data records, not people, so they are not suppressed.",
        table_id=f"s{number}-reconciliation",
    )


def data_quality_appendix_html(processed_dir: Path, number: int) -> str:
    """The data-quality tables for the technical appendix: every file reconciled, the links between
    files, and the problems found by file, column and reason."""
    rec, summary = data_quality_tables(processed_dir)
    if not len(rec):
        return ""
    parts = [
        _reconciliation_table(rec, number),
        returns_html(processed_dir, number, appendix=True),
        links_html(link_records(processed_dir), number),
    ]
    if len(summary):
        parts.append(
            table_html(
                summary,
                "Problems found, by file, column and reason",
                suppress=False,
                note="Records, not people. Values are not shown.",
                table_id=f"s{number}-problems",
            )
        )
    else:
        parts.append("<p>No problem was found in any row.</p>")
    return (
        f'<section aria-labelledby="appendix-{number}"><h2 id="appendix-{number}">Technical detail: {number}. '
        "Data quality</h2>"
        + link_glossary("".join(parts))
        + f'<p class="fop-more"><a href="#section-{number}">Back to section {number} of the report</a></p></section>'
    )


def display_data_quality(processed_dir: Path, number: int) -> dict:
    """Display the data-quality section of the body; returns the totals (read, accepted, rejected).
    Its tables are shown in the technical appendix (:func:`helpers.report.display_appendix`)."""
    from IPython.display import HTML, display

    text, totals = data_quality_html(processed_dir, number)
    display(HTML(text))
    return totals
