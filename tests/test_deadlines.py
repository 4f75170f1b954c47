"""一公开 as a rule (docs/spec.md §6): each result's deadline and standing on a given day, in the
words the daily summary prints, and the order a clerk works through them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shuangsuiji.rules.deadlines import attention_line, standing, statuses
from shuangsuiji.rules.records import Corrected, Result, Status, Waiver
from shuangsuiji.rules.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar()
SCOPE = "AJ-01/2025-03"


def _result(uscc: str, inspected_on: str, published_on: str = "", **extra: Any) -> Result:
    return Result(SCOPE, uscc, f"企业{uscc}", "未发现问题", inspected_on, published_on,
                  "", "", "", extra.get("correction"))  # fmt: skip


def _status(status: str, left: int | None, **extra: Any) -> Status:
    base: dict[str, Any] = {
        "scope": SCOPE, "uscc": "U1", "name": "甲公司", "result_date": "2025-03-10",
        "deadline": "2025-03-17", "published_on": None, "status": status,
        "workdays_left": left, "corrected_on": None, "officers": [],
    }  # fmt: skip
    return Status(**(base | extra))


@pytest.mark.parametrize(
    ("today", "published", "status", "left"),
    [
        ("2025-03-12", "", "pending", 3),  # due 3-17 (Monday): 13, 14, 17 left
        ("2025-03-15", "", "pending", 1),  # on the Saturday: only Monday left
        ("2025-03-17", "", "due_today", 0),
        ("2025-03-18", "", "overdue", -1),
        ("2025-03-22", "", "overdue", -4),  # a Saturday: Tuesday to Friday, 4 working days
        ("2025-03-20", "2025-03-17", "published", None),  # on the deadline day: on time
        ("2025-03-20", "2025-03-18", "published_late", None),
    ],
)
def test_each_results_standing_on_a_day(
    today: str, published: str, status: str, left: int | None
) -> None:
    results = {(SCOPE, "U1"): _result("U1", "2025-03-10", published)}
    [found] = statuses(results, [], D.fromisoformat(today), CAL, 5)
    assert (found.deadline, found.status, found.workdays_left) == ("2025-03-17", status, left)
    assert found.published_on == (published or None)


def test_a_correction_counts_from_the_day_it_was_made() -> None:
    before = Corrected("发现问题待后续处理", "2025-03-10", "2025-03-14", "2025-03-19")
    results = {(SCOPE, "U1"): _result("U1", "2025-03-10", correction=before)}
    [found] = statuses(results, [], D(2025, 3, 20), CAL, 5)
    assert (found.deadline, found.corrected_on, found.status) == (
        "2025-03-26",
        "2025-03-19",
        "pending",
    )


def test_most_urgent_first_and_a_waiver_is_not_an_alarm() -> None:
    results = {
        (SCOPE, "A"): _result("A", "2025-03-03"),  # due 3-10: 8 working days late on 3-20
        (SCOPE, "B"): _result("B", "2025-03-07"),  # due 3-14: 4 late
        (SCOPE, "C"): _result("C", "2025-03-13"),  # due 3-20: today
        (SCOPE, "D"): _result("D", "2025-03-18"),  # due 3-25: 3 left
        (SCOPE, "E"): _result("E", "2025-03-14"),  # due 3-21: 1 left
        (SCOPE, "F"): _result("F", "2025-03-03", "2025-03-05"),
    }
    waivers = {(SCOPE, "W"): Waiver(SCOPE, "W", "企业W", "已注销", "2025-03-12")}
    found = statuses(results, [], D(2025, 3, 20), CAL, 5, waivers=waivers)
    assert [(s.uscc, s.status, s.workdays_left) for s in found] == [
        ("A", "overdue", -8), ("B", "overdue", -4), ("C", "due_today", 0),
        ("E", "pending", 1), ("D", "pending", 3), ("F", "published", None),
        ("W", "waived", None),
    ]  # fmt: skip
    assert found[-1].reason == "已注销" and found[-1].name == "企业W"
    # A result recorded since ends the waiver.
    again = statuses(
        results, [], D(2025, 3, 20), CAL, 5, waivers={(SCOPE, "A"): waivers[(SCOPE, "W")]}
    )
    assert [s.uscc for s in again].count("A") == 1 and "waived" not in {s.status for s in again}


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (_status("overdue", -3), "逾期 3 个工作日"),
        (_status("overdue", 0), "已逾期（不足 1 个工作日）"),
        (_status("pending", 2), "还剩 2 个工作日"),
        (_status("pending", None), "待公示"),
        (_status("due_today", 0), "今天到期"),
        (_status("published", None, published_on="2025-03-14"), "已公示 2025-03-14"),
        (_status("published_late", None, published_on="2025-03-19"), "逾期后公示 2025-03-19"),
        (_status("waived", None, reason="已注销"), "未能检查（已注销）"),
        (_status("no_result", None), "没有检查结果"),
    ],
)
def test_the_words_of_each_standing(status: Status, words: str) -> None:
    assert standing(status) == words


def test_the_daily_summarys_lines() -> None:
    who = ["张三", "李四"]
    assert attention_line(_status("no_result", None, officers=who)) == (
        f"没有检查结果：{SCOPE} U1 甲公司，检查人员 张三、李四"
    )
    assert attention_line(_status("due_today", 0)) == (
        f"结果今天到期（2025-03-17）：{SCOPE} U1 甲公司，请今天公示"
    )
    assert attention_line(_status("overdue", -2, corrected_on="2025-03-11", officers=who)) == (
        f"更正逾期 2 个工作日：{SCOPE} U1 甲公司，截止 2025-03-17，检查人员 张三、李四"
    )


def test_drawn_enterprises_without_a_result_after_the_month_and_its_grace() -> None:
    from .test_verify_record import _flat

    march = _flat(month=3)
    done, waived, missing = march.selected_keys
    results = {(march.scope, done): _result(done, "2025-03-10", "2025-03-12")}
    waivers = {(march.scope, waived): Waiver(march.scope, waived, "乙", "已注销", "2025-03-20")}
    officers = {(march.scope, missing): ["张三"]}
    # March ends on Monday 03-31; a grace of 2 working days runs to Wednesday 04-02.
    for today, listed in (("2025-03-31", False), ("2025-04-02", False), ("2025-04-03", True)):
        found = statuses(results, [march], D.fromisoformat(today), CAL, 5, grace=2,
                         officers=officers, waivers=waivers)  # fmt: skip
        lacking = [s for s in found if s.status == "no_result"]
        assert bool(lacking) is listed, today
    [lacking] = lacking
    assert (lacking.uscc, lacking.officers, lacking.name) == (
        missing,
        ["张三"],
        march.selected[2].name,
    )
    assert lacking.result_date is None and lacking.deadline is None


def test_enterprises_without_results_oldest_month_first_whatever_the_task() -> None:
    lacking = [
        _status("no_result", None, scope="X/2025-05", uscc="U2"),
        _status("no_result", None, scope="LH-001/2025-03", uscc="U3"),
        _status("no_result", None, scope="AJ-01/2025-03", uscc="U1"),
    ]
    from shuangsuiji.rules.deadlines import _urgency

    assert [s.uscc for s in sorted(lacking, key=_urgency)] == ["U1", "U3", "U2"]


def test_whom_to_ask_and_the_first_day_after_the_month() -> None:
    from .test_verify_record import _flat

    march = _flat(month=3)
    done, waived, missing = march.selected_keys
    results = {(march.scope, done): _result(done, "2025-03-10")}
    waivers = {(march.scope, waived): Waiver(march.scope, waived, "乙", "已注销", "2025-03-20")}
    asked = {(march.scope, waived): ["李四"], (march.scope, done): ["王五"]}
    # No grace given: the first day after March lists what is still missing.
    assert [
        s.uscc
        for s in statuses(results, [march], D(2025, 3, 31), CAL, 5)
        if s.status == "no_result"
    ] == []
    found = {s.uscc: s for s in statuses(results, [march], D(2025, 4, 1), CAL, 5, waivers=waivers)}
    assert found[missing].status == "no_result"
    assert [s.officers for s in found.values()] == [[], [], []]  # nobody named: empty, not None
    named = {s.uscc: s for s in statuses(results, [march], D(2025, 4, 1), CAL, 5,
                                         officers=asked, waivers=waivers)}  # fmt: skip
    assert (named[waived].officers, named[waived].reason) == (["李四"], "已注销")
    assert named[done].officers == ["王五"] and named[missing].officers == []


def test_each_draw_is_looked_at_whatever_the_order_given() -> None:
    from .test_verify_record import _flat

    march, may = _flat(month=3), _flat(month=5)
    found = statuses({}, [may, march], D(2025, 4, 2), CAL, 5)  # May not over yet
    assert {s.scope for s in found} == {march.scope} and len(found) == 3
