"""``python -m helpers.strands.la_extracts``: see :mod:`helpers.strands.la_extracts.cli`."""

from .cli import main

raise SystemExit(main())
