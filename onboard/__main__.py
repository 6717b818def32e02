"""``python -m onboard``: the same as the ``onboard`` command."""

from onboard.cli import main

raise SystemExit(main())
