"""Statistical disclosure control for anything a reader sees: a table protects itself.

No count of people from 1 to the threshold (``suppression_threshold``, 5 by default, as DfE
publications) may be read or worked out anywhere in the reports. The package in four rooms:

* :mod:`.rule`: which counts are small (:func:`is_small`) and the secondary-suppression rule
  (:func:`protect`): while a suppressed cell can be worked out from the relations between cells and
  the cells shown, suppress the next-smallest cell of a relation that gives it away;
* :mod:`.infer`: what a table's columns count, declared once per table (:func:`people`,
  :func:`things`, :func:`label`, :func:`published`), and the relations between its cells inferred
  from its labels and values (totals rows, breakdowns that add up alike, totals columns);
* :mod:`.prose`: numbers in sentences, alt text and captions written as tokens, so that they read the
  same protected values as the tables;
* :mod:`.joint`: the protection of all four reports at once (the tri-borough report and one per
  borough, from the same extract): every table, every count in prose, the relations within a section
  and between the reports, solved together by the report (:func:`protect_sections`).

:func:`suppress_table` (:mod:`.tables`) applies the rule to one table with the margins given.

What is not covered (``docs/aqa/assumptions_and_caveats.md``): bounds (a "c" is known to be
1..threshold, so a relation may narrow it to a range without giving it exactly); relations between
tables of different strands; charts drawn before the report settles its suppression; and relations
no rule here infers (a sum of rows no sentence or table names, a difference between waves).
"""

from .infer import Counts, label, people, published, things
from .joint import Protection, protect_scopes, protect_sections
from .prose import Tokens, is_token
from .rule import SUPPRESSED, Equation, is_small, protect
from .tables import count_like_columns, suppress_table, table_equations, table_suppressed_cells

__all__ = [
    "SUPPRESSED",
    "Counts",
    "Equation",
    "Protection",
    "Tokens",
    "count_like_columns",
    "is_small",
    "is_token",
    "label",
    "people",
    "protect",
    "protect_scopes",
    "protect_sections",
    "published",
    "suppress_table",
    "table_equations",
    "table_suppressed_cells",
    "things",
]
