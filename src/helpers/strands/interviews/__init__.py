"""Interviews: coded qualitative data from practitioners, managers and families.

Read from a REFI-QDA project (``interviews.qdpx``, as NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette
export it; validated against the published schema) or from a plain CSV of coded excerpts
(``interview_codings.csv``). The analysis builds a framework matrix (participants x themes), theme
prevalence by participant group, borough and wave with the participants behind every figure, a code
co-occurrence network with its clusters, change between waves and between trained and not yet trained
practitioners (intervals resampling participants), and a few consented quotations passed through the
project's redaction helper (:mod:`helpers.redaction`).
"""

from .inputs import QDPX_MARKDOWN, RAW_FILES  # noqa: F401
from .outputs import OUTPUTS  # noqa: F401

STRAND = "interviews"
#: Extra Markdown for the data dictionary: the .qdpx subset read (not a CSV, so not a RawFile table).
DATA_DICTIONARY_MARKDOWN = QDPX_MARKDOWN
