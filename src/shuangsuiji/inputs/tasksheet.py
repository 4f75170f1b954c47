"""The month's task sheet (检查任务单.xlsx) as it comes back filled in: its layout and the reader.

``outputs.tasksheet`` writes the sheet with these columns; ``ssj results import`` reads it back
here, checking every row — known task and enterprise, standard result categories, real dates
in a sensible order.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from shuangsuiji.exceptions import Problem
from shuangsuiji.inputs.dates import parse_date, parse_month
from shuangsuiji.inputs.tables import Column, Table, read_tables
from shuangsuiji.rules.records import Result
from shuangsuiji.rules.results import COMBINATIONS, contradiction, parse_result

TASK = "任务编号"
GROUP = "检查组"
USCC = "统一社会信用代码"
NAME = "企业名称"
INSPECTED_ON = "检查日期"
RESULT = "检查结果"
PUBLISHED_ON = "公示日期"
NOTE = "备注"
OFFICERS = "检查人员"
MAIN_SHEET = "检查任务单"  # the overview's worksheet; a big month's csv list stands for it
NOTE_MARK = "注："  # the notes under the overview (the items, the groups' notes) begin so
# The overview a clerk reads and fills: long texts (the items, the groups' notes) go to the
# notes under it, so that it prints legibly on one page width.
HEADERS = (TASK, GROUP, USCC, NAME, OFFICERS, INSPECTED_ON, RESULT, PUBLISHED_ON, NOTE)
TYPED = (INSPECTED_ON, RESULT, PUBLISHED_ON, NOTE)  # the columns people fill in
SHEET_COLUMNS = (
    Column(TASK, ("抽取范围",), required=True),
    Column(USCC, ("社会信用代码", "信用代码"), required=True),
    Column(NAME, ("单位名称",)),
    Column(INSPECTED_ON, ("检查时间",), required=True),
    Column(RESULT, ("抽查结果",), required=True),
    Column(PUBLISHED_ON, ("公示时间",)),
    Column(NOTE),
)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _layout_row(record: Mapping[str, object]) -> bool:
    """A row that is not an enterprise: a group page's title and lines, its repeated header,
    its signature line; the notes under the overview."""
    scope, uscc = str(record.get(TASK, "")).strip(), str(record.get(USCC, "")).strip()
    return (
        (not scope and not uscc)
        or scope == TASK
        or (not uscc and _nfkc(scope).startswith(_nfkc(NOTE_MARK)))
    )


def typed_cells(path: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    """What people typed into a task sheet, to carry over when it is written again:
    (worksheet, scope, uscc) -> {column: text}; empty when the file cannot be read."""
    tables, _ = read_tables(path, SHEET_COLUMNS)
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    for table in tables:
        sheet = table.file.rsplit("［", 1)[-1].rstrip("］") if "［" in table.file else MAIN_SHEET
        wanted = [c for c in TYPED if c in table.columns]
        if TASK not in table.columns or USCC not in table.columns:
            continue
        for record in table.records():
            if _layout_row(record):
                continue
            typed = {c: str(record[c]) for c in wanted if str(record[c]).strip()}
            if typed:
                found[(sheet, str(record[TASK]).strip(), str(record[USCC]).strip())] = typed
    return found


@dataclass(frozen=True)
class _Filled:
    """One filled row: the result it gives and the cell it came from."""

    result: Result
    file: str  # "file［sheet］"
    row: int

    @property
    def where(self) -> str:
        return f"{self.file} 第 {self.row} 行"


def read_results(
    path: Path, drawn: Mapping[str, Mapping[str, str]], today: dt.date, source: str
) -> tuple[list[Result], int, list[Problem]]:
    """Every worksheet of a filled task sheet checked against the drawn enterprises
    (scope -> uscc -> name): officers fill the overview or their group's sheet, so a row counts
    wherever it is filled, and two sheets filling one enterprise differently is an error naming
    both cells. ``source`` names the file in the results it returns.
    Returns (results, enterprises listed but not filled, problems)."""
    tables, problems = read_tables(path, SHEET_COLUMNS)
    if not tables or any(p.is_error for p in problems):
        return [], 0, problems
    filled: dict[tuple[str, str], _Filled] = {}
    listed: set[tuple[str, str]] = set()
    for table in tables:
        for entry in _sheet_rows(table, drawn, today, source, problems, listed):
            key = (entry.result.scope, entry.result.uscc)
            first = filled.get(key)
            if first is None:
                filled[key] = entry
            elif _differ(first.result, entry.result):
                problems.append(
                    Problem(
                        entry.file,
                        entry.row,
                        RESULT,
                        f"{entry.result.name} 在 {first.where} 填的是"
                        f"“{first.result.shown()}”，这里是“{entry.result.shown()}”",
                        "只在一处填写，或改成一致后重新导入",
                    )
                )
            elif entry.result.note and entry.result.note not in first.result.note:
                note = "；".join(n for n in (first.result.note, entry.result.note) if n)
                filled[key] = replace(first, result=replace(first.result, note=note))
    results = [entry.result for _, entry in sorted(filled.items())]
    return results, len(listed - set(filled)), problems


def _differ(first: Result, other: Result) -> bool:
    """Whether two filled rows say different things (a 公示日期 left blank in one says nothing)."""
    return (first.result, first.inspected_on) != (other.result, other.inspected_on) or bool(
        first.published_on and other.published_on and first.published_on != other.published_on
    )


def _sheet_rows(
    table: Table,
    drawn: Mapping[str, Mapping[str, str]],
    today: dt.date,
    source: str,
    problems: list[Problem],
    listed: set[tuple[str, str]],
) -> list[_Filled]:
    """The filled rows of one worksheet; adds what is wrong to ``problems`` and every enterprise
    the sheet lists to ``listed``."""
    file = table.file
    sheet = file.rsplit("［", 1)[1].rstrip("］") if file.endswith("］") else ""
    rows: list[_Filled] = []
    seen: dict[tuple[str, str], int] = {}
    for record in table.records():
        if _layout_row(record):
            continue
        row = int(record["_row"])
        scope, uscc = (
            str(record[TASK]).strip(),
            unicodedata.normalize("NFKC", str(record[USCC])).strip().upper(),
        )
        result_text = str(record[RESULT]).strip()
        inspected_text = str(record[INSPECTED_ON]).strip()
        published_text = str(record.get(PUBLISHED_ON, "")).strip()

        def bad(column: str, message: str, fix: str, row: int = row) -> None:
            problems.append(Problem(file, row, column, message, fix))

        if scope not in drawn:
            bad(
                TASK,
                f"任务编号“{scope}”不是已抽取的任务",
                "使用 ssj assign 写出的任务单，不要改动任务编号",
            )
            continue
        if uscc not in drawn[scope]:
            bad(
                USCC,
                f"{uscc} 不是 {scope} 抽中的企业",
                "核对统一社会信用代码，不要改动任务单中的企业",
            )
            continue
        if (scope, uscc) in seen:
            bad(USCC, f"{scope} 的 {uscc} 与第 {seen[(scope, uscc)]} 行重复", "每家企业只保留一行")
            continue
        seen[(scope, uscc)] = row
        listed.add((scope, uscc))
        if not result_text and not inspected_text and not published_text:
            continue
        result, unknown = parse_result(result_text)
        if not result_text:
            bad(RESULT, "填了日期但没有检查结果", "从下拉列表选择检查结果")
        elif result is None:
            bad(
                RESULT,
                f"“{'、'.join(unknown)}”不是标准的检查结果",
                "从下拉列表选择；多个结果用“；”分隔",
            )
        elif (why := contradiction(result)) is not None:
            bad(RESULT, f"检查结果自相矛盾：{why}", COMBINATIONS)
            result = None
        inspected = parse_date(inspected_text)
        year, month = parse_month(scope.split("/")[1]) or (0, 1)
        if inspected is None:
            bad(
                INSPECTED_ON,
                f"检查日期“{inspected_text}”不是有效的日期" if inspected_text else "检查日期为空",
                "填写检查日期，如 2025-03-20",
            )
        elif inspected < dt.date(year, month, 1):
            bad(
                INSPECTED_ON,
                f"检查日期 {inspected.isoformat()} 早于抽取月份 {scope.split('/')[1]}",
                "核对检查日期",
            )
        elif inspected > today:
            bad(
                INSPECTED_ON,
                f"检查日期 {inspected.isoformat()} 在今天（{today.isoformat()}）之后",
                "核对检查日期",
            )
        published = parse_date(published_text) if published_text else None
        if published_text and published is None:
            bad(
                PUBLISHED_ON,
                f"公示日期“{published_text}”不是有效的日期",
                "填写公示日期，如 2025-03-25，或留空",
            )
        elif published is not None and inspected is not None and published < inspected:
            bad(
                PUBLISHED_ON,
                f"公示日期 {published.isoformat()} 早于检查日期 {inspected.isoformat()}",
                "核对日期",
            )
        elif published is not None and published > today:
            bad(PUBLISHED_ON, f"公示日期 {published.isoformat()} 在今天之后", "公示后再填写")
        if result is None or inspected is None:
            continue
        where = f"{sheet} 第 {row} 行" if sheet else f"第 {row} 行"
        rows.append(
            _Filled(
                Result(
                    scope=scope,
                    uscc=uscc,
                    name=drawn[scope][uscc],
                    result=result,
                    inspected_on=inspected.isoformat(),
                    published_on=published.isoformat() if published else "",
                    note=str(record.get(NOTE, "")).strip(),
                    source=source,
                    cell=where,
                    correction=None,
                ),
                file,
                row,
            )
        )
    return rows
