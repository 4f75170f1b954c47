"""Writing the month's task sheet (检查任务单.xlsx): one row per drawn enterprise with its group
and officers, then a printable sheet per group.

Officers fill in 检查日期, 检查结果 (a drop-down of the standard categories) and 公示日期; the
layout is shared with the reader in ``inputs.tasksheet``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from shuangsuiji.inputs.plan import JointTask, Plan
from shuangsuiji.inputs.tasksheet import (
    HEADERS,
    INSPECTED_ON,
    NAME,
    NOTE,
    PUBLISHED_ON,
    RESULT,
    TASK,
    USCC,
)
from shuangsuiji.inputs.workspace import Workspace
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.anchor import anchor_sheet
from shuangsuiji.outputs.excel import Sheet, write_workbook
from shuangsuiji.rules.records import Group, LedgerHead
from shuangsuiji.rules.results import RESULT_CATEGORIES


def file_name(month: str) -> str:
    return f"检查任务单-{month}.xlsx"


def group_label(number: int) -> str:
    return f"第{number}组"


def officer_names(group: Group, agency: str) -> str:
    """ "张伟、李娜（区市场监督管理局）": partner officers marked with their department."""
    return "、".join(
        o.name if o.department == agency else f"{o.name}（{o.department}）" for o in group.officers
    )


def group_notes(group: Group) -> str:
    notes = list(group.warnings)
    notes += [
        f"递补：{s.out_name}→{s.in_name}（{s.reason}，{s.at[:10]}）" for s in group.substitutions
    ]
    return "；".join(notes)


def task_title(plan: Plan, task_id: str) -> str:
    """抽查事项 as the task sheet shows it; a joint task names the partner and its items."""
    task = plan.task(task_id)
    assert task is not None
    item = plan.base_item(task)
    if not isinstance(task, JointTask):
        return item.name
    extra = f"：{'；'.join(task.partner_items)}" if task.partner_items else ""
    return f"部门联合抽查：{item.name}（会同{task.partner}{extra}）"


def write_task_sheet(
    path: Path,
    plan: Plan,
    month: str,
    groups: Sequence[Group],
    addresses: Mapping[str, str],
    anchor: LedgerHead | None = None,
) -> bool:
    """Write the task sheet (``addresses``: 注册地址 by USCC, for the printed group sheets)."""
    agency = plan.agency
    item_names = {t.id: task_title(plan, t.id) for t in plan.tasks}
    rows: list[list[object]] = []
    sheets = []
    for group in groups:
        task_id = group.scope.split("/")[0]
        label = group_label(group.group)
        names = officer_names(group, agency)
        notes = group_notes(group)
        for enterprise in group.enterprises:
            rows.append(
                [
                    group.scope,
                    label,
                    enterprise.uscc,
                    enterprise.name,
                    group.industry,
                    item_names.get(task_id, ""),
                    names,
                    None,
                    None,
                    None,
                    notes,
                ]
            )
        sheets.append(
            Sheet(
                f"{task_id}{label}",
                ["序号", TASK, USCC, NAME, "注册地址", INSPECTED_ON, RESULT, "检查人员签字", NOTE],
                [
                    [
                        n,
                        group.scope,
                        e.uscc,
                        e.name,
                        addresses.get(e.uscc, ""),
                        None,
                        None,
                        None,
                        None,
                    ]
                    for n, e in enumerate(group.enterprises, start=1)
                ],
                caption=f"{group.scope} {label}（{group.industry}） 检查人员：{names}",
                choices={RESULT: RESULT_CATEGORIES},
                date_columns=(INSPECTED_ON,),
            )
        )
    main = Sheet(
        "检查任务单",
        HEADERS,
        rows,
        caption=f"{agency} {month} “双随机”检查任务单",
        choices={RESULT: RESULT_CATEGORIES},
        date_columns=(INSPECTED_ON, PUBLISHED_ON),
    )
    tail = [] if anchor is None else [anchor_sheet(anchor)]
    return write_workbook(path, [main, *sheets, *tail])


def write_month_sheet(
    workspace: Workspace, month: str, groups: Sequence[Group], anchor: LedgerHead | None = None
) -> list[Path]:
    """Write the month's task sheet of the current groups, with each enterprise's 注册地址 from
    the roster; the path if the file changed."""
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    usccs = {e.uscc for g in groups for e in g.enterprises}
    path = plan.folder / OUTPUT_DIR / month / file_name(month)
    addresses = roster.details(usccs, "注册地址")
    written = write_task_sheet(path, plan, month, groups, addresses, anchor)
    return [path] if written else []
