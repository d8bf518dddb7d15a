"""Workforce stability strand: agency use, turnover and absence of children's social workers.

Two parts. The DfE children's social work workforce statistics (real, published, from 30 September
2015) for the three boroughs against their statistical neighbours, Inner London and England; and the
same census indicators derived from an HR extract (2012-2018), which alone can show a before and
after the programme began (2014), reconciled against the published figures.
"""

from .analysis import OUTPUTS as _HR_OUTPUTS
from .inputs import RAW_FILES, STRAND
from .section_public import PUBLIC_OUTPUTS

OUTPUTS = (*_HR_OUTPUTS, *PUBLIC_OUTPUTS)

__all__ = ["STRAND", "RAW_FILES", "OUTPUTS"]
