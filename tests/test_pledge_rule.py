"""SSJ-PLEDGE-1 as a rule (docs/spec.md §4.3): a record checked against the 承诺书 in force for
its month names each way it departs, in exactly the words ``ssj verify --published`` prints —
one departure at a time, and nothing for the honest record."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from shuangsuiji.rules.pledge import (
    Pledge,
    PledgedImport,
    canonical_sha256,
    check_pledge,
    due_scopes,
    in_force,
)
from shuangsuiji.rules.records import DrawRecord, ExternalDraw, Selected

from .reliability.test_insider import _draw, _pledged

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Pledge, DrawRecord]:
    plan = _pledged(tmp_path_factory.mktemp("pledged") / "ws")
    _draw(plan, "2025-03", "3 1 5")
    pledge = Pledge.from_json((plan.parent / "承诺书-2025.json").read_text("utf-8"))
    text = (plan.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json").read_text("utf-8")
    return pledge, DrawRecord.from_json(text)


def _found(pledge: Pledge, record: DrawRecord) -> list[str]:
    return check_pledge([record], pledge, SHANGHAI).by_scope[record.scope]


def test_the_honest_record_departs_in_nothing(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    assert _found(pledge, record) == []
    assert pledge.parameters.draw_days["2025-03"] == record.draw_day


CHANGES: list[tuple[str, Callable[[DrawRecord], dict[str, Any]], str]] = [
    ("another task", lambda r: {"item_id": "ZZ-99"},
     "承诺书（承诺书）中没有任务 ZZ-99：这次抽取不在事先公布的计划内"),
    ("another month", lambda r: {"month": "2025-04"},
     "承诺书中 AJ-01 的抽查月份是 [3, 5, 8, 10]，没有 4 月：多出来的抽取"),
    ("another method", lambda r: {"spec": "RFC3797"},
     "承诺书规定用 SSJ-DRAW-1 方式抽取，记录用的是 RFC3797"),
    ("a lowered ratio", lambda r: {"ratio": "1%"},
     '比例与承诺书不符：承诺书为 "5%"，记录为 "1%"'),
    ("other targets", lambda r: {"targets": {"行业类别": ["冶金"]}},
     "检查对象范围（targets）与承诺书不符：承诺书为 {TARGETS}"),
    ("a covered item", lambda r: {"covers": "AJ-02"},
     "承诺书中 AJ-01 覆盖的事项是 None，记录为 AJ-02"),
    ("another chain", lambda r: {"commitment": "ab" * 32},
     "种子承诺不是 2025-03 时有效的承诺（承诺书：{COMMITMENT}…），记录为 abababababababab…："
     "抽取用的不是事先公布的哈希链"),
    ("no public number", lambda r: {"public_number": None},
     "承诺书要求每次抽取加入公开随机数（中国福利彩票“3D”抽取日前一天晚上的开奖号码），记录中没有"),
    ("no extra", lambda r: {"extra": None},
     "承诺书要求每次抽取加入公开随机数（中国福利彩票“3D”抽取日前一天晚上的开奖号码），记录中没有"),
    ("another source", lambda r: {"public_number": replace(r.public_number, source="体彩")},
     "公开随机数的来源或格式与承诺书不符：承诺书为“中国福利彩票“3D”抽取日前一天晚上的开奖号码”、\\d \\d \\d"),
    ("another form", lambda r: {"public_number": replace(r.public_number, pattern="\\d+")},
     "公开随机数的来源或格式与承诺书不符：承诺书为“中国福利彩票“3D”抽取日前一天晚上的开奖号码”、\\d \\d \\d"),
    ("spelled to taste", lambda r: {"extra": "03 1 5"},
     "公开随机数“03 1 5”不是承诺书规定格式（\\d \\d \\d）的规范写法"),
    ("a number of another form", lambda r: {
        "extra": "3 1 5 7", "public_number": replace(r.public_number, typed="3,1,5,7")},
     "公开随机数“3 1 5 7”不是承诺书规定格式（\\d \\d \\d）的规范写法"),
    ("another draw day", lambda r: {"draw_day": "2025-03-04"},
     "记录的抽取日 2025-03-04 不是承诺书规定的 {DAY}"),
    ("drawn early", lambda r: {"created_at": "2025-03-02T23:59:00+08:00"},
     "抽取时间 2025-03-02 23:59:00 早于承诺书规定的抽取日 {DAY}"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "words"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_each_departure_is_named_alone(
    drawn: tuple[Pledge, DrawRecord], change: Callable[[DrawRecord], dict[str, Any]], words: str
) -> None:
    pledge, record = drawn
    [task] = [t for t in pledge.parameters.tasks if t.id == "AJ-01"]
    expected = words.format(
        TARGETS=json.dumps(task.targets, ensure_ascii=False),
        COMMITMENT=pledge.commitment[:16],
        DAY=pledge.parameters.draw_days["2025-03"],
    )
    assert _found(pledge, replace(record, **change(record))) == [expected]


def test_a_record_of_another_year_or_before_the_pledge(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    assert _found(pledge, replace(record, month="2024-03")) == [
        "记录属于 2024 年，承诺书是 2025 年度的"
    ]
    later = replace(pledge, applies_from="2025-05")
    assert _found(later, record) == ["承诺书从 2025-05 起才有效，2025-03 不在其内"]


def test_a_stratified_ratio_is_quoted_as_written(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    ratio = {"by": "信用风险分类", "A": "3%"}
    assert _found(pledge, replace(record, ratio=ratio)) == [
        '比例与承诺书不符：承诺书为 "5%"，记录为 {"by": "信用风险分类", "A": "3%"}'
    ]


def test_october_and_the_draw_day_in_the_plans_zone(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    day = dt.date.fromisoformat(pledge.parameters.draw_days["2025-03"])
    eve = (day - dt.timedelta(days=1)).isoformat()
    # 17:00 UTC the evening before is 01:00 on the draw day in Shanghai: not early.
    assert _found(pledge, replace(record, created_at=f"{eve}T17:00:00+00:00")) == []
    assert _found(pledge, replace(record, created_at=f"{day}T00:00:00+08:00")) == []
    assert _found(pledge, replace(record, created_at=f"{eve}T15:59:00+00:00")) == [
        f"抽取时间 {eve} 23:59:00 早于承诺书规定的抽取日 {day}"
    ]
    # A two-digit month is read whole (AJ-01 is drawn in October too).
    october = pledge.parameters.draw_days["2025-10"]
    late = replace(
        record, month="2025-10", draw_day=october, created_at=f"{october}T09:00:00+08:00"
    )
    assert _found(pledge, late) == []


def test_the_set_of_records_against_the_pledge(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    checked = check_pledge([record], pledge, SHANGHAI)
    # Drawn through March: every March task is due, AJ-02's record is missing.
    assert checked.problems == [
        "缺少 AJ-02/2025-03 的抽取记录：承诺书规定要抽取，所给记录中没有（到 2025-03 为止都应有）"
    ]
    assert checked.notes == []  # the ceremony is in the 承诺书
    assert check_pledge([], pledge).problems == []  # nothing drawn yet: nothing due
    other_year = check_pledge([replace(record, month="2024-03")], pledge)
    assert other_year.problems == []
    assert due_scopes(pledge, "2025-05") == [
        "AJ-01/2025-03", "AJ-02/2025-03", "AJ-01/2025-05", "AJ-02/2025-05", "LH-01/2025-05",
    ]  # fmt: skip
    assert due_scopes(pledge, "2025-02") == [] and len(due_scopes(pledge, "2025-12")) == 10
    bare = replace(pledge, parameters=replace(pledge.parameters, ceremony=None))
    assert check_pledge([], bare).notes == [
        "承诺书没有规定公开随机数：工作区事先就能算出各月的抽取结果，只有种子承诺防止外人预知"
    ]
    assert check_pledge([], bare).problems == [
        "承诺书（承诺书，自 2025-01 起）的参数与其 parameters_sha256 不符：承诺书被改动过"
    ]


def test_a_replaced_pledge_governs_from_its_month(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    first = replace(pledge, applies_from="2025-01")
    later = replace(pledge, applies_from="2025-03", commitment="cd" * 32, replaces=pledge.commitment,
                    reason=None, issued_at="2025-02-28", earlier=[first])  # fmt: skip
    assert in_force(later.chain, "2025-02") is not None
    assert in_force(later.chain, "2025-02").commitment == pledge.commitment  # type: ignore[union-attr]
    assert in_force(later.chain, "2025-03").commitment == "cd" * 32  # type: ignore[union-attr]
    checked = check_pledge([record], later, SHANGHAI)
    assert checked.notes == [
        "承诺书自 2025-03 起更换了种子承诺（原因：未说明，2025-02-28）：请核对更换是否在该月抽取之前公开"
    ]
    assert checked.by_scope[record.scope][0].startswith("种子承诺不是 2025-03 时有效的承诺")


def test_the_pledges_own_text_and_digest() -> None:
    # docs/spec.md §4.3: parameters_sha256 is the SHA-256 of the parameters' one canonical
    # spelling — keys sorted, no spaces, text as written (not \\u escapes).
    import hashlib

    value = {"b": [1, 2], "a": "洛龙", "c": {"y": 1, "x": None}}
    spelled = '{"a":"洛龙","b":[1,2],"c":{"x":null,"y":1}}'
    assert canonical_sha256(value) == hashlib.sha256(spelled.encode()).hexdigest()


def test_the_published_pledge_is_indented_text(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, _ = drawn
    text = pledge.to_json()
    assert text.startswith('{\n  "spec": "SSJ-PLEDGE-1",\n  "agency": "洛龙区应急管理局",\n')
    assert text.endswith("}\n") and Pledge.from_json(text).to_json() == text


def test_what_the_pledge_side_says(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    [task, *rest] = pledge.parameters.tasks
    stratified = {"by": "信用风险分类", "A": "3%", "default": "5%"}
    changed = replace(
        pledge,
        parameters=replace(pledge.parameters, tasks=[replace(task, ratio=stratified), *rest]),
    )
    assert _found(changed, record) == [
        '比例与承诺书不符：承诺书为 {"by": "信用风险分类", "A": "3%", "default": "5%"}，记录为 "5%"'
    ]
    assert _found(pledge, replace(record, commitment=None)) == [
        f"种子承诺不是 2025-03 时有效的承诺（承诺书：{pledge.commitment[:16]}…），记录为 无…："
        "抽取用的不是事先公布的哈希链"
    ]
    january = replace(
        pledge, parameters=replace(pledge.parameters, tasks=[replace(task, months=[1, 3]), *rest])
    )
    assert due_scopes(january, "2025-01") == ["AJ-01/2025-01"]


def test_an_import_not_announced_is_named(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    imported = ExternalDraw(
        "EXTERNAL", "AJ-01/2025-02", "AJ-01", None, "2025-02", "省平台导出.xlsx", "ab" * 32,
        [Selected(1, "91410311MA00000000", "甲公司", "")], "2025-03-01T09:00:00+08:00", "test",
        None,
    )  # fmt: skip
    assert check_pledge([imported, record], pledge).by_scope == {
        imported.scope: [
            "导入的名单没有在承诺书中事先公布（范围和 SHA-256 都要一致）：可能是事后挑选的名单"
        ],
        record.scope: [],
    }
    announced = replace(
        pledge, imports=[PledgedImport(imported.scope, "省平台导出.xlsx", "ab" * 32)]
    )
    assert check_pledge([imported], announced).by_scope == {imported.scope: []}


def test_a_records_month_is_its_two_digits(drawn: tuple[Pledge, DrawRecord]) -> None:
    pledge, record = drawn
    assert _found(pledge, replace(record, month="2025-031")) == []  # March, whatever follows
