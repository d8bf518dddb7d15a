"""Practice scenarios: how far practitioners' answers align with the training's learning outcomes.

Practitioners answered a small set of scenarios (short case vignettes, ``scenarios.csv``) at two waves
(``scenario_answers.csv``). Two coders (A and B) coded every answer for every learning outcome on the
ordinal scale of the project's coding frame (``coding_frame.yaml``: 0 absent, 1 partly, 2 clearly
present); a third coder (C) coded the answer and outcome where A and B were two levels apart
(``scenario_codes.csv``, long: one row per answer, coder and outcome).

The analysis, in order:

1. **Reliability first.** For every outcome, A against B: percentage agreement, Cohen's kappa with
   quadratic weights (statsmodels), and Krippendorff's alpha for ordinal data (the ``krippendorff``
   package) with a BCa bootstrap CI resampling practitioners with all their answers
   (:func:`ordinal_alpha_bootstrap`, a second, vectorised implementation from the coincidence matrix). The benchmark is the frame's, stated in
   advance: alpha >= .800 reliable, .667 to .800 tentative, below .667 unreliable.
2. **Resolution** (:func:`resolve_codes`): C's code where given; otherwise the mean of A and B;
   otherwise the one code given.
3. **Alignment** (:func:`answer_scores`): each outcome's resolved code as 0-100 (level / 2 x 100), and
   the answer's alignment score = the mean over its coded outcomes, when at least
   ``min_outcomes_coded`` (frame) are coded. Per practitioner and wave: the mean over their answers.
4. **Comparisons**: a linear mixed model of the answer's alignment (practitioner random intercept;
   training status at the answer date, wave, scenario, role and borough fixed effects), one model
   per outcome for its 0-100 score; before-and-after per practitioner and a difference-in-differences
   across the rollout (trained between the waves against not trained by wave 2).

Training status of an answer: the practitioner's ``training_completed`` is on or before the answer
date (``practitioners.csv``). Free text is never put in the report unless ``consent_to_quote`` is yes,
and then only through the project's redaction helper (:func:`helpers.redaction.publishable_quotes`;
answers it is unsure about are dropped and counted).

Modules: :mod:`.inputs` (coding frame, raw file schemas), :mod:`.analysis` (reliability, scoring,
models, change; the processed tables), :mod:`.charts`, :mod:`.section` (the report section; its paragraphs
in :mod:`.describe`, its model and change tables' layout in :mod:`.display`).
"""

from .analysis import OUTPUTS
from .inputs import RAW_FILES, STRAND

__all__ = ["OUTPUTS", "RAW_FILES", "STRAND"]
