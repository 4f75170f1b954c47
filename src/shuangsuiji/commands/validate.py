"""``ssj validate``: load the plan and both rosters, report every problem, summarise the year."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from shuangsuiji.inputs.plan import JointTask, Plan
from shuangsuiji.inputs.population import account, population, task_quota
from shuangsuiji.inputs.workspace import Workspace, load_workspace
from shuangsuiji.ledger.files import write_if_changed
from shuangsuiji.rules.records import Accounting


@dataclass(frozen=True)
class TaskSummary:
    """What validate reports per item or joint task."""

    task_id: str
    name: str
    kind: str  # "本部门" or "联合（partner）"
    months: list[int]
    ratio: str
    eligible: int
    quota: int
    accounting: Accounting | None  # where every roster row went (items; a joint task shares it)


def summarize(workspace: Workspace) -> list[TaskSummary]:
    """Per task: eligible enterprises and the quota per draw (before the year's exclusions)."""
    plan, roster = workspace.plan, workspace.enterprises
    if roster is None or workspace.errors:
        return []
    summaries = []
    for task in plan.tasks:
        eligible = population(plan, task, roster)
        item = plan.base_item(task)
        summaries.append(
            TaskSummary(
                task_id=task.id,
                name=(task.name or f"联合：{item.name}")
                if isinstance(task, JointTask)
                else task.name,
                kind=f"联合（{task.partner}）" if isinstance(task, JointTask) else "本部门",
                months=task.months,
                ratio=task.ratio.describe(),
                eligible=len(eligible),
                quota=task_quota(task, eligible),
                accounting=None if isinstance(task, JointTask) else account(plan, task, roster),
            )
        )
    return summaries


def validate_workspace(plan_path: str | Path) -> tuple[Workspace, list[TaskSummary]]:
    """``ssj validate``: load everything, return the workspace (with problems) and the summary.

    A plan file that cannot be parsed raises InputError, as there is nothing else to check.
    """
    workspace = load_workspace(plan_path)
    summaries = summarize(workspace)
    if summaries:
        remember_counts(workspace.plan, summaries)
    return workspace, summaries


VALIDATED = "ssj-validate.json"  # the last clean validate's counts: a first draw's baseline


def remember_counts(plan: Plan, summaries: list[TaskSummary]) -> None:
    """Keep each item's eligible count of a clean validate beside the plan, so that the
    year's first draw can tell a roster that shrank since (docs/spec.md §3.2). Best effort:
    validating a workspace on read-only media still works."""
    counts = {s.task_id: s.eligible for s in summaries if s.accounting is not None}
    text = json.dumps({"items": counts}, ensure_ascii=False, indent=1) + "\n"
    with contextlib.suppress(OSError):
        write_if_changed(plan.folder / VALIDATED, text.encode())


def validated_count(plan: Plan, item_id: str) -> int | None:
    """An item's eligible count at the last clean ``ssj validate``, if one was kept."""
    try:
        data = json.loads((plan.folder / VALIDATED).read_text(encoding="utf-8"))
        count = data["items"][item_id]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return count if isinstance(count, int) and not isinstance(count, bool) else None
