"""一公开: when each result must be published, and where each one stands (docs/spec.md §6).

The deadline of a result is the Nth working day after its 检查日期 (N = ``deadline_workdays``);
a 更正 counts from the day it was corrected. A drawn enterprise still without a result once its
month ended (and the plan's grace of working days passed) needs attention too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from shuangsuiji.rules.records import DrawRecord, Result, Status, Waiver
from shuangsuiji.rules.workdays import WorkCalendar, month_end

STATUS_NAMES = {
    "overdue": "已逾期",
    "no_result": "没有检查结果",
    "due_today": "今天到期",
    "pending": "待公示",
    "published_late": "逾期后公示",
    "published": "已公示",
    "waived": "未能检查",
}
# What a person must act on: a nonzero exit and the whole list, by name.
NEEDS_ATTENTION = ("overdue", "no_result")
# What the daily run also names, so that nothing due today is only a count.
NAMED_DAILY = (*NEEDS_ATTENTION, "due_today")


def deadline_of(calendar: WorkCalendar, workdays: int, result_date: str) -> dt.date:
    """The last day to publish a result produced on ``result_date``."""
    return calendar.add(dt.date.fromisoformat(result_date), workdays)


def _urgency(status: Status) -> tuple[int, int, str, str]:
    """Overdue first (the latest first), then missing results (oldest month first), due today,
    pending (closest deadline first), then what is published."""
    # Results of one status all have workdays_left, or all have none: the fallback only keeps
    # None out of the comparison, and no value of it changes the order.
    left = status.workdays_left if status.workdays_left is not None else 0  # pragma: no mutate
    # A scope ends with "/YYYY-MM": its last seven characters, or eight, order the same.
    month = status.scope[-7:]  # pragma: no mutate
    return (list(STATUS_NAMES).index(status.status), left, month, status.uscc)


def statuses(
    results: Mapping[tuple[str, str], Result],
    draws: Sequence[DrawRecord],
    today: dt.date,
    calendar: WorkCalendar,
    workdays: int,
    *,
    grace: int = 0,
    officers: Mapping[tuple[str, str], list[str]] | None = None,
    waivers: Mapping[tuple[str, str], Waiver] | None = None,
) -> list[Status]:
    """Every result with its deadline status, and every drawn enterprise still without a
    result ``grace`` working days after its month ended, most urgent first; one recorded as
    not inspectable (``waivers``) is listed as such, not as needing attention. ``officers``
    names whom to ask about each enterprise (scope, uscc)."""
    who = officers or {}
    found = []
    for key, result in results.items():
        deadline = deadline_of(calendar, workdays, result.due_from)
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
        corrected = result.correction.corrected_on if result.correction else None
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
                corrected,
                who.get(key, []),
            )
        )
    waived = waivers or {}
    for key, waiver in waived.items():
        if key not in results:  # a result recorded since ends the waiver
            found.append(
                Status(*key, waiver.name, None, None, None, "waived", None, None,
                       who.get(key, []), waiver.reason)
            )  # fmt: skip
    for draw in draws:
        year, month = (int(part) for part in draw.month.split("-"))
        if today <= calendar.add(month_end(year, month), grace):
            continue
        for selected in draw.selected:
            key = (draw.scope, selected.uscc)
            if key not in results and key not in waived:
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
                        None,
                        who.get(key, []),
                    )
                )
    return sorted(found, key=_urgency)


def standing(status: Status) -> str:
    """Where a result stands, in words: "逾期 3 个工作日", "还剩 2 个工作日", "已公示 2025-03-18"."""
    left = status.workdays_left
    if status.status == "overdue" and left is not None:
        # Past the deadline on a rest day: late, but not yet by a working day.
        return f"逾期 {-left} 个工作日" if left else "已逾期（不足 1 个工作日）"
    if status.status == "pending" and left is not None:
        return f"还剩 {left} 个工作日"
    if status.status in ("published", "published_late"):
        return f"{STATUS_NAMES[status.status]} {status.published_on}"
    if status.status == "waived":
        return f"未能检查（{status.reason}）"
    return STATUS_NAMES[status.status]


def attention_line(status: Status) -> str:
    """One overdue or missing result as the daily summary lists it: what, who, how late."""
    what = "更正" if status.corrected_on else "结果"
    who = f"，检查人员 {'、'.join(status.officers)}" if status.officers else ""
    if status.status == "no_result":
        return f"没有检查结果：{status.scope} {status.uscc} {status.name}{who}"
    if status.status == "due_today":
        return (
            f"{what}今天到期（{status.deadline}）：{status.scope} {status.uscc} {status.name}，"
            f"请今天公示{who}"
        )
    return (
        f"{what}{standing(status)}：{status.scope} {status.uscc} {status.name}，"
        f"截止 {status.deadline}{who}"
    )
