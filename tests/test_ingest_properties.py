"""Property tests of the readers (issue 9): whatever bytes a raw file holds, reading it gives either
accepted rows plus named, reconciled rejections, or one clear IngestError: never another exception,
never a row lost, never an identifier in clear.
"""

import csv
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.ingest import (
    FORMULA_TRIGGERS,
    Column,
    IngestError,
    Link,
    RawFile,
    apply_links,
    neutralise_cells,
    read_raw,
    save_ingest_record,
)

KEY = b"property-key"
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PARENT = RawFile(
    key="parent",
    filename="parent.csv",
    strand="test",
    description="Parents.",
    unique_key=("pid",),
    columns=(
        Column("pid", "string", "ID", identifier_prefix="F"),
        Column("area", "category", "Area", codes={"n": "North", "s": "South"}),
    ),
)
SCHEMA = RawFile(
    key="prop",
    filename="prop.csv",
    strand="test",
    description="Every kind of column.",
    unique_key=("pid", "wave"),
    links=(Link(("pid",), PARENT, shared=("area",)),),
    columns=(
        Column("pid", "string", "ID", identifier_prefix="F"),
        Column("wave", "integer", "Wave", minimum=1, maximum=2),
        Column("area", "category", "Area", codes={"n": "North", "s": "South"}),
        Column("seen", "date", "Date"),
        Column("x", "number", "A number", nullable=True),
        Column("ok", "boolean", "Yes/no", nullable=True),
        Column("item", "integer", "Item", minimum=1, maximum=5, nullable=True, on_invalid="set_missing"),
        Column("note", "string", "Free text", required=False, nullable=True),
    ),
)
HEADER = [c.name for c in SCHEMA.columns]


def check_result(res):
    """The invariants every successful read keeps."""
    rec = res.reconciliation()  # raises if the rows do not add up
    assert rec["rows_read"] == rec["rows_accepted"] + rec["rows_rejected"] + rec["rows_unmatched"]
    assert set(res.rejected["row"]).isdisjoint(set(res.unmatched["row"]) if res.unmatched is not None else set())
    if len(res.rejected):
        assert (res.rejected["reasons"].str.len() > 0).all()
        assert set(res.rejected["row"]) <= set(res.issues["row"])
    if len(res.data):
        assert res.data["pid"].str.match(r"^F[0-9a-f]{16}$").all()
        assert res.data["wave"].isin([1, 2]).all()
    # Identifiers are pseudonyms (or a blank token) everywhere they are kept.
    pseud = r"^F[0-9a-f]{16}$"
    blank = {"", "na", "n/a", "null", "none", "nan", "missing", "-"}
    kept = pd.concat([res.rejected["pid"], res.issues.loc[res.issues["column"] == "pid", "value"]]).astype(str)
    assert (kept.str.match(pseud) | kept.str.strip().str.lower().isin(blank)).all()


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_read_or_clear_error(tmp_path, blob):
    (tmp_path / "prop.csv").write_bytes(blob)
    try:
        res = read_raw(SCHEMA, tmp_path, key=KEY)
    except IngestError as exc:
        assert "prop.csv" in str(exc)
        return
    check_result(res)


@pytest.mark.slow
@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_after_a_valid_header(tmp_path, blob):
    (tmp_path / "prop.csv").write_bytes(",".join(HEADER).encode() + b"\n" + blob)
    try:
        res = read_raw(SCHEMA, tmp_path, key=KEY)
    except IngestError as exc:
        assert "prop.csv" in str(exc)
        return
    check_result(res)


cell = st.one_of(
    st.sampled_from(
        [
            "",
            "1",
            "2",
            "3",
            "-1",
            "0",
            "1.5",
            "1e309",
            "nan",
            "inf",
            "NA",
            "-",
            "yes",
            "no",
            "n",
            "s",
            "N ",
            "2015-01-02",
            "2015-02-30",
            "03/04/2015",
            "25/12/2015",
            "1899-01-01",
            '=HYPERLINK("x")',
            "+1",
            "@x",
            "\ttab",
            "00123",
            "123",
            "Zoë",
            "a,b",
            'say "hi"',
            "line\nbreak",
            "\r",
            " ",
            "9" * 30,
        ]
    ),
    st.text(max_size=12),
)
row = st.lists(cell, min_size=len(HEADER), max_size=len(HEADER))


@pytest.mark.slow
@SETTINGS
@given(st.lists(row, max_size=12), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), st.booleans())
def test_any_cells_accepted_or_rejected_with_reasons(tmp_path, rows, encoding, crlf):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    w.writerow(HEADER)
    w.writerows(rows)
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buf.getvalue().encode("utf-8")
    (tmp_path / "prop.csv").write_bytes(data)
    try:
        res = read_raw(SCHEMA, tmp_path, key=KEY)
    except IngestError as exc:
        assert "prop.csv" in str(exc)
        return
    ids = [r[0].strip() for r in rows]
    check_result(res)
    (tmp_path / "parent.csv").write_text(
        "pid,area\n"
        + "".join(
            f"{i},n\n"
            for i in ids[: len(ids) // 2]
            if "," not in i and "\n" not in i and '"' not in i and "\r" not in i
        )
    )
    try:
        parent = read_raw(PARENT, tmp_path, key=KEY)
    except IngestError:
        return
    apply_links(res, {"parent": parent})
    check_result(res)
    save_ingest_record(res, tmp_path / "out")
    for f in (tmp_path / "out" / "data_quality").glob("*.csv"):
        for line in csv.reader(io.StringIO(f.read_text(encoding="utf-8"))):
            for value in line:
                assert (
                    value[:1] not in FORMULA_TRIGGERS
                    or value in ("-", "+")
                    or pd.to_numeric(value, errors="coerce") == pd.to_numeric(value, errors="coerce")
                )


@SETTINGS
@given(
    st.lists(st.one_of(st.text(max_size=8), st.none()), max_size=10),
    st.lists(st.floats(allow_nan=False), min_size=1, max_size=1),
)
def test_neutralised_text_never_starts_a_formula_and_numbers_unchanged(values, number):
    t = pd.DataFrame({"text": values, "n": number * len(values)})
    out = neutralise_cells(t)
    for before, after in zip(values, out["text"], strict=True):
        if before is None:
            continue
        assert after == before or after == "'" + before
        if after != before:
            assert before[:1] in FORMULA_TRIGGERS
        elif before[:1] in FORMULA_TRIGGERS:
            assert before in ("-", "+") or float(before) == float(before)  # a plain number
    assert out["n"].tolist() == t["n"].tolist()
