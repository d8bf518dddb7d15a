"""One authority's own build (issue 23, runner side): the global parameter ``la``, scope ``la<number>``,
and steps left out for want of that authority's files. Runs the toy pipeline of pipeline_toy.py; the
LA numbers are checked against the LA lookup of the published statistics (FOP_PUBLIC_DATA)."""

import hashlib
import json

import pytest
import yaml

from helpers import config, pipeline, provenance, public_data
from pipeline_toy import cli_args, make_project

needs_lookup = pytest.mark.skipif(
    not public_data.available(files=("la_lookup",)), reason="needs la_lookup.csv of the public statistics"
)


@pytest.fixture
def toy(tmp_path, monkeypatch):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key-one")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project = make_project(tmp_path)
    project["la_scope"] = project["processed"] / "la383"
    project["la_report"] = project["reports"] / "focus_on_practice_evaluation_la383.html"
    return project


def run(toy, *extra):
    return pipeline.main(cli_args(toy, "--no-progress", *extra))


def statuses(toy) -> dict:
    manifest = json.loads((toy["runs"] / "manifest.json").read_text())
    return {n["name"]: n["status"] for n in manifest["notebooks"]}


def test_scope_names():
    assert config.scope_name("all") == "all"
    assert config.scope_name("Hammersmith & Fulham") == "hammersmith_fulham"
    assert config.scope_name("all", 383) == "la383" and config.scope_name("all", "383") == "la383"
    assert config.processed_dir_for("all", "/x", 383).as_posix() == "/x/la383"


@needs_lookup
def test_an_authoritys_build_leaves_out_a_step_without_its_files(toy, capsys):
    (toy["raw"] / "third.csv").unlink()
    assert run(toy) == 2  # the default build still stops before anything runs
    assert "third: missing input file" in capsys.readouterr().err
    assert run(toy, "--set", "la=383") == 0
    assert statuses(toy) == {
        "first": "ran",
        "second": "ran",
        "third": "left out (no third.csv)",
        "report": "ran",
    }
    assert (toy["la_scope"] / "second" / "second.txt").read_text() == "8!"
    assert not (toy["processed"] / "all").exists()  # the three boroughs' build is not touched
    info = provenance.run_info(toy["la_scope"])
    assert (info["la"], info["la_name"], info["scope"]) == (383, "Leeds", "la383")
    assert info["non_default_parameters"] == {} and info["variant"] == ""  # la names a scope, not a variant
    assert [(i["step"], i["needs"], i["missing"]) for i in info["left_out"]] == [
        ("third", ["third.csv"], ["third.csv"])
    ]
    html = toy["la_report"].read_bytes()
    assert b"8 | 8!" in html and b"Left out: third (third.csv)" in html  # the report can say so, one line
    out = capsys.readouterr().out
    assert f"[la383] left out: third (no third.csv; raw folder {toy['raw']})" in out
    assert f"[la383] report: {toy['la_report']}" in out


@needs_lookup
def test_a_step_left_out_later_leaves_nothing_behind(toy):
    assert run(toy, "--set", "la=Leeds") == 0  # a name is accepted: the scope carries the number
    assert set(statuses(toy).values()) == {"ran"}
    assert b"THIRD INPUT" in toy["la_report"].read_bytes()
    (toy["raw"] / "third.csv").unlink()
    assert run(toy, "--set", "la=383") == 0
    assert statuses(toy) == {
        "first": "skipped (unchanged)",
        "second": "skipped (unchanged)",
        "third": "left out (no third.csv)",
        "report": "ran",
    }
    assert not (toy["la_scope"] / "third" / "third.txt").exists()
    assert not (toy["runs"] / "executed" / "third.ipynb").exists()
    assert b"THIRD INPUT" not in toy["la_report"].read_bytes()


@needs_lookup
def test_the_synthetic_generators_files_are_not_an_authoritys(toy, tmp_path):
    digest = hashlib.sha256((toy["raw"] / "third.csv").read_bytes()).hexdigest()
    (toy["raw"] / "synthetic_manifest.json").write_text(json.dumps({"files": {"third.csv": digest}}))
    params = tmp_path / "own.yaml"
    params.write_text(yaml.safe_dump({"globals": {"la": 383}}))
    assert run(toy, "--params", str(params)) == 0
    assert statuses(toy)["third"] == "left out (third.csv is the synthetic generator's)"
    assert toy["la_report"].exists()  # a parameter file naming only la is no variant either
    assert run(toy) == 0  # the default build runs on the synthetic files as ever
    assert statuses(toy)["third"] == "ran"


@needs_lookup
@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "la=999"], "parameter la: not an English local authority in la_lookup.csv: 999"),
        (["--set", "la=[383, 384]"], "parameter la: give a DfE LA number such as 383"),
        (["--set", "la=383", "--borough", "westminster"], "la=383 and borough='westminster' together"),
        (["--set", "la=383", "--boroughs", "all,each"], "give one or the other"),
    ],
)
def test_a_bad_la_is_one_clear_line(toy, capsys, args, message):
    assert run(toy, *args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not toy["runs"].exists()
