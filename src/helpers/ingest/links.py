"""Between files: every declared foreign key (:class:`Link`) checked, unmatched rows taken out and kept."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .cells import _variant_key
from .record import save_ingest_record
from .schema import ISSUE_COLUMNS, IngestResult, Link, LinkError

# --------------------------------------------------------------------------------------------------
# Between files


def _target_frame(target) -> tuple[pd.DataFrame, dict]:
    if isinstance(target, IngestResult):
        return target.accepted(), target.id_variants
    return target, {}


def _as_text(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return str(v)


def _padding_hint(
    link: Link, src: pd.DataFrame, unmatched: pd.Series, src_var: dict, tgt: pd.DataFrame, tgt_var: dict
) -> tuple[str, int]:
    """How many unmatched rows would match if leading zeros of numeric IDs were ignored."""
    if not unmatched.any():
        return "", 0

    def var(df, variants, cols):
        parts = []
        for c in cols:
            m = variants.get(c)
            parts.append(df[c].map(lambda v, m=m: m.get(v, v) if m else _variant_key(v) if isinstance(v, str) else v))
        return pd.Series(list(zip(*parts, strict=True)), index=df.index) if parts else pd.Series([], dtype=object)

    tgt_keys = set(var(tgt, tgt_var, link.target_columns))
    near = var(src[unmatched], src_var, link.columns).isin(tgt_keys)
    n = int(near.sum())
    if not n:
        return "", 0
    return (
        f"{n} of the unmatched rows would match if leading zeros were ignored: one of the two files has lost "
        f"the zeros at the start of its IDs (a spreadsheet does this when it reads IDs as numbers); export the "
        f"IDs as text"
    ), n


def _target_hint(link: Link, src: pd.DataFrame, unmatched: pd.Series, target) -> str:
    """Why rows may not match: the target has no rows, or the rows they refer to were rejected there."""
    if not unmatched.any() or not isinstance(target, IngestResult):
        return ""
    name = link.target.filename
    if target.rows_accepted == 0:
        return f"{name} has no accepted rows ({target.rows_read} read, {target.rows_rejected} rejected: see its issues file)"
    if not len(target.rejected):
        return ""
    cols, tcols = list(link.columns), list(link.target_columns)
    rejected_keys = set(map(tuple, target.rejected[tcols].astype(str).to_numpy().tolist()))
    mine = pd.Series(list(map(tuple, src.loc[unmatched, cols].map(_as_text).to_numpy().tolist())), dtype=object)
    n = int(mine.isin(rejected_keys).sum())
    if not n:
        return ""
    return f"{n} of the unmatched rows refer to rows of {name} that were themselves rejected (see its issues file)"


def apply_links(result: IngestResult, targets: Mapping, processed_dir: Path | None = None) -> list[dict]:
    """Check ``result`` against every declared link whose target is in ``targets``.

    ``targets`` maps a :class:`RawFile` key to the target's :class:`IngestResult` (its accepted rows,
    every borough, are the keys that exist) or to a DataFrame of them. Unmatched rows are moved
    from ``result.data`` to ``result.unmatched`` (``on_unmatched="reject"``) and logged; shared
    attributes are reconciled by the link's authority rule; one record per link is kept in
    ``result.links``. With ``processed_dir`` the file's data-quality record is rewritten and the run
    stops (:class:`LinkError`) when a link matches below its required share.
    """
    schema = result.schema
    for link in schema.links:
        if link.target.key not in targets:
            continue
        tgt, tgt_var = _target_frame(targets[link.target.key])
        data = result.accepted()
        rows = result.source_rows if result.source_rows is not None and len(result.source_rows) == len(data) else None
        cols, tcols = list(link.columns), list(link.target_columns)
        has_key = data[cols].notna().all(axis=1)
        tgt_ok = tgt[tcols].dropna()
        tgt_keys = set(map(tuple, tgt_ok.astype(object).to_numpy().tolist()))
        src_keys = pd.Series(
            list(map(tuple, data[cols].astype(object).to_numpy().tolist())), index=data.index, dtype=object
        )
        matched = has_key & src_keys.isin(tgt_keys)
        unmatched = has_key & ~matched
        reason = {}
        for i in data.index[unmatched]:
            reason[i] = f"no row of {link.target.filename} has this {'+'.join(tcols)}"
        new_issues, disagreeing = [], 0
        if link.shared and matched.any():
            new_issues, disagreeing = _reconcile_shared(link, result, data, tgt, matched, unmatched, reason, rows)
        hint, near = _padding_hint(link, data, unmatched, result.id_variants, tgt, tgt_var)
        hint = "; ".join(h for h in (_target_hint(link, data, unmatched, targets[link.target.key]), hint) if h)
        action = "row unmatched" if link.on_unmatched == "reject" else "row kept (no match)"
        for i in data.index[unmatched]:
            row = int(rows[i]) if rows is not None else ""
            value = "/".join(_as_text(data.at[i, c]) for c in cols)
            new_issues.append((result.path.name, row, "+".join(cols), value, reason[i], action))
        record = _link_record(link, schema, has_key, matched, unmatched, disagreeing, hint)
        result.links = [r for r in result.links if r["link"] != record["link"]] + [record]
        if new_issues:
            result.issues = pd.concat(
                [result.issues, pd.DataFrame(new_issues, columns=ISSUE_COLUMNS)], ignore_index=True
            )
        if link.on_unmatched == "reject" and unmatched.any():
            _take_out_unmatched(result, data, unmatched, reason, rows, src_keys, cols)
        elif result.full is None:
            result.data = data
        if result.unmatched is None:
            result.unmatched = pd.DataFrame(columns=["file", "row", "reasons", *[c.name for c in schema.columns]])
        del near
    if processed_dir is not None:
        save_ingest_record(result, processed_dir)
        raise_for_links(result)
    return result.links


def _reconcile_shared(
    link: Link, result: IngestResult, data: pd.DataFrame, tgt: pd.DataFrame, matched, unmatched, reason: dict, rows
) -> tuple[list[tuple], int]:
    """Compare the attributes both files hold (``link.shared``) on the matched rows and apply the link's
    authority rule: a row rejected on disagreement moves from ``matched`` to ``unmatched`` (with its
    ``reason``); the authority's value replaces this file's in ``data``. Returns (issues, values disagreeing)."""
    cols, tcols = list(link.columns), list(link.target_columns)
    new_issues = []
    disagreeing = 0
    lookup = tgt.dropna(subset=tcols).drop_duplicates(tcols).set_index(tcols)
    idx = pd.MultiIndex.from_frame(data.loc[matched, cols]) if len(cols) > 1 else pd.Index(data.loc[matched, cols[0]])
    for attr in link.shared:
        theirs = pd.Series(lookup[attr].reindex(idx).to_numpy(), index=data.index[matched])
        ours = data.loc[matched, attr]
        differ = theirs.notna() & ours.notna() & (ours.astype(str) != theirs.astype(str))
        disagreeing += int(differ.sum())
        for i in differ.index[differ]:
            row = int(rows[i]) if rows is not None else ""
            value = f"{ours[i]} here, {theirs[i]} in {link.target.filename}"
            if link.on_disagreement == "reject":
                reason[i] = f"{attr} differs from {link.target.filename}, which is authoritative for it"
                unmatched[i] = True
                matched[i] = False
            elif link.on_disagreement == "use_authority" and link.authority == "target":
                new_issues.append(
                    (
                        result.path.name,
                        row,
                        attr,
                        value,
                        f"{attr} differs from {link.target.filename}, which is authoritative for it",
                        f"value replaced by {link.target.filename}'s",
                    )
                )
            else:
                new_issues.append(
                    (
                        result.path.name,
                        row,
                        attr,
                        value,
                        f"{attr} differs from {link.target.filename}"
                        + ("; this file is authoritative for it" if link.authority == "source" else ""),
                        "kept, difference logged",
                    )
                )
        if link.on_disagreement == "use_authority" and link.authority == "target":
            fix = differ & ~unmatched[differ.index]
            data.loc[fix.index[fix], attr] = theirs[fix]
    return new_issues, disagreeing


def _link_record(link: Link, schema, has_key, matched, unmatched, disagreeing: int, hint: str) -> dict:
    """One row of ``links_<key>.csv``: how many rows the link checked, matched and took out."""
    n_checked = int(has_key.sum())
    n_matched = int(matched.sum())
    return {
        "link": link.name(schema),
        "file": schema.filename,
        "target": link.target.filename,
        "rows_checked": n_checked,
        "rows_matched": n_matched,
        "rows_unmatched": int(unmatched.sum()),
        "rows_without_key": int((~has_key).sum()),
        "match_rate": (n_matched / n_checked) if n_checked else float("nan"),
        "required_share": link.required_share,
        "values_disagreeing": disagreeing,
        "authority": ", ".join(
            f"{a}: {link.target.filename if link.authority == 'target' else schema.filename}" for a in link.shared
        ),
        "on_unmatched": link.on_unmatched,
        "hint": hint,
    }


def _take_out_unmatched(
    result: IngestResult, data: pd.DataFrame, unmatched, reason: dict, rows, src_keys, cols
) -> None:
    """Move the unmatched rows from the data to ``result.unmatched`` (with their reasons and rows)."""
    gone = data.loc[unmatched].copy()
    out = pd.DataFrame({c: gone[c].map(_as_text) for c in gone.columns}, index=gone.index)
    out.insert(0, "reasons", [f"{'+'.join(cols)}: {reason[i]}" for i in gone.index])
    out.insert(0, "row", [int(rows[i]) if rows is not None else "" for i in gone.index])
    out.insert(0, "file", result.path.name)
    result.unmatched = (
        out.reset_index(drop=True)
        if result.unmatched is None
        else pd.concat([result.unmatched, out], ignore_index=True)
    )
    keep = ~unmatched
    if rows is not None:
        result.source_rows = rows[keep.to_numpy()]
    kept = data.loc[keep].reset_index(drop=True)
    # A strand that narrowed ``data`` to a borough keeps its narrowing.
    if result.full is not None:
        gone_keys = set(src_keys[unmatched])
        narrowed = result.data
        nk = pd.Series(
            list(map(tuple, narrowed[cols].astype(object).to_numpy().tolist())),
            index=narrowed.index,
            dtype=object,
        )
        result.data = narrowed[~nk.isin(gone_keys)].reset_index(drop=True)
        result.full = kept
    else:
        result.data = kept


def raise_for_links(result: IngestResult) -> None:
    """Stop the run (one line) when a link of ``result`` matched below its required share."""
    for rec in result.links:
        req = float(rec["required_share"] or 0)
        rate = rec["match_rate"]
        if req and rec["rows_checked"] and rate < req:
            msg = (
                f"{rec['file']}: only {rec['rows_matched']} of {rec['rows_checked']} rows ({rate:.0%}) match "
                f"{rec['target']} on {rec['link'].split(':', 1)[1].split(' -> ')[0]} (at least {req:.0%} required)"
            )
            if rec["hint"]:
                msg += "; " + rec["hint"]
            raise LinkError(msg + ".")
