"""The publication sheet (公示表): what the public register shows, and no personal data — no
officer names or ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from shuangsuiji.inputs.plan import JointTask, Plan
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.anchor import anchor_sheet
from shuangsuiji.outputs.excel import Sheet, write_workbook
from shuangsuiji.rules.records import LedgerHead, Result

PUBLICATION_HEADERS = (
    "序号",
    "统一社会信用代码",
    "企业名称",
    "检查实施机关",
    "检查类型",
    "抽查事项",
    "检查日期",
    "检查结果",
    "公示截止日期",
)


def publication_path(plan: Plan, today: dt.date, month: str | None) -> Path:
    suffix = f"{month}-" if month else ""
    return plan.folder / OUTPUT_DIR / "公示" / f"公示表-{suffix}{today.isoformat()}.xlsx"


def _row(plan: Plan, number: int, result: Result) -> list[object]:
    task = plan.task(result.scope.split("/")[0])
    item = plan.base_item(task).name if task is not None else result.scope
    partner = None
    if isinstance(task, JointTask):
        item = "；".join([item, *task.partner_items])
        partner = task.partner
    return [
        number,
        result.uscc,
        result.name,
        f"{plan.agency}、{partner}" if partner else plan.agency,
        "部门联合双随机抽查" if partner else "双随机抽查",
        item,
        dt.date.fromisoformat(result.inspected_on),
        result.result,
        plan.deadline(result.inspected_on),
    ]


def write_publication(
    path: Path, plan: Plan, results: Sequence[Result], anchor: LedgerHead | None = None
) -> bool:
    """Write the 公示表 of ``results`` (and the chain anchor of its event); True if changed."""
    sheet = Sheet(
        "公示表",
        PUBLICATION_HEADERS,
        [_row(plan, n, r) for n, r in enumerate(results, start=1)],
        caption=f"{plan.agency}“双随机、一公开”抽查结果公示表",
    )
    return write_workbook(path, [sheet] if anchor is None else [sheet, anchor_sheet(anchor)])
