"""The small rules everything else leans on: how roster values are read (docs/spec.md §3) and
how a recorded time is shown."""

from __future__ import annotations

import datetime as dt

import pytest

from shuangsuiji.rules.clock import local_moment, local_time
from shuangsuiji.rules.keys import is_operating, normalize_key, normalize_value


def test_keys_and_values_as_the_draw_reads_them() -> None:
    assert normalize_key(" ９１４１０３１１ｍａ００ ") == "91410311MA00"
    assert normalize_key("\u3000914103\t") == "914103"
    assert normalize_value(" 危险化学品\u3000") == "危险化学品"
    assert normalize_value("ａｂ") == "ab"  # values keep their case


@pytest.mark.parametrize(
    ("status", "operating"),
    [
        ("存续（在营、开业、在册）", True),
        ("存续(在营、开业、在册)", True),
        (" 在业 ", True),
        ("开业", True),
        ("注销", False),
        ("吊销，未注销", False),
        ("迁出", False),
        ("", False),
        ("在营（开业）企业", False),  # only the registry's own words count
    ],
)
def test_operating_statuses(status: str, operating: bool) -> None:
    assert is_operating(status) is operating


def test_recorded_times_shown_in_the_plans_zone() -> None:
    assert local_time("2025-03-12T02:00:05+00:00", "Asia/Shanghai") == "2025-03-12 10:00:05"
    plus_eight = dt.timezone(dt.timedelta(hours=8))
    assert local_time("2025-03-12T02:00:05+00:00", plus_eight) == "2025-03-12 10:00:05"
    assert local_time("2025-03-12T10:00:05", "Asia/Shanghai") == "2025-03-12 10:00:05"
    assert local_time("2025-03-12T02:00:05+00:00", None) == "2025-03-12 02:00:05"
    assert local_time("手工填写", "Asia/Shanghai") == "手工填写"
    assert local_moment("不是时间", None) is None
    moment = local_moment("2025-03-12T02:00:05+00:00", "Asia/Shanghai")
    assert moment is not None and moment.utcoffset() == dt.timedelta(hours=8)
