"""Raw inputs of the interviews strand: a REFI-QDA project (``.qdpx``) or a plain CSV of coded excerpts.

Both readers produce the same two tables:

* ``interviews``: one row per interview (``interview_id``, ``participant_id``, ``participant_type``,
  ``borough``, ``wave``, ``interview_date``, ``consent_to_quote``, ``n_chars``);
* ``codings``: one row per code applied to a coded segment (``interview_id``, ``segment_id``,
  ``start``, ``end``, ``code``, ``code_path``, ``theme``, ``excerpt``).

Identifiers (participants, interviews) are pseudonymised as they are read, with the project key and
the prefix ``P`` for participants (the practitioners' pseudonyms then join ``practitioners.csv``) and
``I`` for interviews. Excerpt text stays in memory: it is never written to a processed file, and
reaches the report only through :func:`helpers.redaction.publishable_quotes`.

The ``.qdpx`` reader validates ``project.qde`` against the REFI-QDA (QDA-XML 1.0) schema with
``xmlschema`` and accepts any valid file, whichever program wrote it. The schema is read from
``FOP_REFI_QDA_SCHEMA`` (default ``../shared/conformance/refi_qda/Project.xsd`` relative to the
project root); it is never copied into the repository. See :data:`QDPX_MARKDOWN` for the subset read.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ... import config, ingest
from ...ingest import ISSUE_COLUMNS, Column, IngestResult, RawFile
from ...pseudonymise import load_key, pseudonymise_series

STRAND = "interviews"
NS = "urn:QDA-XML:project:1.0"
Q = "{" + NS + "}"
SCHEMA_ENV_VAR = "FOP_REFI_QDA_SCHEMA"
DEFAULT_SCHEMA = "../shared/conformance/refi_qda/Project.xsd"
QDPX_FILENAME = "interviews.qdpx"
CSV_FILENAME = "interview_codings.csv"

PARTICIPANT_TYPES = {
    "practitioner": "Practitioner (social worker, family support worker or clinician)",
    "manager": "Supervisor or manager",
    "family_member": "Family member (parent, carer or young person)",
}
#: Wave of interviewing -> the date assumed for training status when no interview date is recorded.
#: Recall: the evaluation's interview dates are not published; early 2015 and early 2016 follow the
#: scenarios strand's waves.
WAVE_DATES = {1: "2015-03-01", 2: "2016-03-01"}
#: Accepted variable names (compared lower-case, with spaces, hyphens and underscores alike).
VARIABLE_NAMES = {
    "participant_type": ("participant type", "participant role", "role", "type of participant"),
    "borough": ("borough", "local authority", "la"),
    "wave": ("wave", "interview wave"),
    "consent_to_quote": ("consent to quote", "consent", "quote consent"),
    "interview_date": ("interview date", "date of interview", "date"),
    "participant_id": ("participant id", "participant", "participant code"),
}
_TYPE_SYNONYMS = {
    "family member": "family_member",
    "family": "family_member",
    "parent": "family_member",
    "carer": "family_member",
    "young person": "family_member",
    "staff": "practitioner",
    "social worker": "practitioner",
    "supervisor": "manager",
    "team manager": "manager",
}

CODINGS_CSV = RawFile(
    key="interview_codings",
    filename=CSV_FILENAME,
    strand=STRAND,
    description=(
        "The plain alternative to a `.qdpx` project, for teams without qualitative software: one row per "
        "code applied to an excerpt of an interview. Read only when `interviews.qdpx` is absent (or the "
        "notebook's `interviews_format` is `csv`). Several rows with the same `interview_id` and the same "
        "excerpt are one coded segment carrying several codes (they co-occur). A row with a blank `code` "
        "records an interview in which nothing was coded (it still counts in the denominators). The same "
        "interview must carry the same participant, type, borough, wave and consent on every row; a row that "
        "disagrees with the interview's first row is rejected."
    ),
    columns=(
        Column("interview_id", "string", "The team's identifier of the interview (transcript).", identifier_prefix="I"),
        Column(
            "participant_id",
            "string",
            "Who was interviewed: the LA staff ID for practitioners and managers "
            "(as in practitioners.csv, so that training status joins), any stable code for family members.",
            identifier_prefix="P",
        ),
        Column("participant_type", "category", "Kind of participant.", codes=PARTICIPANT_TYPES),
        Column("borough", "category", "Borough of the participant.", codes={n: n for n in config.BOROUGH_NAMES}),
        Column("wave", "integer", "Interview wave (1 early 2015, 2 early 2016).", minimum=1, maximum=2),
        Column(
            "interview_date",
            "date",
            "Date of the interview (YYYY-MM-DD); blank: the wave's date is assumed "
            "for training status (wave 1 2015-03-01, wave 2 2016-03-01).",
            required=False,
            nullable=True,
        ),
        Column(
            "code",
            "string",
            "The code applied, as a path from the top of the codebook with ` > ` between "
            "levels (`Reflective supervision > Group supervision`); the first level is the theme. Blank: "
            "nothing coded in this interview.",
            nullable=True,
        ),
        Column(
            "excerpt",
            "string",
            "The coded text. Never written to processed files; quoted only with consent and after redaction.",
            nullable=True,
        ),
        Column("consent_to_quote", "boolean", "yes if the participant agreed to be quoted anonymously."),
    ),
)

RAW_FILES = (CODINGS_CSV,)

QDPX_MARKDOWN = f"""### `{QDPX_FILENAME}` (REFI-QDA project exchange file)

The coded interviews as exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette (*Export > REFI-QDA
project*). Preferred over `{CSV_FILENAME}` when both are present. A zip holding `project.qde` (XML) and
a `sources/` folder.

- **Validation.** `project.qde` must be valid against the QDA-XML 1.0 schema (`Project.xsd`, read from
  the path in `{SCHEMA_ENV_VAR}`, default `{DEFAULT_SCHEMA}` relative to the project root; never copied
  into the repository). Any valid file is accepted whichever program wrote it. An invalid file stops the
  run with one message naming the file, the schema's reason and the element path. A zip without
  `project.qde`, or a file that is not a zip, stops the run likewise. A missing schema stops the run with
  one line saying where it was looked for.
- **Codebook**: `CodeBook/Codes/Code` (nested `Code` elements give the hierarchy): `guid`, `name`,
  `isCodable`, `Description`. The **theme** of a code is its top-level ancestor; prevalence and
  co-occurrence are counted per theme (sub-codes roll up).
- **Sources**: `Sources/TextSource` only (picture, PDF, audio and video sources are counted and
  ignored): `guid`, `name`, and the text either inline in `PlainTextContent` or in the file named by
  `plainTextPath` (`internal://<file>` = `sources/<file>` inside the zip; UTF-8, a byte-order mark is
  dropped). A source whose text cannot be found is rejected with its codings. Each text source is one
  interview, identified by its `guid` (pseudonymised with prefix `I`; GUIDs compared without braces,
  ignoring case).
- **Coded segments**: `TextSource/PlainTextSelection` with `startPosition` and `endPosition` (character
  positions in Unicode code points from 0, end exclusive, so accents, curly quotes and emoji count one
  each) and one or more `Coding/CodeRef/@targetGUID`. A `Coding` directly on a `TextSource` codes the
  whole text. A selection outside the text (`endPosition` beyond its length, start after end, negative)
  or a `CodeRef` to no code is rejected and logged with its element path.
- **Participants**: `Cases/Case` with `SourceRef` to the interviews; the case `name` is the participant ID
  (pseudonymised with prefix `P` on reading; staff IDs as in practitioners.csv). Without a case, a
  source's `participant id` variable, else the source's name, identifies the participant.
- **Attributes**: `Variables/Variable` (`guid`, `name`) and `VariableValue` (`VariableRef` plus
  `TextValue`, `BooleanValue`, `IntegerValue` or `DateValue`), on the source (preferred) or its case.
  Names matched ignoring case, spaces, hyphens and underscores: `participant type` (practitioner, manager,
  family member), `borough` (one of the three boroughs), `wave` (1 or 2), `consent to quote` (boolean or
  yes/no), optional `interview date`. An interview with a missing or invalid attribute is rejected with
  its codings, naming the source and the variable.
- Users: only how many distinct users made the codings (`creatingUser` on `Coding` and
  `PlainTextSelection`), for the method paragraph; never their names.
- Not read: notes, links, sets, graphs, rich text (`richTextPath`), selection descriptions.
- Reconciliation (data-quality section): `interviews_qdpx` (one record per text source) and
  `interview_codings_qdpx` (one record per code applied to a segment): read = accepted + rejected.
- Inline `PlainTextContent` follows XML's rules: a carriage return written literally is read as a line
  feed; programs that count CR+LF as two characters must write `&#13;`.
"""


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


@dataclass
class InterviewData:
    """What either reader produced: interviews, codings, codebook, and the ingest records."""

    interviews: pd.DataFrame
    codings: pd.DataFrame
    codebook: pd.DataFrame
    records: list
    source_format: str
    synthetic: bool
    #: Distinct users recorded as having made the codings (``creatingUser``); None when not recorded.
    n_coders: int | None = None

    @property
    def themes(self) -> list[str]:
        if len(self.codebook):
            return list(dict.fromkeys(self.codebook.loc[self.codebook["depth"] == 0, "code"]))
        return sorted(self.codings["theme"].dropna().unique())


INTERVIEW_COLUMNS = [
    "interview_id",
    "participant_id",
    "participant_type",
    "borough",
    "wave",
    "interview_date",
    "consent_to_quote",
    "n_chars",
]
CODING_COLUMNS = ["interview_id", "segment_id", "start", "end", "code", "code_path", "theme", "excerpt"]

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
        code_by_guid = codebook.set_index("code_guid")
        variables = {_guid(v.get("guid")): v.get("name", "") for v in root.iter(f"{Q}Variable")}
        case_of_source: dict[str, ET.Element] = {}
        for case in root.iter(f"{Q}Case"):
            for ref in case.findall(f"{Q}SourceRef"):
                case_of_source.setdefault(_guid(ref.get("targetGUID")), case)
        interviews, codings, rej_i, rej_c, issues_i, issues_c = [], [], [], [], [], []
        n_codings = 0
        sources = root.find(f"{Q}Sources")
        text_sources = sources.findall(f"{Q}TextSource") if sources is not None else []
        for i, src in enumerate(text_sources, start=1):
            el_path = f"/Project/Sources/TextSource[{i}]"
            sname = src.get("name") or src.get("guid")
            case = case_of_source.get(_guid(src.get("guid")))
            values = _values(case, variables) if case is not None else {}
            values.update(_values(src, variables))  # the source's own values win
            participant = (
                (case.get("name") if case is not None and case.get("name") else None)
                or values.get("participant_id")
                or sname
            )
            text, why = _source_text(src, zf)
            attrs, bad = _parse_attributes(values, el_path)
            # Segments of this interview (whole-source codings as one segment over the whole text).
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
            n_codings += sum(len(s[4]) for s in segs)
            iv_reason = why or "; ".join(f"{v}: {r}" for v, _, r in bad)
            if iv_reason:
                issues_i += [(path.name, i, f"{el_path} ({v})", val, r, "interview rejected") for v, val, r in bad]
                if why:
                    issues_i.append(
                        (
                            path.name,
                            i,
                            f"{el_path}/@plainTextPath",
                            src.get("plainTextPath") or "",
                            why,
                            "interview rejected",
                        )
                    )
                rej_i.append({"file": path.name, "row": i, "reasons": iv_reason, "element": el_path})
                for sp, _, _start, _end, refs in segs:
                    for _ in refs:
                        rej_c.append(
                            {
                                "file": path.name,
                                "row": i,
                                "reasons": "its interview was rejected: " + iv_reason,
                                "element": sp,
                            }
                        )
                continue
            interviews.append(
                {"_source": _guid(src.get("guid")), "participant_raw": participant, **attrs, "n_chars": len(text)}
            )
            for sp, sguid, s, e, refs in segs:
                problem = ""
                if s < 0 or e < s:
                    problem = f"selection from {s} to {e} is not a range (start must be >= 0 and <= end)"
                elif e > len(text):
                    problem = f"selection ends at {e} but the text has {len(text)} characters"
                for ref in refs:
                    guid = (ref or "").strip("{}").lower()
                    reason = problem or (
                        "" if guid in code_by_guid.index else f"CodeRef {ref} is not a code in the codebook"
                    )
                    if reason:
                        rej_c.append({"file": path.name, "row": i, "reasons": reason, "element": sp})
                        issues_c.append((path.name, i, sp, f"{s}-{e}", reason, "coding rejected"))
                        continue
                    c = code_by_guid.loc[guid]
                    codings.append(
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

    iv = pd.DataFrame(
        interviews,
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
        codings, columns=["_source", "segment_id", "start", "end", "code", "code_path", "theme", "excerpt"]
    )
    cd.insert(0, "interview_id", cd["_source"].map(id_of_source))
    iv = iv[INTERVIEW_COLUMNS].reset_index(drop=True)
    cd = cd[CODING_COLUMNS].reset_index(drop=True)
    synthetic = ingest.is_synthetic(path)
    rec_i = IngestResult(
        schema=_RECORD_SCHEMAS["interviews"],
        path=path,
        data=iv,
        issues=pd.DataFrame(issues_i, columns=ISSUE_COLUMNS),
        rejected=pd.DataFrame(rej_i, columns=["file", "row", "reasons", "element"]),
        rows_read=len(text_sources),
        synthetic=synthetic,
        ignored_columns=[f"{n_other} non-text source(s) ignored"] if n_other else [],
    )
    rec_c = IngestResult(
        schema=_RECORD_SCHEMAS["codings"],
        path=path,
        data=cd,
        issues=pd.DataFrame(issues_c, columns=ISSUE_COLUMNS),
        rejected=pd.DataFrame(rej_c, columns=["file", "row", "reasons", "element"]),
        rows_read=n_codings,
        synthetic=synthetic,
    )
    return InterviewData(iv, cd, codebook, [rec_i, rec_c], "qdpx", synthetic, len(users) or None)


def read_codings_csv(raw_dir: str | Path, processed_dir: Path | None = None, key: bytes | None = None) -> InterviewData:
    """Read ``interview_codings.csv`` through :func:`helpers.ingest.read_raw` into the same tables as
    :func:`read_qdpx`. Rows contradicting their interview's first row are rejected and reconciled."""
    res = ingest.read_raw(CODINGS_CSV, raw_dir, key=key)
    d = res.data.copy()
    # Spreadsheet row of each accepted row (read_raw keeps accepted rows in file order).
    gone = set(pd.to_numeric(res.rejected["row"], errors="coerce").dropna().astype(int))
    d.index = [r for r in range(2, res.rows_read + 2) if r not in gone]
    attrs = ["participant_id", "participant_type", "borough", "wave", "consent_to_quote"]
    first = d.groupby("interview_id", sort=False)[attrs].transform("first")
    conflict = (d[attrs].astype(str) != first.astype(str)).any(axis=1)
    if conflict.any():
        bad = d[conflict]
        reason = "contradicts the interview's first row on participant, type, borough, wave or consent"
        extra_rej = bad.astype(str).assign(file=res.path.name, row=bad.index, reasons=reason)
        res.rejected = pd.concat([res.rejected, extra_rej[["file", "row", "reasons", *bad.columns]]], ignore_index=True)
        res.issues = pd.concat(
            [
                res.issues,
                pd.DataFrame(
                    [
                        (res.path.name, int(r.Index), "interview_id", r.interview_id, reason, "row rejected")
                        for r in bad.itertuples()
                    ],
                    columns=ISSUE_COLUMNS,
                ),
            ],
            ignore_index=True,
        )
        d = d[~conflict]
        res.data = d.reset_index(drop=True)
    d = d.reset_index(drop=True)
    iv = d.drop_duplicates("interview_id")[
        ["interview_id", "participant_id", "participant_type", "borough", "wave", "interview_date", "consent_to_quote"]
    ].copy()
    iv["consent_to_quote"] = iv["consent_to_quote"].astype(bool)
    iv["wave"] = iv["wave"].astype(int)
    iv["n_chars"] = pd.NA
    coded = d[d["code"].notna()].copy()
    coded["code_path"] = coded["code"].str.split(r"\s*>\s*").str.join(" > ")
    coded["theme"] = coded["code_path"].str.split(" > ").str[0]
    coded["code"] = coded["code_path"].str.split(" > ").str[-1]
    coded["excerpt"] = coded["excerpt"].fillna("")
    # A segment = one excerpt of one interview: the codes on it co-occur.
    coded["segment_id"] = coded.groupby(["interview_id", "excerpt"], sort=False).ngroup().map(lambda k: f"csv-{k}")
    coded["start"] = pd.NA
    coded["end"] = pd.NA
    paths = coded["code_path"].drop_duplicates()
    cb = []
    for p in paths:
        parts = p.split(" > ")
        for k in range(len(parts)):
            cb.append(
                {
                    "code_guid": "",
                    "code": parts[k],
                    "parent": parts[k - 1] if k else None,
                    "code_path": " > ".join(parts[: k + 1]),
                    "theme": parts[0],
                    "depth": k,
                    "is_codable": True,
                    "description": "",
                }
            )
    codebook = (
        pd.DataFrame(
            cb, columns=["code_guid", "code", "parent", "code_path", "theme", "depth", "is_codable", "description"]
        )
        .drop_duplicates("code_path")
        .reset_index(drop=True)
    )
    return InterviewData(
        iv[INTERVIEW_COLUMNS].reset_index(drop=True),
        coded[CODING_COLUMNS].reset_index(drop=True),
        codebook,
        [res],
        "csv",
        res.synthetic,
    )


def load_interviews(
    raw_dir, processed_dir: Path, borough: str = "all", interviews_format: str = "auto", key: bytes | None = None
) -> InterviewData:
    """Read the coded interviews (``.qdpx`` preferred, else the CSV), save the data-quality records,
    keep the selected boroughs. ``interviews_format``: ``auto``, ``qdpx`` or ``csv``."""
    raw_dir = Path(raw_dir)
    if interviews_format not in ("auto", "qdpx", "csv"):
        raise ValueError(f"interviews_format must be auto, qdpx or csv, got {interviews_format!r}")
    qdpx = raw_dir / QDPX_FILENAME
    use_qdpx = interviews_format == "qdpx" or (
        interviews_format == "auto" and (qdpx.exists() or not (raw_dir / CSV_FILENAME).exists())
    )
    data = read_qdpx(qdpx, key=key) if use_qdpx else read_codings_csv(raw_dir, key=key)
    for rec in data.records:
        ingest.save_ingest_record(rec, processed_dir)
    keep = data.interviews["borough"].isin(config.borough_names(borough))
    data.interviews = data.interviews[keep].reset_index(drop=True)
    data.codings = data.codings[data.codings["interview_id"].isin(data.interviews["interview_id"])].reset_index(
        drop=True
    )
    return data
