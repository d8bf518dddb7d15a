"""The ingest framework: strict reading, clear errors, nothing lost silently."""

from pathlib import Path

import pandas as pd
import pytest

from helpers.ingest import Column, IngestError, RawFile, ingest, is_synthetic, read_raw
from helpers.pseudonymise import pseudonym

KEY = b"test-key"

SCHEMA = RawFile(
    key="toy",
    filename="toy.csv",
    strand="test",
    description="A toy file.",
    unique_key=("person_id", "wave"),
    columns=(
        Column("person_id", "string", "ID", identifier_prefix="X"),
        Column("wave", "integer", "Wave", minimum=1, maximum=2),
        Column("seen_on", "date", "Date"),
        Column("group", "category", "Group", codes={"a": "Group A", "b": "Group B"}),
        Column("item", "integer", "An item", minimum=1, maximum=5, nullable=True, on_invalid="set_missing"),
        Column("note", "string", "Optional note", required=False, nullable=True),
    ),
)


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "toy.csv").write_text(text, encoding="utf-8")
    return tmp_path


def test_good_rows_typed_and_pseudonymised(tmp_path):
    write(tmp_path, "person_id,wave,seen_on,group,item\nA1,1,2015-01-02,a,3\nA1,2,2015-07-01,B,\n")
    res = read_raw(SCHEMA, tmp_path, key=KEY)
    assert res.rows_read == 2 and res.rows_accepted == 2 and res.rows_rejected == 0
    # The pseudonym is the keyed hash, computed here independently with hmac.
    import hashlib
    import hmac

    expected = "X" + hmac.new(KEY, b"A1", hashlib.sha256).hexdigest()[:16]
    assert list(res.data["person_id"]) == [expected, expected]
    assert "A1" not in res.data.to_csv()
    assert list(res.data["group"]) == ["a", "b"]  # codes matched ignoring case
    assert res.data["seen_on"].iloc[1] == pd.Timestamp("2015-07-01")
    assert pd.isna(res.data["item"].iloc[1])


def test_bad_rows_rejected_with_file_row_column_and_reconciled(tmp_path):
    write(
        tmp_path,
        "person_id,wave,seen_on,group,item\n"
        "A1,1,2015-01-02,a,3\n"  # row 2: good
        "A2,3,2015-01-02,a,3\n"  # row 3: wave above maximum
        "A3,1,02/01/2015,a,3\n"  # row 4: date in the wrong form
        ",1,2015-01-02,c,3\n"  # row 5: blank id and unknown code (two reasons)
        "A1,1,2015-03-02,b,2\n"  # row 6: duplicate of row 2 on person_id+wave
        "A4,1,2015-01-02,b,9\n",  # row 7: item out of range: value set to missing, row kept
    )
    res = read_raw(SCHEMA, tmp_path, key=KEY)
    assert res.rows_read == 6
    assert res.rows_accepted == 2  # rows 2 and 7
    assert res.rows_rejected == 4
    assert sorted(res.rejected["row"]) == [3, 4, 5, 6]
    issues = res.issues.set_index(["row", "column"])
    assert issues.loc[(3, "wave"), "reason"] == "above the maximum 2"
    assert "YYYY-MM-DD" in issues.loc[(4, "seen_on"), "reason"]
    assert issues.loc[(5, "person_id"), "reason"] == "required value is blank"
    assert issues.loc[(5, "group"), "value"] == "c"
    # Row 6 repeats row 2's key with other values: a conflicting duplicate, naming what differs.
    assert issues.loc[(6, "person_id+wave"), "reason"] == (
        "conflicting duplicate of row 2 on person_id, wave: differs in seen_on, group, item"
    )
    assert "seen_on: '2015-01-02' vs '2015-03-02'" in issues.loc[(6, "person_id+wave"), "value"]
    assert issues.loc[(7, "item"), "action"] == "value set to missing"
    assert set(issues["file"]) == {"toy.csv"}
    row5 = res.rejected.set_index("row").loc[5, "reasons"]
    assert "person_id: required value is blank" in row5 and "group: not one of the codes a, b" in row5
    rec = res.reconciliation()
    assert rec["rows_read"] == rec["rows_accepted"] + rec["rows_rejected"] == 6
    assert rec["values_set_to_missing"] == 1
    # No identifier in clear anywhere in what is written out.
    assert "A2" not in res.rejected.to_csv() and "A1" not in res.issues.to_csv()


def test_missing_file_named(tmp_path):
    with pytest.raises(IngestError, match=r"toy\.csv: file not found"):
        read_raw(SCHEMA, tmp_path, key=KEY)


def test_missing_required_column_named(tmp_path):
    write(tmp_path, "person_id,wave,seen_on,item\nA1,1,2015-01-02,3\n")
    with pytest.raises(IngestError, match=r"toy\.csv: missing required column\(s\) group"):
        read_raw(SCHEMA, tmp_path, key=KEY)


def test_unreadable_file_named(tmp_path):
    (tmp_path / "toy.csv").write_bytes(b'person_id,wave\n"A1,1\n')  # unterminated quote
    with pytest.raises(IngestError, match=r"toy\.csv: cannot be read as a CSV file"):
        read_raw(SCHEMA, tmp_path, key=KEY)


def test_header_case_and_extra_columns(tmp_path):
    write(tmp_path, "Person_ID , WAVE,seen_on,group,item,extra\nA1,1,2015-01-02,a,3,zzz\n")
    res = read_raw(SCHEMA, tmp_path, key=KEY)
    assert res.rows_accepted == 1
    assert res.ignored_columns == ["extra"]


def test_ingest_writes_data_quality_record(tmp_path):
    raw = write(tmp_path, "person_id,wave,seen_on,group,item\nA1,1,2015-01-02,a,3\nA2,1,bad,a,3\n")
    out = tmp_path / "out"
    ingest(SCHEMA, raw, out, key=KEY)
    rec = pd.read_csv(out / "data_quality" / "reconciliation_toy.csv")
    assert rec.loc[0, ["rows_read", "rows_accepted", "rows_rejected"]].tolist() == [2, 1, 1]
    rejected = pd.read_csv(out / "data_quality" / "rejected_toy.csv")
    assert rejected.loc[0, "row"] == 3 and rejected.loc[0, "person_id"] == pseudonym("A2", KEY, "X")


def test_synthetic_flag_follows_the_bytes(tmp_path):
    import json

    from helpers.ingest import file_sha256

    raw = write(tmp_path, "person_id,wave,seen_on,group,item\nA1,1,2015-01-02,a,3\n")
    (raw / "synthetic_manifest.json").write_text(json.dumps({"files": {"toy.csv": file_sha256(raw / "toy.csv")}}))
    assert is_synthetic(raw / "toy.csv")
    write(tmp_path, "person_id,wave,seen_on,group,item\nA1,1,2015-01-02,a,4\n")  # a real file replaces it
    assert not is_synthetic(raw / "toy.csv")
