"""SCORE-15: family functioning as each family member aged 12+ sees it, at two waves.

Reference: ``shared/reference/score15.md`` (Stratton et al. 2010, 2014; Hamilton et al. 2015).

Scoring, in the direction of the published "family problem score" (higher = more difficulty):

* the ten problem-worded items are reversed (6 - answer), the five strengths items kept as answered
  (:data:`REVERSED_ITEMS`; the direction is *medium confidence*);
* the three subscales and the total are **means** of their scored items, on the 1-5 scale;
* missing items (the project's own rule, as no official one was found): a subscale mean is computed
  when at most one of its five items is missing (then it is the mean of the four answered, flagged as
  prorated); the total is computed only when all three subscales are, as the mean of the answered
  items, flagged as prorated when any item is missing.

Reliability is Cronbach's alpha at wave 1. Change between waves is described per respondent and per
family with :func:`helpers.stats.paired_change`; reliable change (Jacobson & Truax 1991) uses the
data's own wave-1 SD of the total and the total's alpha, because no published norm exists.

Modules: :mod:`.inputs` (the questionnaire and the responses file), :mod:`.analysis` (scoring,
reliability, change; the processed tables), :mod:`.charts`, :mod:`.section` (the report section).
"""

from .analysis import OUTPUTS
from .inputs import RAW_FILES, STRAND

__all__ = ["OUTPUTS", "RAW_FILES", "STRAND"]
