"""LA extracts in the DfE formats (SSDA903 children looked after return, CIN census): readers,
derived indicators by DfE's definitions, reconciliation to the published figures, children's
pathways and the cost of placements. Strand name ``la_extracts``; report section order 45.

Modules, from the ground up: :mod:`.folders` (which returns a report reads and what it does with
each; plain Python), :mod:`.codes` and :mod:`.schemas` (the formats), :mod:`.records`,
:mod:`.ssda903` and :mod:`.cin` (the readers), :mod:`.inputs` (every return read, the ones used,
the ledger), :mod:`.published` (the published figures), :mod:`.indicators`, :mod:`.pathways` and
:mod:`.costs` (the analysis, tied together by :mod:`.analysis`), :mod:`.outputs`,
:mod:`.validation` (the DfE validators: run in their own kernel, read back here), :mod:`.charts`,
:mod:`.section_reading` and :mod:`.section`; :mod:`.cli` is the command line.

No module imports this package's ``__init__``, and it imports none at load: its three public names
are loaded when first asked for, so that the DfE validators' kernel (pandas < 2) can import
:mod:`.folders` and :mod:`.validation` alone, without the readers.
"""

from importlib import import_module

_WHERE = {"OUTPUTS": "outputs", "RAW_FILES": "schemas", "STRAND": "schemas"}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
