"""How pandas keeps text in every process that imports ``helpers`` (helpers.pandas_options)."""

import subprocess
import sys

import pandas as pd

from helpers import pandas_options


def _in_a_new_process(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_pandas_imported_after_helpers_keeps_text_in_python_objects():
    out = _in_a_new_process(
        "import sys, helpers; print('pandas' in sys.modules); import pandas as pd; "
        "print(pd.get_option('mode.string_storage'), pd.Series(['a', None]).array.dtype.storage)"
    )
    # helpers alone does not import pandas (the runner never needs it)
    assert out.splitlines() == ["False", "python python"]


def test_pandas_imported_before_helpers_is_configured_at_once():
    out = _in_a_new_process(
        "import pandas as pd; before = pd.get_option('mode.string_storage'); import helpers; "
        "print(before, pd.get_option('mode.string_storage'))"
    )
    assert out.split() == ["auto", "python"]


def test_the_hook_steps_aside_once_used_and_is_installed_once():
    assert not any(isinstance(f, pandas_options._ConfigureOnImport) for f in sys.meta_path)  # pandas is loaded
    pandas_options.install()
    pandas_options.install()
    assert not any(isinstance(f, pandas_options._ConfigureOnImport) for f in sys.meta_path)
    assert pd.get_option("mode.string_storage") == "python"


def test_same_values_and_missing_values_either_way():
    """The storage changes where text is kept, not what a frame holds or how a missing value reads."""
    values = ["Westminster", None, "Kensington and Chelsea", "westminster"]
    with pd.option_context("mode.string_storage", "pyarrow"):
        arrow = pd.Series(values)
    python = pd.Series(values)
    assert arrow.array.dtype.storage == "pyarrow" and python.array.dtype.storage == "python"
    assert str(arrow.dtype) == str(python.dtype) == "str"
    assert python.isna().tolist() == arrow.isna().tolist() == [False, True, False, False]
    assert (
        python.str.lower().tolist()[2:] == arrow.str.lower().tolist()[2:] == ["kensington and chelsea", "westminster"]
    )
    assert python.to_csv() == arrow.to_csv()
