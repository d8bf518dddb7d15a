"""Raw-input schemas and readers for LA extracts in the DfE formats: SSDA903 and the CIN census.

Layout under the raw folder (agreed between strands)::

    <raw_dir>/la_extracts/<DfE LA number>/<year ending 31 March>/ssda903/<table>.csv   (any subset of
        header, episodes, uasc, missing, oc2, oc3, ad1, placed_for_adoption, previous_permanence,
        reviews, sw_episodes), or one ssda903.xml (the XML return, root <EXPSSDA903>)
    <raw_dir>/la_extracts/<DfE LA number>/<year ending 31 March>/cin/cin_census.xml

CSV tables are read by :func:`helpers.ingest.read_raw` against the schemas below (SSDA903 dates are
``dd/mm/YYYY``). The XML forms (SSDA903 XML, CIN census XML, read with lxml) are flattened into the
same records and then checked by the same ``read_raw`` rules (through a temporary CSV), so an XML
file is validated exactly like a CSV one; problems name the XML file and the element path
(e.g. ``/Message/Children/Child[12]/CINdetails[2]``) instead of a row number. CIN dates are ISO
``YYYY-MM-DD``. Child identifiers (CHILD, CHILDID, LAchildID) are pseudonymised when read, with the
same key and prefix in both returns, so a child joins across returns and years. UPNs, former UPNs and
postcodes are never read.

Each table is read from every LA-year folder and the LA-years are stacked, with ``la_code`` and
``year`` columns added; one reconciliation record per table covers all its files
(rows read = accepted + rejected).
"""

from __future__ import annotations

import csv
import hashlib
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ... import ingest
from ...ingest import Column, IngestError, RawFile
from . import codes

STRAND = "la_extracts"
DMY = "%d/%m/%Y"
ISO = "%Y-%m-%d"
CHILD_PREFIX = "CH"
LAYOUT = "la_extracts/<LA number>/<year>"
SSDA903_TABLES = (
    "header",
    "episodes",
    "uasc",
    "missing",
    "oc2",
    "oc3",
    "ad1",
    "placed_for_adoption",
    "previous_permanence",
    "reviews",
    "sw_episodes",
)
CIN_TABLES = ("cin_children", "cin_referrals", "cin_assessments", "cin_s47", "cin_plans", "cin_cpp")


# ---------------------------------------------------------------------------------------------
# Column helpers
# ---------------------------------------------------------------------------------------------


def _child(name: str = "CHILD") -> Column:
    return Column(
        name,
        "string",
        "The LA's child identifier (pseudonymised at ingest; the same pseudonym in SSDA903 and CIN).",
        identifier_prefix=CHILD_PREFIX,
    )


def _date(name, desc, fmt=DMY, key=False, required=None) -> Column:
    """A date; a key date (the start of an episode, a referral) must be present and valid or the row
    is rejected; other dates that do not parse are blanked and logged."""
    if key:
        return Column(
            name, "date", desc, required=True if required is None else required, nullable=False, date_format=fmt
        )
    return Column(name, "date", desc, required=bool(required), nullable=True, on_invalid="set_missing", date_format=fmt)


def _code(name, code_list, desc, required=False) -> Column:
    """A coded field: a value outside the DfE code list is blanked and logged (the row is kept)."""
    return Column(name, "category", desc, required=required, nullable=True, codes=code_list, on_invalid="set_missing")


def _text(name, desc, required=False) -> Column:
    return Column(name, "string", desc, required=required, nullable=True)


def _flag(name, desc) -> Column:
    return Column(
        name, "boolean", desc + " (1/0, true/false).", required=False, nullable=True, on_invalid="set_missing"
    )


def _dob(required=False) -> Column:
    return _date("DOB", "Date of birth (dd/mm/YYYY).", required=required)


def _903(table: str, description: str, columns: tuple, unique_key=()) -> RawFile:
    return RawFile(
        key=f"ssda903_{table}",
        filename=f"{LAYOUT}/ssda903/{table}.csv",
        strand=STRAND,
        description="SSDA903 " + description,
        columns=columns,
        unique_key=unique_key,
    )


SSDA903_FILES: dict[str, RawFile] = {
    "header": _903(
        "header",
        "header: one row per child looked after in the year.",
        (
            _child(),
            _code("SEX", codes.SEX_903, "Sex: 1/2 until 2023/24, M/F/U from 2024/25.", required=True),
            _date("DOB", "Date of birth (dd/mm/YYYY); a row without a valid one is rejected.", key=True),
            _text("ETHNIC", "Ethnicity code (DfE list).", required=True),
            _text("MOTHER", "1 if the child is a mother, 0 if not, blank if male."),
            _date("MC_DOB", "Date of birth of the mother's first child (dd/mm/YYYY)."),
        ),
        unique_key=("CHILD",),
    ),
    "episodes": _903(
        "episodes",
        "episodes: one row per episode of care (a change of legal status and/or placement starts a new one).",
        (
            _child(),
            _date("DECOM", "Date the episode started (dd/mm/YYYY); required.", key=True),
            _code("RNE", codes.RNE, "Reason for new episode; S starts a new period of care.", required=True),
            _code("LS", codes.LS, "Legal status; V3/V4 are short breaks.", required=True),
            _code("CIN", codes.CIN_NEED, "Category of need N1-N8."),
            _code("PLACE", codes.PLACE, "Placement type (the XML tag is PL).", required=True),
            _code("PLACE_PROVIDER", codes.PLACE_PROVIDER, "Placement provider PR0-PR5."),
            _date("DEC", "Date the episode ceased (dd/mm/YYYY); blank while open.", required=True),
            _code("REC", codes.REC, "Reason the episode ceased; X1 = child still looked after."),
            _code("REASON_PLACE_CHANGE", codes.REASON_PLACE_CHANGE, "Reason for a change of placement."),
            _text("URN", "Ofsted unique reference number of the placement provider."),
        ),
    ),
    "uasc": _903(
        "uasc",
        "UASC: unaccompanied asylum-seeking children.",
        (
            _child(),
            _code("SEX", codes.SEX_903, "Sex."),
            _dob(),
            _date("DUC", "Date the child ceased to be UASC (dd/mm/YYYY)."),
        ),
    ),
    "missing": _903(
        "missing",
        "missing: periods missing from or away from placement.",
        (
            _child(),
            _dob(),
            _code(
                "MISSING",
                {"M": "missing", "A": "away from placement without authorisation"},
                "Missing (M) or away (A).",
            ),
            _date("MIS_START", "Start of the period (dd/mm/YYYY).", key=True),
            _date("MIS_END", "End of the period (dd/mm/YYYY)."),
        ),
    ),
    "oc2": _903(
        "oc2",
        "OC2: outcomes of children looked after 12 months or more.",
        (
            _child(),
            _dob(),
            Column(
                "SDQ_SCORE",
                "integer",
                "Strengths and Difficulties Questionnaire total (0-40).",
                required=False,
                nullable=True,
                minimum=0,
                maximum=40,
                on_invalid="set_missing",
            ),
            _text("SDQ_REASON", "Reason no SDQ score (SDQ1-SDQ5)."),
            *(
                _flag(c, c.replace("_", " ").lower())
                for c in (
                    "CONVICTED",
                    "HEALTH_CHECK",
                    "IMMUNISATIONS",
                    "TEETH_CHECK",
                    "HEALTH_ASSESSMENT",
                    "SUBSTANCE_MISUSE",
                    "INTERVENTION_RECEIVED",
                    "INTERVENTION_OFFERED",
                )
            ),
        ),
    ),
    "oc3": _903(
        "oc3",
        "OC3: care leavers.",
        (
            _child(),
            _dob(),
            _text("IN_TOUCH", "Whether the LA is in touch (YES, NO, DIED, REFU, NREQ, RHOM)."),
            _text("ACTIV", "Main activity code."),
            _text("ACCOM", "Accommodation code."),
        ),
    ),
    "ad1": _903(
        "ad1",
        "AD1: children adopted.",
        (
            _child(),
            _dob(),
            _date("DATE_INT", "Date of the best-interest decision (dd/mm/YYYY)."),
            _date("DATE_MATCH", "Date matched with adopters (dd/mm/YYYY)."),
            _text("FOSTER_CARE", "Adopted by foster carer (0/1)."),
            _text("NB_ADOPTR", "Number of adopters."),
            _text("SEX_ADOPTR", "Sex of adopters (MM, FF, MF)."),
            _text("LS_ADOPTR", "Legal status of adopters (L0, L11, L12, L2, L3, L4)."),
        ),
    ),
    "placed_for_adoption": _903(
        "placed_for_adoption",
        "placed for adoption: decisions and placements for adoption.",
        (
            _child(),
            _dob(),
            _date("DATE_PLACED", "Date of the decision to place for adoption (dd/mm/YYYY)."),
            _date("DATE_PLACED_CEASED", "Date the decision ceased (dd/mm/YYYY)."),
            _text("REASON_PLACED_CEASED", "Reason (RD1-RD4)."),
        ),
    ),
    "previous_permanence": _903(
        "previous_permanence",
        "previous permanence: permanence orders before this period of care.",
        (
            _child(),
            _dob(),
            _text("PREV_PERM", "Previous permanence option (P1-P3, Z1)."),
            _text("LA_PERM", "LA that made the order."),
            _text("DATE_PERM", "Date of the order (dd/mm/YYYY, may be partial as DfE allows: zz/mm/YYYY)."),
        ),
    ),
    "reviews": _903(
        "reviews",
        "reviews: looked-after reviews.",
        (
            _child(),
            _dob(),
            _date("REVIEW", "Date of the review (dd/mm/YYYY).", key=True),
            _text("REVIEW_CODE", "Participation code (PN0-PN7)."),
        ),
    ),
    "sw_episodes": _903(
        "sw_episodes",
        "social worker episodes (from 2023/24).",
        (
            _child(),
            _dob(),
            Column(
                "SW_ID",
                "string",
                "Social worker identifier (pseudonymised at ingest).",
                required=False,
                nullable=True,
                identifier_prefix="SW",
            ),
            _date("SW_DECOM", "Start of the social worker episode (dd/mm/YYYY)."),
            _date("SW_DEC", "End (dd/mm/YYYY)."),
            _text("SW_REASON", "Reason for the change of social worker."),
        ),
    ),
}


def _cin(key: str, description: str, columns: tuple, unique_key=()) -> RawFile:
    return RawFile(
        key=key,
        filename=f"{LAYOUT}/cin/cin_census.xml ({description.split(':')[0]})",
        strand=STRAND,
        description="CIN census XML, " + description,
        columns=(_child("LAchildID"), *columns),
        unique_key=unique_key,
    )


_REF = Column(
    "referral_seq",
    "integer",
    "Position of the CINdetails block within the child (1, 2, ...): joins a referral to its assessments, s47 enquiries and plans.",
    minimum=1,
)
CIN_FILES: dict[str, RawFile] = {
    "cin_children": _cin(
        "cin_children",
        "Child/ChildIdentifiers and ChildCharacteristics: one record per <Child>.",
        (
            _date("PersonBirthDate", "Date of birth (YYYY-MM-DD).", fmt=ISO),
            _date("ExpectedPersonBirthDate", "Expected date of birth of an unborn child (YYYY-MM-DD).", fmt=ISO),
            _code("Sex", codes.GENDER_CIN, "GenderCurrent (0, 1, 2, 9; to 2023/24) or Sex (M, F, U; from 2024/25)."),
            _date("PersonDeathDate", "Date of death (YYYY-MM-DD).", fmt=ISO),
            _text("Ethnicity", "Ethnicity code (DfE list)."),
            _text("Disabilities", "Disability codes, ';'-separated."),
        ),
        unique_key=("LAchildID",),
    ),
    "cin_referrals": _cin(
        "cin_referrals",
        "Child/CINdetails: one record per referral (episode of need).",
        (
            _REF,
            _date("CINreferralDate", "Referral date (YYYY-MM-DD); required.", fmt=ISO, key=True),
            _text("ReferralSource", "Source of referral code (1A-10)."),
            _code("PrimaryNeedCode", codes.PRIMARY_NEED, "Primary need N0-N9."),
            _date("CINclosureDate", "Closure date (YYYY-MM-DD); blank while open.", fmt=ISO),
            _code("ReasonForClosure", codes.REASON_CLOSURE, "Reason for closure RC1-RC9."),
            _date("DateOfInitialCPC", "Date of the initial child protection conference (YYYY-MM-DD).", fmt=ISO),
            _flag("ReferralNFA", "Referral with no further action"),
        ),
    ),
    "cin_assessments": _cin(
        "cin_assessments",
        "Child/CINdetails/Assessments: one record per assessment.",
        (
            _REF,
            _date("AssessmentActualStartDate", "Start date (YYYY-MM-DD); required.", fmt=ISO, key=True),
            _date("AssessmentInternalReviewDate", "Internal review date (YYYY-MM-DD).", fmt=ISO),
            _date("AssessmentAuthorisationDate", "Authorisation (completion) date (YYYY-MM-DD).", fmt=ISO),
            _text("AssessmentFactors", "Factors identified at assessment, ';'-separated codes."),
        ),
    ),
    "cin_s47": _cin(
        "cin_s47",
        "Child/CINdetails/Section47: one record per section 47 enquiry.",
        (
            _REF,
            _date("S47ActualStartDate", "Start of the enquiry (YYYY-MM-DD); required.", fmt=ISO, key=True),
            _date("InitialCPCtarget", "Target date for the initial conference (YYYY-MM-DD).", fmt=ISO),
            _date("DateOfInitialCPC", "Date of the initial conference (YYYY-MM-DD).", fmt=ISO),
            _flag("ICPCnotRequired", "No initial conference required"),
        ),
    ),
    "cin_plans": _cin(
        "cin_plans",
        "Child/CINdetails/CINPlanDates: one record per CIN plan.",
        (
            _REF,
            _date("CINPlanStartDate", "Start (YYYY-MM-DD); required.", fmt=ISO, key=True),
            _date("CINPlanEndDate", "End (YYYY-MM-DD); blank while open.", fmt=ISO),
        ),
    ),
    "cin_cpp": _cin(
        "cin_cpp",
        "Child/CINdetails/ChildProtectionPlans: one record per child protection plan.",
        (
            _REF,
            _date("CPPstartDate", "Start (YYYY-MM-DD); required.", fmt=ISO, key=True),
            _date("CPPendDate", "End (YYYY-MM-DD); blank while open.", fmt=ISO),
            _code("InitialCategoryOfAbuse", codes.ABUSE, "Initial category of abuse."),
            _code("LatestCategoryOfAbuse", codes.ABUSE, "Latest category of abuse."),
            Column(
                "NumberOfPreviousCPP",
                "integer",
                "Number of previous child protection plans.",
                required=False,
                nullable=True,
                minimum=0,
                on_invalid="set_missing",
            ),
            Column(
                "n_reviews",
                "integer",
                "Number of Reviews/CPPreviewDate elements.",
                required=False,
                nullable=True,
                minimum=0,
            ),
        ),
    ),
}

#: Every raw input the strand declares (for the data dictionary): SSDA903 CSV tables, then the CIN
#: census XML flattened into its record types. The SSDA903 XML return is flattened into the same
#: records as the CSV tables.
RAW_FILES: tuple[RawFile, ...] = (*SSDA903_FILES.values(), *CIN_FILES.values())


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class TableResult:
    """One table read from one or more files (IngestResult-like: rows read = accepted + rejected)."""

    schema: RawFile
    data: pd.DataFrame
    issues: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    files: list[Path] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    synthetic: bool = False

    @property
    def rows_accepted(self) -> int:
        return len(self.data)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def reconciliation(self) -> dict:
        if self.rows_read != self.rows_accepted + self.rows_rejected:
            raise AssertionError(
                f"{self.schema.key}: {self.rows_read} read but {self.rows_accepted} accepted + {self.rows_rejected} rejected"
            )
        cleared = int((self.issues["action"] == "value set to missing").sum()) if len(self.issues) else 0
        h = hashlib.sha256()
        for p in self.files:
            h.update(ingest.file_sha256(p).encode())
        label = self.files[0].name if len(self.files) == 1 else f"{self.schema.key} ({len(self.files)} files)"
        return {
            "file": label,
            "strand": STRAND,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "values_set_to_missing": cleared,
            "ignored_columns": ";".join(sorted(set(self.ignored_columns))),
            "synthetic": self.synthetic,
            "sha256": h.hexdigest(),
        }


def _empty_result(schema: RawFile) -> TableResult:
    cols = [c.name for c in schema.columns] + ["la_code", "year"]
    return TableResult(
        schema,
        pd.DataFrame(columns=cols),
        pd.DataFrame(columns=ingest.ISSUE_COLUMNS),
        pd.DataFrame(columns=["file", "row", "reasons"]),
        0,
    )


def _label(path: Path, raw_dir: Path | None) -> str:
    if raw_dir is not None:
        try:
            return str(Path(path).relative_to(raw_dir))
        except ValueError:
            pass
    return Path(path).name


def is_synthetic(path: Path) -> bool:
    """True when ``path`` is byte-for-byte a file the synthetic generator wrote. The generator's
    manifest sits at the top of the raw folder and names nested files by their relative path
    (``la_extracts/213/2015/ssda903/episodes.csv``), so it is looked for in every parent folder."""
    import json

    path = Path(path).resolve()
    for parent in path.parents:
        manifest = parent / ingest.SYNTHETIC_MANIFEST
        if manifest.exists():
            files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
            expected = files.get(path.relative_to(parent).as_posix())
            return expected is not None and expected == ingest.file_sha256(path)
    return False


def _from_ingest(
    res: ingest.IngestResult, label: str, la_code, year, row_paths: list[str] | None = None, source: Path | None = None
) -> TableResult:
    """Convert one IngestResult, naming the file by ``label`` and (XML) rows by element path."""
    data = res.data.copy()
    data["la_code"] = la_code
    data["year"] = year
    issues = res.issues.copy()
    rejected = res.rejected.copy()
    for df in (issues, rejected):
        if len(df):
            df["file"] = label
            if row_paths is not None:
                df["row"] = [row_paths[int(r) - 2] for r in df["row"]]
    src = source or res.path
    return TableResult(res.schema, data, issues, rejected, res.rows_read, [src], res.ignored_columns, is_synthetic(src))


def _stack(schema: RawFile, parts: list[TableResult]) -> TableResult:
    if not parts:
        return _empty_result(schema)
    return TableResult(
        schema,
        pd.concat([p.data for p in parts], ignore_index=True),
        pd.concat([p.issues for p in parts], ignore_index=True),
        pd.concat([p.rejected for p in parts], ignore_index=True),
        sum(p.rows_read for p in parts),
        [f for p in parts for f in p.files],
        [c for p in parts for c in p.ignored_columns],
        any(p.synthetic for p in parts),
    )


def _read_records(
    schema: RawFile,
    records: list[dict],
    row_paths: list[str],
    source: Path,
    label: str,
    la_code,
    year,
    key: bytes | None,
) -> TableResult:
    """Validate records flattened from XML with exactly the CSV rules (via a temporary CSV)."""
    names = [c.name for c in schema.columns]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_name = f"{schema.key}.csv"
        with open(Path(tmp) / tmp_name, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(names)
            for r in records:
                w.writerow(["" if r.get(n) is None else r.get(n) for n in names])
        res = ingest.read_raw(replace(schema, filename=tmp_name), tmp, key=key)
    return _from_ingest(res, label, la_code, year, row_paths, source)


# ---------------------------------------------------------------------------------------------
# SSDA903
# ---------------------------------------------------------------------------------------------


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
        out[table] = _from_ingest(res, _label(path, raw_dir), la_code, year)
    if not out:
        raise IngestError(
            f"{folder}: no SSDA903 table found (expected any of {', '.join(t + '.csv' for t in SSDA903_TABLES)} or ssda903.xml)"
        )
    return out


def _text_of(el, tag):
    v = el.findtext(tag)
    return None if v is None else v.strip()


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
        cpath = f"/EXPSSDA903/CHILD[{i}]"
        header = child.find("HEADER")
        if header is None:
            raise IngestError(f"{path}: {cpath} has no <HEADER> element")
        cid = _text_of(header, "CHILDID")
        dob = _text_of(header, "DOB")
        r = {"CHILD": cid, **{c: _text_of(header, c) for c in ("SEX", "DOB", "ETHNIC", "MOTHER", "MC_DOB")}}
        recs["header"][0].append(r)
        recs["header"][1].append(cpath + "/HEADER")
        for j, ep in enumerate(child.iterfind("EPISODE"), start=1):
            e = {
                "CHILD": cid,
                **{
                    c: _text_of(ep, c)
                    for c in ("DECOM", "RNE", "LS", "CIN", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "URN")
                },
            }
            e["PLACE"] = _text_of(ep, "PL")
            recs["episodes"][0].append(e)
            recs["episodes"][1].append(f"{cpath}/EPISODE[{j}]")
        for table, (tag, fields) in _XML_903_BLOCKS.items():
            for j, block in enumerate(header.iterfind(tag), start=1):
                rec = {"CHILD": cid, "DOB": dob, **{col: _text_of(block, t) for t, col in fields.items()}}
                recs[table][0].append(rec)
                recs[table][1].append(f"{cpath}/HEADER/{tag}[{j}]")
        for table, (trigger, fields) in _XML_903_FLAT.items():
            if _text_of(header, trigger):
                recs[table][0].append({"CHILD": cid, **{f: _text_of(header, f) for f in fields}})
                recs[table][1].append(f"{cpath}/HEADER")
    label = _label(path, raw_dir)
    return {
        t: _read_records(SSDA903_FILES[t], recs[t][0], recs[t][1], path, label, la_code, year, key)
        for t in SSDA903_TABLES
        if recs[t][0] or t in ("header", "episodes")
    }


# ---------------------------------------------------------------------------------------------
# CIN census
# ---------------------------------------------------------------------------------------------


def _strip_ns(root) -> None:
    """Drop XML namespaces (some LA systems write a default namespace) so paths match."""
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


def read_cin_xml(
    path: Path, la_code=None, year=None, key: bytes | None = None, raw_dir: Path | None = None
) -> dict[str, TableResult]:
    """Read a CIN census XML file (any schema year 2021-2026) into the six CIN record tables."""
    from lxml import etree

    path = Path(path)
    try:
        root = etree.parse(str(path)).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise IngestError(f"{path}: cannot be read as XML: {exc}") from exc
    _strip_ns(root)
    if root.tag != "Message":
        raise IngestError(f"{path}: root element is <{root.tag}>, expected <Message> (CIN census)")
    children = root.find("Children")
    if children is None:
        raise IngestError(f"{path}: element /Message/Children not found")
    if la_code is None:
        la_code = _text_of(root, "Header/Source/LEA")
    if year is None:
        ref = _text_of(root, "Header/CollectionDetails/ReferenceDate") or ""
        year = int(ref[:4]) if re.match(r"\d{4}-", ref) else None
    recs = {t: ([], []) for t in CIN_TABLES}
    for i, child in enumerate(children.iterfind("Child"), start=1):
        cpath = f"/Message/Children/Child[{i}]"
        ids = child.find("ChildIdentifiers")
        if ids is None:
            raise IngestError(f"{path}: {cpath} has no <ChildIdentifiers> element")
        cid = _text_of(ids, "LAchildID")
        chars = child.find("ChildCharacteristics")
        sex = _text_of(ids, "Sex") or _text_of(ids, "GenderCurrent")
        recs["cin_children"][0].append(
            {
                "LAchildID": cid,
                "PersonBirthDate": _text_of(ids, "PersonBirthDate"),
                "ExpectedPersonBirthDate": _text_of(ids, "ExpectedPersonBirthDate"),
                "Sex": sex,
                "PersonDeathDate": _text_of(ids, "PersonDeathDate"),
                "Ethnicity": None if chars is None else _text_of(chars, "Ethnicity"),
                "Disabilities": None
                if chars is None
                else ";".join((d.text or "").strip() for d in chars.iterfind("Disabilities/Disability")) or None,
            }
        )
        recs["cin_children"][1].append(cpath + "/ChildIdentifiers")
        for k, det in enumerate(child.iterfind("CINdetails"), start=1):
            dpath = f"{cpath}/CINdetails[{k}]"
            base = {"LAchildID": cid, "referral_seq": k}
            recs["cin_referrals"][0].append(
                {
                    **base,
                    **{
                        c: _text_of(det, c)
                        for c in (
                            "CINreferralDate",
                            "ReferralSource",
                            "PrimaryNeedCode",
                            "CINclosureDate",
                            "ReasonForClosure",
                            "DateOfInitialCPC",
                            "ReferralNFA",
                        )
                    },
                }
            )
            recs["cin_referrals"][1].append(dpath)
            for j, a in enumerate(det.iterfind("Assessments"), start=1):
                recs["cin_assessments"][0].append(
                    {
                        **base,
                        **{
                            c: _text_of(a, c)
                            for c in (
                                "AssessmentActualStartDate",
                                "AssessmentInternalReviewDate",
                                "AssessmentAuthorisationDate",
                            )
                        },
                        "AssessmentFactors": ";".join(
                            (f.text or "").strip()
                            for f in a.iterfind("FactorsIdentifiedAtAssessment/AssessmentFactors")
                        )
                        or None,
                    }
                )
                recs["cin_assessments"][1].append(f"{dpath}/Assessments[{j}]")
            for j, s in enumerate(det.iterfind("Section47"), start=1):
                recs["cin_s47"][0].append(
                    {
                        **base,
                        **{
                            c: _text_of(s, c)
                            for c in ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")
                        },
                    }
                )
                recs["cin_s47"][1].append(f"{dpath}/Section47[{j}]")
            for j, p in enumerate(det.iterfind("CINPlanDates"), start=1):
                recs["cin_plans"][0].append(
                    {**base, **{c: _text_of(p, c) for c in ("CINPlanStartDate", "CINPlanEndDate")}}
                )
                recs["cin_plans"][1].append(f"{dpath}/CINPlanDates[{j}]")
            for j, p in enumerate(det.iterfind("ChildProtectionPlans"), start=1):
                recs["cin_cpp"][0].append(
                    {
                        **base,
                        **{
                            c: _text_of(p, c)
                            for c in (
                                "CPPstartDate",
                                "CPPendDate",
                                "InitialCategoryOfAbuse",
                                "LatestCategoryOfAbuse",
                                "NumberOfPreviousCPP",
                            )
                        },
                        "n_reviews": len(p.findall("Reviews/CPPreviewDate")),
                    }
                )
                recs["cin_cpp"][1].append(f"{dpath}/ChildProtectionPlans[{j}]")
    label = _label(path, raw_dir)
    return {t: _read_records(CIN_FILES[t], recs[t][0], recs[t][1], path, label, la_code, year, key) for t in CIN_TABLES}


# ---------------------------------------------------------------------------------------------
# The layout: every LA-year under <raw_dir>/la_extracts
# ---------------------------------------------------------------------------------------------


def discover(raw_dir: Path) -> pd.DataFrame:
    """Every LA-year extract under ``<raw_dir>/la_extracts``: la_code, year, ssda903 path, cin path."""
    base = Path(raw_dir) / "la_extracts"
    rows = []
    if base.exists():
        for la in sorted(p for p in base.iterdir() if p.is_dir() and p.name.isdigit()):
            for yr in sorted(p for p in la.iterdir() if p.is_dir() and p.name.isdigit()):
                s903 = yr / "ssda903"
                xml903 = s903 / "ssda903.xml"
                cin = yr / "cin" / "cin_census.xml"
                rows.append(
                    {
                        "la_code": int(la.name),
                        "year": int(yr.name),
                        "ssda903": xml903 if xml903.exists() else (s903 if s903.exists() else None),
                        "cin": cin if cin.exists() else None,
                    }
                )
    return pd.DataFrame(rows, columns=["la_code", "year", "ssda903", "cin"])


def read_extract(
    folder: Path, la_code=None, year=None, key: bytes | None = None, raw_dir: Path | None = None
) -> dict[str, TableResult]:
    """Read one LA-year extract folder (``ssda903/`` and/or ``cin/cin_census.xml``, or the files directly)."""
    folder = Path(folder)
    out: dict[str, TableResult] = {}
    s903 = folder / "ssda903" if (folder / "ssda903").is_dir() else folder
    xml903 = (
        [s903 / "ssda903.xml"]
        if (s903 / "ssda903.xml").exists()
        else sorted(p for p in s903.glob("*.xml") if "903" in p.name)
    )
    if any((s903 / f"{t}.csv").exists() for t in SSDA903_TABLES):
        out.update(read_ssda903_csv(s903, la_code, year, key, raw_dir))
    elif xml903:
        out.update(read_ssda903_xml(xml903[0], la_code, year, key, raw_dir))
    if (folder / "cin").is_dir():
        cin_files = sorted((folder / "cin").glob("*.xml"))
    else:  # files directly in the folder: XML files whose name says CIN
        cin_files = sorted(p for p in folder.glob("*.xml") if "cin" in p.name.lower())
    if cin_files:
        parts = [read_cin_xml(p, la_code, year, key, raw_dir) for p in cin_files]
        out.update({t: _stack(CIN_FILES[t], [p[t] for p in parts]) for t in CIN_TABLES})
    if not out:
        raise IngestError(f"{folder}: no SSDA903 tables and no CIN census XML found")
    return out


def read_all(raw_dir: Path, key: bytes | None = None, missing_ok: bool = False) -> dict[str, TableResult]:
    """Read every LA-year under ``<raw_dir>/la_extracts`` and stack each table across them
    (``missing_ok``: no extracts at all gives empty tables instead of an error)."""
    raw_dir = Path(raw_dir)
    found = discover(raw_dir)
    schemas = {**SSDA903_FILES, **CIN_FILES}
    if found.empty and missing_ok:
        return {t: _empty_result(schemas[t]) for t in (*SSDA903_TABLES, *CIN_TABLES)}
    if found.empty:
        raise IngestError(f"{raw_dir / 'la_extracts'}: no LA extract folders (<LA number>/<year>/ssda903 or cin) found")
    parts: dict[str, list[TableResult]] = {}
    for row in found.itertuples():
        res = read_extract(
            raw_dir / "la_extracts" / str(row.la_code) / str(row.year), row.la_code, row.year, key, raw_dir
        )
        for t, r in res.items():
            parts.setdefault(t, []).append(r)
    return {t: _stack(schemas[t], parts.get(t, [])) for t in (*SSDA903_TABLES, *CIN_TABLES)}


def save_records(results: dict[str, TableResult], processed_dir: Path) -> pd.DataFrame:
    """Write each table's rejected rows, issues and reconciliation as ``helpers.ingest`` does."""
    out = ingest.data_quality_dir(processed_dir)
    recs = []
    for t, r in results.items():
        if not r.files:
            continue
        k = r.schema.key
        r.rejected.to_csv(out / f"rejected_{k}.csv", index=False)
        r.issues.to_csv(out / f"issues_{k}.csv", index=False)
        rec = r.reconciliation()
        pd.DataFrame([rec]).to_csv(out / f"reconciliation_{k}.csv", index=False)
        recs.append({"table": t, **rec})
    return pd.DataFrame(recs, columns=["table", *ingest.RECONCILIATION_COLUMNS])


# ---------------------------------------------------------------------------------------------
# Published figures (public-data folder) for the reconciliation and the s251 comparison
# ---------------------------------------------------------------------------------------------

PUBLISHED_MEASURES = (
    "cla_at_31_march_number",
    "cla_started_during_year_number",
    "cla_ceased_during_year_number",
    "cin_referrals_number",
    "cin_rereferrals_within_12m_pct",
    "cpp_at_31_march_number",
    "s251_cla_gross_expenditure_gbp",
)


def load_published(public_dir: Path, la_codes=None) -> tuple[pd.DataFrame, list[dict]]:
    """Published LA figures from ``csc_indicators_preferred.csv`` (a small local read with pandas; the
    shared reader ``helpers.public_data`` lives on another branch): la_code (DfE number, as text),
    year, measure, value, source_id; and the sources (release ids) for the report. Empty when the
    folder is absent."""
    path = Path(public_dir) / "csc_indicators_preferred.csv"
    cols = ["la_code", "year", "measure", "value", "source_id"]
    if not path.exists():
        return pd.DataFrame(columns=cols), []
    df = pd.read_csv(path, usecols=["old_la_code", "year", "measure", "value", "source_id"], dtype={"old_la_code": str})
    df = df[df["measure"].isin(PUBLISHED_MEASURES)].rename(columns={"old_la_code": "la_code"})
    if la_codes is not None:
        df = df[df["la_code"].isin([str(x) for x in la_codes])]
    df["year"] = df["year"].astype(int)
    sources = [
        {"name": s, "publisher": "DfE", "released": "see public_data/SOURCES_MANIFEST.csv", "url": ""}
        for s in sorted(df["source_id"].dropna().unique())
    ]
    return df[cols].reset_index(drop=True), sources
