"""``ssj plan import``: turn the notice's annex tables into a plan file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shuangsuiji.inputs.annex import ImportedPlan, PlanOptions, import_plan
from shuangsuiji.outputs.planfile import write_plan


def import_plan_file(
    annexes: Sequence[Path],
    output: Path,
    options: PlanOptions | None = None,
    *,
    force: bool = False,
) -> ImportedPlan:
    """Read the annexes and write the plan to ``output`` (never over a file unless ``force``)."""
    imported = import_plan(annexes, options or PlanOptions())
    write_plan(imported, output, force=force)
    return imported
