"""``ssj plan import``: turn the notice's annex tables into a plan file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shuangsuiji.commands.seal import SealOutcome, seal
from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.annex import ImportedPlan, PlanOptions, import_plan
from shuangsuiji.inputs.secret import is_example_secret
from shuangsuiji.outputs.planfile import write_plan


def import_plan_file(
    annexes: Sequence[Path],
    output: Path,
    options: PlanOptions | None = None,
    *,
    force: bool = False,
    sealed: bool = True,
) -> tuple[ImportedPlan, SealOutcome | None]:
    """Read the annexes and write the plan to ``output`` (never over a file unless ``force``);
    then, unless ``sealed`` is False, seal it (``ssj seal``) so that it is ready to draw."""
    imported = import_plan(annexes, options or PlanOptions())
    secret = output.parent / imported.plan.secret_file
    if sealed and secret.exists() and not is_example_secret(secret):
        raise InputError(
            "计划文件所在文件夹已有种子秘密文件，未写出计划",
            [
                Problem(
                    str(secret),
                    None,
                    None,
                    "已有秘密文件，封存会与它冲突",
                    "换一个文件夹，或加 --no-seal 只写出计划、之后再处理",
                )
            ],
        )
    write_plan(imported, output, force=force)
    return imported, (seal(output) if sealed else None)
