"""``ssj results import``: all rows or none, no duplicate records, corrections kept as history."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.commands.assign import assign_month
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules.records import Corrected, Result
from shuangsuiji.rules.results import contradiction, merge, parse_result

from .conftest import fill_task_sheet, invoke

D = dt.date


@pytest.fixture
def assigned(workspace: Path) -> Path:
    draw_month(workspace, "2025-03")
    assign_month(workspace, "2025-03")
    return workspace


def _result_events(plan: Path) -> list[dict[str, object]]:
    with Ledger.at(plan.parent) as ledger:
        return [p for _, _, kind, p in ledger.events() if kind == "result"]


def test_import_then_reimport_changes_nothing(assigned: Path) -> None:
    sheet = fill_task_sheet(
        assigned,
        "2025-03",
        {
            0: (D(2025, 3, 10), "未发现问题", None),
            1: (D(2025, 3, 11), "发现问题经责令已改正；未按规定公示应当公示的信息", "2025-03-14"),
        },
    )
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-20")
    assert result.exit_code == 0, result.output
    assert "新结果或改动 2 条" in result.stdout
    events = _result_events(assigned)
    by_result = {e["result"]: e for e in events}  # recorded in (task, code) order
    assert set(by_result) == {"未发现问题", "发现问题经责令已改正；未按规定公示应当公示的信息"}
    assert (
        by_result["发现问题经责令已改正；未按规定公示应当公示的信息"]["published_on"]
        == "2025-03-14"
    )
    again = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-20")
    assert again.exit_code == 0 and "新结果或改动 0 条" in again.stdout
    assert len(_result_events(assigned)) == 2


def test_correction_is_a_new_event(assigned: Path) -> None:
    first = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    assert (
        invoke("results", "import", first, "--plan", assigned, "--today", "2025-03-20").exit_code
        == 0
    )
    corrected = fill_task_sheet(
        assigned, "2025-03", {0: (D(2025, 3, 10), "发现问题待后续处理", None)}
    )
    assert (
        invoke(
            "results", "import", corrected, "--plan", assigned, "--today", "2025-03-20"
        ).exit_code
        == 0
    )
    events = _result_events(assigned)
    assert [e["result"] for e in events] == ["未发现问题", "发现问题待后续处理"]
    with Ledger.at(assigned.parent) as ledger:
        [(_, current)] = ledger.results().items()
    assert current["result"] == "发现问题待后续处理"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((D(2025, 3, 10), "一切正常", None), "“一切正常”不是标准的检查结果"),
        ((D(2025, 2, 27), "未发现问题", None), "早于抽取月份 2025-03"),
        ((D(2025, 3, 25), "未发现问题", None), "在今天（2025-03-20）之后"),
        ((D(2025, 3, 12), "未发现问题", "2025-03-11"), "公示日期 2025-03-11 早于检查日期"),
        (("三月十日", "未发现问题", None), "检查日期“三月十日”不是有效的日期"),
        ((D(2025, 3, 10), None, None), "没有检查结果"),
        ((None, "未发现问题", None), "检查日期为空"),
    ],
)
def test_bad_rows_import_nothing(
    assigned: Path, values: tuple[object, object, object], message: str
) -> None:
    good = (D(2025, 3, 10), "未发现问题", None)
    sheet = fill_task_sheet(assigned, "2025-03", {0: good, 3: values})
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-20")
    assert result.exit_code == 2
    line = next(line for line in result.stderr.splitlines() if message in line)
    assert " 6 " in line  # the fourth data row is Excel row 6
    assert _result_events(assigned) == []


def test_foreign_enterprise_and_missing_column(assigned: Path, tmp_path: Path) -> None:
    import openpyxl

    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    book = openpyxl.load_workbook(sheet)
    book["检查任务单"]["C3"] = "91330100609167206N"
    book.save(sheet)
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-20")
    assert result.exit_code == 2 and "不是 AJ-01/2025-03 抽中的企业" in result.stderr
    book["检查任务单"].delete_cols(7)  # 检查结果
    book.save(sheet)
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-20")
    assert result.exit_code == 2 and "缺少必填列“检查结果”" in result.stderr


def _result(values: tuple[str, str], published_on: str = "", correction: Any = None) -> Result:
    result, inspected_on = values
    return Result("AJ-01/2025-03", "91410311MA00000000", "某企业", result, inspected_on,
                  published_on, "", "", "", correction)  # fmt: skip


FIRST = ("未发现问题", "2025-03-10")
SECOND = ("发现问题待后续处理", "2025-03-10")
THIRD = ("发现问题经责令已改正", "2025-03-11")


def test_a_change_to_an_unpublished_correction_stays_a_correction() -> None:
    # FIRST was published on 3-14 and corrected to SECOND on 3-17; the 更正 is not out yet.
    pending = _result(SECOND, correction=Corrected(*FIRST, "2025-03-14", "2025-03-17"))
    merged = merge(pending, _result(THIRD), "2025-03-18")
    assert merged is not None and merged.correction is not None
    assert (merged.result, merged.inspected_on, merged.published_on) == (*THIRD, "")
    # Still a 更正 of what the public saw on 3-14, counted from the day it changed again.
    assert merged.correction.to_json() == Corrected(*FIRST, "2025-03-14", "2025-03-18").to_json()


def test_going_back_to_the_published_values_withdraws_the_correction() -> None:
    pending = _result(SECOND, correction=Corrected(*FIRST, "2025-03-14", "2025-03-17"))
    merged = merge(pending, _result(FIRST), "2025-03-18")
    assert merged is not None and merged.correction is None
    assert (merged.result, merged.inspected_on, merged.published_on) == (*FIRST, "2025-03-14")
    # A result never published changes plainly; one published becomes a 更正.
    plain = merge(_result(FIRST), _result(SECOND), "2025-03-18")
    assert plain is not None and plain.correction is None
    out = merge(_result(FIRST, "2025-03-14"), _result(SECOND), "2025-03-18")
    assert out is not None and out.correction is not None and out.published_on == ""


@pytest.mark.parametrize(
    ("typed", "canonical", "bad"),
    [
        ("未发现问题", "未发现问题", []),
        (" 发现问题经责令已改正 ; 发现问题待后续处理；发现问题经责令已改正 ",
         "发现问题经责令已改正；发现问题待后续处理", []),
        ("未发现问题；；", "未发现问题", []),
        ("一切正常；未发现问题", None, ["一切正常"]),
        ("", "", []),
    ],
)  # fmt: skip
def test_results_as_typed_become_the_standard_categories(
    typed: str, canonical: str | None, bad: list[str]
) -> None:
    assert parse_result(typed) == (canonical, bad)


def test_an_outcome_that_stands_alone_is_not_combined() -> None:
    assert contradiction("发现问题经责令已改正；发现问题待后续处理") is None
    assert contradiction("未发现问题") is None
    assert contradiction("未发现问题；发现问题待后续处理；未按规定公示应当公示的信息") == (
        "“未发现问题”不能与“发现问题待后续处理”“未按规定公示应当公示的信息”同时填写"
    )
    assert contradiction("发现问题待后续处理；已关闭停业或正在组织清算") == (
        "“已关闭停业或正在组织清算”不能与“发现问题待后续处理”同时填写"
    )


def test_a_row_that_repeats_the_record_changes_nothing() -> None:
    recorded = _result(FIRST, "2025-03-14")
    assert merge(recorded, _result(FIRST, "2025-03-14"), "2025-03-18") is None
    assert merge(recorded, _result(FIRST), "2025-03-18") is None  # the sheet's date left blank
    noted = merge(recorded, replace(_result(FIRST), note="已复查"), "2025-03-18")
    assert noted is not None and (noted.note, noted.published_on) == ("已复查", "2025-03-14")
    first = _result(FIRST)
    assert merge(None, first, "2025-03-18") is first
    pending = _result(SECOND, correction=Corrected(*FIRST, "2025-03-14", "2025-03-17"))
    kept = merge(pending, replace(_result(SECOND), note="企业已整改"), "2025-03-18")
    assert kept is not None and kept.note == "企业已整改"
    assert kept.correction is not None and kept.correction.to_json() == pending.correction.to_json()
    marked = merge(_result(FIRST), _result(FIRST, "2025-03-15"), "2025-03-18")
    assert marked is not None and marked.published_on == "2025-03-15" and marked.correction is None


def test_a_change_after_a_published_correction_is_a_new_correction() -> None:
    # FIRST out on 3-14, corrected to SECOND on 3-17, that 更正 out on 3-19. THIRD arrives
    # (the sheet showing either date): the public saw SECOND on 3-19, so THIRD is a 更正 of
    # SECOND, not yet published.
    out = _result(SECOND, "2025-03-19", correction=Corrected(*FIRST, "2025-03-14", "2025-03-17"))
    for shown in ("2025-03-19", "2025-03-14", ""):
        merged = merge(out, _result(THIRD, shown), "2025-03-20")
        assert merged is not None and merged.published_on == "", shown
        assert merged.correction is not None
        assert (
            merged.correction.to_json() == Corrected(*SECOND, "2025-03-19", "2025-03-20").to_json()
        )
    # Published on a day of its own, as the sheet says: out already.
    again = merge(out, _result(THIRD, "2025-03-21"), "2025-03-21")
    assert again is not None and again.published_on == "2025-03-21"
    assert again.correction is not None
    assert again.correction.to_json() == Corrected(*SECOND, "2025-03-19", "2025-03-21").to_json()
    # Back to what was out: nothing to publish.
    assert merge(out, _result(SECOND, "2025-03-19"), "2025-03-21") is None
