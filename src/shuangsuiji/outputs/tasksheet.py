"""Writing the month's task sheet (检查任务单.xlsx): one row per drawn enterprise with its group
and officers, then the groups' printable pages (分组检查单: one A4 page a group, to take along
and sign on site).

Officers fill in 检查日期, 检查结果 (a drop-down of the standard categories) and 公示日期; the
layout is shared with the reader in ``inputs.tasksheet``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from shuangsuiji.inputs.anchors import workbook_anchor
from shuangsuiji.inputs.dates import parse_date
from shuangsuiji.inputs.plan import Plan
from shuangsuiji.inputs.tasksheet import (
    HEADERS,
    INSPECTED_ON,
    NAME,
    NOTE,
    NOTE_MARK,
    PUBLISHED_ON,
    RESULT,
    TASK,
    TYPED,
    USCC,
    typed_cells,
)
from shuangsuiji.inputs.workspace import Workspace
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.anchor import anchor_sheet
from shuangsuiji.outputs.documents import documents_path, write_documents
from shuangsuiji.outputs.excel import Page, PagedSheet, Sheet, write_workbook
from shuangsuiji.outputs.groups import (
    group_label,
    group_notes,
    officer_names,
    signature_line,
    task_title,
)
from shuangsuiji.rules.records import Group, LedgerHead
from shuangsuiji.rules.results import RESULT_CATEGORIES

MAIN_SHEET = "检查任务单"
PAGES_SHEET = "分组检查单"
SIGNED_BY_OFFICERS = "检查人员签字"
SIGNED_BY_ENTERPRISE = "企业负责人签字"
PAGE_HEADERS = (
    "序号",
    TASK,
    USCC,
    NAME,
    "注册地址",
    INSPECTED_ON,
    RESULT,
    SIGNED_BY_OFFICERS,
    SIGNED_BY_ENTERPRISE,
    NOTE,
)


def file_name(month: str) -> str:
    return f"检查任务单-{month}.xlsx"


Typed = Mapping[tuple[str, str, str], Mapping[str, str]]


def _typed_row(cells: Mapping[str, str], columns: Sequence[str]) -> list[object]:
    """What a person typed in ``columns`` of one row of the earlier sheet (dates as dates)."""
    row: list[object] = []
    for column in columns:
        text = cells.get(column)
        day = parse_date(text) if text and column in (INSPECTED_ON, PUBLISHED_ON) else None
        row.append(day or text or None)
    return row


def write_task_sheet(
    path: Path,
    plan: Plan,
    month: str,
    groups: Sequence[Group],
    addresses: Mapping[str, str],
    anchor: LedgerHead | None = None,
    typed: Typed | None = None,
) -> bool:
    """Write the task sheet (``addresses``: 注册地址 by USCC, for the printed group pages;
    ``typed``: what people filled into the earlier sheet, carried over cell by cell)."""
    agency = plan.agency
    kept = typed or {}
    # What was typed on any group page, whichever sheet held it (0.3 had one sheet a group).
    on_pages = {(s, u): cells for (sheet, s, u), cells in kept.items() if sheet != MAIN_SHEET}
    item_names = {t.id: task_title(plan, t.id) for t in plan.tasks}
    rows: list[list[object]] = []
    pages = []
    legend = [
        f"{t}：{name}"
        for t, name in item_names.items()
        if any(g.scope.startswith(f"{t}/") for g in groups)
    ]
    group_lines = []
    for group in groups:
        task_id = group.scope.split("/")[0]
        label = group_label(group.group)
        names = officer_names(group, agency)
        notes = group_notes(group, plan.timezone)
        if notes:
            group_lines.append(f"{group.scope} {label}：{notes}")
        for enterprise in group.enterprises:
            filled = _typed_row(kept.get((MAIN_SHEET, group.scope, enterprise.uscc), {}), TYPED)
            rows.append(
                [
                    group.scope,
                    label,
                    enterprise.uscc,
                    enterprise.name,
                    officer_names(group, agency, enterprise.uscc),
                    *filled,
                ]
            )
        page_rows: list[list[object]] = []
        for n, e in enumerate(group.enterprises, start=1):
            inspected, result, note = _typed_row(
                on_pages.get((group.scope, e.uscc), {}), (INSPECTED_ON, RESULT, NOTE)
            )
            address = addresses.get(e.uscc, "")
            page_rows.append(
                [n, group.scope, e.uscc, e.name, address, inspected, result, None, None, note]
            )
        lines = [f"抽查事项：{item_names.get(task_id, '')}", f"检查人员：{names}"]
        lines += [
            f"递补前已检查：{e.name}（{officer_names(group, agency, e.uscc)}）"
            for e in group.enterprises
            if e.uscc in group.inspected_by
        ]
        pages.append(
            Page(
                f"{agency} {group.scope} {label}（{group.industry}）现场检查单",
                [*lines, *([f"分组说明：{notes}"] if notes else [])],
                page_rows,
                after=[signature_line(group, agency), "检查日期：＿＿＿＿年＿＿月＿＿日"],
            )
        )
    main = Sheet(
        MAIN_SHEET,
        HEADERS,
        rows,
        caption=f"{agency} {month} “双随机”检查任务单",
        footnotes=[
            f"{NOTE_MARK}抽查事项　{'；'.join(legend)}",
            *([f"{NOTE_MARK}分组说明　{'；'.join(group_lines)}"] if group_lines else []),
        ],
        choices={RESULT: RESULT_CATEGORIES},
        date_columns=(INSPECTED_ON, PUBLISHED_ON),
    )
    group_pages = PagedSheet(
        PAGES_SHEET,
        PAGE_HEADERS,
        pages,
        heading=f"{agency} {month} “双随机”分组检查单",
        choices={RESULT: RESULT_CATEGORIES},
        date_columns=(INSPECTED_ON,),
    )
    tail = [] if anchor is None else [anchor_sheet(anchor)]
    return write_workbook(path, [main, group_pages, *tail])


def backup_path(path: Path, today: dt.date) -> Path:
    """备份/检查任务单-2025-05-备份-2025-05-20.xlsx beside ``path`` (-2, -3 … on the same day)."""
    folder = path.parent / "备份"
    name = f"{path.stem}-备份-{today.isoformat()}"
    candidate, number = folder / f"{name}{path.suffix}", 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{name}-{number}{path.suffix}"
    return candidate


def write_month_sheet(
    workspace: Workspace,
    month: str,
    groups: Sequence[Group],
    anchor: LedgerHead | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Write the month's task sheet of the current groups, with each enterprise's 注册地址 from
    the roster; the paths written. A sheet already made at this point of the ledger (its
    anchor) is left alone, whatever people typed into it; one made earlier is replaced, with
    what people typed carried over and the earlier file kept as a dated backup."""
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    path = plan.folder / OUTPUT_DIR / month / file_name(month)
    usccs = {e.uscc for g in groups for e in g.enterprises}
    typed: dict[tuple[str, str, str], dict[str, str]] = {}
    backup = None
    if path.exists():
        if anchor is not None and workbook_anchor(path) == anchor:
            # The groups are as when both files were written: only a lost 文书 is made again.
            if documents_path(plan, month).exists():
                return []
            return write_documents(plan, month, groups, roster.details(usccs, "注册地址"))
        typed = typed_cells(path)
        if typed:
            backup = backup_path(path, today or dt.date.today())
    addresses = roster.details(usccs, "注册地址")
    if backup is not None:
        backup.parent.mkdir(exist_ok=True)
        shutil.copy2(path, backup)
    written = write_task_sheet(path, plan, month, groups, addresses, anchor, typed)
    documents = write_documents(plan, month, groups, addresses)
    return [p for p in (backup, path if written else None, *documents) if p is not None]
