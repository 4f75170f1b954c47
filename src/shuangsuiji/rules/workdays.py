"""Working days in China: statutory holidays skipped, 调休 make-up weekend days counted.

Years the installed chinese-calendar knows come from it; the plan may carry a year's official
schedule (国务院办公厅 notice) for years it does not know, or to override one. A date in a
year neither knows is an error — never a silent weekends-only guess.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import chinese_calendar

from shuangsuiji.exceptions import InputError


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: holiday dates and 调休 make-up working days."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


class WorkCalendar:
    """Working-day arithmetic over chinese-calendar plus the plan's own schedules."""

    def __init__(self, schedules: Mapping[int, YearSchedule] | None = None) -> None:
        self.schedules = dict(schedules or {})
        # Each day answered once: a year's deadlines ask about the same few hundred days for
        # every one of tens of thousands of results, and chinese-calendar scans its whole
        # table on each call.
        self._known: dict[dt.date, bool] = {}

    def is_workday(self, day: dt.date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: dt.date) -> bool:
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
