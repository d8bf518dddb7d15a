"""How every process that uses this package keeps text in pandas: in Python objects, not Arrow arrays.

pandas 3 infers the ``str`` dtype for text and, with pyarrow installed, keeps it in an Arrow array.
This project's frames are small (a borough's returns, a table of a report section) and handled a
few rows or a column at a time, so each operation on an Arrow-backed column pays a conversion
(taking rows, iterating, building a Series) that costs more than the column itself. With the same
``str`` dtype kept in Python objects (``mode.string_storage = "python"``: the same missing-value
rules and the same methods) the default build's strand notebooks took 25.9 s of CPU against 31.2 s,
the disclosure scan's builds 75.6 s against 84.6 s, and ``make test`` 4 min 31 s to 4 min 55 s
against 4 min 55 s to 5 min 59 s, every processed file and report byte for byte the same (5 December
2026). Arrow storage is better for large text columns handled whole: the national benchmark
(``benchmarks/bench_la_extracts.py``, 6,000,000 referrals) derived in 18.9 s and 22.9 s (two runs) at
2.29 GB peak against 15.6 s at 2.06 GB, well within its targets (120 s, 6 GB).

:func:`install` (run when ``helpers`` is imported) sets the option as soon as pandas is imported,
or at once if it already was: every notebook kernel, test and command line that imports ``helpers``
keeps text alike, and a process that never needs pandas (the pipeline's runner) does not import it.
"""

from __future__ import annotations

import importlib.util
import sys

#: Where the ``str`` dtype keeps its values (see the module docstring).
STRING_STORAGE = "python"


def configure(pandas) -> None:
    """Set this package's options on an imported ``pandas`` module."""
    pandas.set_option("mode.string_storage", STRING_STORAGE)


class _ConfigureOnImport:
    """An import finder (``sys.meta_path``; not derived from ``importlib.abc``, whose import costs more
    than this module) that finds nothing itself: when pandas is first imported, hands back pandas's own module spec
    with a loader that configures the module once it has loaded, then steps aside for good."""

    def find_spec(self, name, path=None, target=None):
        if name != "pandas":
            return None
        uninstall()  # before looking pandas up, so that the lookup below does not come back here
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return None
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            configure(module)

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    """Configure pandas now if it is imported, else when it is (idempotent)."""
    if "pandas" in sys.modules:
        configure(sys.modules["pandas"])
    elif not any(isinstance(f, _ConfigureOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _ConfigureOnImport())


def uninstall() -> None:
    """Remove the import hook (pandas is then configured only by :func:`configure`)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _ConfigureOnImport)]
