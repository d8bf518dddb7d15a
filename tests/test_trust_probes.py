"""Issue 9, between files: each case the probes found becomes a test here.

Each test takes small generated data, changes one thing the way a real extract could, loads the
files as the strand notebooks do, and checks that the change gives a clear error or a reconciled
rejection (never a silent loss). Expected counts are worked out from the raw CSVs with pandas and
the keyed hash, independently of the readers.
"""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_pipeline, slow_fixture
from helpers import ingest, roster
from helpers.ingest import IngestError, LinkError
from helpers.pseudonymise import load_key, pseudonym
from helpers.strands.networks import inputs as net
from helpers.strands.scenarios import analysis as sc_analysis
from helpers.strands.scenarios import inputs as sc
from helpers.strands.score15 import inputs as s15
from helpers.synthetic import generate_all


@pytest.fixture(scope="module")
@slow_fixture
def source(tmp_path_factory):
    raw = tmp_path_factory.mktemp("probe_source")
    generate_all(raw, scale=0.3)
    return raw


@pytest.fixture
def raw(source, tmp_path):
    """A private copy of the generated files to change."""
    out = tmp_path / "raw"
    out.mkdir()
    for f in source.glob("*.csv"):
        shutil.copy(f, out / f.name)  # no manifest: the copies count as real extracts
    return out


def read(raw: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(raw / name, dtype=str, keep_default_na=False)


def adds_up(result) -> None:
    rec = result.reconciliation()
    assert rec["rows_read"] == rec["rows_accepted"] + rec["rows_rejected"] + rec["rows_unmatched"]


def P(raw_id: str) -> str:
    return pseudonym(raw_id, load_key(), "P")


def F(raw_id: str) -> str:
    return pseudonym(raw_id, load_key(), "F")


def test_answers_of_a_practitioner_not_on_the_roster_are_unmatched_not_dropped(raw, tmp_path):
    out = tmp_path / "out"
    staff, answers = read(raw, "practitioners.csv"), read(raw, "scenario_answers.csv")
    gone = staff["practitioner_id"].iloc[:3].tolist()
    staff[~staff["practitioner_id"].isin(gone)].to_csv(raw / "practitioners.csv", index=False)
    expected = int(answers["practitioner_id"].isin(gone).sum())
    assert expected > 0
    practitioners = roster.load_practitioners(raw, out, "all")
    scenarios = ingest.ingest(sc.SCENARIOS, raw, out)
    res = ingest.ingest(sc.ANSWERS, raw, out, links={"practitioners": practitioners, "scenarios": scenarios})
    codes = ingest.ingest(sc.CODES, raw, out, links={"scenario_answers": res})
    # Every answer of the three is set aside as unmatched (none was otherwise invalid in this data).
    unmatched_ids = set(res.unmatched["practitioner_id"])
    assert res.rows_unmatched == expected and unmatched_ids == {P(g) for g in gone}
    adds_up(res)
    adds_up(codes)
    assert codes.rows_unmatched > 0  # their codes follow them, reconciled
    link = pd.read_csv(out / "data_quality" / "links_scenario_answers.csv").set_index("target").loc["practitioners.csv"]
    assert link["rows_unmatched"] == expected
    # The analysis sees no answer of an unknown practitioner: nothing left to drop silently.
    results = sc_analysis.analyse(res.data, codes.data, practitioners.data, None, n_boot=20, seed=1)
    assert results["counts"]["answers_unknown_practitioner"] == 0


def test_forms_of_a_family_not_in_families_csv_are_unmatched(raw, tmp_path):
    out = tmp_path / "out"
    fam, forms = read(raw, "families.csv"), read(raw, "score15_responses.csv")
    gone = fam["family_id"].iloc[:2].tolist()
    fam[~fam["family_id"].isin(gone)].to_csv(raw / "families.csv", index=False)
    expected = int(forms["family_id"].isin(gone).sum())
    assert expected > 0
    practitioners = roster.load_practitioners(raw, out, "all")
    families = roster.load_families(raw, out, practitioners, "all")
    res = ingest.ingest(s15.RESPONSES, raw, out, links={"families": families})
    assert res.rows_unmatched == expected and set(res.unmatched["family_id"]) == {F(g) for g in gone}
    assert not res.data["family_id"].isin({F(g) for g in gone}).any()
    adds_up(res)


def test_maps_of_unknown_or_rejected_families_are_accounted_for(raw, tmp_path):
    out = tmp_path / "out"
    fam, maps = read(raw, "families.csv"), read(raw, "network_maps.csv")
    with_maps = [f for f in fam["family_id"] if f in set(maps["family_id"])]
    unknown, rejected = with_maps[0], with_maps[1]
    fam = fam[fam["family_id"] != unknown].copy()
    fam.loc[fam["family_id"] == rejected, "level_of_need"] = "not a level"  # this family's row is rejected
    fam.to_csv(raw / "families.csv", index=False)
    expected = int(maps["family_id"].isin([unknown, rejected]).sum())
    practitioners = roster.load_practitioners(raw, out, "all")
    families = roster.load_families(raw, out, practitioners, "all")
    assert families.rows_rejected >= 1
    data = net.load_networks(raw, out, families)
    res = data.results["network_maps"]
    assert res.rows_unmatched == expected
    for r in data.results.values():
        adds_up(r)
    assert not data.maps["family_id"].isin({F(unknown), F(rejected)}).any()
    # Members and ties of those maps are rejected by the cross-file checks, not lost.
    members = data.results["network_members"]
    expected_members = int(read(raw, "network_members.csv")["family_id"].isin([unknown, rejected]).sum())
    assert expected_members > 0
    assert not members.data["family_id"].isin({F(unknown), F(rejected)}).any()
    gone = set(members.rejected["family_id"]) | set(
        members.unmatched["family_id"] if members.unmatched is not None else []
    )
    assert {F(unknown), F(rejected)} <= gone
    # The scope count no longer hides unknown families: with all boroughs, nothing is out of scope.
    assert data.not_in_roster == 0


def test_a_form_in_another_borough_than_its_family_takes_the_familys_borough(raw, tmp_path):
    out = tmp_path / "out"
    fam, forms = read(raw, "families.csv"), read(raw, "score15_responses.csv")
    row = forms.index[forms["family_id"].isin(fam["family_id"])][0]
    family = forms.at[row, "family_id"]
    true_borough = fam.set_index("family_id").at[family, "borough"]
    other = next(b for b in ("Westminster", "Hammersmith and Fulham", "Kensington and Chelsea") if b != true_borough)
    forms.at[row, "borough"] = other
    forms.to_csv(raw / "score15_responses.csv", index=False)
    practitioners = roster.load_practitioners(raw, out, "all")
    families = roster.load_families(raw, out, practitioners, "all")
    res = ingest.ingest(s15.RESPONSES, raw, out, links={"families": families})
    fid = F(family)
    assert set(res.data.loc[res.data["family_id"] == fid, "borough"]) == {true_borough}
    issue = res.issues[(res.issues["column"] == "borough") & (res.issues["row"] == row + 2)].iloc[0]
    assert issue["value"] == f"{other} here, {true_borough} in families.csv"
    assert issue["action"] == "value replaced by families.csv's"
    # Both strands now put the family in the same borough report.
    in_other = s15.filter_borough(res.data, (other,))
    assert fid not in set(in_other["family_id"])


def test_ids_with_leading_zeros_lost_in_one_file_stop_with_a_hint(raw, tmp_path):
    fam, forms = read(raw, "families.csv"), read(raw, "score15_responses.csv")
    numeric = {f: f"{i + 1:06d}" for i, f in enumerate(fam["family_id"])}
    fam["family_id"] = fam["family_id"].map(numeric)
    fam.to_csv(raw / "families.csv", index=False)
    forms["family_id"] = forms["family_id"].map(lambda f: numeric[f].lstrip("0") if f in numeric else f)
    forms.to_csv(raw / "score15_responses.csv", index=False)
    out = tmp_path / "out"
    practitioners = roster.load_practitioners(raw, out, "all")
    families = roster.load_families(raw, out, practitioners, "all")
    with pytest.raises(LinkError) as err:
        ingest.ingest(s15.RESPONSES, raw, out, links={"families": families})
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("score15_responses.csv: only 0 of ")
    assert "would match if leading zeros were ignored" in msg


@pytest.mark.parametrize("name", ["families.csv", "practitioners.csv"])
def test_header_only_roster_stops_the_run(raw, tmp_path, name):
    header = (raw / name).read_text(encoding="utf-8").splitlines()[0]
    (raw / name).write_text(header + "\n", encoding="utf-8")
    with pytest.raises(IngestError, match=rf"{name}: the file has a header but no rows"):
        practitioners = roster.load_practitioners(raw, tmp_path / "out", "all")
        roster.load_families(raw, tmp_path / "out", practitioners, "all")


@pytest.mark.slow
def test_header_only_families_stops_the_pipeline_with_one_line(raw, tmp_path):
    header = (raw / "families.csv").read_text(encoding="utf-8").splitlines()[0]
    (raw / "families.csv").write_text(header + "\n", encoding="utf-8")
    done = run_pipeline(tmp_path, raw, "--only", "score15")
    assert done.returncode == 1
    failed = [line for line in done.stderr.splitlines() if line.startswith("FAILED:")]
    assert len(failed) == 1 and "families.csv: the file has a header but no rows" in failed[0]
