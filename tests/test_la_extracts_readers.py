"""Readers of the DfE formats: every conformance file read, counts checked by a second, plain method."""

import csv
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers.ingest import IngestError
from helpers.strands.la_extracts import cin, schemas, ssda903

KEY = b"test-key"


def _conformance() -> Path:
    """The DfE validator projects' fake returns, read in place: ``FOP_CONFORMANCE``, else
    ``../shared/conformance`` beside the project, else beside the public statistics folder."""
    beside = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
    public = os.environ.get("FOP_PUBLIC_DATA")
    for p in (os.environ.get("FOP_CONFORMANCE"), beside, public and Path(public).parent / "conformance"):
        if p and Path(p).is_dir():
            return Path(p)
    return beside


CONFORMANCE = _conformance()
S903 = CONFORMANCE / "ssda903"
CIN = CONFORMANCE / "cin"
needs_conformance = pytest.mark.skipif(
    not S903.exists() or not CIN.exists(), reason="../shared/conformance (DfE fake extracts) is not beside the project"
)


def _csv_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    return rows


@needs_conformance
def test_every_ssda903_csv_table_read_with_independent_counts():
    res = ssda903.read_ssda903_csv(S903, key=KEY)
    tables = sorted(p.stem for p in S903.glob("*.csv"))
    assert sorted(res) == tables
    for t in tables:
        rows = _csv_rows(S903 / f"{t}.csv")
        r = res[t]
        assert r.rows_read == len(rows), t
        assert r.rows_accepted + r.rows_rejected == r.rows_read
        r.reconciliation()
    header = _csv_rows(S903 / "header.csv")
    episodes = _csv_rows(S903 / "episodes.csv")
    assert res["header"].data["CHILD"].nunique() == len({r["CHILD"] for r in header}) == 2675
    assert res["episodes"].rows_accepted == len(episodes) == 5050
    assert res["episodes"].data["CHILD"].nunique() == len({r["CHILD"] for r in episodes})
    # identifiers pseudonymised: no raw child ID survives
    raw_ids = {r["CHILD"] for r in header}
    assert not raw_ids & set(res["header"].data["CHILD"])
    assert res["header"].data["CHILD"].str.startswith(schemas.CHILD_PREFIX).all()


@needs_conformance
def test_ssda903_xml_read_with_independent_counts():
    root = ET.parse(S903 / "fake_903.xml").getroot()
    n_children = len(root.findall("CHILD"))
    n_episodes = len(root.findall("CHILD/EPISODE"))
    n_reviews = len(root.findall("CHILD/HEADER/AREVIEW"))
    res = ssda903.read_ssda903_xml(S903 / "fake_903.xml", key=KEY)
    assert res["header"].rows_read == n_children == 253
    assert res["header"].data["CHILD"].nunique() == n_children
    assert res["episodes"].rows_read == n_episodes == 459
    assert res["episodes"].rows_accepted + res["episodes"].rows_rejected == n_episodes
    assert res["reviews"].rows_read == n_reviews
    # the placement tag <PL> lands in PLACE
    assert res["episodes"].data["PLACE"].notna().sum() > 0.9 * n_episodes


@needs_conformance
@pytest.mark.parametrize(
    "name", ["CIN_Census_2021.xml", "CIN_Census_2024.xml", "CIN_Census_2026.xml", "fake_CIN_data.xml"]
)
def test_every_cin_schema_year_read_with_independent_counts(name):
    root = ET.parse(CIN / name).getroot()
    n_children = len(root.findall("Children/Child"))
    n_referrals = len(root.findall("Children/Child/CINdetails"))
    n_cpp = len(root.findall("Children/Child/CINdetails/ChildProtectionPlans"))
    n_s47 = len(root.findall("Children/Child/CINdetails/Section47"))
    res = cin.read_cin_xml(CIN / name, key=KEY)
    assert res["cin_children"].rows_read == n_children
    assert res["cin_referrals"].rows_read == n_referrals
    assert res["cin_cpp"].rows_read == n_cpp
    assert res["cin_s47"].rows_read == n_s47
    for r in res.values():
        r.reconciliation()
    ids = {e.text for e in root.iter("LAchildID")}
    assert not ids & set(res["cin_children"].data["LAchildID"])


@needs_conformance
def test_fake_cin_totals():
    res = cin.read_cin_xml(CIN / "fake_CIN_data.xml", key=KEY)
    assert (res["cin_children"].rows_read, res["cin_referrals"].rows_read) == (332, 402)


def test_missing_column_names_file_and_column(tmp_path):
    (tmp_path / "episodes.csv").write_text("CHILD,RNE,LS,PLACE,DEC\n1,S,C2,U1,\n")
    with pytest.raises(IngestError, match=r"episodes.csv.*DECOM"):
        ssda903.read_ssda903_csv(tmp_path, key=KEY)


def test_bad_rows_kept_with_reasons_and_reconciled(tmp_path):
    (tmp_path / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "A1,01/04/2015,S,C2,N1,U1,PR1,,,,,,\n"
        "A2,31/02/2015,S,C2,N1,U1,PR1,,,,,,\n"  # no such date: row rejected
        "A3,2015-04-01,S,C2,N1,XX,PR1,,,,,,\n"  # ISO date in a dd/mm/YYYY field: rejected; bad PLACE blanked
    )
    r = ssda903.read_ssda903_csv(tmp_path, key=KEY)["episodes"]
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (3, 1, 2)
    assert list(r.rejected["row"]) == [3, 4]
    assert r.rejected["reasons"].str.contains("DECOM").all()
    assert set(r.issues["column"]) == {"DECOM", "PLACE"}


def test_cin_missing_element_named_by_path(tmp_path):
    xml = """<Message><Header><CollectionDetails><ReferenceDate>2015-03-31</ReferenceDate></CollectionDetails>
    <Source><LEA>213</LEA></Source></Header><Children>
    <Child><ChildIdentifiers><LAchildID>X1</LAchildID><PersonBirthDate>2010-01-01</PersonBirthDate></ChildIdentifiers>
      <CINdetails><CINreferralDate>2014-05-01</CINreferralDate></CINdetails>
      <CINdetails><ReferralSource>1A</ReferralSource></CINdetails></Child></Children></Message>"""
    (tmp_path / "cin_census.xml").write_text(xml)
    res = cin.read_cin_xml(tmp_path / "cin_census.xml", key=KEY)
    ref = res["cin_referrals"]
    assert (ref.rows_read, ref.rows_accepted, ref.rows_rejected) == (2, 1, 1)
    assert ref.rejected["row"].iloc[0] == "/Message/Children/Child[1]/CINdetails[2]"
    assert "CINreferralDate" in ref.rejected["reasons"].iloc[0]
    assert ref.data["la_code"].iloc[0] == "213" and ref.data["year"].iloc[0] == 2015
    (tmp_path / "bad.xml").write_text("<Message><Header/></Message>")
    with pytest.raises(IngestError, match=r"bad.xml.*/Message/Children"):
        cin.read_cin_xml(tmp_path / "bad.xml", key=KEY)


def test_a_records_fields_read_in_one_pass_are_findtexts():
    """texts_of (one pass over the children) gives, for every tag, what text_of (findtext) gives: the
    first child of a tag, stripped; "" for an empty one; None (no key) for an absent one; a comment is
    not a field. Expectations written from the element by hand."""
    from lxml import etree

    from helpers.strands.la_extracts.records import text_of, texts_of

    el = etree.fromstring(
        "<CINdetails><!-- a note --><CINreferralDate> 2014-05-01 </CINreferralDate><ReferralSource/>"
        "<PrimaryNeedCode>N4</PrimaryNeedCode><PrimaryNeedCode>N1</PrimaryNeedCode>"
        "<Assessments><AssessmentActualStartDate>2014-05-02</AssessmentActualStartDate></Assessments>"
        "<ReferralNFA>\n  </ReferralNFA></CINdetails>"
    )
    texts = texts_of(el)
    assert texts == {
        "CINreferralDate": "2014-05-01",
        "ReferralSource": "",
        "PrimaryNeedCode": "N4",
        "Assessments": "",
        "ReferralNFA": "",
    }
    for tag in (*texts, "CINclosureDate", "AssessmentActualStartDate"):
        assert texts.get(tag) == text_of(el, tag), tag
