"""The normative rules anyone may re-implement: SSJ-DRAW-1, RFC 3797, SSJ-ASSIGN-1, ratios,
USCC, working days and deadlines, and the typed records they produce.

Pure: no file I/O, no Arrow tables, no command line. A module here imports nothing of the package
but ``rules`` and the one exceptions module (``tests/test_layout.py`` enforces it).
"""
