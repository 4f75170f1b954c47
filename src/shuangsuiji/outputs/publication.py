"""The publication sheet (公示表): what the public register shows, and no personal data — no
officer names or ids. Corrections of results published before (更正公示) have their own,
clearly marked worksheet in the same workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
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
CORRECTION_SHEET = "更正公示"
CORRECTION_HEADERS = (
    "序号",
    "统一社会信用代码",
    "企业名称",
    "抽查事项",
    "更正项目",
    "原公示内容",
    "更正后内容",
    "原公示日期",
    "更正日期",
    "公示截止日期",
)


def public_digest(results: Sequence[Result]) -> str:
    """SHA-256 of what a 公示表 of ``results`` shows: the same batch, the same sheet."""
    shown = [[r.scope, r.uscc, r.name, r.result, r.inspected_on, r.correction] for r in results]
    text = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def publication_name(today: dt.date, digest: str) -> str:
    """公示表-2025-03-12-1a2b3c4d.xlsx: the day the batch was first written, and its content."""
    return f"公示表-{today.isoformat()}-{digest[:8]}.xlsx"


SUPERSEDED_DIR = "已被取代"  # under 输出/公示/: sheets a later sheet replaced before they went out


def publication_path(plan: Plan, name: str) -> Path:
    return plan.folder / OUTPUT_DIR / "公示" / name


def publication_day(name: str) -> dt.date | None:
    """The day a sheet was first written, from its name (:func:`publication_name`)."""
    match = re.match(r"公示表-(\d{4}-\d{2}-\d{2})-", name)
    return dt.date.fromisoformat(match[1]) if match else None


def set_aside(plan: Plan, name: str, aside: bool = True) -> bool:
    """Move a superseded sheet from 公示/ into 公示/已被取代/ (kept, never deleted), so that only
    live sheets sit where people pick one to publish; ``aside=False`` brings one back (it went
    out after all). False if it was not where it would move from."""
    live = publication_path(plan, name)
    kept = live.parent / SUPERSEDED_DIR / name
    source, target = (live, kept) if aside else (kept, live)
    if not source.is_file():
        return False
    target.parent.mkdir(exist_ok=True)
    os.replace(source, target)
    return True


def _item(plan: Plan, result: Result) -> tuple[str, str | None]:
    task = plan.task(result.scope.split("/")[0])
    item = plan.base_item(task).name if task is not None else result.scope
    if isinstance(task, JointTask):
        return "；".join([item, *task.partner_items]), task.partner
    return item, None


def _row(plan: Plan, number: int, result: Result) -> list[object]:
    item, partner = _item(plan, result)
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


def _correction_row(plan: Plan, number: int, result: Result) -> list[object]:
    old = result.correction
    assert old is not None
    changed = [
        (label, before, after)
        for label, before, after in (
            ("检查结果", old.result, result.result),
            ("检查日期", old.inspected_on, result.inspected_on),
        )
        if before != after
    ]
    return [
        number,
        result.uscc,
        result.name,
        _item(plan, result)[0],
        "、".join(label for label, _, _ in changed),
        "；".join(f"{label}：{before}" for label, before, _ in changed),
        "；".join(f"{label}：{after}" for label, _, after in changed),
        dt.date.fromisoformat(old.published_on),
        dt.date.fromisoformat(old.corrected_on),
        plan.deadline(old.corrected_on),
    ]


def write_publication(
    path: Path, plan: Plan, results: Sequence[Result], anchor: LedgerHead | None = None
) -> bool:
    """Write the 公示表 of ``results`` — new results, then the 更正 of published ones on their
    own worksheet — and the chain anchor of its event; True if changed."""
    new = [r for r in results if r.correction is None]
    corrected = [r for r in results if r.correction is not None]
    # 落款: the agency and the day the sheet was made, room above for the seal.
    day = publication_day(path.name)
    signed = [
        plan.agency,
        f"{day.year}年{day.month}月{day.day}日" if day else "＿＿＿＿年＿＿月＿＿日",
    ]
    sheets = []
    if new or not corrected:
        sheets.append(
            Sheet(
                "公示表",
                PUBLICATION_HEADERS,
                [_row(plan, n, r) for n, r in enumerate(new, start=1)],
                caption=f"{plan.agency}“双随机、一公开”抽查结果公示表",
                signature=signed,
            )
        )
    if corrected:
        sheets.append(
            Sheet(
                CORRECTION_SHEET,
                CORRECTION_HEADERS,
                [_correction_row(plan, n, r) for n, r in enumerate(corrected, start=1)],
                caption=f"更正公示：以下 {len(corrected)} 条更正{plan.agency}此前已公示的抽查结果",
                signature=signed,
            )
        )
    tail = [] if anchor is None else [anchor_sheet(anchor)]
    return write_workbook(path, [*sheets, *tail])
