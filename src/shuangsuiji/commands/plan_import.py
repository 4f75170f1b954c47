"""``ssj plan import``: turn the notice's annex tables into a plan file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shuangsuiji.inputs.annex import ImportedPlan, import_plan
from shuangsuiji.outputs.planfile import write_plan


def import_plan_file(
    annexes: Sequence[Path],
    output: Path,
    *,
    force: bool = False,
    agency: str | None = None,
    year: int | None = None,
    seed: str | None = None,
    enterprises: str = "enterprises.xlsx",
    officers: str = "officers.xlsx",
    target_column: str = "行业类别",
    deadline_workdays: int = 5,
) -> ImportedPlan:
    """Read the annexes and write the plan to ``output`` (never over a file unless ``force``)."""
    imported = import_plan(
        annexes,
        agency=agency,
        year=year,
        seed=seed,
        enterprises=enterprises,
        officers=officers,
        target_column=target_column,
        deadline_workdays=deadline_workdays,
    )
    write_plan(imported, output, force=force)
    return imported
