"""The DfE validators' step: its own kernel (optional), a known rule failure found, results handed
back as files, and 'not run' never shown as a pass."""

import json
import os
import subprocess
from pathlib import Path

import nbformat
import pytest

from helpers import config, pipeline
from helpers.strands.la_extracts import validation

#: The run's folder of kept results (tests/conftest.py), so the validators' own process writes none
#: in the checkout.
KEPT = {"FOP_CACHE_DIR": os.environ.get("FOP_CACHE_DIR", "off")}

VALIDATORS_PY = config.PROJECT_ROOT / ".venv-validators" / "bin" / "python"


def _notebook(path: Path, kernel: str):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell(
            'borough = "all"  # b\nraw_dir = "data/raw"  # r\nprocessed_dir = "data/processed"  # p\n'
            "suppression_threshold = 5  # t",
            metadata={"tags": ["parameters"]},
        )
    ]
    nbformat.write(nb, str(path))


def _declaration(nb: Path, optional: bool) -> dict:
    return {
        "globals": {
            "borough": "all",
            "raw_dir": "data/raw",
            "processed_dir": "data/processed",
            "suppression_threshold": 5,
        },
        "notebooks": [{"name": "v", "notebook": str(nb), "kernel": "no-such-kernel-xyz", "optional": optional}],
    }


def test_optional_step_on_missing_kernel_is_skipped_with_one_line(tmp_path):
    nb = tmp_path / "v.ipynb"
    _notebook(nb, "no-such-kernel-xyz")
    plan = pipeline.build_plan(_declaration(nb, True), runs_dir=tmp_path / "runs", report_dir=tmp_path)
    assert plan.steps[0].kernel == "no-such-kernel-xyz" and plan.steps[0].optional
    lines = []
    manifest = pipeline.run(plan, plan.steps, progress=False, log=lines.append)
    assert manifest["notebooks"][0]["status"].startswith("skipped (kernel")
    assert len(lines) == 1 and "not installed" in lines[0]


def test_required_step_on_missing_kernel_stops(tmp_path):
    nb = tmp_path / "v.ipynb"
    _notebook(nb, "no-such-kernel-xyz")
    plan = pipeline.build_plan(_declaration(nb, False), runs_dir=tmp_path / "runs", report_dir=tmp_path)
    with pytest.raises(pipeline.PipelineError, match="not installed"):
        pipeline.run(plan, plan.steps, progress=False, log=lambda s: None)


def test_default_kernel_unchanged():
    decl = pipeline.load_declaration()
    plan = pipeline.build_plan(decl)
    kernels = {s.name: (s.kernel, s.optional) for s in plan.steps}
    assert kernels["score15"] == (config.KERNEL_NAME, False)
    assert kernels["dfe_validation"] == ("focus-on-practice-validators", True)


def test_absent_results_are_not_a_pass(tmp_path):
    res = validation.load_results(tmp_path)
    assert res["status"] == "not run" and "results" not in res


@pytest.mark.skipif(
    not VALIDATORS_PY.exists(), reason=".venv-validators is absent (make setup builds it); DfE validators not installed"
)
def test_known_rule_failure_found(tmp_path):
    d = tmp_path / "raw" / "la_extracts" / "213" / "2019" / "ssda903"
    d.mkdir(parents=True)
    (d / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nK1,3,01/01/2010,WBRI,UN1,,\nK2,1,01/01/2011,WBRI,UN1,,\n"
    )
    (d / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "K1,01/06/2018,S,C2,N1,U4,PR1,,,,,,\nK2,01/06/2018,S,C2,N1,U4,PR1,,,,,,\n"
    )
    code = (
        "import sys; from helpers.strands.la_extracts import validation as d; "
        "s = d.run_all(sys.argv[1], sys.argv[2], [2019]); print(s['status'])"
    )
    env = {"FOP_PSEUDONYMISATION_KEY": "test-key", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **KEPT}
    out = subprocess.run(
        [str(VALIDATORS_PY), "-c", code, str(tmp_path / "raw"), str(tmp_path / "proc")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    res = validation.load_results(tmp_path / "proc")
    assert res["status"] == "ran"
    r = res["results"]
    # rule 101 (sex not valid): SEX 3 is not a code in the 2022-23 ruleset; only child K1 has it
    from helpers.pseudonymise import pseudonym

    hit = r[(r["return"] == "SSDA903") & (r["rule"].astype(str) == "101")]
    assert set(hit["child"]) == {pseudonym("K1", b"test-key", "CH")}
    assert "K1" not in set(r["child"].astype(str))  # pseudonymised
    status = json.loads((tmp_path / "proc" / "la_extracts" / "validation" / "status.json").read_text())
    assert status["returns"]["SSDA903 213 2019"]["ruleset"] == "lac2022_23"


def test_validators_pseudonymise_children_as_the_readers_do():
    from helpers.strands.la_extracts import schemas

    assert validation.CHILD_PREFIX == schemas.CHILD_PREFIX


def test_gss_code_from_the_public_lookup_in_the_validators_kernel(tmp_path):
    """The GSS code the SSDA903 validator needs is read from the published LA lookup through
    helpers.public_data, under the validators' pandas 1 (Leeds is E08000035 in ONS's register); without
    the lookup, the boroughs' own codes, else Westminster's."""
    code = (
        "import sys; from helpers.strands.la_extracts import validation as d; "
        "print(d.gss_code('383'), d.gss_code('205'), d.gss_code('999'))"
    )
    from helpers import public_data

    public = public_data.public_data_dir()
    runs = {}
    for name, folder in (("lookup", public), ("none", tmp_path / "empty")):
        env = {"FOP_PUBLIC_DATA": str(folder), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **KEPT}
        out = subprocess.run([str(VALIDATORS_PY), "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        runs[name] = out.stdout.split()
    if not (public / "la_lookup.csv").is_file():
        pytest.skip("no public statistics folder (FOP_PUBLIC_DATA)")
    assert runs["lookup"] == ["E08000035", "E09000013", "E09000033"]
    assert runs["none"] == ["E09000033", "E09000013", "E09000033"]
