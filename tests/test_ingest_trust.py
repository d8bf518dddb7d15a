"""Issue 9, inside a file and between files: each probe that found a problem is a test here.

Expected values are worked out by hand from the few rows each test writes.
"""

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest

from helpers.ingest import (
    Column,
    Field,
    IngestError,
    Link,
    LinkError,
    OutputTable,
    RawFile,
    apply_links,
    ingest,
    neutralise_cells,
    nothing_dropped_silently,
    read_raw,
    save_ingest_record,
    write_output,
)

KEY = b"test-key"


def pid(raw: str, prefix: str) -> str:
    return prefix + hmac.new(KEY, raw.encode(), hashlib.sha256).hexdigest()[:16]


PARENT = RawFile(
    key="parents",
    filename="parents.csv",
    strand="test",
    description="Families.",
    unique_key=("family_id",),
    may_be_empty=False,
    columns=(
        Column("family_id", "string", "ID", identifier_prefix="F"),
        Column("borough", "category", "Borough", codes={"north": "North", "south": "South"}),
        Column("started", "date", "Date work began"),
    ),
)
CHILD = RawFile(
    key="children",
    filename="children.csv",
    strand="test",
    description="Forms.",
    unique_key=("form_id",),
    links=(Link(("family_id",), PARENT, required_share=0.5, shared=("borough",)),),
    columns=(
        Column("form_id", "string", "Form"),
        Column("family_id", "string", "ID", identifier_prefix="F"),
        Column("borough", "category", "Borough", codes={"north": "North", "south": "South"}),
        Column("score", "integer", "Score", minimum=-10, maximum=10),
    ),
)


def put(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return tmp_path


# ------------------------------------------------------------------ inside a file: headers


def test_headers_differing_only_in_case_are_a_clear_error(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,started,age,AGE\nA,north,2015-01-01,1,2\n")
    with pytest.raises(IngestError, match=r"parents\.csv: the columns 'age' and 'AGE' differ only in case"):
        read_raw(PARENT, tmp_path, key=KEY)


def test_a_declared_column_twice_in_different_case_is_a_clear_error(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,Borough,started\nA,north,south,2015-01-01\n")
    with pytest.raises(IngestError, match=r"'borough' and 'Borough' differ only in case"):
        read_raw(PARENT, tmp_path, key=KEY)


def test_repeated_header_is_a_clear_error(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,started,borough\nA,north,2015-01-01,south\n")
    with pytest.raises(IngestError, match=r"the column 'borough' appears twice"):
        read_raw(PARENT, tmp_path, key=KEY)


def test_trailing_empty_headers_from_a_spreadsheet_are_ignored(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,started,,\nA,north,2015-01-01,,\n")
    res = read_raw(PARENT, tmp_path, key=KEY)
    assert res.rows_accepted == 1
    assert res.ignored_columns == ["(unnamed column 4)", "(unnamed column 5)"]


# ------------------------------------------------------------------ encodings


def test_utf8_with_and_without_bom_read_the_same(tmp_path):
    body = "family_id,borough,started\nZoë-1,north,2015-01-01\n"
    put(tmp_path, "parents.csv", body.encode("utf-8"))
    plain = read_raw(PARENT, tmp_path, key=KEY)
    put(tmp_path, "parents.csv", b"\xef\xbb\xbf" + body.encode("utf-8"))
    bom = read_raw(PARENT, tmp_path, key=KEY)
    assert plain.data["family_id"].tolist() == bom.data["family_id"].tolist() == [pid("Zoë-1", "F")]
    assert plain.encoding == bom.encoding == "utf-8" and bom.issues.empty


def test_windows_1252_detected_read_and_logged(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,started\nZoë-1,north,2015-01-01\n".encode("cp1252"))
    res = read_raw(PARENT, tmp_path, key=KEY)
    # The same person as the UTF-8 spelling: the text was decoded, not mangled.
    assert res.data["family_id"].tolist() == [pid("Zoë-1", "F")]
    assert res.encoding == "cp1252"
    assert res.issues["action"].tolist() == ["file read as Windows-1252"]
    assert res.reconciliation()["encoding"] == "cp1252"


def test_declared_encoding_is_used_and_a_mismatch_names_file_and_line(tmp_path, monkeypatch):
    put(
        tmp_path,
        "parents.csv",
        "family_id,borough,started\nA,north,2015-01-01\nZoë,north,2015-01-01\n".encode("cp1252"),
    )
    with pytest.raises(IngestError, match=r"parents\.csv: line 3: the file is declared as utf-8"):
        read_raw(PARENT, tmp_path, key=KEY, encoding="utf-8")
    monkeypatch.setenv("FOP_RAW_ENCODING", "cp1252")
    res = read_raw(PARENT, tmp_path, key=KEY)
    assert res.rows_accepted == 2 and res.issues.empty  # declared, so nothing to log


def test_bytes_neither_utf8_nor_cp1252_name_the_line(tmp_path):
    # 0x81 is undefined in Windows-1252 and invalid as a UTF-8 start byte.
    put(tmp_path, "parents.csv", b"family_id,borough,started\nA,north,2015-01-01\nB\x81,north,2015-01-01\n")
    with pytest.raises(IngestError, match=r"parents\.csv: line 3: the file is neither UTF-8 nor Windows-1252"):
        read_raw(PARENT, tmp_path, key=KEY)


def test_utf16_named_as_such(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,started\nA,north,2015-01-01\n".encode("utf-16"))
    with pytest.raises(IngestError, match=r"parents\.csv: line 1: the file is UTF-16"):
        read_raw(PARENT, tmp_path, key=KEY)


def test_nul_byte_and_empty_file_are_clear_errors(tmp_path):
    put(tmp_path, "parents.csv", b"family_id,borough,started\nA\x00,north,2015-01-01\n")
    with pytest.raises(IngestError, match=r"line 2: the file holds a NUL byte"):
        read_raw(PARENT, tmp_path, key=KEY)
    put(tmp_path, "parents.csv", b"")
    with pytest.raises(IngestError, match=r"parents\.csv: the file is empty"):
        read_raw(PARENT, tmp_path, key=KEY)


def test_header_only_required_file_stops_the_run(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,started\n")
    with pytest.raises(IngestError, match=r"parents\.csv: the file has a header but no rows"):
        read_raw(PARENT, tmp_path, key=KEY)
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\n")  # may be empty: read as 0 rows
    assert read_raw(CHILD, tmp_path, key=KEY).rows_read == 0


# ------------------------------------------------------------------ dates


def test_swapped_day_month_in_an_iso_file_is_rejected_not_read(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,started\nA,north,03/04/2015\nB,north,2015-04-03\n")
    res = read_raw(PARENT, tmp_path, key=KEY)
    assert res.rows_accepted == 1 and res.rejected["row"].tolist() == [2]
    reason = res.issues.set_index("row").loc[2, "reason"]
    assert "YYYY-MM-DD" in reason and "cannot be told apart" in reason


def test_slashed_dates_that_show_their_convention_are_named(tmp_path):
    put(tmp_path, "parents.csv", "family_id,borough,started\nA,north,25/04/2015\nB,north,03/04/2015\n")
    res = read_raw(PARENT, tmp_path, key=KEY)
    assert res.rows_accepted == 0
    assert res.issues["reason"].str.contains("look day-first").all()


def test_declared_dayfirst_reads_day_month_year(tmp_path, monkeypatch):
    put(
        tmp_path,
        "parents.csv",
        "family_id,borough,started\nA,north,03/04/2015\nB,north,2015-04-05\nC,north,04/13/2015\n",
    )
    res = read_raw(PARENT, tmp_path, key=KEY, dayfirst=True)
    # 3 April (day first), ISO still read, and month 13 is not a date.
    assert res.data["started"].tolist() == [pd.Timestamp("2015-04-03"), pd.Timestamp("2015-04-05")]
    assert res.rejected["row"].tolist() == [4]
    monkeypatch.setenv("FOP_RAW_DAYFIRST", "parents.csv")
    assert read_raw(PARENT, tmp_path, key=KEY).data["started"].iloc[0] == pd.Timestamp("2015-04-03")


def test_raw_formats_file_declares_encoding_and_dayfirst_beside_the_data(tmp_path):
    """A data team states once, in raw_formats.yaml beside its export, how the files were written."""
    put(tmp_path, "parents.csv", "family_id,borough,started\nZoë,north,03/04/2015\n".encode("cp1252"))
    put(tmp_path, "raw_formats.yaml", "encoding:\n  parents.csv: cp1252\ndayfirst: [Parents.csv]\n")
    res = read_raw(PARENT, tmp_path, key=KEY)
    assert res.data["family_id"].tolist() == [pid("Zoë", "F")]  # decoded as declared
    assert res.issues.empty  # declared, so nothing to log
    assert res.data["started"].tolist() == [pd.Timestamp("2015-04-03")]  # 3 April: day first
    put(tmp_path, "raw_formats.yaml", "dayfirst: all\n")  # 'all' covers every file
    assert read_raw(PARENT, tmp_path, key=KEY).data["started"].tolist() == [pd.Timestamp("2015-04-03")]


@pytest.mark.parametrize(
    "text, message",
    [
        ("encoding:\n  parents.csv: klingon\n", r"raw_formats\.yaml: encoding: parents\.csv: 'klingon' is not an"),
        ("dayfirst: {parents.csv: yes}\n", r"raw_formats\.yaml: dayfirst: must be a list of file names"),
        ("datefirst: all\n", r"raw_formats\.yaml: only 'encoding:' and 'dayfirst:' may be declared here"),
        ("encoding: [cp1252\n", r"raw_formats\.yaml: not valid YAML"),
    ],
)
def test_malformed_raw_formats_file_names_file_and_entry(tmp_path, text, message):
    put(tmp_path, "parents.csv", "family_id,borough,started\nA,north,2015-04-03\n")
    put(tmp_path, "raw_formats.yaml", text)
    with pytest.raises(IngestError, match=message):
        read_raw(PARENT, tmp_path, key=KEY)


def test_dates_outside_the_plausible_window_are_flagged(tmp_path):
    narrow = RawFile(
        key="parents",
        filename="parents.csv",
        strand="test",
        description="d",
        columns=PARENT.columns,
        date_window=("2013-01-01", "2017-12-31"),
    )
    put(
        tmp_path,
        "parents.csv",
        "family_id,borough,started\nA,north,1915-04-03\nB,north,2015-04-03\nC,north,2105-01-01\n",
    )
    res = read_raw(narrow, tmp_path, key=KEY)
    assert res.rows_accepted == 1 and res.rejected["row"].tolist() == [2, 4]
    assert (res.issues["reason"] == "outside the plausible dates for this file (2013-01-01 to 2017-12-31)").all()


# ------------------------------------------------------------------ duplicates


def test_identical_and_conflicting_duplicates_told_apart(tmp_path):
    put(
        tmp_path,
        "parents.csv",
        "family_id,borough,started\nA,north,2015-01-01\nA,north,2015-01-01\nA,south,2015-01-01\n",
    )
    res = read_raw(PARENT, tmp_path, key=KEY)
    iss = res.issues.set_index("row")
    assert iss.loc[3, "reason"] == "duplicate of row 2 on family_id"
    assert iss.loc[4, "reason"] == "conflicting duplicate of row 2 on family_id: differs in borough"
    assert iss.loc[4, "value"].endswith("borough: 'north' vs 'south'")
    assert "A," not in res.issues.to_csv()  # the ID itself is pseudonymised


# ------------------------------------------------------------------ spreadsheet formulas


def test_text_cells_neutralised_numbers_kept():
    t = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x","y")', "+cmd", "-2+3", "@SUM(A1)", "\tx", "plain", "-3", "-", None],
            "number": [-1.5, 2, -3, 0, 1, 1, 1, 1, 1],
        }
    )
    out = neutralise_cells(t)
    assert out["text"].tolist()[:7] == [
        '\'=HYPERLINK("http://x","y")',
        "'+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        "-3",
    ]
    assert out["text"].iloc[7] == "-" and pd.isna(out["text"].iloc[8])
    assert out["number"].tolist() == t["number"].tolist()


def test_every_csv_writer_in_ingest_neutralises(tmp_path):
    put(
        tmp_path,
        "children.csv",
        'form_id,family_id,borough,score\n=HYPERLINK("http://evil"),A,north,99\n@x,B,north,-4\n',
    )
    out = tmp_path / "out"
    res = ingest(CHILD, tmp_path, out, key=KEY)
    rejected = (out / "data_quality" / "rejected_children.csv").read_text()
    issues = (out / "data_quality" / "issues_children.csv").read_text()
    assert "'=HYPERLINK" in rejected and "\n=HYPERLINK" not in rejected and ",=HYPERLINK" not in rejected
    assert ",=" not in issues and "\n=" not in issues
    spec = OutputTable("o", "o.csv", "test", "d", (Field("form_id", "string", ""), Field("score", "integer", "")))
    path = write_output(res.data[["form_id", "score"]], spec, out)
    back = pd.read_csv(path)
    assert back["form_id"].tolist() == ["'@x"] and back["score"].tolist() == [-4]  # still a number


# ------------------------------------------------------------------ between files


def parents(tmp_path, rows="A,north,2015-01-01\nB,south,2015-01-01\nC,north,2015-01-01\n"):
    put(tmp_path, "parents.csv", "family_id,borough,started\n" + rows)
    return read_raw(PARENT, tmp_path, key=KEY)


def test_unmatched_rows_rejected_and_reconciled_per_file_and_per_link(tmp_path):
    par = parents(tmp_path)
    put(
        tmp_path,
        "children.csv",
        "form_id,family_id,borough,score\nf1,A,north,1\nf2,Z,north,2\nf3,B,south,3\nf4,A,north,x\n",
    )
    out = tmp_path / "out"
    res = read_raw(CHILD, tmp_path, key=KEY)
    apply_links(res, {"parents": par}, processed_dir=out)
    # 4 read: f4 rejected (score), f2 unmatched (Z is no family), f1 and f3 accepted.
    assert (res.rows_read, res.rows_accepted, res.rows_rejected, res.rows_unmatched) == (4, 2, 1, 1)
    assert res.data["form_id"].tolist() == ["f1", "f3"]
    assert res.unmatched["row"].tolist() == [3]
    rec = pd.read_csv(out / "data_quality" / "reconciliation_children.csv").iloc[0]
    assert rec["rows_read"] == rec["rows_accepted"] + rec["rows_rejected"] + rec["rows_unmatched"] == 4
    link = pd.read_csv(out / "data_quality" / "links_children.csv").iloc[0]
    assert (link["rows_checked"], link["rows_matched"], link["rows_unmatched"]) == (3, 2, 1)
    assert link["match_rate"] == pytest.approx(2 / 3)
    assert link["link"] == "children.csv:family_id -> parents.csv:family_id"
    unmatched = pd.read_csv(out / "data_quality" / "unmatched_children.csv")
    assert unmatched.loc[0, "reasons"] == "family_id: no row of parents.csv has this family_id"
    issues = pd.read_csv(out / "data_quality" / "issues_children.csv")
    assert (issues["action"] == "row unmatched").sum() == 1


def test_link_below_required_share_stops_with_one_line(tmp_path):
    par = parents(tmp_path)
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,A,north,1\nf2,Y,north,2\nf3,Z,south,3\n")
    res = read_raw(CHILD, tmp_path, key=KEY)
    with pytest.raises(LinkError) as err:
        apply_links(res, {"parents": par}, processed_dir=tmp_path / "out")
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("children.csv: only 1 of 3 rows (33%) match parents.csv on family_id (at least 50% required)")
    # The record is written before the run stops, so the reasons can be read.
    assert (tmp_path / "out" / "data_quality" / "unmatched_children.csv").exists()


def test_ids_with_leading_zeros_lost_in_one_file_are_named(tmp_path):
    par = parents(tmp_path, "00123,north,2015-01-01\n00456,south,2015-01-01\n")
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,123,north,1\nf2,456,south,2\n")
    res = read_raw(CHILD, tmp_path, key=KEY)
    with pytest.raises(
        LinkError, match=r"only 0 of 2 rows \(0%\).*2 of the unmatched rows would match if leading zeros were ignored"
    ):
        apply_links(res, {"parents": par}, processed_dir=tmp_path / "out")


def test_authoritative_borough_replaces_a_disagreeing_value_and_logs_it(tmp_path):
    par = parents(tmp_path)
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,A,south,1\nf2,B,south,2\n")
    res = read_raw(CHILD, tmp_path, key=KEY)
    apply_links(res, {"parents": par})
    assert res.data["borough"].tolist() == ["north", "south"]  # A is north in parents.csv
    iss = res.issues.iloc[0]
    assert (iss["row"], iss["column"], iss["value"]) == (2, "borough", "south here, north in parents.csv")
    assert iss["action"] == "value replaced by parents.csv's"
    assert res.links[0]["values_disagreeing"] == 1


def test_disagreement_can_reject_instead(tmp_path):
    strict = RawFile(
        key="children",
        filename="children.csv",
        strand="test",
        description="d",
        columns=CHILD.columns,
        links=(Link(("family_id",), PARENT, shared=("borough",), on_disagreement="reject"),),
    )
    par = parents(tmp_path)
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,A,south,1\nf2,B,south,2\n")
    res = read_raw(strict, tmp_path, key=KEY)
    apply_links(res, {"parents": par})
    assert res.data["form_id"].tolist() == ["f2"] and res.rows_unmatched == 1
    assert "borough differs from parents.csv" in res.unmatched.loc[0, "reasons"]
    res.reconciliation()  # adds up


def test_link_to_a_target_with_no_rows_stops(tmp_path):
    par = parents(tmp_path, "A,nowhere,2015-01-01\n")  # its only row rejected
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,A,north,1\n")
    res = read_raw(CHILD, tmp_path, key=KEY)
    with pytest.raises(LinkError, match=r"only 0 of 1 rows"):
        apply_links(res, {"parents": par})
        from helpers.ingest import raise_for_links

        raise_for_links(res)


def test_link_failure_names_rows_rejected_in_the_target(tmp_path):
    par = parents(tmp_path, "A,north,2015-01-01\nB,north,03/04/2015\nC,north,04/05/2015\n")  # B and C rejected
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,A,north,1\nf2,B,north,2\nf3,C,north,3\n")
    res = read_raw(CHILD, tmp_path, key=KEY)
    with pytest.raises(
        LinkError,
        match=r"only 1 of 3 rows.*2 of the unmatched rows refer to rows of parents\.csv that were themselves rejected",
    ):
        apply_links(res, {"parents": par}, processed_dir=tmp_path / "out")


def test_a_file_whose_every_row_is_rejected_stops(tmp_path):
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,A,north,x\nf2,B,north,y\n")
    with pytest.raises(
        IngestError, match=r"children\.csv: all 2 rows were rejected \(first reason, row 2: score: not a number\)"
    ):
        ingest(CHILD, tmp_path, tmp_path / "out", key=KEY)
    assert (tmp_path / "out" / "data_quality" / "rejected_children.csv").exists()  # the reasons are kept


def test_ingest_with_links_saves_then_stops(tmp_path):
    par = parents(tmp_path)
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,Q,north,1\n")
    with pytest.raises(LinkError):
        ingest(CHILD, tmp_path, tmp_path / "out", key=KEY, links={"parents": par})
    assert (tmp_path / "out" / "data_quality" / "links_children.csv").exists()


def test_nothing_dropped_silently_is_computed_from_the_counts():
    rec = pd.DataFrame(
        {
            "file": ["a.csv", "b.csv"],
            "rows_read": [10, 5],
            "rows_accepted": [7, 5],
            "rows_rejected": [2, 0],
            "rows_unmatched": [1, 0],
        }
    )
    ok, text = nothing_dropped_silently(rec)
    assert ok and text.startswith(
        "Nothing was dropped silently: all 15 rows read are accounted for (12 accepted, 2 rejected and 1 unmatched)"
    )
    rec.loc[1, "rows_accepted"] = 4  # one row vanished
    ok, text = nothing_dropped_silently(rec)
    assert not ok and "b.csv" in text and "Nothing was dropped silently" not in text
    old = rec.drop(columns="rows_unmatched")  # records from before links existed still add up
    old.loc[1, "rows_accepted"] = 5
    old.loc[0, "rows_rejected"] = 3
    assert nothing_dropped_silently(old)[0]


def test_report_data_quality_shows_links_and_a_computed_sentence(tmp_path, monkeypatch):
    import IPython.display as ipd

    from helpers import report

    par = parents(tmp_path)
    put(tmp_path, "children.csv", "form_id,family_id,borough,score\nf1,A,north,1\nf2,Z,north,2\nf3,B,south,3\n")
    out = tmp_path / "out"
    save_ingest_record(par, out)
    res = read_raw(CHILD, tmp_path, key=KEY)
    apply_links(res, {"parents": par}, processed_dir=out)
    shown = []
    monkeypatch.setattr(ipd, "display", lambda *objs: shown.extend(objs))
    report.display_data_quality(out, number=3)
    # The section's words are in the report; its tables in the technical appendix.
    text = "\n".join(getattr(o, "data", "") for o in shown) + report.data_quality_appendix_html(out, 3)
    # 3 parents + 3 forms read; 5 accepted, 0 rejected, 1 unmatched.
    assert (
        "Nothing was dropped silently: all 6 rows read are accounted for (5 accepted, 0 rejected and 1 unmatched)"
        in text
    )
    assert "children.csv:family_id -&gt; parents.csv:family_id" in text and "66.7%" in text
    # A record that does not add up is said, not hidden.
    rec = pd.read_csv(out / "data_quality" / "reconciliation_children.csv")
    rec.loc[0, "rows_accepted"] = 1
    rec.to_csv(out / "data_quality" / "reconciliation_children.csv", index=False)
    shown.clear()
    report.display_data_quality(out, number=3)
    text = "\n".join(getattr(o, "data", "") for o in shown)
    assert "ROWS ARE UNACCOUNTED FOR" in text and "Nothing was dropped silently" not in text
