"""Writing the plan file that ``ssj plan import`` made from the notice's annexes."""

from __future__ import annotations

from pathlib import Path

from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.annex import ImportedPlan
from shuangsuiji.ledger.files import write_atomic


def write_plan(imported: ImportedPlan, out: Path, *, force: bool = False) -> None:
    """Write an imported plan; never overwrite an existing file unless ``force``."""
    if out.exists() and not force:
        raise InputError(
            "输出文件已存在，未覆盖",
            [Problem(str(out), None, None, "文件已存在", "换一个 -o 文件名，或加 --force 覆盖")],
        )
    write_atomic(out, imported.text)
