"""Raw-input schemas of the LA extracts in the DfE formats: the SSDA903 tables and the CIN census
record types, and the layout of extract folders.

Layout under the raw folder (agreed between strands)::

    <raw_dir>/la_extracts/<DfE LA number>/<year ending 31 March>/ssda903/<table>.csv   (any subset of
        header, episodes, uasc, missing, oc2, oc3, ad1, placed_for_adoption, previous_permanence,
        reviews, sw_episodes), or one ssda903.xml (the XML return, root <EXPSSDA903>)
    <raw_dir>/la_extracts/<DfE LA number>/<year ending 31 March>/cin/cin_census.xml

SSDA903 dates are ``dd/mm/YYYY``; CIN dates ISO ``YYYY-MM-DD``. Child identifiers (CHILD, CHILDID,
LAchildID) are pseudonymised when read, with the same key and prefix in both returns, so a child
joins across returns and years. UPNs, former UPNs and postcodes are never read. The readers are in
:mod:`.ssda903` and :mod:`.cin`; the folders in :mod:`.inputs`.
"""

from __future__ import annotations

from ...ingest import Column, RawFile
from .codes import (
    ABUSE,
    CIN_NEED,
    GENDER_CIN,
    LS,
    PLACE,
    PLACE_PROVIDER,
    PRIMARY_NEED,
    REASON_CLOSURE,
    REASON_PLACE_CHANGE,
    REC,
    RNE,
    SEX_903,
)
from .folders import SSDA903_CSV_TABLES, STRAND  # noqa: F401 (STRAND: the strand's name, for the readers)

DMY = "%d/%m/%Y"
ISO = "%Y-%m-%d"
CHILD_PREFIX = "CH"
LAYOUT = "la_extracts/<LA number>/<year>"
#: The SSDA903 tables, in the order of the data dictionary (the CSV names of the return).
SSDA903_TABLES = SSDA903_CSV_TABLES
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
            _code("SEX", SEX_903, "Sex: 1/2 until 2023/24, M/F/U from 2024/25.", required=True),
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
            _code("RNE", RNE, "Reason for new episode; S starts a new period of care.", required=True),
            _code("LS", LS, "Legal status; V3/V4 are short breaks.", required=True),
            _code("CIN", CIN_NEED, "Category of need N1-N8."),
            _code("PLACE", PLACE, "Placement type (the XML tag is PL).", required=True),
            _code("PLACE_PROVIDER", PLACE_PROVIDER, "Placement provider PR0-PR5."),
            _date("DEC", "Date the episode ceased (dd/mm/YYYY); blank while open.", required=True),
            _code("REC", REC, "Reason the episode ceased; X1 = child still looked after."),
            _code("REASON_PLACE_CHANGE", REASON_PLACE_CHANGE, "Reason for a change of placement."),
            _text("URN", "Ofsted unique reference number of the placement provider."),
        ),
    ),
    "uasc": _903(
        "uasc",
        "UASC: unaccompanied asylum-seeking children.",
        (
            _child(),
            _code("SEX", SEX_903, "Sex."),
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
            _code("Sex", GENDER_CIN, "GenderCurrent (0, 1, 2, 9; to 2023/24) or Sex (M, F, U; from 2024/25)."),
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
            _code("PrimaryNeedCode", PRIMARY_NEED, "Primary need N0-N9."),
            _date("CINclosureDate", "Closure date (YYYY-MM-DD); blank while open.", fmt=ISO),
            _code("ReasonForClosure", REASON_CLOSURE, "Reason for closure RC1-RC9."),
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
            _code("InitialCategoryOfAbuse", ABUSE, "Initial category of abuse."),
            _code("LatestCategoryOfAbuse", ABUSE, "Latest category of abuse."),
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
