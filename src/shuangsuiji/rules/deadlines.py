"""一公开: when each result must be published, and where each one stands (DESIGN.md §6).

The deadline of a result is the Nth working day after its 检查日期 (N = ``deadline_workdays``);
a drawn enterprise still without a result after its month ended needs attention too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from shuangsuiji.rules.records import DrawRecord, Result, Status
from shuangsuiji.rules.workdays import WorkCalendar, month_end

STATUS_NAMES = {
    "overdue": "已逾期",
    "due_today": "今天到期",
    "pending": "待公示",
    "published": "已公示",
    "published_late": "逾期后公示",
    "no_result": "月份已过仍无结果",
}


def deadline_of(calendar: WorkCalendar, workdays: int, result_date: str) -> dt.date:
    """The last day to publish a result produced on ``result_date``."""
    return calendar.add(dt.date.fromisoformat(result_date), workdays)


def statuses(
    results: Mapping[tuple[str, str], Result],
    draws: Sequence[DrawRecord],
    today: dt.date,
    calendar: WorkCalendar,
    workdays: int,
) -> list[Status]:
    """Every result with its deadline status, then drawn enterprises still without a result
    after their month ended."""
    found = []
    for key, result in sorted(results.items()):
        deadline = deadline_of(calendar, workdays, result.inspected_on)
        published = result.published_on or None
        left: int | None
        if published:
            late = dt.date.fromisoformat(published) > deadline
            status, left = ("published_late" if late else "published"), None
        elif today > deadline:
            status, left = "overdue", -calendar.between(deadline, today)
        elif today == deadline:
            status, left = "due_today", 0
        else:
            status, left = "pending", calendar.between(today, deadline)
        found.append(
            Status(
                key[0],
                key[1],
                result.name,
                result.inspected_on,
                deadline.isoformat(),
                published,
                status,
                left,
            )
        )
    for draw in draws:
        year, month = (int(part) for part in draw.month.split("-"))
        if today <= month_end(year, month):
            continue
        for selected in draw.selected:
            if (draw.scope, selected.uscc) not in results:
                found.append(
                    Status(
                        draw.scope,
                        selected.uscc,
                        selected.name,
                        None,
                        None,
                        None,
                        "no_result",
                        None,
                    )
                )
    return found
