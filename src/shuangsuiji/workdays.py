"""Working days in China: statutory holidays skipped, 调休 make-up weekend days counted.

Years the installed chinese-calendar knows come from it; the plan may carry a year's official
schedule (国务院办公厅 notice) for years it does not know, or to override one. A date in a
year neither knows is an error — never a silent weekends-only guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import chinese_calendar
from pydantic import BaseModel, ConfigDict, field_validator

from shuangsuiji.dates import parse_date
from shuangsuiji.exceptions import InputError

_RANGE = re.compile(r"\s*(?:~|～|至|到|—|--)\s*")


def _dates(values: Any) -> set[dt.date]:
    """Dates from "2027-01-01" and ranges "2027-02-06~2027-02-13" (also 至, ～)."""
    if isinstance(values, str | dt.date):
        values = [values]
    result: set[dt.date] = set()
    for value in values or []:
        if isinstance(value, dt.date):
            result.add(value)
            continue
        parts = _RANGE.split(str(value).strip())
        ends = [parse_date(p) for p in parts]
        if len(ends) not in (1, 2) or any(e is None for e in ends):
            raise ValueError(
                f"无法识别的日期或日期范围“{value}”；写成 2027-01-01 或 2027-02-06~2027-02-13"
            )
        first, last = ends[0], ends[-1]
        assert first is not None and last is not None
        if last < first:
            raise ValueError(f"日期范围“{value}”的结束早于开始")
        result.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return result


class YearSchedule(BaseModel):
    """One year's official schedule: holiday dates and 调休 make-up working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    @field_validator("holidays", "workdays", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> frozenset[dt.date]:
        return frozenset(_dates(value))


class WorkCalendar:
    """Working-day arithmetic over chinese-calendar plus the plan's own schedules."""

    def __init__(self, schedules: Mapping[int, YearSchedule] | None = None) -> None:
        self.schedules = dict(schedules or {})

    def is_workday(self, day: dt.date) -> bool:
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            return day.weekday() < 5 and day not in schedule.holidays
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise _unknown_year(day.year) from None

    def add(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start`` (``start`` itself never counts, 民法典 201)."""
        day, found = start, 0
        while found < count:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                found += 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if ``end`` ≤ ``start``)."""
        return sum(
            self.is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )

    def first_workday(self, year: int, month: int) -> dt.date:
        """The first working day of a month."""
        day = dt.date(year, month, 1)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day


def _unknown_year(year: int) -> InputError:
    return InputError(
        f"不知道 {year} 年的法定节假日和调休安排：已安装的 chinese-calendar 只含到它发布时已公布的年份。"
        f"请升级（pip install -U chinesecalendar），或在计划文件中加入国务院办公厅公布的 {year} 年安排，例如：\n"
        f"calendar:\n  {year}:\n    holidays: [{year}-01-01, {year}-02-06~{year}-02-13]\n"
        f"    workdays: [{year}-02-14]"
    )
