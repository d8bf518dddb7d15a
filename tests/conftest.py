"""Shared test fixtures."""
from pathlib import Path

import pytest

from helpers import config


def _run_notebook(name: str, output: Path, **parameters) -> Path:
    """Run a project notebook as the pipeline runs it: project kernel, Python, project root as cwd."""
    import papermill as pm

    pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / name), str(output), parameters=parameters, kernel_name=config.KERNEL_NAME,
        language="python", cwd=str(config.PROJECT_ROOT), progress_bar=False,
    )
    return output


@pytest.fixture
def run_notebook():
    """``run_notebook(name, output_path, **parameters)``: execute one of notebooks/ with papermill."""
    return _run_notebook
