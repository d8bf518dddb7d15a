"""Each step is fingerprinted by the code it runs, not by the whole helper package (issue 22).

The project's own declaration and notebooks, fingerprinted against a copy of ``src/helpers`` that the
test edits: an edit reruns exactly the steps whose fingerprint changes. The expected sets are read
off the notebooks' import lines and pipeline.yaml by hand: every strand notebook imports only its own
strand (``helpers.strands.<strand>``; the DfE validation notebook the LA-extracts strand's folders and
validation modules, not its costs) and core modules; every notebook imports ``helpers.config``;
all but the DfE validation notebook import ``helpers.report_section``; core packages
(``helpers.ingest``, ``helpers.public_data``) are followed into their submodules; the report depends on
everything it renders; outcomes, LA extracts, workforce and the DfE validation notebook (its GSS codes
come from ``public_data.la_lookup``) declare ``public_data: true``.
"""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import pipeline
from helpers.pipeline import codegraph
from helpers.pipeline.fingerprint import input_hashes, step_code_hash

STEPS = {
    "implementation",
    "scenarios",
    "score15",
    "networks",
    "interviews",
    "outcomes",
    "dfe_validation",
    "la_extracts",
    "workforce",
    "time_use",
    "report",
}


@pytest.fixture(scope="module")
def plan():
    plan = pipeline.build_plan(pipeline.load_declaration())
    assert {s.name for s in plan.steps} == STEPS
    return plan


@pytest.fixture(scope="module")
def helpers_copy(plan, tmp_path_factory):
    """A copy of the helper package and every step's code fingerprint on it, unedited."""
    root = tmp_path_factory.mktemp("src") / "helpers"
    shutil.copytree(codegraph.HELPERS_ROOT, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root, {s.name: step_code_hash(s, root) for s in plan.steps}


def _rerun_after(plan, helpers_copy, relative: str) -> set[str]:
    """The steps whose code fingerprint changes when the file ``relative`` (under helpers/) changes
    (the file is put back afterwards)."""
    root, before = helpers_copy
    path = root / relative
    original = path.read_bytes()
    path.write_bytes(original + b"\n")
    try:
        after = {s.name: step_code_hash(s, root) for s in plan.steps}
    finally:
        path.write_bytes(original)
    return {name for name in before if before[name] != after[name]}


@pytest.mark.parametrize(
    "relative, rerun",
    [
        # one strand's module or data file: that strand's notebook and the report
        ("strands/time_use/analysis.py", {"time_use", "report"}),
        ("strands/time_use/activities.csv", {"time_use", "report"}),
        ("strands/scenarios/coding_frame.yaml", {"scenarios", "report"}),
        ("strands/la_extracts/data/unit_costs.csv", {"la_extracts", "report"}),
        ("strands/outcomes/__init__.py", {"outcomes", "report"}),
        # a core module every notebook imports, or all but one
        ("config.py", STEPS),
        ("report_section.py", STEPS - {"dfe_validation"}),
        # a submodule of a core package, imported through the package (``from helpers import ingest``,
        # ``from ... import public_data``): what imports the package. Every strand notebook but 40 and 44
        # imports helpers.ingest itself, the outcomes strand imports it (outputs.py, inputs.py), and the
        # DfE validation notebook runs it through helpers.public_data (la_extracts.validation.gss_code
        # reads la_lookup.csv with public_data.la_lookup; public_data's files and schema import ingest).
        # The published statistics' code is run by outcomes, the LA-extracts strand (published.py),
        # workforce (public.py) and the DfE validation notebook (gss_code).
        ("ingest/links.py", STEPS),
        ("ingest/__init__.py", STEPS),
        ("public_data/panel.py", {"outcomes", "la_extracts", "workforce", "dfe_validation", "report"}),
        # the report's templates: the report only
        ("templates/fop_report/index.html.j2", {"report"}),
        # a generator module: the notebooks comparing with the synthetic truth call load_truth, not
        # the generators, so only the report (which depends on everything) reruns
        ("synthetic/scenarios.py", {"report"}),
    ],
)
def test_an_edit_reruns_the_steps_that_run_that_code(plan, helpers_copy, relative, rerun):
    assert _rerun_after(plan, helpers_copy, relative) == rerun


def test_the_code_a_strand_runs_is_its_strand_and_the_core(plan):
    for step in plan.steps:
        if step.exports_report:
            continue
        modules = codegraph.imported_modules(codegraph.notebook_entries(step.notebook))
        strands = {m.split(".")[2] for m in modules if m.startswith("helpers.strands.")}
        # one strand a notebook (the DfE validation notebook is the LA-extracts strand's)
        assert strands <= {{"dfe_validation": "la_extracts"}.get(step.name, step.name)}, (step.name, strands)
        assert "helpers.config" in modules and not any(m.startswith("helpers.pipeline") for m in modules)


def test_computed_imports_and_function_level_imports(tmp_path):
    """``import_module(f"{__name__}.{name}")`` depends on the package's modules, but only through the
    function that does it; a name taken from a module brings that function's imports, not the others'."""
    root = tmp_path / "helpers"
    (root / "gen").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "core.py").write_text("X = 1\n")
    (root / "gen" / "__init__.py").write_text(
        "import importlib\nfrom ..core import X\n"
        "def generate(name):\n    return importlib.import_module(f'{__name__}.{name}')\n"
        "def load():\n    from . import truth\n    return truth\n"
    )
    (root / "gen" / "one.py").write_text("from ..core import X\n")
    (root / "gen" / "truth.py").write_text("T = 2\n")
    (root / "gen" / "__main__.py").write_text("from . import generate\n")
    whole = codegraph.imported_modules(["helpers.gen"], root)
    assert whole == {"helpers", "helpers.core", "helpers.gen", "helpers.gen.one", "helpers.gen.truth"}
    assert codegraph.imported_modules([("helpers.gen", ("load",))], root) == {
        "helpers",
        "helpers.core",
        "helpers.gen",
        "helpers.gen.truth",
    }
    assert codegraph.imported_modules([("helpers.gen", ("X",))], root) == {"helpers", "helpers.core", "helpers.gen"}


def test_public_statistics_rerun_the_sections_that_read_them(plan, tmp_path, monkeypatch):
    public = tmp_path / "public"
    public.mkdir()
    (public / "stats.csv").write_text("la,value\n213,1\n")
    monkeypatch.setenv("FOP_PUBLIC_DATA", str(public))
    raw = {s.name: {**s.parameters, "raw_dir": str(tmp_path / "raw")} for s in plan.steps}
    steps = [pipeline.Step(**{**vars(s), "parameters": raw[s.name]}) for s in plan.steps]
    before = {s.name: input_hashes(s) for s in steps}
    (public / "stats.csv").write_text("la,value\n213,2\n")
    changed = {s.name for s in steps if input_hashes(s) != before[s.name]}
    assert changed == {"outcomes", "dfe_validation", "la_extracts", "workforce"}


def test_summaries_are_kept_between_runs_and_read_again_when_a_file_changes(tmp_path, monkeypatch):
    root = tmp_path / "helpers"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "a.py").write_text("from . import b\n")
    (root / "b.py").write_text("")
    (root / "c.py").write_text("")
    cache = tmp_path / "cache.json"
    monkeypatch.setattr(codegraph, "HELPERS_ROOT", root)
    monkeypatch.setattr(codegraph, "CACHE_FILE", cache)
    assert codegraph.imported_modules(["helpers.a"], root) == {"helpers", "helpers.a", "helpers.b"}
    assert json.loads(cache.read_text())["helpers.a"]["imports"] == {"": [["from", "helpers", "b"]]}
    (root / "a.py").write_text("from . import c  # now c\n")
    assert codegraph.imported_modules(["helpers.a"], root) == {"helpers", "helpers.a", "helpers.c"}
    assert json.loads(cache.read_text())["helpers.a"]["imports"] == {"": [["from", "helpers", "c"]]}
