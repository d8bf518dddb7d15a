"""Children's outcomes and the cost of care against comparators, on the real published statistics.

Reads the DfE/ONS statistics in ``FOP_PUBLIC_DATA`` through :mod:`helpers.public_data` (never copied
into the repository) and compares the treated LAs (default: the three Focus on Practice boroughs)
with their statistical neighbours, England, London and Inner London, and every eligible English LA:
trends, interrupted time series, difference in differences with an event study, placebo in space,
synthetic control, the boroughs' later claims, s251 spend and the avoided cost of care.
"""

from .inputs import RAW_FILES
from .outputs import OUTPUTS

STRAND = "outcomes"

__all__ = ["STRAND", "RAW_FILES", "OUTPUTS"]
