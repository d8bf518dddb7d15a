"""Helpers for the Focus on Practice evaluation notebooks.

One module per strand (``score15``, ``scenarios``, ``networks``...), shared machinery beside them:
``config`` (paths and settings), ``ingest`` (schemas, validation, rejected rows), ``pseudonymise``,
``disclosure`` (small-count suppression), ``synthetic`` (the seeded data generator),
``report_section`` and ``report`` (how strands hand results to the report), ``pipeline`` (the runner).

Importing the package sets how pandas keeps text (:mod:`helpers.pandas_options`), so that every
notebook, test and command line works on frames alike.
"""

from . import pandas_options

__version__ = "0.1.0"

pandas_options.install()
