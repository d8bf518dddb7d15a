"""The REFI-QDA (``.qdpx``) reader: validation against the QDA-XML 1.0 schema, then codebook, sources,
selections and cases (see :data:`.formats.QDPX_MARKDOWN`)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ... import config, ingest
from ...ingest import ISSUE_COLUMNS, IngestResult, RawFile
from ...pseudonymise import load_key, pseudonymise_series
from .formats import (
    _TYPE_SYNONYMS,
    CODING_COLUMNS,
    CSV_FILENAME,
    DEFAULT_SCHEMA,
    INTERVIEW_COLUMNS,
    PARTICIPANT_TYPES,
    QDPX_FILENAME,
    SCHEMA_ENV_VAR,
    STRAND,
    VARIABLE_NAMES,
    WAVE_DATES,
    InterviewData,
    Q,
)


class QdpxError(ingest.IngestError):
    """A ``.qdpx`` file (or the schema to check it) cannot be used at all."""


def schema_path() -> Path:
    """Where the REFI-QDA schema is read from (``FOP_REFI_QDA_SCHEMA`` or the default)."""
    return config.resolve(os.environ.get(SCHEMA_ENV_VAR, DEFAULT_SCHEMA))


def schema_missing_reason(path: Path | None = None) -> str | None:
    """One line saying the schema is absent, or None when it is there."""
    path = Path(path) if path is not None else schema_path()
    if path.is_file():
        return None
    return (
        f"REFI-QDA schema not found at {path}: set {SCHEMA_ENV_VAR} to the path of Project.xsd "
        f"(QDA-XML 1.0, see ../shared/conformance/refi_qda/README.md)"
    )


@lru_cache(maxsize=4)
def _load_schema(path: str):
    import xmlschema

    return xmlschema.XMLSchema(path)


def validate_project_xml(data: bytes, where: str, xsd: Path | None = None) -> ET.Element:
    """Parse ``project.qde`` bytes and validate them; returns the root element.

    Raises :class:`QdpxError` naming ``where``, the schema's reason and the element path.
    """
    xsd = Path(xsd) if xsd is not None else schema_path()
    missing = schema_missing_reason(xsd)
    if missing:
        raise QdpxError(missing)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise QdpxError(f"{where}: project.qde is not well-formed XML: {exc}") from exc
    schema = _load_schema(str(xsd))
    for err in schema.iter_errors(root):
        reason = (err.reason or str(err)).strip().splitlines()[0]
        where_in = re.sub(r"\{[^}]*\}", "", str(err.path))  # element path without the namespace
        raise QdpxError(f"{where}: project.qde is not valid REFI-QDA (QDA-XML 1.0): {reason} (at {where_in})")
    return root


def _guid(value) -> str:
    """A GUID as compared here: braces dropped, lower case (the schema allows both spellings)."""
    return str(value or "").strip().strip("{}").lower()


def _norm_name(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", str(name).strip().lower())


def _variable_field(name: str) -> str | None:
    n = _norm_name(name)
    for key, names in VARIABLE_NAMES.items():
        if n in names:
            return key
    return None


def _values(el: ET.Element, variables: dict) -> dict:
    """Attributes set by the VariableValue children of ``el``: {field: value as text}."""
    out = {}
    for vv in el.findall(f"{Q}VariableValue"):
        ref = vv.find(f"{Q}VariableRef")
        field = _variable_field(variables.get(_guid(ref.get("targetGUID")), "")) if ref is not None else None
        if field is None:
            continue
        for child in vv:
            if child.tag != f"{Q}VariableRef":
                out[field] = (child.text or "").strip()
    return out


def _codebook(root: ET.Element) -> pd.DataFrame:
    rows = []

    def walk(el, parent, path, depth):
        for code in el.findall(f"{Q}Code"):
            name = code.get("name", "").strip()
            p = (*path, name)
            desc = code.find(f"{Q}Description")
            rows.append(
                {
                    "code_guid": code.get("guid").strip("{}").lower(),
                    "code": name,
                    "parent": parent,
                    "code_path": " > ".join(p),
                    "theme": p[0],
                    "depth": depth,
                    "is_codable": code.get("isCodable") in ("true", "1"),
                    "description": (desc.text or "").strip() if desc is not None else "",
                }
            )
            walk(code, name, p, depth + 1)

    codes = root.find(f"{Q}CodeBook/{Q}Codes")
    if codes is not None:
        walk(codes, None, (), 0)
    return pd.DataFrame(
        rows, columns=["code_guid", "code", "parent", "code_path", "theme", "depth", "is_codable", "description"]
    )


def _source_text(src: ET.Element, zf: zipfile.ZipFile) -> tuple[str | None, str]:
    inline = src.find(f"{Q}PlainTextContent")
    if inline is not None:
        return inline.text or "", ""
    path = src.get("plainTextPath")
    if not path:
        return None, "no PlainTextContent and no plainTextPath"
    if not path.startswith("internal://"):
        return None, f"plainTextPath {path!r} points outside the .qdpx (only internal:// is read)"
    member = "sources/" + path[len("internal://") :]
    names = {n.lower(): n for n in zf.namelist()}
    if member.lower() not in names:
        return None, f"plainTextPath {path!r}: {member} is not in the .qdpx"
    raw = zf.read(names[member.lower()])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"{member} is not UTF-8 text (byte {exc.start})"
    return text.lstrip("\ufeff"), ""


_RECORD_SCHEMAS = {
    "interviews": RawFile(
        key="interviews_qdpx",
        filename=QDPX_FILENAME,
        strand=STRAND,
        description="Interviews (text sources) read from the .qdpx.",
        columns=(),
    ),
    "codings": RawFile(
        key="interview_codings_qdpx",
        filename=QDPX_FILENAME,
        strand=STRAND,
        description="Codes applied to segments, read from the .qdpx.",
        columns=(),
    ),
}


def _parse_attributes(values: dict, where: str) -> tuple[dict, list[tuple[str, str, str]]]:
    """Check one interview's attributes. Returns (parsed, [(variable, value, reason)])."""
    bad = []
    out = {}
    t = values.get("participant_type")
    t_norm = _norm_name(t or "").replace(" ", "_")
    t_norm = _TYPE_SYNONYMS.get(_norm_name(t or ""), t_norm)
    if t_norm in PARTICIPANT_TYPES:
        out["participant_type"] = t_norm
    else:
        bad.append(("participant type", t or "", "missing" if not t else "not one of " + ", ".join(PARTICIPANT_TYPES)))
    b = values.get("borough")
    try:
        out["borough"] = config.BOROUGHS[config.normalise_borough(b)][0] if b and _norm_name(b) != "all" else None
    except ValueError:
        out["borough"] = None
    if out["borough"] is None:
        bad.append(("borough", b or "", "missing" if not b else "not one of " + ", ".join(config.BOROUGH_NAMES)))
    w = values.get("wave")
    try:
        wv = int(float(w))
        if wv not in WAVE_DATES:
            raise ValueError
        out["wave"] = wv
    except (TypeError, ValueError):
        bad.append(("wave", w or "", "missing" if not w else "not 1 or 2"))
    c = values.get("consent_to_quote")
    cl = (c or "").strip().lower()
    if cl in ingest.TRUE_TOKENS:
        out["consent_to_quote"] = True
    elif cl in ingest.FALSE_TOKENS or cl == "":
        out["consent_to_quote"] = False  # not recorded = no consent: never quoted
    else:
        bad.append(("consent to quote", c, "not yes/no"))
    d = values.get("interview_date")
    if d:
        dt = pd.to_datetime(d[:10], format="%Y-%m-%d", errors="coerce")
        if pd.isna(dt):
            bad.append(("interview date", d, "not a date YYYY-MM-DD"))
        out["interview_date"] = dt
    else:
        out["interview_date"] = pd.NaT
    return out, bad


def read_qdpx(path: str | Path, key: bytes | None = None, xsd: Path | None = None) -> InterviewData:
    """Read a REFI-QDA ``.qdpx`` project: validate, then read codebook, sources, selections, cases.

    Raises :class:`QdpxError` (file, reason, element path) when the file cannot be used at all; a bad
    interview or selection is rejected and logged instead (see :data:`QDPX_MARKDOWN`).
    """
    path = Path(path)
    if not path.exists():
        raise QdpxError(f"{path}: file not found. The interviews strand needs it (or {CSV_FILENAME}).")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise QdpxError(f"{path}: not a .qdpx project (not a zip file): {exc}") from exc
    with zf:
        names = {n.lower(): n for n in zf.namelist()}
        if "project.qde" not in names:
            raise QdpxError(
                f"{path}: not a .qdpx project: no project.qde in the zip (found: {', '.join(sorted(names)[:5])})"
            )
        root = validate_project_xml(zf.read(names["project.qde"]), str(path), xsd)
        secret = key if key is not None else load_key()
        codebook = _codebook(root)
        read = _Read(path, codebook.set_index("code_guid"))
        variables = {_guid(v.get("guid")): v.get("name", "") for v in root.iter(f"{Q}Variable")}
        case_of_source: dict[str, ET.Element] = {}
        for case in root.iter(f"{Q}Case"):
            for ref in case.findall(f"{Q}SourceRef"):
                case_of_source.setdefault(_guid(ref.get("targetGUID")), case)
        sources = root.find(f"{Q}Sources")
        text_sources = sources.findall(f"{Q}TextSource") if sources is not None else []
        for i, src in enumerate(text_sources, start=1):
            read.source(i, src, zf, case_of_source.get(_guid(src.get("guid"))), variables)
        users = {
            _guid(el.get("creatingUser"))
            for el in root.iter()
            if el.tag in (f"{Q}Coding", f"{Q}PlainTextSelection") and el.get("creatingUser")
        }
        n_other = (
            sum(len(sources.findall(f"{Q}{t}")) for t in ("PictureSource", "PDFSource", "AudioSource", "VideoSource"))
            if sources is not None
            else 0
        )
    iv, cd = read.tables(secret)
    synthetic = ingest.is_synthetic(path)
    rec_i = IngestResult(
        schema=_RECORD_SCHEMAS["interviews"],
        path=path,
        data=iv,
        issues=pd.DataFrame(read.issues_i, columns=ISSUE_COLUMNS),
        rejected=pd.DataFrame(read.rej_i, columns=["file", "row", "reasons", "element"]),
        rows_read=len(text_sources),
        synthetic=synthetic,
        ignored_columns=[f"{n_other} non-text source(s) ignored"] if n_other else [],
    )
    rec_c = IngestResult(
        schema=_RECORD_SCHEMAS["codings"],
        path=path,
        data=cd,
        issues=pd.DataFrame(read.issues_c, columns=ISSUE_COLUMNS),
        rejected=pd.DataFrame(read.rej_c, columns=["file", "row", "reasons", "element"]),
        rows_read=read.n_codings,
        synthetic=synthetic,
    )
    return InterviewData(iv, cd, codebook, [rec_i, rec_c], "qdpx", synthetic, len(users) or None)


class _Read:
    """What reading the text sources of one project gathers: interviews and codings accepted, rejected
    (with their issues), and how many codings there were."""

    def __init__(self, path: Path, code_by_guid: pd.DataFrame):
        self.path, self.code_by_guid = path, code_by_guid
        self.interviews, self.codings, self.rej_i, self.rej_c, self.issues_i, self.issues_c = [], [], [], [], [], []
        self.n_codings = 0

    def source(self, i: int, src: ET.Element, zf: zipfile.ZipFile, case: ET.Element | None, variables: dict) -> None:
        """One text source (interview ``i``): its attributes, text and coded segments."""
        el_path = f"/Project/Sources/TextSource[{i}]"
        sname = src.get("name") or src.get("guid")
        values = _values(case, variables) if case is not None else {}
        values.update(_values(src, variables))  # the source's own values win
        participant = (
            (case.get("name") if case is not None and case.get("name") else None)
            or values.get("participant_id")
            or sname
        )
        text, why = _source_text(src, zf)
        attrs, bad = _parse_attributes(values, el_path)
        segs = _segments(src, el_path, text)
        self.n_codings += sum(len(s[4]) for s in segs)
        iv_reason = why or "; ".join(f"{v}: {r}" for v, _, r in bad)
        if iv_reason:
            self.reject(i, src, el_path, why, bad, iv_reason, segs)
            return
        self.interviews.append(
            {"_source": _guid(src.get("guid")), "participant_raw": participant, **attrs, "n_chars": len(text)}
        )
        for sp, sguid, s, e, refs in segs:
            self.segment(i, src, text, sp, sguid, s, e, refs)

    def reject(self, i: int, src: ET.Element, el_path: str, why: str, bad: list, iv_reason: str, segs: list) -> None:
        """An interview rejected (text not found, or an attribute missing or invalid), with its codings."""
        path = self.path
        self.issues_i += [(path.name, i, f"{el_path} ({v})", val, r, "interview rejected") for v, val, r in bad]
        if why:
            self.issues_i.append(
                (path.name, i, f"{el_path}/@plainTextPath", src.get("plainTextPath") or "", why, "interview rejected")
            )
        self.rej_i.append({"file": path.name, "row": i, "reasons": iv_reason, "element": el_path})
        for sp, _, _start, _end, refs in segs:
            for _ in refs:
                self.rej_c.append(
                    {"file": path.name, "row": i, "reasons": "its interview was rejected: " + iv_reason, "element": sp}
                )

    def segment(self, i: int, src: ET.Element, text: str, sp: str, sguid, s: int, e: int, refs: list) -> None:
        """The codings of one segment of an accepted interview: each kept, or rejected with its reason."""
        problem = ""
        if s < 0 or e < s:
            problem = f"selection from {s} to {e} is not a range (start must be >= 0 and <= end)"
        elif e > len(text):
            problem = f"selection ends at {e} but the text has {len(text)} characters"
        for ref in refs:
            guid = (ref or "").strip("{}").lower()
            reason = problem or (
                "" if guid in self.code_by_guid.index else f"CodeRef {ref} is not a code in the codebook"
            )
            if reason:
                self.rej_c.append({"file": self.path.name, "row": i, "reasons": reason, "element": sp})
                self.issues_c.append((self.path.name, i, sp, f"{s}-{e}", reason, "coding rejected"))
                continue
            c = self.code_by_guid.loc[guid]
            self.codings.append(
                {
                    "_source": _guid(src.get("guid")),
                    "segment_id": (sguid or sp).strip("{}").lower(),
                    "start": s,
                    "end": e,
                    "code": c["code"],
                    "code_path": c["code_path"],
                    "theme": c["theme"],
                    "excerpt": text[s:e],
                }
            )

    def tables(self, secret: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The interviews and codings accepted, identifiers pseudonymised."""
        iv = pd.DataFrame(
            self.interviews,
            columns=[
                "_source",
                "participant_raw",
                "participant_type",
                "borough",
                "wave",
                "interview_date",
                "consent_to_quote",
                "n_chars",
            ],
        )
        iv_ids = pseudonymise_series(iv["_source"].astype(str), secret, "I")
        iv.insert(0, "interview_id", iv_ids)
        iv.insert(1, "participant_id", pseudonymise_series(iv["participant_raw"].astype(str).str.strip(), secret, "P"))
        id_of_source = dict(zip(iv["_source"], iv["interview_id"], strict=True))
        cd = pd.DataFrame(
            self.codings, columns=["_source", "segment_id", "start", "end", "code", "code_path", "theme", "excerpt"]
        )
        cd.insert(0, "interview_id", cd["_source"].map(id_of_source))
        return iv[INTERVIEW_COLUMNS].reset_index(drop=True), cd[CODING_COLUMNS].reset_index(drop=True)


def _segments(src: ET.Element, el_path: str, text: str | None) -> list[tuple]:
    """Segments of one interview: (element path, guid, start, end, code refs); codings of the whole
    source become one segment over the whole text."""
    segs = []
    for j, sel in enumerate(src.findall(f"{Q}PlainTextSelection"), start=1):
        refs = [c.find(f"{Q}CodeRef").get("targetGUID") for c in sel.findall(f"{Q}Coding")]
        segs.append(
            (
                f"{el_path}/PlainTextSelection[{j}]",
                sel.get("guid"),
                int(sel.get("startPosition")),
                int(sel.get("endPosition")),
                refs,
            )
        )
    whole = [c.find(f"{Q}CodeRef").get("targetGUID") for c in src.findall(f"{Q}Coding")]
    if whole:
        segs.append((f"{el_path}/Coding", src.get("guid") + "-whole", 0, len(text or ""), whole))
    return segs
