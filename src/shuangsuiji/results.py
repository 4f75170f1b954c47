"""``ssj results import``: take the filled task sheet back in.

Every row is checked first — known task and enterprise, standard result categories, real
dates in a sensible order — and a sheet with any error imports nothing. New and corrected
results are appended to the ledger as events; earlier values stay in the history.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shuangsuiji.dates import parse_date, parse_month
from shuangsuiji.exceptions import InputError, Problem, raise_for_errors
from shuangsuiji.ledger import Ledger
from shuangsuiji.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.plan import load_plan
from shuangsuiji.tables import Column, read_table
from shuangsuiji.tasksheet import (
    INSPECTED_ON,
    NAME,
    NOTE,
    PUBLISHED_ON,
    RESULT,
    RESULT_CATEGORIES,
    TASK,
    USCC,
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
_CATEGORY = {unicodedata.normalize("NFKC", c): c for c in RESULT_CATEGORIES}
_SEPARATORS = re.compile(r"[；;]")
FIELDS = ("result", "inspected_on", "published_on", "note")


@dataclass
class ImportOutcome:
    """What one results import did."""

    file: str
    changed: list[dict[str, Any]] = field(default_factory=list)  # new or corrected results
    unchanged: int = 0
    blank: int = 0


def parse_result(text: str) -> tuple[str | None, list[str]]:
    """The canonical result text ("；"-joined categories) and the parts that are not categories."""
    parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    canonical = [_CATEGORY.get(unicodedata.normalize("NFKC", p)) for p in parts]
    bad = [p for p, c in zip(parts, canonical, strict=True) if c is None]
    return ("；".join(c for c in canonical if c) if not bad else None), bad


def read_results(
    path: Path, drawn: dict[str, dict[str, str]], today: dt.date
) -> tuple[list[dict[str, Any]], int, list[Problem]]:
    """Rows of a filled task sheet checked against the drawn enterprises (scope -> uscc -> name)."""
    table, problems = read_table(path, SHEET_COLUMNS)
    if table is None or any(p.is_error for p in problems):
        return [], 0, problems
    file = table.file
    rows: list[dict[str, Any]] = []
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
            {
                "scope": scope,
                "uscc": uscc,
                "name": drawn[scope][uscc],
                "result": result,
                "inspected_on": inspected.isoformat(),
                "published_on": published.isoformat() if published else "",
                "note": str(record.get(NOTE, "")).strip(),
            }
        )
    return rows, blank, problems


def import_results(
    plan_path: str | Path,
    sheet: str | Path,
    *,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
) -> ImportOutcome:
    """Import a filled task sheet: all rows or none; unchanged rows are not recorded again."""
    plan = load_plan(plan_path)
    path = Path(sheet)
    today = today or dt.date.today()
    drawn_records = Ledger.existing_draws(plan.folder, plan.year)
    if not drawn_records:
        raise InputError("工作区还没有任何抽取记录；请先运行 ssj draw 和 ssj assign")
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        drawn: dict[str, dict[str, str]] = {}
        for info in drawn_records:
            stored = ledger.draw(info.scope)
            assert stored is not None
            drawn[info.scope] = {s["uscc"]: s["name"] for s in stored.record["selected"]}
        rows, blank, problems = read_results(path, drawn, today)
        raise_for_errors(f"{path.name} 有错误，没有导入任何结果；改正后重新导入", problems)
        current = ledger.results()
        outcome = ImportOutcome(str(path), blank=blank)
        for row in rows:
            before = current.get((row["scope"], row["uscc"]))
            if (
                before is not None
                and all(before.get(f) == row[f] for f in FIELDS if f != "published_on")
                and (before.get("published_on") == row["published_on"] or not row["published_on"])
            ):
                outcome.unchanged += 1
            else:
                if before is not None and not row["published_on"]:  # keep a recorded publication
                    row["published_on"] = before.get("published_on", "")
                outcome.changed.append(row | {"source": path.name})
        ledger.record_events("result", outcome.changed)
    return outcome
