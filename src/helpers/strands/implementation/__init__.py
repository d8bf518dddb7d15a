"""The programme as implemented: who completed systemic training when, by role and borough, against
the programme's stated reach, and the clinicians embedded in teams.

Read from the practitioners' roster (``practitioners.csv``, shared with the other strands); it comes
first in the report because every outcome is read against it: a change before most staff were
trained cannot be the training's.
"""

from .analysis import OUTPUTS
from .inputs import RAW_FILES

STRAND = "implementation"

__all__ = ["STRAND", "RAW_FILES", "OUTPUTS"]
