"""一公开: the publication sheet (公示表) and every result's deadline status.

The deadline of a result is the Nth working day after its 检查日期 (N = ``deadline_workdays``).
The 公示表 holds no personal data: no officer names or ids, only what the public register shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shuangsuiji.dates import month_end, parse_month
from shuangsuiji.draw import base_item
from shuangsuiji.drawing import OUTPUT_DIR
from shuangsuiji.excel import Sheet, write_workbook
from shuangsuiji.exceptions import InputError
from shuangsuiji.ledger import Ledger
from shuangsuiji.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.plan import JointTask, Plan, load_plan

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
STATUS_NAMES = {
    "overdue": "已逾期",
    "due_today": "今天到期",
    "pending": "待公示",
    "published": "已公示",
    "published_late": "逾期后公示",
    "no_result": "月份已过仍无结果",
}


@dataclass(frozen=True)
class Status:
    """One enterprise's place on the way to publication."""

    scope: str
    uscc: str
    name: str
    result_date: str | None
    deadline: str | None
    published_on: str | None
    status: str
    workdays_left: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "uscc": self.uscc,
            "name": self.name,
            "result_date": self.result_date,
            "deadline": self.deadline,
            "published_on": self.published_on,
            "status": self.status,
            "workdays_left": self.workdays_left,
        }


def _task(plan: Plan, scope: str) -> Any:
    task_id = scope.split("/")[0]
    return next((t for t in plan.tasks if t.id == task_id), None)


def deadline_of(plan: Plan, result_date: str) -> dt.date:
    """The last day to publish a result produced on ``result_date``."""
    return plan.work_calendar.add(dt.date.fromisoformat(result_date), plan.deadline_workdays)


def statuses(plan: Plan, ledger: Ledger, today: dt.date) -> list[Status]:
    """Every result with its deadline status, then drawn enterprises still without a result
    after their month ended."""
    calendar = plan.work_calendar
    results = ledger.results()
    found = []
    for (scope, uscc), result in sorted(results.items()):
        deadline = deadline_of(plan, result["inspected_on"])
        published = result.get("published_on") or None
        if published:
            status = (
                "published" if dt.date.fromisoformat(published) <= deadline else "published_late"
            )
            left = None
        elif today > deadline:
            status, left = "overdue", -calendar.between(deadline, today)
        elif today == deadline:
            status, left = "due_today", 0
        else:
            status, left = "pending", calendar.between(today, deadline)
        found.append(
            Status(
                scope,
                uscc,
                result["name"],
                result["inspected_on"],
                deadline.isoformat(),
                published,
                status,
                left,
            )
        )
    for draw in ledger.draws(plan.year):
        if today <= month_end(draw.year, draw.month):
            continue
        for selected in draw.record["selected"]:
            if (draw.scope, selected["uscc"]) not in results:
                found.append(
                    Status(
                        draw.scope,
                        selected["uscc"],
                        selected["name"],
                        None,
                        None,
                        None,
                        "no_result",
                        None,
                    )
                )
    return found


@dataclass
class PublishOutcome:
    """What ``ssj publish`` did."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None
    written: bool = False
    marked: str | None = None


def _unpublished(plan: Plan, ledger: Ledger, month: str | None) -> list[dict[str, Any]]:
    rows = []
    for (scope, _uscc), result in sorted(ledger.results().items()):
        if result.get("published_on") or (month is not None and not scope.endswith(f"/{month}")):
            continue
        rows.append(result)
    return rows


def _publication_row(plan: Plan, number: int, result: dict[str, Any]) -> list[object]:
    task = _task(plan, result["scope"])
    joint = isinstance(task, JointTask)
    item = base_item(plan, task).name if task is not None else result["scope"]
    if joint:
        item = "；".join([item, *task.partner_items])
    return [
        number,
        result["uscc"],
        result["name"],
        f"{plan.agency}、{task.partner}" if joint else plan.agency,
        "部门联合双随机抽查" if joint else "双随机抽查",
        item,
        dt.date.fromisoformat(result["inspected_on"]),
        result["result"],
        deadline_of(plan, result["inspected_on"]),
    ]


def publication_path(plan: Plan, today: dt.date, month: str | None) -> Path:
    suffix = f"{month}-" if month else ""
    return plan.folder / OUTPUT_DIR / "公示" / f"公示表-{suffix}{today.isoformat()}.xlsx"


def publish(
    plan_path: str | Path,
    *,
    month: str | None = None,
    mark_published: dt.date | None = None,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
) -> PublishOutcome:
    """Write the 公示表 of results not yet published, or (``mark_published``) record that
    those results were published on that date."""
    plan = load_plan(plan_path)
    today = today or dt.date.today()
    if month is not None:
        parsed = parse_month(month)
        if parsed is None:
            raise InputError(f"无法识别的月份“{month}”；请写成 YYYY-MM")
        month = f"{parsed[0]:04d}-{parsed[1]:02d}"
    outcome = PublishOutcome()
    if not Ledger.exists(plan.folder):
        return outcome
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        if mark_published is not None:
            outcome.marked = _mark(ledger, mark_published, today)
            return outcome
        outcome.rows = _unpublished(plan, ledger, month)
        if not outcome.rows:
            return outcome
        sheet = Sheet(
            "公示表",
            PUBLICATION_HEADERS,
            [_publication_row(plan, n, r) for n, r in enumerate(outcome.rows, start=1)],
            caption=f"{plan.agency}“双随机、一公开”抽查结果公示表",
        )
        outcome.path = publication_path(plan, today, month)
        outcome.written = write_workbook(outcome.path, [sheet])
        if outcome.written:
            items = [[r["scope"], r["uscc"]] for r in outcome.rows]
            ledger.record_events("publication_sheet", [{"file": outcome.path.name, "items": items}])
    return outcome


def _mark(ledger: Ledger, day: dt.date, today: dt.date) -> str:
    """Record that the results the latest 公示表 listed were published on ``day``."""
    if day > today:
        raise InputError(f"公示日期 {day.isoformat()} 在今天之后")
    sheets = [p for _, _, kind, p in ledger.events() if kind == "publication_sheet"]
    if not sheets:
        raise InputError(
            "还没有写出过公示表；请先运行 ssj publish，公示后再用 --mark-published 登记"
        )
    current = ledger.results()
    listed = [tuple(item) for item in sheets[-1]["items"]]
    pending = [key for key in listed if key in current and not current[key].get("published_on")]
    early = [current[k] for k in pending if current[k]["inspected_on"] > day.isoformat()]
    if early:
        raise InputError(
            f"公示日期 {day.isoformat()} 早于 {early[0]['name']} 的检查日期 {early[0]['inspected_on']}"
        )
    if pending:
        ledger.record_events(
            "publish",
            [
                {
                    "date": day.isoformat(),
                    "items": [list(k) for k in pending],
                    "file": sheets[-1]["file"],
                }
            ],
        )
    return f"{sheets[-1]['file']}：{len(pending)} 条登记为 {day.isoformat()} 公示"


def check_deadlines(plan_path: str | Path, today: dt.date | None = None) -> list[Status]:
    """``ssj deadline-check``: the status of every result (read-only)."""
    plan = load_plan(plan_path)
    if not Ledger.exists(plan.folder):
        return []
    with Ledger.at(plan.folder) as ledger:
        return statuses(plan, ledger, today or dt.date.today())
