"""A report section as a strand saves it (``report_sections/<order>_<strand>/section.json``), made up for the
report's tests: only the fields the report reads."""

from __future__ import annotations

import json


def write_section(processed, order, strand, title, kind, findings=(), sources=(), items=(), notice=""):
    """Write one made-up section under ``processed``: ``kind`` is its data kind ("real", "synthetic",
    "extract"); each finding gets the text "t" and no strength unless it says otherwise; a ``notice`` is
    the sentence the section asks the report to say at its top."""
    folder = processed / "report_sections" / f"{order:02d}_{strand}"
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "strand": strand,
        "title": title,
        "order": order,
        "synthetic": kind == "synthetic",
        "data_kind": kind,
        "sources": list(sources),
        "threshold": 5,
        "key_findings": [{"text": "t", "strength": None, **f} for f in findings],
        "items": list(items),
    }
    if notice:
        meta["notice"] = notice
    (folder / "section.json").write_text(json.dumps(meta), encoding="utf-8")
