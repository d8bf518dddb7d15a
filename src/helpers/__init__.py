"""Helpers for the Focus on Practice evaluation notebooks.

One module per strand (``score15``, ``scenarios``, ``networks``...), shared machinery beside them:
``config`` (paths and settings), ``ingest`` (schemas, validation, rejected rows), ``pseudonymise``,
``disclosure`` (small-count suppression), ``synthetic`` (the seeded data generator),
``report_section`` and ``report`` (how strands hand results to the report), ``pipeline`` (the runner).
"""

__version__ = "0.1.0"
