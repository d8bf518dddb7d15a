"""The command line on the conformance files, checked against plain csv / ElementTree counts."""

import csv
import datetime as dt
import xml.etree.ElementTree as ET

import pandas as pd

from helpers.strands.la_extracts import cli
from test_la_extracts_readers import CIN, S903, needs_conformance


def _d(s):
    return dt.datetime.strptime(s, "%d/%m/%Y").date() if s else None


@needs_conformance
def test_cli_on_conformance_ssda903(tmp_path, monkeypatch):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    assert cli.main(["--extract", str(S903), "--year", "2018", "--out", str(tmp_path)]) == 0
    ind = pd.read_csv(tmp_path / "indicators.csv").set_index("measure")["value"]
    end = dt.date(2018, 3, 31)
    with open(S903 / "episodes.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cla = {
        r["CHILD"]
        for r in rows
        if r["LS"] not in ("V3", "V4") and _d(r["DECOM"]) <= end and (not r["DEC"] or _d(r["DEC"]) > end)
    }
    assert ind["cla_at_31_march_number"] == len(cla)
    rec = pd.read_csv(tmp_path / "reconciliation.csv")
    assert (rec["rows_read"] == rec["rows_accepted"] + rec["rows_rejected"]).all()
    assert (tmp_path / "placement_days.csv").exists()


@needs_conformance
def test_cli_on_conformance_cin(tmp_path, monkeypatch):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    assert cli.main(["--extract", str(CIN), "--year", "2022", "--out", str(tmp_path)]) == 0
    ind = pd.read_csv(tmp_path / "indicators.csv", dtype={"la_code": str})
    v = ind[ind["la_code"] == "975"].set_index("measure")["value"]
    root = ET.parse(CIN / "fake_CIN_data.xml").getroot()
    dates = {
        (c.findtext("ChildIdentifiers/LAchildID"), d.findtext("CINreferralDate"))
        for c in root.iter("Child")
        for d in c.iter("CINdetails")
    }
    in_year = [x for x in dates if "2021-04-01" <= x[1] <= "2022-03-31"]
    assert v["cin_referrals_number"] == len(in_year)


@needs_conformance
def test_cli_labels_every_row_with_the_cin_headers_lea(tmp_path, monkeypatch):
    """One folder holding an SSDA903 return and a CIN census: the SSDA903 indicators carry the LEA of
    the CIN header too (the default the help states), not 'unknown'; --la overrides it for all."""
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    extract = tmp_path / "extract"
    (extract / "cin").mkdir(parents=True)
    (extract / "ssda903").symlink_to(S903)
    (extract / "cin" / "cin_census.xml").symlink_to(CIN / "fake_CIN_data.xml")
    lea = ET.parse(CIN / "fake_CIN_data.xml").getroot().findtext("Header/Source/LEA")
    for args, expected in (([], lea), (["--la", "999"], "999")):
        out = tmp_path / f"out{len(args)}"
        assert cli.main(["--extract", str(extract), "--year", "2018", "--out", str(out), *args]) == 0
        ind = pd.read_csv(out / "indicators.csv", dtype={"la_code": str})
        assert "cla_at_31_march_number" in set(ind["measure"])  # SSDA903 indicators are there
        assert set(ind["la_code"]) == {expected}
