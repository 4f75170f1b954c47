"""Times as people read them: a record keeps ISO 8601 with its UTC offset; people see the
plan's time zone, to the second, without an offset ("2025-03-12 10:00:05")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"  # where a plan names no time zone of its own


def local_moment(at: str, zone: str | dt.tzinfo | None) -> dt.datetime | None:
    """``at`` in ``zone`` (a time without an offset is taken as already local); None when it
    is not an ISO time at all (a hand-made record)."""
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return None
    if moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
    return moment


def local_time(at: str, zone: str | dt.tzinfo | None) -> str:
    """ "2025-03-12T02:00:05+00:00" in Asia/Shanghai: "2025-03-12 10:00:05"; text that is not
    a time stays as written."""
    moment = local_moment(at, zone)
    return at if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")
