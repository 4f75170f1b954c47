"""Columnar execution of the rules for large inputs: the same results as ``rules``, computed by
DuckDB over all rows at once and on every core. ``rules`` stays the reference; tests check
that both give the same answer."""
