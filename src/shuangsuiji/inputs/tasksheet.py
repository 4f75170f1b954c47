"""The month's task sheet (检查任务单.xlsx) as it comes back filled in: its layout and the reader.

``outputs.tasksheet`` writes the sheet with these columns; ``ssj results import`` reads it back
here, checking every row — known task and enterprise, standard result categories, real dates
in a sensible order.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from shuangsuiji.exceptions import Problem
from shuangsuiji.inputs.dates import parse_date, parse_month
from shuangsuiji.inputs.tables import Column, read_table
from shuangsuiji.rules.records import Result
from shuangsuiji.rules.results import parse_result

TASK = "任务编号"
GROUP = "检查组"
USCC = "统一社会信用代码"
NAME = "企业名称"
INSPECTED_ON = "检查日期"
RESULT = "检查结果"
PUBLISHED_ON = "公示日期"
NOTE = "备注"
HEADERS = (
    TASK,
    GROUP,
    USCC,
    NAME,
    "行业类别",
    "抽查事项",
    "检查人员",
    INSPECTED_ON,
    RESULT,
    PUBLISHED_ON,
    NOTE,
)
SHEET_COLUMNS = (
    Column(TASK, ("抽取范围",), required=True),
    Column(USCC, ("社会信用代码", "信用代码"), required=True),
    Column(NAME, ("单位名称",)),
    Column(INSPECTED_ON, ("检查时间",), required=True),
    Column(RESULT, ("抽查结果",), required=True),
    Column(PUBLISHED_ON, ("公示时间",)),
    Column(NOTE),
)


def read_results(
    path: Path, drawn: Mapping[str, Mapping[str, str]], today: dt.date, source: str
) -> tuple[list[Result], int, list[Problem]]:
    """Rows of a filled task sheet checked against the drawn enterprises (scope -> uscc -> name);
    ``source`` names the file in the results it returns. Returns (results, blank rows, problems)."""
    table, problems = read_table(path, SHEET_COLUMNS)
    if table is None or any(p.is_error for p in problems):
        return [], 0, problems
    file = table.file
    rows: list[Result] = []
    blank = 0
    seen: dict[tuple[str, str], int] = {}
    for record in table.frame.to_dict("records"):
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
        if not result_text and not inspected_text and not published_text:
            blank += 1
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
        inspected = parse_date(inspected_text)
        year, month = parse_month(scope.split("/")[1]) or (0, 1)
        if inspected is None:
            bad(
                INSPECTED_ON,
                f"检查日期“{inspected_text}”无法识别" if inspected_text else "检查日期为空",
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
                f"公示日期“{published_text}”无法识别",
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
        rows.append(
            Result(
                scope=scope,
                uscc=uscc,
                name=drawn[scope][uscc],
                result=result,
                inspected_on=inspected.isoformat(),
                published_on=published.isoformat() if published else "",
                note=str(record.get(NOTE, "")).strip(),
                source=source,
            )
        )
    return rows, blank, problems
