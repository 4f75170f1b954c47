"""Library first: nothing under shuangsuiji but the command line (cli*.py) imports typer."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import shuangsuiji


def test_library_modules_do_not_import_typer() -> None:
    modules = [
        f"shuangsuiji.{m.name}"
        for m in pkgutil.iter_modules(shuangsuiji.__path__)
        if not m.name.startswith("cli") and m.name != "__main__"  # cli*: the command line
    ]
    code = f"import sys; import {', '.join(modules)}; print('typer' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"
