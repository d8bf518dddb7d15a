"""Runs that can't be mistaken for each other (issue 14), byte-identical builds, the derived order
and parallel runs, and a quiet runner. Runs the toy pipeline of pipeline_toy.py."""

import hashlib
import json
import os
import subprocess
import time
from datetime import UTC, date, datetime

import nbformat
import pytest
import yaml

from helpers import config, pipeline, provenance
from pipeline_toy import cli_args, make_project, run_subprocess


@pytest.fixture
def toy(tmp_path, monkeypatch):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key-one")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return make_project(tmp_path)


def run(toy, *extra):
    return pipeline.main(cli_args(toy, "--no-progress", *extra))


@pytest.mark.slow
def test_non_default_parameters_get_their_own_report_and_say_so(toy, tmp_path):
    assert run(toy) == 0
    default_report = toy["report"].read_bytes()
    params = tmp_path / "quick_check.yaml"
    params.write_text(yaml.safe_dump({"notebooks": {"first": {"size": 10}}, "globals": {"suppression_threshold": 10}}))
    assert run(toy, "--params", str(params)) == 0
    variant = toy["reports"] / "focus_on_practice_evaluation__quick_check.html"
    assert toy["report"].read_bytes() == default_report  # the default report is never overwritten
    assert b"20 | 20! | THIRD INPUT" in variant.read_bytes()
    assert (
        b"Non-default: [&#x27;first.size&#x27;, &#x27;suppression_threshold&#x27;]" in variant.read_bytes()
        or b"Non-default: ['first.size', 'suppression_threshold']" in variant.read_bytes()
    )
    info = provenance.run_info(toy["processed"] / "variants" / "quick_check" / "all")
    assert info["non_default_parameters"] == {
        "suppression_threshold": {"value": 10, "default": 5},
        "first.size": {"value": 10, "default": 4},
    }
    assert info["override_file"] == "quick_check.yaml"  # outside the repository: its name only
    assert info["variant"] == "quick_check" and info["code_version"]["commit"]
    # the default build's processed outputs were not touched either: a default run skips everything
    assert run(toy) == 0
    manifest = json.loads((toy["runs"] / "manifest.json").read_text())
    assert {n["status"] for n in manifest["notebooks"]} == {"skipped (unchanged)"}
    assert provenance.run_info(toy["scope"])["non_default_parameters"] == {}


def test_set_values_and_default_values(toy, tmp_path):
    same = tmp_path / "same.yaml"
    same.write_text(yaml.safe_dump({"notebooks": {"first": {"size": 4}}}))  # the declared value
    decl = pipeline.load_declaration(toy["decl"])
    plan = pipeline.build_plan(decl, pipeline.load_overrides(same), override_file=str(same), from_file={"first.size"})
    assert plan.variant == "" and plan.report_path.name == "focus_on_practice_evaluation.html"
    plan = pipeline.build_plan(decl, {"notebooks": {"first": {"size": 5}}})
    digest = hashlib.sha256(json.dumps({"first.size": 5}, sort_keys=True).encode()).hexdigest()[:8]
    assert plan.variant == f"custom_{digest}"
    assert plan.report_path.name == f"focus_on_practice_evaluation__custom_{digest}.html"
    assert plan.globals["processed_dir"].endswith(f"variants/custom_{digest}")
    plan = pipeline.build_plan(decl, {"notebooks": {"first": {"size": 5}}}, {"borough": "westminster"})
    assert plan.report_path.name == f"focus_on_practice_evaluation_westminster__custom_{digest}.html"


def test_only_unknown_name_suggests_the_closest(toy, capsys):
    assert run(toy, "--only", "secnd") == 2
    assert "no notebook named 'secnd' in the pipeline (did you mean 'second'?)" in capsys.readouterr().err
    assert run(toy, "--from", "thrid") == 2
    assert "(did you mean 'third'?)" in capsys.readouterr().err


@pytest.mark.slow
def test_only_rebuilds_the_report_and_from_runs_what_reads_it(toy):
    assert run(toy) == 0
    (toy["raw"] / "input.csv").write_text("a\n2\n")
    assert run(toy, "--only", "first", "--set", "first.size=4") == 0
    manifest = json.loads((toy["runs"] / "manifest.json").read_text())
    # first reran, its output (8) unchanged: second is still fresh, so the report is up to date
    assert {n["name"]: n["status"] for n in manifest["notebooks"]} == {"first": "ran", "report": "skipped (unchanged)"}
    assert (
        pipeline.select_steps(pipeline.build_plan(pipeline.load_declaration(toy["decl"])), start="first")[-1].name
        == "report"
    )
    names = [
        s.name
        for s in pipeline.select_steps(pipeline.build_plan(pipeline.load_declaration(toy["decl"])), start="first")
    ]
    assert names == ["first", "second", "report"]  # third does not read first


@pytest.mark.slow
def test_order_derived_from_reads_not_from_the_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "k")
    toy = make_project(tmp_path, order=("report", "second", "third", "first"))
    assert pipeline.main(cli_args(toy, "--list")) == 0
    listed = [line.split()[1] for line in capsys.readouterr().out.splitlines()]
    assert listed == ["third", "first", "second", "report"]
    assert run(toy) == 0
    assert b"8 | 8! | THIRD INPUT" in toy["report"].read_bytes()


@pytest.mark.slow
def test_independent_notebooks_run_in_parallel(toy, monkeypatch):
    """first and third read nothing of each other: with 2 workers they overlap, with 1 they do not."""
    monkeypatch.setenv("TOY_SLEEP_FIRST", "2")  # the kernels inherit the runner's environment
    monkeypatch.setenv("TOY_SLEEP_THIRD", "2")

    def spans(jobs):
        assert run(toy, "--force", "--jobs", str(jobs)) == 0
        first = (toy["scope"] / "first" / "first.txt").stat().st_mtime
        third = (toy["scope"] / "third" / "third.txt").stat().st_mtime
        return abs(first - third)

    assert spans(2) < 1.5
    assert spans(1) >= 2.0


@pytest.mark.slow
def test_two_builds_give_byte_identical_executed_notebooks(toy):
    assert run(toy, "--force") == 0
    first = {p.name: p.read_bytes() for p in (toy["runs"] / "executed").glob("*.ipynb")}
    html = toy["report"].read_bytes()
    time.sleep(1.1)  # a different second on the clock
    assert run(toy, "--force") == 0
    second = {p.name: p.read_bytes() for p in (toy["runs"] / "executed").glob("*.ipynb")}
    assert set(first) == {"first.ipynb", "second.ipynb", "third.ipynb", "report.ipynb"}
    assert first == second and toy["report"].read_bytes() == html
    # kernels started early and warmed with the notebook's imports change nothing either
    assert run(toy, "--force", "--no-warm") == 0
    assert {p.name: p.read_bytes() for p in (toy["runs"] / "executed").glob("*.ipynb")} == first
    nb = nbformat.reads(second["report.ipynb"].decode(), as_version=4)
    source = pipeline._rel(toy["root"] / "report.ipynb")
    # ids derived from the notebook's path and the cell's index; no timing metadata anywhere
    assert [c["id"] for c in nb.cells] == [
        hashlib.sha256(f"{source}:{i}".encode()).hexdigest()[:16] for i in range(len(nb.cells))
    ]
    text = second["report.ipynb"].decode()
    for word in ("start_time", "end_time", "duration", "iopub.execute_input", "shell.execute_reply"):
        assert word not in text


@pytest.mark.slow
def test_build_date_from_source_date_epoch_or_the_newest_input(toy, monkeypatch):
    stamp = datetime(2015, 3, 1, 12, tzinfo=UTC).timestamp()
    for f in toy["raw"].iterdir():
        os.utime(f, (stamp, stamp))
    assert pipeline.build_date(toy["raw"]) == date(2015, 3, 1)
    assert run(toy) == 0
    assert b"Built: 01 March 2015" in toy["report"].read_bytes()  # passed to the report's kernel
    assert provenance.run_info(toy["scope"])["build_date"] == "2015-03-01"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2016, 7, 4, tzinfo=UTC).timestamp())))
    assert pipeline.build_date(toy["raw"]) == date(2016, 7, 4)
    assert run(toy) == 0  # the date changed, so the report is rebuilt
    assert b"Built: 04 July 2016" in toy["report"].read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert run(toy) == 2


@pytest.mark.slow
def test_quiet_in_a_log_file(toy):
    """Not a terminal: no progress bars, no carriage returns, no kernel transport warning; one
    plain line per notebook. The kernel runs in the project root."""
    proc = run_subprocess(toy)
    assert proc.wait(120) == 0
    out, err = proc.stdout.read(), proc.stderr.read()
    assert "without encryption" not in err and "WARNING" not in err
    assert "\r" not in out + err and "it/s" not in err and "%|" not in err
    assert "[all] first: ran in" in out and "[all] report: ran in" in out
    assert (toy["scope"] / "first" / "cwd.txt").read_text() == str(config.PROJECT_ROOT)
    assert not list(config.PROJECT_ROOT.glob("kernel-ipc*"))


@pytest.mark.slow
def test_each_borough_and_several_scopes_in_one_pool(toy):
    assert run(toy, "--boroughs", "all,westminster") == 0
    assert toy["report"].exists()
    assert (toy["reports"] / "focus_on_practice_evaluation_westminster.html").exists()
    assert (toy["processed"] / "westminster" / "second" / "second.txt").read_text() == "8!"
    assert run(toy, "--boroughs", "all,camden") == 2


def test_declared_pipeline_order_and_reads():
    plan = pipeline.build_plan(pipeline.load_declaration())
    names = [s.name for s in plan.steps]
    assert names.index("networks") > names.index("score15")  # networks reads score15's family change
    assert plan.step("networks").reads == ["score15"]
    report = plan.steps[-1]
    assert report.exports_report and set(report.reads) == set(names) - {report.name}


def test_make_lab_passes_root_and_browser_flags():
    out = subprocess.run(
        ["make", "-n", "lab", "LAB_ARGS=--port=9999"], cwd=config.PROJECT_ROOT, capture_output=True, text=True
    ).stdout
    line = next(line for line in out.splitlines() if "jupyter lab" in line)
    assert "--port=9999" in line
    assert ("--allow-root" in line) == (os.getuid() == 0)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        assert "--no-browser" in line
