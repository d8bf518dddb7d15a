"""Readers of the SSDA903 return (children looked after): the CSV tables and the XML return.

Both give the same tables (:data:`.schemas.SSDA903_FILES`), checked by the same rules; the XML
return (root ``<EXPSSDA903>``, one ``<CHILD>`` with a ``<HEADER>`` and its ``<EPISODE>``s) is
flattened into those records first (:func:`.records.read_records`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ... import ingest
from ...ingest import IngestError
from .records import TableResult, file_label, from_ingest, read_records, text_of
from .schemas import SSDA903_FILES, SSDA903_TABLES


def read_ssda903_csv(
    folder: Path, la_code=None, year=None, key: bytes | None = None, raw_dir: Path | None = None
) -> dict[str, TableResult]:
    """Read every SSDA903 CSV table present in ``folder`` (any subset; at least one)."""
    folder = Path(folder)
    out = {}
    for table, schema in SSDA903_FILES.items():
        path = folder / f"{table}.csv"
        if not path.exists():
            continue
        res = ingest.read_raw(replace(schema, filename=path.name), folder, key=key)
        out[table] = from_ingest(res, file_label(path, raw_dir), la_code, year)
    if not out:
        raise IngestError(
            f"{folder}: no SSDA903 table found (expected any of {', '.join(t + '.csv' for t in SSDA903_TABLES)} or ssda903.xml)"
        )
    return out


#: SSDA903 XML: where each table's records sit under <CHILD>/<HEADER> (tag -> column).
_XML_903_BLOCKS = {
    "reviews": ("AREVIEW", {"REVIEW": "REVIEW", "REVIEW_CODE": "REVIEW_CODE"}),
    "missing": ("AMISSING", {"MISSING": "MISSING", "MIS_START": "MIS_START", "MIS_END": "MIS_END"}),
    "placed_for_adoption": (
        "AD_PLACED",
        {
            "DATE_PLACED": "DATE_PLACED",
            "DATE_PLACED_CEASED": "DATE_PLACED_CEASED",
            "REASON_PLACED_CEASED": "REASON_PLACED_CEASED",
        },
    ),
    "previous_permanence": ("PERMANENCE", {"PREV_PERM": "PREV_PERM", "LA_PERM": "LA_PERM", "DATE_PERM": "DATE_PERM"}),
    "oc2": ("OC2", {c.name: c.name for c in SSDA903_FILES["oc2"].columns if c.name not in ("CHILD", "DOB")}),
}
#: Tables whose fields sit directly in <HEADER> (a record exists when its trigger tag has a value).
_XML_903_FLAT = {
    "uasc": ("DUC", ("SEX", "DOB", "DUC")),
    "oc3": ("IN_TOUCH", ("DOB", "IN_TOUCH", "ACTIV", "ACCOM")),
    "ad1": ("DATE_INT", ("DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")),
}
_EPISODE_FIELDS = ("DECOM", "RNE", "LS", "CIN", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "URN")


def _child_records(child, cpath: str, path: Path, recs: dict) -> None:
    """Append one <CHILD>'s records (header, episodes, the blocks under its header) to ``recs``
    ({table: (records, element paths)})."""
    header = child.find("HEADER")
    if header is None:
        raise IngestError(f"{path}: {cpath} has no <HEADER> element")
    cid = text_of(header, "CHILDID")
    dob = text_of(header, "DOB")

    def add(table: str, record: dict, where: str) -> None:
        recs[table][0].append(record)
        recs[table][1].append(where)

    add(
        "header",
        {"CHILD": cid, **{c: text_of(header, c) for c in ("SEX", "DOB", "ETHNIC", "MOTHER", "MC_DOB")}},
        cpath + "/HEADER",
    )
    for j, ep in enumerate(child.iterfind("EPISODE"), start=1):
        e = {"CHILD": cid, **{c: text_of(ep, c) for c in _EPISODE_FIELDS}, "PLACE": text_of(ep, "PL")}
        add("episodes", e, f"{cpath}/EPISODE[{j}]")
    for table, (tag, fields) in _XML_903_BLOCKS.items():
        for j, block in enumerate(header.iterfind(tag), start=1):
            rec = {"CHILD": cid, "DOB": dob, **{col: text_of(block, t) for t, col in fields.items()}}
            add(table, rec, f"{cpath}/HEADER/{tag}[{j}]")
    for table, (trigger, fields) in _XML_903_FLAT.items():
        if text_of(header, trigger):
            add(table, {"CHILD": cid, **{f: text_of(header, f) for f in fields}}, f"{cpath}/HEADER")


def read_ssda903_xml(
    path: Path, la_code=None, year=None, key: bytes | None = None, raw_dir: Path | None = None
) -> dict[str, TableResult]:
    """Read the SSDA903 XML return (root <EXPSSDA903>, one <CHILD> with <HEADER> and <EPISODE>s)."""
    from lxml import etree

    path = Path(path)
    try:
        root = etree.parse(str(path)).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise IngestError(f"{path}: cannot be read as XML: {exc}") from exc
    if root.tag != "EXPSSDA903":
        raise IngestError(f"{path}: root element is <{root.tag}>, expected <EXPSSDA903> (SSDA903 XML return)")
    recs = {t: ([], []) for t in SSDA903_TABLES}
    for i, child in enumerate(root.iterfind("CHILD"), start=1):
        _child_records(child, f"/EXPSSDA903/CHILD[{i}]", path, recs)
    label = file_label(path, raw_dir)
    return {
        t: read_records(SSDA903_FILES[t], recs[t][0], recs[t][1], path, label, la_code, year, key)
        for t in SSDA903_TABLES
        if recs[t][0] or t in ("header", "episodes")
    }
