"""Working days against the official 2025 and 2026 schedules (国务院办公厅 notices)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shuangsuiji.exceptions import InputError
from shuangsuiji.rules.workdays import WorkCalendar

from .conftest import invoke

D = dt.date
CAL = WorkCalendar()


@pytest.mark.parametrize(
    "day",
    [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11),
     D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)],
)  # fmt: skip
def test_make_up_weekend_days_are_working_days(day: dt.date) -> None:
    assert day.weekday() >= 5 and CAL.is_workday(day)


@pytest.mark.parametrize(
    "day",
    [D(2025, 1, 1), D(2025, 1, 28), D(2025, 2, 4), D(2025, 5, 5), D(2025, 10, 8),
     D(2026, 1, 2), D(2026, 2, 16), D(2026, 2, 23), D(2026, 10, 7)],
)  # fmt: skip
def test_statutory_holidays_are_not(day: dt.date) -> None:
    assert not CAL.is_workday(day)


@pytest.mark.parametrize(
    ("start", "count", "deadline"),
    [
        (D(2025, 9, 30), 5, D(2025, 10, 14)),  # National Day week, Saturday 10-11 worked
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # make-up Sunday counts
        (D(2025, 10, 3), 1, D(2025, 10, 9)),  # result date on a holiday: count from the next day
        (D(2025, 10, 3), 5, D(2025, 10, 14)),
        (D(2025, 1, 27), 1, D(2025, 2, 5)),  # Spring Festival 2025
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Spring Festival 2026: Saturday 02-14 worked
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # National Day 2026
        (D(2025, 3, 8), 1, D(2025, 3, 10)),  # a Saturday start
        (D(2025, 3, 10), 0, D(2025, 3, 10)),
    ],
)
def test_deadlines(start: dt.date, count: int, deadline: dt.date) -> None:
    assert CAL.add(start, count) == deadline


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (D(2025, 3, 14), D(2025, 3, 17), 1),  # Friday to Monday: the Monday
        (D(2025, 3, 15), D(2025, 3, 17), 1),  # from a Saturday: the Monday, not the Saturday
        (D(2025, 3, 14), D(2025, 3, 15), 0),  # Friday to Saturday: the start never counts
        (D(2025, 3, 17), D(2025, 3, 25), 6),
        (D(2025, 9, 30), D(2025, 10, 11), 3),  # the holiday week: 10-09, 10-10, make-up 10-11
        (D(2025, 3, 17), D(2025, 3, 17), 0),
        (D(2025, 3, 18), D(2025, 3, 17), 0),
    ],
)
def test_workdays_between_count_the_end_not_the_start(
    start: dt.date, end: dt.date, count: int
) -> None:
    # "逾期 N 个工作日" and "还剩 N 个工作日" are these counts.
    assert CAL.between(start, end) == count


@pytest.mark.parametrize(
    ("month", "first"),
    [
        ((2025, 4), D(2025, 4, 1)),  # a Tuesday: the first itself
        ((2025, 1), D(2025, 1, 2)),  # New Year's Day
        ((2025, 6), D(2025, 6, 3)),  # Dragon Boat: May 31 to June 2
        ((2025, 10), D(2025, 10, 9)),  # the National Day week
        ((2026, 1), D(2026, 1, 4)),  # after New Year, a Sunday worked (调休)
        ((2026, 2), D(2026, 2, 2)),  # the 1st a Sunday
        ((2026, 3), D(2026, 3, 2)),
    ],
)
def test_a_months_first_working_day(month: tuple[int, int], first: dt.date) -> None:
    # Draw day 1 of a month (§4.3) is this day.
    assert CAL.first_workday(*month) == first


def test_workdays_command() -> None:
    result = invoke("workdays", "2025-09-30", "5")
    assert result.exit_code == 0 and result.stdout.strip() == "2025-10-14"


def test_unknown_year_is_an_error_naming_it(tmp_path: Path) -> None:
    result = invoke("workdays", "2026-12-28", "5")
    assert result.exit_code == 2
    assert (
        "2027" in result.stderr
        and "pip install -U chinesecalendar" in result.stderr
        and "calendar:" in result.stderr
    )
    with pytest.raises(InputError):
        CAL.add(D(2026, 12, 28), 5)


def test_plan_can_supply_a_year(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8")
    schedule = "calendar:\n  2027:\n    holidays: [2027-01-01, 2027-02-06~2027-02-12]\n    workdays: [2027-02-13]\n"
    workspace.write_text(text + schedule, encoding="utf-8")
    result = invoke("workdays", "2026-12-28", "5", "--plan", workspace, "--json")
    assert result.exit_code == 0, result.output
    assert '"deadline": "2027-01-05"' in result.stdout
    result = invoke("workdays", "2027-02-05", "1", "--plan", workspace)
    assert result.stdout.strip() == "2027-02-13"


def test_bad_schedule_is_a_plan_error(workspace: Path) -> None:
    text = (
        workspace.read_text(encoding="utf-8") + "calendar:\n  2027:\n    holidays: [2027-02-30]\n"
    )
    workspace.write_text(text, encoding="utf-8")
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2 and "2027-02-30" in result.stderr


def test_bad_date_argument() -> None:
    assert invoke("workdays", "明天", "5").exit_code == 2


def test_a_years_deadlines_look_each_day_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fifty thousand results due in one month ask about the same few days: chinese-calendar,
    # which scans its whole table on every call, is asked once a day, with the same answers.
    import chinese_calendar

    asked: list[dt.date] = []
    real = chinese_calendar.is_workday

    def counted(day: dt.date) -> bool:
        asked.append(day)
        return bool(real(day))

    monkeypatch.setattr(chinese_calendar, "is_workday", counted)
    calendar = WorkCalendar()
    deadlines = [calendar.add(D(2025, 4, 30), 5) for _ in range(1000)]
    assert set(deadlines) == {D(2025, 5, 12)}  # 1–5 May are 劳动节: Monday 12 May is the fifth
    assert len(asked) == len(set(asked)) and max(asked) == D(2025, 5, 12)
