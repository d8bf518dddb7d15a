"""Practice scenarios raw input: the coding frame (``coding_frame.yaml`` in this package) and the three files' schemas."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from helpers.ingest import Column, Link, RawFile
from helpers.roster import PRACTITIONERS, REQUIRED_MATCH

STRAND = "scenarios"
FRAME_FILE = Path(__file__).resolve().parent / "coding_frame.yaml"
CODERS = {
    "A": "First coder (codes every answer)",
    "B": "Second coder (codes every answer, blind to A)",
    "C": "Third coder: codes an answer and outcome where A and B were two levels apart",
}
WAVES = {1: "Wave 1 (early 2015)", 2: "Wave 2 (early 2016)"}
ROLE_LABELS = {
    "social_worker": "Social worker",
    "senior_social_worker": "Senior social worker",
    "supervisor": "Supervisor / manager",
    "family_support_worker": "Family support worker",
    "clinician": "Clinician",
}
ROLLOUT_GROUPS = {
    "trained_between_waves": "Trained between the waves",
    "not_trained_by_wave2": "Not trained by wave 2",
    "trained_before_wave1": "Trained before wave 1",
}


class CodingFrameError(ValueError):
    """The coding frame is malformed, or a code lies outside its scale."""


# ---------------------------------------------------------------- coding frame


def validate_coding_frame(frame: dict) -> dict:
    """Check a coding frame (as loaded from YAML) and return it with levels as integers.

    Errors (:class:`CodingFrameError`): no scale, or scale levels that are not consecutive integers
    from 0; benchmark thresholds missing or not 0 < tentative < reliable <= 1; no outcomes; an outcome
    without code, label, definition or anchors; a duplicate code; an anchor for a level outside the
    scale (a code outside its scale); a scale level without an anchor; ``min_outcomes_coded`` not
    between 1 and the number of outcomes.
    """
    if not isinstance(frame, dict):
        raise CodingFrameError("the coding frame must be a mapping")
    scale = frame.get("scale")
    if not isinstance(scale, dict) or not scale:
        raise CodingFrameError("the coding frame needs a scale (level: label)")
    try:
        levels = sorted(int(k) for k in scale)
    except (TypeError, ValueError) as exc:
        raise CodingFrameError(f"scale levels must be whole numbers, got {list(scale)}") from exc
    if levels != list(range(len(levels))) or len(levels) < 2:
        raise CodingFrameError(f"scale levels must be 0, 1, 2, ... (consecutive from 0), got {levels}")
    out = dict(frame)
    out["scale"] = {int(k): str(v) for k, v in scale.items()}
    bench = frame.get("benchmark") or {}
    try:
        reliable, tentative = float(bench["reliable"]), float(bench["tentative"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CodingFrameError("the benchmark needs numeric 'reliable' and 'tentative' thresholds") from exc
    if not 0 < tentative < reliable <= 1:
        raise CodingFrameError(
            f"benchmark thresholds must satisfy 0 < tentative < reliable <= 1, got {tentative}, {reliable}"
        )
    outcomes = frame.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        raise CodingFrameError("the coding frame lists no outcomes")
    seen = set()
    checked = []
    for i, o in enumerate(outcomes, start=1):
        for key in ("code", "label", "definition", "anchors"):
            if not o.get(key):
                raise CodingFrameError(f"outcome {i} ({o.get('code', '?')}): missing {key}")
        code = str(o["code"])
        if code in seen:
            raise CodingFrameError(f"outcome {code}: duplicate code")
        seen.add(code)
        anchors = {}
        for k, text in o["anchors"].items():
            try:
                level = int(k)
            except (TypeError, ValueError) as exc:
                raise CodingFrameError(f"outcome {code}: anchor level {k!r} is not a whole number") from exc
            if level not in out["scale"]:
                raise CodingFrameError(
                    f"outcome {code}: anchor for level {level}, outside the scale {levels[0]}-{levels[-1]}"
                )
            if not str(text).strip():
                raise CodingFrameError(f"outcome {code}: the anchor for level {level} is empty")
            anchors[level] = str(text).strip()
        missing = [lv for lv in levels if lv not in anchors]
        if missing:
            raise CodingFrameError(f"outcome {code}: no anchor for level(s) {missing}")
        checked.append({**o, "code": code, "anchors": dict(sorted(anchors.items()))})
    out["outcomes"] = checked
    m = int(frame.get("min_outcomes_coded", len(checked)))
    if not 1 <= m <= len(checked):
        raise CodingFrameError(f"min_outcomes_coded must be between 1 and {len(checked)}, got {m}")
    out["min_outcomes_coded"] = m
    out["benchmark"] = {**bench, "reliable": reliable, "tentative": tentative}
    return out


def load_coding_frame(path: str | Path | None = None) -> dict:
    """Load and validate the coding frame (default: the package's ``coding_frame.yaml``)."""
    path = Path(path) if path is not None else FRAME_FILE
    with open(path, encoding="utf-8") as fh:
        return validate_coding_frame(yaml.safe_load(fh))


@lru_cache(maxsize=1)
def _default_frame() -> dict:
    return load_coding_frame()


FRAME = _default_frame()
OUTCOMES = tuple(o["code"] for o in FRAME["outcomes"])
OUTCOME_LABELS = {o["code"]: o["label"] for o in FRAME["outcomes"]}
MAX_LEVEL = max(FRAME["scale"])


def check_codes(levels, frame: dict | None = None, where: str = "codes") -> None:
    """Raise :class:`CodingFrameError` if any non-missing level is not on the frame's scale."""
    frame = frame or FRAME
    values = pd.Series(levels, dtype="Float64")
    bad = values.notna() & ~values.isin([float(v) for v in frame["scale"]])
    if bad.any():
        raise CodingFrameError(
            f"{where}: level(s) {sorted(set(values[bad].astype(float)))} outside the scale {sorted(frame['scale'])}"
        )


# ---------------------------------------------------------------- schemas

SCENARIOS = RawFile(
    key="scenarios",
    filename="scenarios.csv",
    strand=STRAND,
    description="The practice scenarios (case vignettes): one row per scenario, with its text and the questions asked.",
    unique_key=("scenario_id",),
    columns=(
        Column("scenario_id", "string", "Scenario code (e.g. S1); joins scenario_answers.csv."),
        Column("title", "string", "Short title of the scenario."),
        Column("vignette", "string", "The case vignette as shown to practitioners (fictional; no real family)."),
        Column("questions", "string", "The questions asked about the vignette, separated by ' | '."),
    ),
)
ANSWERS = RawFile(
    key="scenario_answers",
    filename="scenario_answers.csv",
    strand=STRAND,
    description="One row per practitioner, scenario and wave: the free-text answer and whether it may be quoted.",
    unique_key=("answer_id",),
    date_window=("2013-01-01", "2018-12-31"),
    links=(
        Link(("practitioner_id",), PRACTITIONERS, required_share=REQUIRED_MATCH),
        Link(("scenario_id",), SCENARIOS, required_share=REQUIRED_MATCH),
    ),
    columns=(
        Column(
            "answer_id",
            "string",
            "Answer reference given by the evaluation team (not a person); joins scenario_codes.csv.",
        ),
        Column(
            "practitioner_id",
            "string",
            "The LA's staff identifier (pseudonymised at ingest; joins practitioners.csv).",
            identifier_prefix="P",
        ),
        Column("scenario_id", "string", "Scenario answered (joins scenarios.csv)."),
        Column("wave", "integer", "Wave: 1 (early 2015) or 2 (early 2016).", minimum=1, maximum=2),
        Column(
            "answer_date", "date", "Date the answer was written (YYYY-MM-DD); training status is judged at this date."
        ),
        Column(
            "answer_text",
            "string",
            "The free-text answer. Never shown in the report unless consent_to_quote is yes, and then with names removed.",
            nullable=True,
        ),
        Column(
            "consent_to_quote", "boolean", "yes if the practitioner agreed that the answer may be quoted anonymously."
        ),
    ),
)
CODES = RawFile(
    key="scenario_codes",
    filename="scenario_codes.csv",
    strand=STRAND,
    description=(
        "Codes given to the answers: one row per answer, coder and learning outcome (long). Coders A and B code every "
        "answer; C codes where A and B were two levels apart. Levels follow src/helpers/coding_frame.yaml."
    ),
    unique_key=("answer_id", "coder", "outcome"),
    links=(Link(("answer_id",), ANSWERS, required_share=REQUIRED_MATCH),),
    columns=(
        Column("answer_id", "string", "Answer coded (joins scenario_answers.csv)."),
        Column("coder", "category", "Who coded.", codes=CODERS),
        Column("outcome", "category", "Learning outcome coded (the coding frame's codes).", codes=OUTCOME_LABELS),
        Column(
            "level",
            "integer",
            "Code on the frame's scale: "
            + ", ".join(f"{k} {v}" for k, v in FRAME["scale"].items())
            + ". Blank = not coded (kept as missing). A value outside the scale rejects the row (logged with file, row, column).",
            nullable=True,
            minimum=min(FRAME["scale"]),
            maximum=MAX_LEVEL,
        ),
    ),
)
RAW_FILES = (SCENARIOS, ANSWERS, CODES)
