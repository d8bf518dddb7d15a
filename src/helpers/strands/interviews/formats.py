"""What the interviews strand reads: the plain CSV of coded excerpts (:data:`CODINGS_CSV`), the subset of a
REFI-QDA project read (:data:`QDPX_MARKDOWN`), and the two tables both readers produce (:class:`InterviewData`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ... import config
from ...ingest import Column, RawFile

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
