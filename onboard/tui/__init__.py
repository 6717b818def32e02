"""The terminal UI (``onboard`` with no command): the only package that imports Textual.

``app.py`` holds the app and its factory, ``screens/`` one module per section, ``widgets/`` the pieces
they share; ``session.py``, ``runs.py`` and ``halfblocks.py`` are plain Python the screens read.
"""
