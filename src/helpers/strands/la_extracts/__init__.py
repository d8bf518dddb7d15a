"""LA extracts in the DfE formats (SSDA903 children looked after return, CIN census): readers,
derived indicators by DfE's definitions, reconciliation to the published figures, children's
pathways and the cost of placements. Strand name ``la_extracts``; report section order 45."""

from .analysis import OUTPUTS as _DERIVED
from .costs import OUTPUTS as _COSTS
from .inputs import RAW_FILES, STRAND  # noqa: F401

OUTPUTS = (*_DERIVED, *_COSTS)
