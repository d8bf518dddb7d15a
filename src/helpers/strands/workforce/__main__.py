"""``python -m helpers.strands.workforce``: see :mod:`helpers.strands.workforce.cli`."""

from .cli import main

raise SystemExit(main())
