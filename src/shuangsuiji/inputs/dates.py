"""Dates and months as they arrive from Excel cells, csv text and the command line."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from shuangsuiji.exceptions import InputError

_TEXT_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date | None:
    """A date from an Excel cell or text (2025-04-30, 2025/4/30, 2025年4月30日, 20250430).

    Returns None when the value is not a recognisable date. Plain numbers in the range of
    Excel serial dates (1955–2119) are read as such, because csv exports of Excel keep them.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.replace(".", "", 1).isdigit() and len(text) <= 7:
        return parse_date(float(text))
    match = _TEXT_DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        # Excel-exported text often carries a time part: "2025-04-30 00:00:00".
        head = text.split(" ")[0].split("T")[0]
        match = _TEXT_DATE.match(head) if head != text else None
        if match is None:
            return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_month(text: str) -> tuple[int, int] | None:
    """``(year, month)`` from "2025-03", "2025/3" or "2025年3月"; None if unrecognisable."""
    match = _MONTH.match(text)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if 1 <= month <= 12 else None


def writing_day(today: dt.date | None) -> dt.date:
    """The day a writing command acts as of: the real date, or an earlier ``--today`` (to catch
    up or rehearse). A day after tomorrow would record the future for good, so it is refused."""
    real = dt.date.today()
    if today is None:
        return real
    if today > real + dt.timedelta(days=1):
        raise InputError(
            f"--today {today.isoformat()} 在今天（{real.isoformat()}）之后，未做任何更改；"
            "--today 只用于补做过去的日子或演练，不能提前做将来的事"
        )
    return today


def local_now(zone: str) -> str:
    """The current time as people in ``zone`` read it, to the second: "2025-01-20 09:30:05"."""
    return dt.datetime.now(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")
