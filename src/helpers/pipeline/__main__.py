"""``python -m helpers.pipeline``: see :mod:`helpers.pipeline.cli`."""

from .cli import main

raise SystemExit(main())
