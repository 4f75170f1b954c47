"""The year's statistics as a rule: every count of a small, hand-made year, so that a count
taken from the wrong column, off by one or summed twice shows."""

from __future__ import annotations

from shuangsuiji.rules.records import Group, GroupEnterprise, GroupOfficer, Result, Status
from shuangsuiji.rules.report import MonthTotal, OfficerTotal, TaskMonth, year_report
from shuangsuiji.rules.results import RESULT_CATEGORIES

from .test_verify_record import _flat

# Names whose order is neither the order of loads nor of visits (甲 < 癸 < 鼎).
A = GroupOfficer("A", "甲", "局")
B = GroupOfficer("B", "鼎", "局")
C = GroupOfficer("C", "癸", "大队")


def _result(scope: str, uscc: str, result: str) -> Result:
    return Result(scope, uscc, "", result, "2025-03-10", "", "", "", "", None)


def _status(scope: str, uscc: str, status: str) -> Status:
    return Status(scope, uscc, "", None, None, None, status, None, None, [])


def test_a_small_year_counted() -> None:
    march, may = _flat(month=3), _flat(month=5, task_id="AJ-02", covers="AJ-01")
    m1, m2, m3 = march.selected_keys
    y1, y2 = may.selected_keys[:2]
    results = {
        (march.scope, m1): _result(march.scope, m1, "未发现问题"),
        (march.scope, m2): _result(
            march.scope, m2, "发现问题经责令已改正；未按规定公示应当公示的信息"
        ),
        (may.scope, y1): _result(may.scope, y1, "发现问题待后续处理"),
    }
    statuses = [
        _status(march.scope, m1, "published"),
        _status(march.scope, m2, "published_late"),
        _status(march.scope, m3, "waived"),
        _status(may.scope, y1, "overdue"),
    ]
    groups = [
        Group(march.scope, 1, "冶金", [A, B], [GroupEnterprise(m1, ""), GroupEnterprise(m2, "")],
              [], [], inspected_by={m1: [A, C]}),
        Group(may.scope, 1, "冶金", [B, C], [GroupEnterprise(y1, "")], [], []),
        Group(may.scope, 2, "机械", [A, B], [GroupEnterprise(y2, "")], [], []),
    ]  # fmt: skip
    report = year_report("局", 2025, [march, may], results, statuses, groups)
    assert (report.agency, report.year) == ("局", 2025)
    assert report.tasks == [
        TaskMonth(march.scope, "AJ-01", "2025-03", False, 30, 3, 2, 1, 1, 1, 1, 0, 1),
        TaskMonth(may.scope, "AJ-02", "2025-05", True, 30, 3, 1, 1, 0, 0, 0, 1, 0),
    ]
    assert report.months == [MonthTotal("2025-03", 3, 2, 1, 1), MonthTotal("2025-05", 3, 1, 0, 0)]
    assert report.months[0].on_time_rate == 0.5 and report.months[1].on_time_rate is None
    counts = dict(report.categories)
    assert list(counts) == list(RESULT_CATEGORIES)
    assert counts == {c: 0 for c in RESULT_CATEGORIES} | {
        "未发现问题": 1, "发现问题经责令已改正": 1, "未按规定公示应当公示的信息": 1, "发现问题待后续处理": 1,
    }  # fmt: skip
    # Groups: A 2, B 3, C 2 (May, and March's m1 before a 递补); visits: m1 by A and C, m2 by
    # A and B, y1 by B and C, y2 by A and B. Most groups first, then by name — not by visits.
    assert report.officers == [
        OfficerTotal("鼎", "局", 3, 3),
        OfficerTotal("甲", "局", 2, 3),
        OfficerTotal("癸", "大队", 2, 2),
    ]
