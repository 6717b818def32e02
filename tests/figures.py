"""The type of the ``figure`` fixture (tests/conftest.py): a suite states a figure, the run prints it."""

from collections.abc import Callable

Figure = Callable[[str], None]
