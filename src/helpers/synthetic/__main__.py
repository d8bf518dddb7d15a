"""``python -m helpers.synthetic``: write synthetic raw data (see the package docstring)."""

from . import main

raise SystemExit(main())
