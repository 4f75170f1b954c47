"""``ssj workdays``: the Nth working day after a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.rules.workdays import WorkCalendar


def nth_workday(start: dt.date, count: int, plan_path: str | Path | None = None) -> dt.date:
    """The ``count``-th working day after ``start``, with the plan's own schedules if given."""
    calendar = load_plan(plan_path).work_calendar if plan_path is not None else WorkCalendar()
    return calendar.add(start, count)
