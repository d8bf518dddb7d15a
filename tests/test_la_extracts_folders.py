"""Which returns a report reads and what it does with each: the scope, the LEA check, returns read
in place, and the years a return covers. Expected values are counted from the fixture text or the
conformance files with csv / ElementTree, not from the readers."""

import csv
import datetime as dt
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from helpers.strands.la_extracts import analysis, folders, indicators, inputs
from la_extracts_fixtures import CIN_2015, EPISODES_2015, write_extract
from test_la_extracts_readers import CIN, S903, needs_conformance

KEY = b"test-key"
BOROUGHS = ["213", "205", "207"]


def _raw_with_stranger(tmp_path, lea="975"):
    """The hand-made 213/2015 extract, and the same files under LA 999/2018 with the CIN header
    saying LEA ``lea``."""
    write_extract(tmp_path)
    d = write_extract(tmp_path, la="999", year="2018")
    (d / "cin" / "cin_census.xml").write_text(CIN_2015.replace("<LEA>213</LEA>", f"<LEA>{lea}</LEA>"))
    return tmp_path


N_EPISODES = len(EPISODES_2015.strip().splitlines()) - 1
N_REFERRALS = CIN_2015.count("<CINdetails>")


def test_returns_outside_the_scope_are_read_and_said_so(tmp_path):
    raw = _raw_with_stranger(tmp_path)
    ex = inputs.read_extracts(raw, scope=BOROUGHS, key=KEY)
    led = ex.ledger.set_index(["la_code", "return"])
    assert led.loc[("213", "SSDA903"), "status"] == "used"
    assert led.loc[("213", "CIN census"), "status"] == "used"
    s903 = led.loc[("999", "SSDA903")]
    assert s903["status"] == "outside this report's scope: LA 999"
    assert (s903["records"], s903["record_kind"], s903["year"]) == (N_EPISODES, "episodes", 2018)
    cin = led.loc[("999", "CIN census")]
    # outside the scope, and the disagreement between header and folder named with both numbers
    assert "outside this report's scope: LA 999" in cin["status"]
    assert "LEA 975" in cin["status"] and "LA 999" in cin["status"]
    assert cin["records"] == N_REFERRALS
    # everything read is in the data-quality record; only the scope is used
    assert ex.read["episodes"].rows_read == 2 * N_EPISODES
    assert set(ex.used["episodes"].data["la_code"]) == {"213"}
    assert set(ex.used["cin_referrals"].data["la_code"]) == {"213"}


def test_header_and_folder_disagree_in_scope(tmp_path):
    write_extract(tmp_path)
    cin = tmp_path / "la_extracts" / "213" / "2015" / "cin" / "cin_census.xml"
    cin.write_text(CIN_2015.replace("<LEA>213</LEA>", "<LEA>975</LEA>"))
    ex = inputs.read_extracts(tmp_path, scope=["213"], key=KEY)
    status = ex.ledger.set_index("return").loc["CIN census", "status"]
    assert status.startswith("not used") and "LEA 975" in status and "LA 213" in status and "trust_folder_la" in status
    assert len(ex.used["cin_referrals"].data) == 0 and len(ex.used["episodes"].data) == N_EPISODES
    # the analyst says the folder is right: read as 213
    ex = inputs.read_extracts(tmp_path, scope=["213"], trust_folder_la=True, key=KEY)
    assert ex.ledger.set_index("return").loc["CIN census", "status"].startswith("used (read as LA 213")
    assert set(ex.used["cin_referrals"].data["la_code"]) == {"213"}
    assert len(ex.used["cin_referrals"].data) == N_REFERRALS


def test_a_census_in_another_years_folder_is_said_with_both_years(tmp_path):
    """The 2015 census (reference date 2015-03-31) put in the 2016 folder: used, labelled 2016 (the
    folder's year), and the ledger's line names both years; in its own year's folder, nothing is said."""
    write_extract(tmp_path, year="2016")
    ex = inputs.read_extracts(tmp_path, scope=["213"], key=KEY)
    led = ex.ledger.set_index("return")
    assert led.loc["CIN census", "status"] == (
        "used (read as the year ending 31 March 2016: its CIN header's reference date is in 2015, its folder says 2016)"
    )
    assert led.loc["SSDA903", "status"] == "used"  # an SSDA903 return has no header year
    assert set(ex.used["cin_referrals"].data["year"]) == {2016}
    # with the LEA disagreeing too and the folder trusted: both said, in one line
    cin = tmp_path / "la_extracts" / "213" / "2016" / "cin" / "cin_census.xml"
    cin.write_text(CIN_2015.replace("<LEA>213</LEA>", "<LEA>975</LEA>"))
    ex = inputs.read_extracts(tmp_path, scope=["213"], trust_folder_la=True, key=KEY)
    assert ex.ledger.set_index("return").loc["CIN census", "status"] == (
        "used (read as LA 213: its CIN header says LEA 975, its folder says LA 213, and trust_folder_la is set; "
        "read as the year ending 31 March 2016: its CIN header's reference date is in 2015, its folder says 2016)"
    )
    # not used (the folder not trusted): both years said, nothing "read as"
    ex = inputs.read_extracts(tmp_path, scope=["213"], key=KEY)
    assert ex.ledger.set_index("return").loc["CIN census", "status"] == (
        "not used (its CIN header says LEA 975, its folder says LA 213; set trust_folder_la: true to read it as "
        "LA 213; its CIN header's reference date is in 2015, its folder says 2016)"
    )
    own = write_extract(tmp_path / "own")  # the 2015 folder: header and folder agree
    assert (
        inputs.read_extracts(own.parents[2], scope=["213"], key=KEY)
        .ledger.set_index("return")
        .loc["CIN census", "status"]
        == "used"
    )


def test_a_folder_read_in_place_needs_no_layout(tmp_path):
    d = write_extract(tmp_path / "share")  # share/la_extracts/213/2015: point at the LA-year folder itself
    ex = inputs.read_extracts(tmp_path / "nowhere", extract_dir=str(d), la=213, scope=["213"], key=KEY)
    led = ex.ledger.set_index("return")
    assert list(led["status"]) == ["used", "used"]
    # year of an SSDA903 return read in place: the year ending 31 March of its latest DECOM (01/03/2015)
    assert led.loc["SSDA903", "year"] == 2015 and led.loc["SSDA903", "year_from"] == "latest episode start"
    assert led.loc["CIN census", "year"] == 2015 and led.loc["CIN census", "year_from"] == "CIN header"
    assert ex.years == {"SSDA903": {("213", 2015)}, "CIN census": {("213", 2015)}}


def test_missing_extract_folder_is_one_clear_error(tmp_path):
    from helpers.ingest import IngestError

    with pytest.raises(IngestError, match="extract folder not found"):
        inputs.read_extracts(tmp_path, extract_dir=str(tmp_path / "absent"), la=213, key=KEY)


@needs_conformance
def test_conformance_return_read_in_place(tmp_path):
    rets = folders.find_returns(tmp_path, [str(S903), str(CIN / "fake_CIN_data.xml")], la=380)
    by_kind = {r.kind: r for r in rets}
    with open(S903 / "episodes.csv", newline="") as fh:
        latest = max(dt.datetime.strptime(r["DECOM"], "%d/%m/%Y").date() for r in csv.DictReader(fh))
    assert by_kind["SSDA903"].year == (latest.year + 1 if latest.month >= 4 else latest.year)
    root = ET.parse(CIN / "fake_CIN_data.xml").getroot()
    assert by_kind["CIN census"].lea == root.findtext("Header/Source/LEA")
    assert by_kind["CIN census"].year == int(root.findtext("Header/CollectionDetails/ReferenceDate")[:4])
    d = folders.decide_all(rets, ["380"])
    assert [x.used for x in d] == [True, False]
    assert "LEA 975" in d[1].status and "LA 380" in d[1].status
    assert [x.used for x in folders.decide_all(rets, ["380"], trust_folder_la=True)] == [True, True]


def test_years_derived_only_where_a_return_covers_them():
    ind = pd.DataFrame(
        {
            "la_code": ["213"] * 6,
            "year": [2015, 2016, 2015, 2015, 2016, 2016],
            "measure": [
                "cla_at_31_march_number",
                "cla_at_31_march_number",
                "cin_referrals_number",
                "cin_rereferrals_within_12m_pct",
                "cin_referrals_number",
                "cin_rereferrals_within_12m_pct",
            ],
            "value": range(6),
        }
    )
    kept = indicators.keep_covered(ind, {("213", 2015)}, {("213", 2015), ("213", 2016)})
    # CLA 2016: no SSDA903 return for 2016; re-referrals 2015: no CIN return for 2014
    assert list(kept["value"]) == [0, 2, 4, 5]


def test_no_return_at_all_derives_nothing_and_keeps_the_columns():
    empty = pd.DataFrame(columns=["la_code", "year", "measure", "value"])
    kept = indicators.keep_covered(empty, set(), set())
    assert list(kept.columns) == list(empty.columns) and kept.empty
    res = analysis.analyse(
        {}, pd.DataFrame(columns=["la_code", "year", "measure", "value"]), analysis.Coverage(), "2014-07-01"
    )
    assert res["indicators"].empty and res["reconciliation"].empty and "pathway_rates" not in res


def test_pathway_window_follows_the_returns():
    c = analysis.Coverage.of({"SSDA903": {("380", 2018)}, "CIN census": {("380", 2022)}})
    # follow-up ends where both returns end (episodes give entry to care): 31 March 2018
    assert c.pathway_window(with_episodes=True) == (2022, pd.Timestamp(2018, 3, 31))
    assert c.pathway_window(with_episodes=False) == (2022, pd.Timestamp(2022, 3, 31))
    c = analysis.Coverage.of({"SSDA903": {("380", 2018)}, "CIN census": {("380", 2022)}}, first_year=2011)
    assert c.pathway_window(with_episodes=True) == (2011, pd.Timestamp(2018, 3, 31))
    assert c.history_before == 2022 and c.years == [2018, 2022]


@pytest.mark.slow
def test_notebook_says_what_happened_to_every_return(tmp_path, run_notebook, monkeypatch):
    """The issue's case: another LA's return put beside the boroughs' is read, listed in the
    data-quality record with what happened to it, and never called 'not found'."""
    import json

    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    raw = _raw_with_stranger(tmp_path / "raw")
    run_notebook("45_la_extracts.ipynb", tmp_path / "out.ipynb", raw_dir=str(raw), processed_dir=str(tmp_path / "p"))
    meta = json.loads((tmp_path / "p" / "all" / "report_sections" / "45_la_extracts" / "section.json").read_text())
    text = " ".join(i.get("text", "") for i in meta["items"] if not i["appendix"])
    assert "not found" not in text and "were found" not in text
    assert f"Outside this report's scope, so not used: LA 999's SSDA903 return for 2018 ({N_EPISODES} episodes)" in text
    assert "its CIN header says LEA 975, its folder says LA 999" in text
    led = pd.read_csv(tmp_path / "p" / "all" / "data_quality" / "la_extract_returns.csv", dtype={"la_code": str})
    assert set(led["la_code"]) == {"213", "999"} and (led[led["la_code"] == "213"]["status"] == "used").all()
    assert (led[led["la_code"] == "999"]["status"].str.startswith("outside this report's scope: LA 999")).all()
