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
from typing import TYPE_CHECKING

from shuangsuiji.inputs.anchors import workbook_anchor
from shuangsuiji.inputs.dates import parse_date
from shuangsuiji.inputs.plan import Plan
from shuangsuiji.inputs.tasksheet import (
    HEADERS,
    INSPECTED_ON,
    MAIN_SHEET,
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
from shuangsuiji.outputs.documents import documents_path, too_many, write_documents
from shuangsuiji.outputs.draws import BLANK_UNIT, column_files
from shuangsuiji.outputs.excel import Page, PagedSheet, Sheet, write_workbook
from shuangsuiji.outputs.groups import (
    group_label,
    group_notes,
    group_unit,
    officer_names,
    signature_line,
    task_title,
)
from shuangsuiji.rules.records import Group, LedgerHead
from shuangsuiji.rules.results import RESULT_CATEGORIES

if TYPE_CHECKING:  # pyarrow only where a big month's columns are written
    import pyarrow as pa

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
    unit: str | None = None,
) -> bool:
    """Write the task sheet (``addresses``: 注册地址 by USCC, for the printed group pages;
    ``typed``: what people filled into the earlier sheet, carried over cell by cell; ``unit``:
    the unit whose groups these are, named in the titles)."""
    agency = plan.agency
    where = "" if unit is None else f"（{unit}）"
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
        caption=f"{agency} {month} “双随机”检查任务单{where}",
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
        heading=f"{agency} {month} “双随机”分组检查单{where}",
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


def columns_stem(month: str) -> str:
    """检查任务单-2025-03: a big month's list as .csv and .parquet beside the summary."""
    return Path(file_name(month)).stem


def _as_text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else "" if value is None else str(value)


def _task_columns(
    plan: Plan, groups: Sequence[Group], units: Mapping[str, str] | None, typed: Typed
) -> pa.Table:
    """A big month's task sheet as columns: the overview's, and the unit's if known; what
    people typed into the earlier list carried over as text."""
    import pyarrow as pa

    rows = []
    for group in groups:
        label = group_label(group.group)
        # One wording for the group's officers, unless a 递补 left some enterprises with the
        # officers who inspected them.
        everyone = None if group.inspected_by else officer_names(group, plan.agency)
        for e in group.enterprises:
            names = everyone or officer_names(group, plan.agency, e.uscc)
            rows.append((group.scope, label, e.uscc, e.name, names))
    fixed = len(HEADERS) - len(TYPED)
    columns = {
        name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(HEADERS[:fixed])
    }
    # What people typed, carried over as text; nothing typed yet: empty columns.
    cells = (
        [_typed_row(typed.get((MAIN_SHEET, r[0], r[2]), {}), TYPED) for r in rows]
        if typed
        else None
    )
    for i, name in enumerate(TYPED):
        texts = [""] * len(rows) if cells is None else [_as_text(c[i]) for c in cells]
        columns[name] = pa.array(texts, pa.string())
    if units is not None:
        columns[plan.print_unit] = pa.array(
            [units.get(e.uscc, "") for g in groups for e in g.enterprises], pa.string()
        )
    return pa.table(columns)


def _summary(
    plan: Plan,
    month: str,
    groups: Sequence[Group],
    units: Mapping[str, str] | None,
    anchor: LedgerHead | None,
) -> list[Sheet]:
    """A big month's task sheet on paper: groups and enterprises per task and per unit, where
    the list is, how to print a unit's group pages and documents."""
    per_task: dict[str, list[int]] = {}
    for group in groups:
        found = per_task.setdefault(group.scope, [0, 0])
        found[0] += 1
        found[1] += len(group.enterprises)
    rows: list[list[object]] = [
        [scope, task_title(plan, scope.split("/")[0]), n, m] for scope, (n, m) in per_task.items()
    ]
    total = sum(m for _, m in per_task.values())
    rows.append(["合计", "", len(groups), total])
    stem = columns_stem(month)
    notes = [
        f"本月共 {total} 家，超过打印上限（计划 print_max_enterprises：{plan.print_max_enterprises} 家），"
        f"任务单的名单见同一文件夹的 {stem}.csv（Excel、WPS 可直接打开）和 {stem}.parquet。",
        f"在 {stem}.csv 中填写检查日期、检查结果、公示日期后，用 ssj results import 导入。",
        f"检查结果只能填：{'、'.join(RESULT_CATEGORIES)}（多个结果用“；”分隔）。",
        f"各单位的分组检查单和现场检查文书：ssj pages --plan 计划文件 --month {month}"
        f"（按名录库的“{plan.print_unit}”列分单位）。",
    ]
    sheets = [
        Sheet(
            "汇总",
            ["抽取范围", "抽查事项", "检查组数", "企业家数"],
            rows,
            caption=f"{plan.agency} {month} “双随机”检查任务单（汇总）",
            notes=notes,
        )
    ]
    if units is not None:
        counts: dict[str, list[int]] = {}
        for group in groups:
            found = counts.setdefault(group_unit(group, units, BLANK_UNIT), [0, 0])
            found[0] += 1
            found[1] += len(group.enterprises)
        sheets.append(
            Sheet(
                "按单位",
                [plan.print_unit, "检查组数", "企业家数"],
                [[unit, n, m] for unit, (n, m) in sorted(counts.items())],
                caption=f"{plan.agency} {month} 检查任务按{plan.print_unit}统计（取自写出时的名录库）",
                notes=["一个检查组归入它多数企业所在的单位（ssj pages 按此分页）。"],
            )
        )
    return [*sheets, *([] if anchor is None else [anchor_sheet(anchor)])]


def write_sheet_files(
    workspace: Workspace,
    path: Path,
    month: str,
    groups: Sequence[Group],
    anchor: LedgerHead | None,
    today: dt.date | None = None,
    documents: Path | None = None,
    numbers: Mapping[tuple[str, str], int] | None = None,
    big: bool = False,
    unit: str | None = None,
) -> list[Path]:
    """Write a task sheet of ``groups`` at ``path`` (with each enterprise's 注册地址 from the
    roster) and their 现场检查文书 at ``documents``; the paths written. A sheet already made at
    this point of the ledger (its anchor) is left alone, whatever people typed into it; one
    made earlier is replaced, with what people typed carried over and the earlier file kept
    as a dated backup. ``big``: the list as columns beside a summary, no 文书; ``unit``: the
    unit whose groups these are (ssj pages)."""
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    usccs = {e.uscc for g in groups for e in g.enterprises}
    listed = path.with_name(f"{columns_stem(month)}.csv") if big else path
    typed: dict[tuple[str, str, str], dict[str, str]] = {}
    backup = None
    if path.exists() and anchor is not None and workbook_anchor(path) == anchor:
        # The groups are as when the files were written: only a lost file is made again.
        if big:
            if listed.exists() and listed.with_suffix(".parquet").exists():
                return []
        elif documents is None or documents.exists():
            return []
        else:
            addresses = roster.details(usccs, "注册地址")
            return write_documents(plan, month, groups, addresses, documents, numbers)
    # What people typed: in the list as written last, or, the first time a month is written as
    # columns (its plan's limit lowered), in the print-ready sheet it had until then.
    source = listed if listed.exists() else path if path.exists() else None
    if source is not None:
        typed = typed_cells(source)
        if typed:
            backup = backup_path(source, today or dt.date.today())
    if backup is not None and source is not None:
        backup.parent.mkdir(exist_ok=True)
        shutil.copy2(source, backup)
    written: list[Path | None] = [backup]
    if big:
        units = (
            roster.details(usccs, plan.print_unit) if plan.print_unit in roster.columns else None
        )
        table = _task_columns(plan, groups, units, typed)
        written += column_files(path.parent, columns_stem(month), table)
        written.append(
            path if write_workbook(path, _summary(plan, month, groups, units, anchor)) else None
        )
    else:
        addresses = roster.details(usccs, "注册地址")
        changed = write_task_sheet(path, plan, month, groups, addresses, anchor, typed, unit)
        written.append(path if changed else None)
        if documents is not None:
            written += write_documents(plan, month, groups, addresses, documents, numbers)
    return [p for p in written if p is not None]


def write_month_sheet(
    workspace: Workspace,
    month: str,
    groups: Sequence[Group],
    anchor: LedgerHead | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Write the month's task sheet of the current groups and its 现场检查文书 (see
    :func:`write_sheet_files`); a big month's list as columns beside a summary."""
    plan = workspace.plan
    path = plan.folder / OUTPUT_DIR / month / file_name(month)
    big = too_many(plan, groups) is not None  # the 文书's limit is the task sheet's
    documents = None if big else documents_path(plan, month)
    return write_sheet_files(workspace, path, month, groups, anchor, today, documents, big=big)
