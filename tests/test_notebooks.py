"""Committed notebooks: no outputs, the project's kernel, a parameters cell with the globals, thin."""

import ast
import json

import pytest

from helpers.config import KERNEL_NAME, NOTEBOOKS_DIR
from helpers.pipeline import GLOBAL_PARAMETERS, declared_parameters

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def _declared_kernel(path):
    """The kernel pipeline.yaml declares for a notebook (``kernel:``), default the project's."""
    import yaml

    from helpers.config import PIPELINE_FILE

    for nb in yaml.safe_load(PIPELINE_FILE.read_text())["notebooks"]:
        if nb["notebook"].endswith(path.name):
            return nb.get("kernel", KERNEL_NAME)
    return KERNEL_NAME


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == _declared_kernel(path)
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "run `make strip`"
    first = code[0]
    assert "parameters" in first["metadata"].get("tags", []), "first code cell must be tagged parameters"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_plain_and_commented(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    params = next(c for c in nb["cells"] if c["cell_type"] == "code")
    source = "".join(params["source"])
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign), f"only assignments in the parameters cell: {ast.dump(node)[:60]}"
        ast.literal_eval(node.value)  # plain literals only
    for line in source.strip().splitlines():
        assert "#" in line, f"each parameter needs a comment: {line}"
    assert set(GLOBAL_PARAMETERS) <= set(declared_parameters(path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_function_definitions(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            tree = ast.parse("".join(c["source"]))
            assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree)), (
                "logic belongs in src/helpers"
            )


def test_strip_keeps_kernelspec_and_tags(tmp_path):
    import nbformat

    from helpers.strip_notebooks import strip

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "x", "language": "python"}
    cell = nbformat.v4.new_code_cell(
        "x = 1  # a", metadata={"tags": ["parameters"], "execution": {"iopub.execute_input": "2026-11-25T00:00:00Z"}}
    )
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1")]
    cell.execution_count = 4
    nb.cells = [cell]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, str(path))
    assert strip(path) is True
    again = nbformat.read(str(path), as_version=4)
    assert again.cells[0].outputs == [] and again.cells[0].execution_count is None
    assert again.cells[0].metadata == {"tags": ["parameters"]}
    assert again.metadata["kernelspec"]["name"] == KERNEL_NAME
    assert strip(path) is False


def test_helpers_never_set_the_matplotlib_backend():
    """Setting a backend in helper code makes figures vanish from executed notebooks."""
    from helpers.config import PROJECT_ROOT

    for path in sorted((PROJECT_ROOT / "src" / "helpers").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("matplotlib.use(", "plt.show(", "%matplotlib", "MPLBACKEND"):
            assert forbidden not in source, f"{path.name}: {forbidden}"
