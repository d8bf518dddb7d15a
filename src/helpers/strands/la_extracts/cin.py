"""Reader of the CIN census XML (any schema year 2021-2026) into its six record tables.

One ``<Child>`` gives a child record, and each ``<CINdetails>`` (a referral, or episode of need) a
referral record with its assessments, section 47 enquiries, CIN plans and child protection plans,
joined by ``referral_seq`` (the block's position within the child). The header's LEA and
collection year label the records unless the caller gives them (:func:`header_lea_year`).
"""

from __future__ import annotations

from pathlib import Path

from ...ingest import IngestError
from .records import TableResult, file_label, read_records, text_of, texts_of
from .schemas import CIN_FILES, CIN_TABLES

_REFERRAL_FIELDS = (
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "ReferralNFA",
)
_ASSESSMENT_FIELDS = ("AssessmentActualStartDate", "AssessmentInternalReviewDate", "AssessmentAuthorisationDate")
_S47_FIELDS = ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")
_PLAN_FIELDS = ("CINPlanStartDate", "CINPlanEndDate")
_CPP_FIELDS = ("CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse", "NumberOfPreviousCPP")


def _strip_ns(root) -> None:
    """Drop XML namespaces (some LA systems write a default namespace) so paths match."""
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


def parse(path: Path):
    """The root <Message> of a CIN census file, namespaces dropped; a clear error otherwise."""
    from lxml import etree

    try:
        root = etree.parse(str(path)).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise IngestError(f"{path}: cannot be read as XML: {exc}") from exc
    _strip_ns(root)
    if root.tag != "Message":
        raise IngestError(f"{path}: root element is <{root.tag}>, expected <Message> (CIN census)")
    return root


def header_lea_year(root) -> tuple[str | None, int | None]:
    """The header's LEA (as written) and the reference date's year (None when absent)."""
    lea = text_of(root, "Header/Source/LEA")
    ref = text_of(root, "Header/CollectionDetails/ReferenceDate") or ""
    year = int(ref[:4]) if len(ref) > 4 and ref[:4].isdigit() and ref[4] == "-" else None
    return lea, year


def _child_record(ids: dict, chars, cid) -> dict:
    """A child's record from the texts of <ChildIdentifiers> (:func:`texts_of`) and <ChildCharacteristics>."""
    disabilities = None
    if chars is not None:
        disabilities = ";".join((d.text or "").strip() for d in chars.iterfind("Disabilities/Disability")) or None
    return {
        "LAchildID": cid,
        "PersonBirthDate": ids.get("PersonBirthDate"),
        "ExpectedPersonBirthDate": ids.get("ExpectedPersonBirthDate"),
        "Sex": ids.get("Sex") or ids.get("GenderCurrent"),
        "PersonDeathDate": ids.get("PersonDeathDate"),
        "Ethnicity": None if chars is None else texts_of(chars).get("Ethnicity"),
        "Disabilities": disabilities,
    }


def _fields(el, names) -> dict:
    """The named fields of one element's children, read in one pass (:func:`texts_of`)."""
    texts = texts_of(el)
    return {c: texts.get(c) for c in names}


def _referral_records(det, base: dict, dpath: str, add) -> None:
    """One <CINdetails> block: the referral and everything under it."""
    add("cin_referrals", {**base, **_fields(det, _REFERRAL_FIELDS)}, dpath)
    for j, a in enumerate(det.iterfind("Assessments"), start=1):
        factors = ";".join(
            (f.text or "").strip() for f in a.iterfind("FactorsIdentifiedAtAssessment/AssessmentFactors")
        )
        rec = {**base, **_fields(a, _ASSESSMENT_FIELDS), "AssessmentFactors": factors or None}
        add("cin_assessments", rec, f"{dpath}/Assessments[{j}]")
    for j, s in enumerate(det.iterfind("Section47"), start=1):
        add("cin_s47", {**base, **_fields(s, _S47_FIELDS)}, f"{dpath}/Section47[{j}]")
    for j, p in enumerate(det.iterfind("CINPlanDates"), start=1):
        add("cin_plans", {**base, **_fields(p, _PLAN_FIELDS)}, f"{dpath}/CINPlanDates[{j}]")
    for j, p in enumerate(det.iterfind("ChildProtectionPlans"), start=1):
        rec = {**base, **_fields(p, _CPP_FIELDS), "n_reviews": len(p.findall("Reviews/CPPreviewDate"))}
        add("cin_cpp", rec, f"{dpath}/ChildProtectionPlans[{j}]")


def read_cin_xml(
    path: Path, la_code=None, year=None, key: bytes | None = None, raw_dir: Path | None = None
) -> dict[str, TableResult]:
    """Read a CIN census XML file (any schema year 2021-2026) into the six CIN record tables;
    ``la_code`` and ``year`` default to the header's LEA and reference-date year."""
    path = Path(path)
    root = parse(path)
    children = root.find("Children")
    if children is None:
        raise IngestError(f"{path}: element /Message/Children not found")
    lea, ref_year = header_lea_year(root)
    la_code = lea if la_code is None else la_code
    year = ref_year if year is None else year
    recs = {t: ([], []) for t in CIN_TABLES}

    def add(table: str, record: dict, where: str) -> None:
        recs[table][0].append(record)
        recs[table][1].append(where)

    for i, child in enumerate(children.iterfind("Child"), start=1):
        cpath = f"/Message/Children/Child[{i}]"
        ids = child.find("ChildIdentifiers")
        if ids is None:
            raise IngestError(f"{path}: {cpath} has no <ChildIdentifiers> element")
        id_texts = texts_of(ids)
        cid = id_texts.get("LAchildID")
        add(
            "cin_children",
            _child_record(id_texts, child.find("ChildCharacteristics"), cid),
            cpath + "/ChildIdentifiers",
        )
        for k, det in enumerate(child.iterfind("CINdetails"), start=1):
            _referral_records(det, {"LAchildID": cid, "referral_seq": k}, f"{cpath}/CINdetails[{k}]", add)
    label = file_label(path, raw_dir)
    return {t: read_records(CIN_FILES[t], recs[t][0], recs[t][1], path, label, la_code, year, key) for t in CIN_TABLES}
