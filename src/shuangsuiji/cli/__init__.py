"""The command line: the Typer app (``app``) and its Chinese texts (``zh``). Only this package
imports typer; everything it does is a call into ``shuangsuiji.commands``."""

from shuangsuiji.cli.app import app, main

__all__ = ["app", "main"]
