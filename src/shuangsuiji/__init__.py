"""ssj: a reproducible toolkit for 双随机、一公开 inspections."""

__version__ = "0.5.0"
