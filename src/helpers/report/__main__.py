"""`python -m helpers.report`."""

from .cli import main

raise SystemExit(main())
