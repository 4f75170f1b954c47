"""Reading selections made elsewhere this year (the provincial platform's exported list), for
``ssj draw import``: a table with 统一社会信用代码, and optionally 企业名称, 任务编号 and 抽取月份."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shuangsuiji.exceptions import Problem, Severity
from shuangsuiji.inputs.dates import parse_date, parse_month
from shuangsuiji.inputs.rosters import (
    ENTERPRISE_COLUMNS,
    KEY,
    NAME,
    code_problem,
    normalize_keys,
)
from shuangsuiji.inputs.tables import ROW, Column, read_table
from shuangsuiji.rules.uscc import CodeStatus, check_codes

TASK = "任务编号"
MONTH = "抽取月份"
_ALIASES = {c.name: c.aliases for c in ENTERPRISE_COLUMNS}
COLUMNS = (
    Column(KEY, _ALIASES[KEY], required=True),
    Column(NAME, _ALIASES[NAME]),
    Column(TASK, ("事项编号", "抽查任务编号", "任务", "抽取范围")),
    Column(MONTH, ("月份", "抽查月份", "抽取时间", "抽取日期", "抽查时间")),
)


@dataclass(frozen=True)
class ImportedRow:
    row: int
    uscc: str
    name: str


def _month_of(text: str) -> str | None:
    parsed = parse_month(text)
    if parsed is None:
        day = parse_date(text)
        parsed = None if day is None else (day.year, day.month)
    return None if parsed is None else f"{parsed[0]:04d}-{parsed[1]:02d}"


def read_selections(
    path: Path, task: str, month: str, uscc_check: Severity = "error"
) -> tuple[list[ImportedRow], list[Problem]]:
    """The selected enterprises of ``task`` in ``month`` ("YYYY-MM") listed in the file, and
    every problem: bad or repeated codes, rows of another task or month, no rows at all."""
    table, problems = read_table(path, COLUMNS)
    if table is None or any(p.is_error for p in problems):
        return [], problems
    file = table.file
    keys, fixed = normalize_keys(table.column(KEY))
    statuses = check_codes(fixed)
    rows: list[ImportedRow] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(table.records()):
        row = int(record[ROW])
        key = str(keys[index].as_py())

        def bad(column: str, message: str, fix: str, row: int = row) -> None:
            problems.append(Problem(file, row, column, message, fix))

        written = str(record.get(TASK, "")).strip()
        if written not in ("", task, f"{task}/{month}"):
            bad(TASK, f"这一行是“{written}”，不是 {task}", "每次只导入一个任务、一个月份的名单")
            continue
        if str(record.get(MONTH, "")).strip():
            written = str(record[MONTH]).strip()
            if _month_of(written) != month:
                bad(
                    MONTH,
                    f"这一行的月份是“{written}”，不是 {month}",
                    "每次只导入一个任务、一个月份的名单",
                )
                continue
        if not key:
            bad(KEY, "统一社会信用代码为空", "填写代码，或删除该行")
            continue
        status = int(statuses[index])
        if status != CodeStatus.VALID:
            problem = code_problem(file, row, KEY, key, status, uscc_check)
            problems.append(problem)
            if problem.is_error:
                continue
        if key in seen:
            bad(KEY, f"“{key}”与第 {seen[key]} 行重复", "同一家企业只保留一行")
            continue
        seen[key] = row
        name = str(record.get(NAME, "")).strip()
        rows.append(ImportedRow(row, key, name))
    if not rows and not any(p.is_error for p in problems):
        problems.append(
            Problem(file, None, None, f"没有 {task} {month} 的抽中企业", "核对导出的名单")
        )
    return rows, problems
