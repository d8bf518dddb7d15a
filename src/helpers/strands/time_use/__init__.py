"""Time-use strand: how practitioners spend a typical week, by activity, and how that changed.

A survey, designed with focus groups, asks each practitioner (the same practitioners as the practice
scenarios strand) how many hours of a typical week go to each activity of a list that is data
(``activities.csv``), at two or more waves. The strand validates the answers, describes the share of
the week per activity, the direct-work share by role, borough, training status and wave, and the
change for practitioners answering two waves.
"""

from .analysis import OUTPUTS
from .inputs import RAW_FILES, STRAND

__all__ = ["STRAND", "RAW_FILES", "OUTPUTS"]
