"""SCORE-15 raw input: the questionnaire's items, scoring constants and the responses file schema.

The scoring rules (direction, subscales, missing items) are described in the package docstring.
"""

from __future__ import annotations

import pandas as pd

from helpers.config import BOROUGH_NAMES
from helpers.ingest import Column, Link, RawFile
from helpers.roster import FAMILIES, REQUIRED_MATCH

STRAND = "score15"
N_ITEMS = 15
ITEMS = tuple(f"q{i:02d}" for i in range(1, N_ITEMS + 1))
ITEM_TEXT = {
    1: "In my family we talk to each other about things which matter to us",
    2: "People often don't tell each other the truth in my family",
    3: "Each of us gets listened to in our family",
    4: "It feels risky to disagree in our family",
    5: "We find it hard to deal with everyday problems",
    6: "We trust each other",
    7: "It feels miserable in our family",
    8: "When people in my family get angry they ignore each other on purpose",
    9: "We seem to go from one crisis to another in my family",
    10: "When one of us is upset they get looked after within the family",
    11: "Things always seem to go wrong for my family",
    12: "People in the family are nasty to each other",
    13: "People in my family interfere too much in each other's lives",
    14: "In my family we blame each other when things go wrong",
    15: "We are good at finding new ways to deal with things that are difficult",
}
RESPONSE_SCALE = {1: "describes us very well", 2: "well", 3: "partly", 4: "not well", 5: "not at all"}

#: Problem-worded items, reversed as 6 - answer so that every scored item reads higher = more
#: difficulty; items 1, 3, 6, 10 and 15 (strengths) are kept as answered. Confidence: MEDIUM. The
#: direction is inferred from the published direction statements ("lower = better functioning",
#: a "family problem score"); the official AFT scoring sheet was not available to check it.
REVERSED_ITEMS = (2, 4, 5, 7, 8, 9, 11, 12, 13, 14)

#: Subscales (PhenX protocol 662102): name -> item numbers.
SUBSCALES = {
    "strengths_adaptability": (1, 3, 6, 10, 15),
    "overwhelmed_by_difficulties": (5, 7, 9, 11, 14),
    "disrupted_communication": (2, 4, 8, 12, 13),
}
SUBSCALE_LABELS = {
    "strengths_adaptability": "Strengths and adaptability",
    "overwhelmed_by_difficulties": "Overwhelmed by difficulties",
    "disrupted_communication": "Disrupted communication",
    "total": "Total (all 15 items)",
}
#: The project's missing-item rule: a subscale mean is computed with at most this many of its five
#: items missing (no official rule exists).
MAX_MISSING_PER_SUBSCALE = 1
#: z for the reliable change index (95%, two-sided), Jacobson & Truax (1991).
RCI_Z = 1.96

ROLES = {
    "mother": "Mother",
    "father": "Father",
    "carer": "Other parent figure or carer (e.g. step-parent, kinship carer, foster carer)",
    "young_person": "Young person aged 12 or over",
    "other_adult": "Other adult family member",
}
WAVES = {"1": "Wave 1, soon after work with the family began", "2": "Wave 2, about six months later"}
BOROUGH_CODES = {name: name for name in BOROUGH_NAMES}

RESPONSES = RawFile(
    key="score15_responses",
    filename="score15_responses.csv",
    strand=STRAND,
    description=(
        "SCORE-15 questionnaires: one row per respondent (family member aged 12+) per wave. Answers "
        "are as ticked on the form (1 = describes us very well ... 5 = not at all), before any reversal."
    ),
    unique_key=("respondent_id", "wave"),
    date_window=("2013-01-01", "2018-12-31"),
    # families.csv is authoritative for the borough: a form whose borough differs takes the family's
    # (logged), so SCORE-15 and the network maps put a family in the same borough report.
    links=(Link(("family_id",), FAMILIES, required_share=REQUIRED_MATCH, shared=("borough",)),),
    columns=(
        Column(
            "family_id",
            "string",
            "The LA's family or case identifier (pseudonymised at ingest; joins families.csv).",
            identifier_prefix="F",
        ),
        Column(
            "respondent_id",
            "string",
            "Identifier of the family member answering, stable across waves (pseudonymised at ingest).",
            identifier_prefix="R",
        ),
        Column("borough", "category", "Borough working with the family.", codes=BOROUGH_CODES),
        Column(
            "wave",
            "integer",
            "Questionnaire wave: 1 soon after work began, 2 about six months later.",
            minimum=1,
            maximum=2,
        ),
        Column("completed_on", "date", "Date the questionnaire was completed (YYYY-MM-DD)."),
        Column("respondent_role", "category", "The respondent's place in the family.", codes=ROLES),
        Column(
            "age",
            "integer",
            "Age in years when answering. SCORE-15 is for family members aged 12 and over, so a younger age rejects the row.",
            minimum=12,
            maximum=120,
        ),
        *(
            Column(
                q,
                "integer",
                f'Item {i}: "{ITEM_TEXT[i]}". Answer as ticked, 1 (describes us very well) to 5 (not at all); '
                f"blank if not answered. {'Problem-worded: reversed (6 - answer) in scoring.' if i in REVERSED_ITEMS else 'Strengths item: scored as answered.'} "
                "An answer outside 1-5 or not a number is set to missing and logged.",
                nullable=True,
                minimum=1,
                maximum=5,
                on_invalid="set_missing",
            )
            for i, q in enumerate(ITEMS, start=1)
        ),
    ),
)
RAW_FILES = (RESPONSES,)


def filter_borough(responses: pd.DataFrame, names) -> pd.DataFrame:
    """Rows of the boroughs in ``names`` (from :func:`helpers.config.borough_names`)."""
    return responses[responses["borough"].isin(list(names))].reset_index(drop=True)


def item_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """Ingest issues on questionnaire items (answers set to missing), for the report's count."""
    if issues is None or issues.empty:
        return pd.DataFrame(columns=["file", "row", "column", "value", "reason", "action"])
    return issues[issues["column"].isin(ITEMS) & (issues["action"] == "value set to missing")]
