"""One authority's own build (issue 23, runner side): the global parameter ``la``, scope ``la<number>``,
and steps left out for want of that authority's files. Runs the toy pipeline of pipeline_toy.py; the
LA numbers are checked against the LA lookup of the published statistics (FOP_PUBLIC_DATA)."""

import hashlib
import json

import pytest
import yaml

from helpers import config, pipeline, provenance, public_data
from pipeline_toy import add_extracts_step, cli_args, make_project

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
@pytest.mark.slow
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
@pytest.mark.slow
def test_a_step_left_out_is_said_once_in_the_runs_log(toy, capsys):
    """With per-notebook lines on (a log, not a terminal), each step that ran has its line and the step
    left out is named once, by the summary, not again as a per-notebook line."""
    (toy["raw"] / "third.csv").unlink()
    assert pipeline.main(cli_args(toy, "--set", "la=383")) == 0
    captured = capsys.readouterr()
    log = captured.out + captured.err
    assert "[la383] second: ran in" in log  # per-notebook lines are on in this run
    assert [line for line in log.splitlines() if "third" in line] == [
        f"[la383] left out: third (no third.csv; raw folder {toy['raw']})"
    ]


@needs_lookup
@pytest.mark.slow
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
@pytest.mark.slow
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


# ---- steps reading extracts by folder (the LA-extracts notebooks): that authority's folder or extract_dir


@pytest.fixture
def extracts_toy(toy):
    add_extracts_step(toy)
    other = toy["raw"] / "returns" / "213" / "2020"
    other.mkdir(parents=True)
    (other / "westminster.csv").write_text("child\n1\n")  # another authority's return
    return toy


def left_out_record(toy, step: str) -> dict:
    info = provenance.run_info(toy["la_scope"])
    return next(i for i in info["left_out"] if i["step"] == step)


@needs_lookup
@pytest.mark.slow
def test_an_authority_without_its_own_returns_has_the_extracts_step_left_out(extracts_toy, capsys):
    toy = extracts_toy
    assert run(toy) == 0  # the default build: the folder is optional, the step runs and finds nothing
    assert statuses(toy)["extracts"] == "ran"
    assert run(toy, "--set", "la=383") == 0
    reason = "no returns/383/; no extract_dir set; the returns there of LA 213 are outside this report"
    assert statuses(toy)["extracts"] == f"left out ({reason})"
    record = left_out_record(toy, "extracts")
    assert (record["needs"], record["missing"], record["synthetic"]) == (["returns/383/"], ["returns/383/"], [])
    assert f"[la383] left out: extracts ({reason}; raw folder {toy['raw']})" in capsys.readouterr().out
    own = toy["raw"] / "returns" / "383" / "2020"
    own.mkdir(parents=True)
    (own / "leeds.csv").write_text("child\n2\n")
    assert run(toy, "--set", "la=383") == 0
    assert statuses(toy)["extracts"] == "ran"
    assert (toy["la_scope"] / "extracts" / "extracts.txt").read_text() == "leeds.csv"
    assert provenance.run_info(toy["la_scope"])["left_out"] == []


@needs_lookup
@pytest.mark.slow
def test_the_generators_returns_are_not_the_authoritys(extracts_toy):
    toy = extracts_toy
    made = toy["raw"] / "returns" / "383" / "2020" / "made_up.csv"
    made.parent.mkdir(parents=True)
    made.write_text("child\n3\n")
    digest = hashlib.sha256(made.read_bytes()).hexdigest()
    manifest = {"files": {"returns/383/2020/made_up.csv": digest}}
    (toy["raw"] / "synthetic_manifest.json").write_text(json.dumps(manifest))
    assert run(toy, "--set", "la=383") == 0
    assert statuses(toy)["extracts"] == (
        "left out (returns/383/ is the synthetic generator's; no extract_dir set; "
        "the returns there of LA 213 are outside this report)"
    )
    assert left_out_record(toy, "extracts")["synthetic"] == ["returns/383/"]
    made.write_text("child\n4\n")  # a real return put in the generator's place
    assert run(toy, "--set", "la=383") == 0
    assert statuses(toy)["extracts"] == "ran"


@needs_lookup
@pytest.mark.slow
def test_extracts_read_in_place_bring_the_step_in_and_enter_its_fingerprint(extracts_toy, tmp_path, capsys):
    toy = extracts_toy
    secure = tmp_path / "secure_share"
    assert run(toy, "--set", "la=383", "--set", f"extracts.extract_dir={secure}") == 2  # checked before anything runs
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == "error: the pipeline was not started:" and len(err) == 2, err
    assert err[1].strip().startswith(f"extracts: extract_dir names {secure}, which does not exist"), err
    assert not toy["runs"].exists()
    (secure / "cin").mkdir(parents=True)
    (secure / "cin" / "return.xml").write_text("<Message/>")
    args = ["--set", "la=383", "--set", f"extracts.extract_dir=[{secure}]"]
    assert run(toy, *args) == 0
    assert statuses(toy)["extracts"] == "ran"
    assert (toy["la_scope"] / "extracts" / "extracts.txt").read_text() == "return.xml"
    assert run(toy, *args) == 0
    assert statuses(toy)["extracts"] == "skipped (unchanged)"
    (secure / "cin" / "return.xml").write_text("<Message>changed</Message>")  # the return read in place changed
    assert run(toy, *args) == 0
    assert statuses(toy)["extracts"] == "ran" and statuses(toy)["report"] == "skipped (unchanged)"
    (secure / "cin" / "second.xml").write_text("<Message/>")  # a new file in it
    assert run(toy, *args) == 0
    assert (toy["la_scope"] / "extracts" / "extracts.txt").read_text() == "return.xml,second.xml"
    assert statuses(toy)["report"] == "ran"


@needs_lookup
@pytest.mark.slow
def test_an_optional_input_enters_the_fingerprint_and_never_leaves_a_step_out(extracts_toy):
    toy = extracts_toy
    own = toy["raw"] / "returns" / "383" / "2020"
    own.mkdir(parents=True)
    (own / "leeds.csv").write_text("child\n2\n")
    assert run(toy, "--set", "la=383") == 0
    assert statuses(toy)["extracts"] == "ran"  # no notes.csv: not a reason to leave it out
    assert run(toy, "--set", "la=383") == 0
    assert statuses(toy)["extracts"] == "skipped (unchanged)"
    (toy["raw"] / "notes.csv").write_text("note\n")
    assert run(toy, "--set", "la=383") == 0
    assert statuses(toy)["extracts"] == "ran"
    assert (toy["la_scope"] / "extracts" / "extracts.txt").read_text() == "leeds.csv,notes.csv"
