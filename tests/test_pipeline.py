"""The runner: parameters checked before anything runs, clear one-line failures, skipping, manifest."""

import json
from pathlib import Path

import nbformat as nbf
import pytest
import yaml

from helpers import pipeline

GLOBALS_CELL = (
    'borough = "all"  # scope\n'
    'raw_dir = "data/raw"  # raw folder\n'
    'processed_dir = "data/processed"  # processed folder\n'
    "suppression_threshold = 5  # small-count rule\n"
    "size = 3  # a notebook parameter\n"
)


def make_notebook(path: Path, body: str, params: str = GLOBALS_CELL) -> Path:
    nb = nbf.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "focus-on-practice", "display_name": "x", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = [nbf.v4.new_code_cell(params, metadata={"tags": ["parameters"]}), nbf.v4.new_code_cell(body)]
    nbf.write(nb, str(path))
    return path


@pytest.fixture
def project(tmp_path):
    """A two-notebook pipeline in tmp_path: 'first' writes a file, 'second' reads it."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "input.csv").write_text("a\n1\n")
    processed = tmp_path / "processed"
    first = make_notebook(
        tmp_path / "first.ipynb",
        "from pathlib import Path\n"
        "from helpers import config\n"
        "out = config.processed_dir_for(borough, processed_dir)\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "(out / 'first.txt').write_text(str(size * 2))",
    )
    second = make_notebook(
        tmp_path / "second.ipynb",
        "from helpers import config\n"
        "out = config.processed_dir_for(borough, processed_dir)\n"
        "assert (out / 'first.txt').read_text() == str(size * 2) or True\n"
        "(out / 'second.txt').write_text(borough)",
    )
    decl = {
        "globals": {"borough": "all", "raw_dir": str(raw), "processed_dir": str(processed), "suppression_threshold": 5},
        "notebooks": [
            {"name": "first", "notebook": str(first), "raw_inputs": ["input.csv"], "parameters": {"size": 4}},
            {"name": "second", "notebook": str(second), "reads": ["first"]},
        ],
    }
    decl_path = tmp_path / "pipeline.yaml"
    decl_path.write_text(yaml.safe_dump(decl))
    return {"root": tmp_path, "decl": decl_path, "raw": raw, "processed": processed, "runs": tmp_path / "runs"}


def run_cli(project, *extra):
    return pipeline.main(
        [
            "--pipeline",
            str(project["decl"]),
            "--runs-dir",
            str(project["runs"]),
            "--report-dir",
            str(project["root"] / "reports"),
            "--no-progress",
            *extra,
        ]
    )


@pytest.mark.slow
def test_runs_in_order_and_writes_manifest(project):
    assert run_cli(project) == 0
    out = project["processed"] / "all"
    assert (out / "first.txt").read_text() == "8"  # size=4 from the declaration, not the default 3
    assert (out / "second.txt").read_text() == "all"
    manifest = json.loads((project["runs"] / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["ran", "ran"]
    assert manifest["notebooks"][0]["parameters"]["size"] == 4
    assert manifest["notebooks"][0]["inputs_sha256"]["input.csv"]
    assert "pandas" in manifest["packages"] and manifest["code_version"]["commit"]
    assert (project["runs"] / "executed" / "first.ipynb").exists()


@pytest.mark.slow
def test_unchanged_notebooks_skipped_and_changes_rerun(project, capsys):
    assert run_cli(project) == 0
    assert run_cli(project) == 0
    manifest = json.loads((project["runs"] / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["skipped (unchanged)"] * 2
    # A changed input reruns its notebook; what reads it reruns only if its outputs changed
    # (first.txt is still size * 2 = 8, so second, which reads only that, is unchanged).
    (project["raw"] / "input.csv").write_text("a\n2\n")
    assert run_cli(project) == 0
    manifest = json.loads((project["runs"] / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["ran", "skipped (unchanged)"]
    # A changed output of first (size 5 -> first.txt "10") reruns second, which reads it.
    first_nb = yaml.safe_load(project["decl"].read_text())["notebooks"][0]["notebook"]
    make_notebook(
        Path(first_nb),
        "from helpers import config\n"
        "out = config.processed_dir_for(borough, processed_dir)\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "(out / 'first.txt').write_text(str(size * 2 + 1))",
    )
    assert run_cli(project) == 0
    manifest = json.loads((project["runs"] / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["ran", "ran"]
    # --force reruns regardless.
    assert run_cli(project, "--force", "--only", "second") == 0
    manifest = json.loads((project["runs"] / "manifest.json").read_text())
    assert [(n["name"], n["status"]) for n in manifest["notebooks"]] == [("second", "ran")]


def test_unknown_parameter_stops_before_anything_runs(project, capsys):
    code = run_cli(project, "--set", "first.sise=5")
    err = capsys.readouterr().err
    assert code == 2
    assert "first: unknown parameter 'sise' (did you mean 'size'?)" in err
    assert not (project["runs"] / "executed").exists()  # nothing ran


def test_wrong_parameter_type_is_an_error(project, capsys):
    assert run_cli(project, "--set", "first.size=many") == 2
    assert "parameter 'size' should be int" in capsys.readouterr().err


@pytest.mark.slow
def test_override_file_and_unknown_notebook(project, capsys, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"notebooks": {"first": {"size": 10}}}))
    assert run_cli(project, "--params", str(params)) == 0
    # A non-default parameter set has its own processed folder, named after the file.
    assert (project["processed"] / "variants" / "params" / "all" / "first.txt").read_text() == "20"
    assert not (project["processed"] / "all").exists()
    params.write_text(yaml.safe_dump({"notebooks": {"third": {"size": 10}}}))
    assert run_cli(project, "--params", str(params)) == 2
    assert "unknown notebook(s) ['third']" in capsys.readouterr().err


def test_missing_input_file_named(project, capsys):
    (project["raw"] / "input.csv").unlink()
    assert run_cli(project) == 2
    err = capsys.readouterr().err
    assert "first: missing input file" in err and "input.csv" in err


@pytest.mark.slow
def test_failing_notebook_one_line_and_nonzero(project, capsys):
    make_notebook(
        Path(yaml.safe_load(project["decl"].read_text())["notebooks"][1]["notebook"]),
        "x = 1\nraise ValueError('the data are wrong')",
    )
    code = run_cli(project)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    # The failing cell is the second source cell; in the executed notebook papermill's injected
    # parameters cell comes before it, so it ran as In [3].
    assert err[-2] == "FAILED: notebook second (second.ipynb) failed at In [3]: ValueError: the data are wrong"
    executed = Path(err[-1].split(": ", 1)[1])
    assert executed.exists() and "the data are wrong" in executed.read_text()
    manifest = json.loads((project["runs"] / "manifest.json").read_text())
    assert manifest["notebooks"][-1]["status"] == "failed"


@pytest.mark.slow
def test_borough_parameter_checked_and_scoped(project, capsys):
    assert run_cli(project, "--borough", "Hammersmith & Fulham") == 0
    assert (project["processed"] / "hammersmith_fulham" / "second.txt").read_text() == "Hammersmith & Fulham"
    assert run_cli(project, "--borough", "Camden") == 2
    assert "unknown borough 'Camden'" in capsys.readouterr().err


@pytest.mark.slow
def test_only_and_from(project):
    assert run_cli(project, "--only", "first") == 0
    assert not (project["processed"] / "all" / "second.txt").exists()
    assert run_cli(project, "--from", "second") == 0
    assert (project["processed"] / "all" / "second.txt").exists()
    assert run_cli(project, "--only", "nope") == 2


def test_declared_pipeline_is_valid():
    """The project's own pipeline.yaml: every notebook exists and accepts its parameters."""
    decl = pipeline.load_declaration()
    plan = pipeline.build_plan(decl)
    problems = [p for p in pipeline.validate(plan.steps, plan) if "missing input file" not in p]
    assert problems == []
    assert plan.steps[-1].exports_report


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).resolve().parents[1] / "config").glob("*.yaml")), ids=lambda p: p.name
)
def test_shipped_override_files_are_valid(path):
    """Every example in config/ names real notebooks and parameters they declare, with the right types."""
    plan = pipeline.build_plan(pipeline.load_declaration(), pipeline.load_overrides(path))
    problems = [p for p in pipeline.validate(plan.steps, plan) if "missing input file" not in p]
    assert problems == []


@pytest.mark.slow
def test_raw_folders_and_public_data_enter_the_fingerprint(project, tmp_path, monkeypatch):
    """A notebook reading a whole raw folder (LA extracts) or the published statistics reruns when a
    file there is added or changed, and only then."""
    public = tmp_path / "public"
    public.mkdir()
    (public / "stats.csv").write_text("la,value\n213,1\n")
    monkeypatch.setenv("FOP_PUBLIC_DATA", str(public))
    decl = yaml.safe_load(project["decl"].read_text())
    decl["notebooks"][0]["raw_folders"] = ["extracts"]
    decl["notebooks"][1]["public_data"] = True
    project["decl"].write_text(yaml.safe_dump(decl))

    def statuses():
        assert run_cli(project) == 0
        manifest = json.loads((project["runs"] / "manifest.json").read_text())
        return [n["status"] for n in manifest["notebooks"]]

    assert statuses() == ["ran", "ran"]  # the extracts folder is absent: recorded as absent, not an error
    assert statuses() == ["skipped (unchanged)"] * 2
    (project["raw"] / "extracts" / "213" / "2015").mkdir(parents=True)
    (project["raw"] / "extracts" / "213" / "2015" / "header.csv").write_text("CHILD\n1\n")
    assert statuses() == ["ran", "skipped (unchanged)"]  # a new extract reruns the step reading the folder
    (project["raw"] / "extracts" / "213" / "2015" / "header.csv").write_text("CHILD\n2\n")
    assert statuses() == ["ran", "skipped (unchanged)"]  # so does a changed one
    (public / "stats.csv").write_text("la,value\n213,2\n")
    assert statuses() == ["skipped (unchanged)", "ran"]  # a new release of the statistics reruns its reader
    # How the raw files are declared to be written changes what is read from them: it reruns the
    # notebooks reading raw files, whether declared beside the data or in the environment.
    (project["raw"] / "raw_formats.yaml").write_text("dayfirst: [input.csv]\n")
    assert statuses() == ["ran", "skipped (unchanged)"]
    monkeypatch.setenv("FOP_RAW_ENCODING", "cp1252")
    assert statuses() == ["ran", "skipped (unchanged)"]


def test_public_data_must_be_a_boolean(project, capsys):
    decl = yaml.safe_load(project["decl"].read_text())
    decl["notebooks"][1]["public_data"] = "yes"
    project["decl"].write_text(yaml.safe_dump(decl))
    assert run_cli(project) == 2
    assert "public_data: must be true or false" in capsys.readouterr().err


def test_kernels_get_one_blas_thread_per_core_left_to_them():
    """Notebooks running side by side share the cores: each kernel's linear algebra gets cores // jobs
    threads (at least one); a thread variable the user set is left alone."""
    from helpers.pipeline.kernels import blas_thread_env

    assert blas_thread_env(2, 2, environ={}) == {
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    assert blas_thread_env(1, 8, environ={})["OPENBLAS_NUM_THREADS"] == "8"
    assert blas_thread_env(3, 8, environ={})["OMP_NUM_THREADS"] == "2"
    assert blas_thread_env(4, 2, environ={})["MKL_NUM_THREADS"] == "1"
    assert "OPENBLAS_NUM_THREADS" not in blas_thread_env(2, 2, environ={"OPENBLAS_NUM_THREADS": "4"})
