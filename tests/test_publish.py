"""The 公示表, ``--mark-published`` and ``ssj deadline-check`` across simulated days."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import openpyxl
import pytest

from shuangsuiji.commands.assign import assign_month
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.ledger import Ledger
from shuangsuiji.outputs.publication import PUBLICATION_HEADERS

from .conftest import fill_task_sheet, invoke

D = dt.date


@pytest.fixture
def with_results(workspace: Path) -> Path:
    draw_month(workspace, "2025-03")
    groups = assign_month(workspace, "2025-03").groups
    sheet = fill_task_sheet(
        workspace,
        "2025-03",
        {0: (D(2025, 3, 10), "未发现问题", None), 1: (D(2025, 3, 12), "发现问题待后续处理", None)},
    )
    result = invoke("results", "import", sheet, "--plan", workspace, "--today", "2025-03-14")
    assert result.exit_code == 0, result.output
    workspace.with_suffix(".groups.json").write_text(
        json.dumps(groups, ensure_ascii=False), encoding="utf-8"
    )
    return workspace


def test_publication_sheet_content(with_results: Path) -> None:
    result = invoke("publish", "--plan", with_results, "--today", "2025-03-14")
    assert result.exit_code == 0, result.output
    [path] = (with_results.parent / "输出" / "公示").glob("公示表-2025-03-14-*.xlsx")
    sheet = openpyxl.load_workbook(path)["公示表"]
    assert [c.value for c in sheet[2]] == list(PUBLICATION_HEADERS)
    # On paper: A4 landscape, one page wide, the header row on every page, page numbers.
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$2:$2" and "第 &P 页" in sheet.oddFooter.center.text
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3) if row[1].value]
    assert len(rows) == 2
    # 落款: the agency and the day, right-aligned under the table, room above for the seal.
    signed = [c for c in sheet["A"] if c.value in ("洛龙区应急管理局", "2025年3月14日")]
    assert [c.value for c in signed] == ["洛龙区应急管理局", "2025年3月14日"]
    assert signed[0].row - (3 + len(rows)) >= 3 and signed[0].alignment.horizontal == "right"
    by_date = {row[6].date(): row for row in rows}
    assert by_date[D(2025, 3, 10)][8].date() == D(2025, 3, 17)  # 5 working days, weekend skipped
    assert by_date[D(2025, 3, 12)][8].date() == D(2025, 3, 19)
    assert {row[4] for row in rows} == {"双随机抽查"} and {row[3] for row in rows} == {
        "洛龙区应急管理局"
    }
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    groups = json.loads(with_results.with_suffix(".groups.json").read_text(encoding="utf-8"))
    people = {o[k] for g in groups for o in g["officers"] for k in ("id", "name")}
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert not any(p in text for p in people)  # no personal data
    again = invoke("publish", "--plan", with_results, "--today", "2025-03-14")
    assert "没有变化" in again.stdout and path.name in again.stdout


def test_names_never_become_formulas(with_results: Path) -> None:
    with Ledger.at(with_results.parent) as ledger:
        [(scope, uscc), _] = list(ledger.results())
        ledger.record_events(
            "result",
            [{"scope": scope, "uscc": uscc, "name": "=HYPERLINK(\"http://x\")", "result": "未发现问题",
              "inspected_on": "2025-03-10", "published_on": "", "note": ""}],
        )  # fmt: skip
    assert invoke("publish", "--plan", with_results, "--today", "2025-03-14").exit_code == 0
    [path] = (with_results.parent / "输出" / "公示").glob("公示表-2025-03-14-*.xlsx")
    sheet = openpyxl.load_workbook(path)["公示表"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s" and cell.quotePrefix


def _statuses(plan: Path, today: str) -> tuple[int, list[dict[str, object]]]:
    result = invoke("deadline-check", "--plan", plan, "--today", today, "--json")
    return result.exit_code, json.loads(result.stdout)


def test_deadline_statuses_over_simulated_days(with_results: Path) -> None:
    code, found = _statuses(with_results, "2025-03-14")
    assert code == 0
    assert [(s["status"], s["workdays_left"]) for s in found] == [("pending", 1), ("pending", 3)]
    assert set(found[0]) == {
        "scope",
        "uscc",
        "name",
        "result_date",
        "deadline",
        "published_on",
        "status",
        "workdays_left",
        "corrected_on",
        "officers",
    }
    code, found = _statuses(with_results, "2025-03-17")
    assert code == 0 and [s["status"] for s in found] == ["due_today", "pending"]
    code, found = _statuses(with_results, "2025-03-18")
    assert code == 1 and [s["status"] for s in found] == ["overdue", "pending"]
    # Publish what the sheet lists: one late, one on time.
    assert invoke("publish", "--plan", with_results, "--today", "2025-03-18").exit_code == 0
    marked = invoke(
        "publish", "--plan", with_results, "--mark-published", "2025-03-18", "--today", "2025-03-18"
    )
    assert marked.exit_code == 0, marked.output
    code, found = _statuses(with_results, "2025-03-20")
    assert code == 0 and [s["status"] for s in found] == ["published_late", "published"]
    assert found[1]["published_on"] == "2025-03-18"
    # After the month ends, drawn enterprises without results are listed.
    code, found = _statuses(with_results, "2025-04-01")
    assert sum(s["status"] == "no_result" for s in found) == 17


def test_published_on_the_deadline_day_is_on_time(with_results: Path) -> None:
    # The 3-10 result is due 3-17 (5 working days): published that very day it is 按期.
    assert invoke("publish", "--plan", with_results, "--today", "2025-03-17").exit_code == 0
    marked = invoke(
        "publish", "--plan", with_results, "--mark-published", "2025-03-17", "--today", "2025-03-17"
    )
    assert marked.exit_code == 0, marked.output
    code, found = _statuses(with_results, "2025-03-20")
    assert code == 0
    assert sorted((s["deadline"], s["published_on"], s["status"]) for s in found) == [
        ("2025-03-17", "2025-03-17", "published"),
        ("2025-03-19", "2025-03-17", "published"),
    ]
    table = invoke("deadline-check", "--plan", with_results, "--today", "2025-03-20")
    assert table.exit_code == 0 and "逾期后公示" not in table.stdout
    assert table.stdout.count("已公示 2025-03-17") == 2
    assert invoke("report", "--plan", with_results, "--today", "2025-03-20").exit_code == 0
    book = with_results.parent / "输出" / "报告" / "年度抽查统计-2025.xlsx"
    months = openpyxl.load_workbook(book)["按月汇总"]
    march = next(r for r in months.iter_rows(values_only=True) if r[0] == "2025-03")
    assert march[3:5] == (2, 0)  # 按期公示 2, 逾期公示 0


def test_overdue_exit_1_in_table_mode(with_results: Path) -> None:
    result = invoke("deadline-check", "--plan", with_results, "--today", "2025-03-25")
    assert result.exit_code == 1
    assert "逾期 6 个工作日" in result.stdout and "超过公示期限" in result.stderr


def test_a_long_list_prints_every_result_as_plain_lines(
    with_results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A province's month lists tens of thousands: past a limit they print as plain text in one
    # write (Rich takes 150 µs a line), still every one of them, each line whole.
    cli = sys.modules["shuangsuiji.cli.app"]  # the module; shuangsuiji.cli.app is the Typer app
    short = invoke("deadline-check", "--plan", with_results, "--today", "2025-04-01").stdout
    monkeypatch.setattr(cli, "_MANY_LINES", 3)
    long = invoke("deadline-check", "--plan", with_results, "--today", "2025-04-01").stdout
    assert long.count("没有检查结果") == short.count("没有检查结果") == 17
    assert all(len(line) < 200 for line in long.splitlines())
    assert [line.split() for line in long.splitlines()] == [
        line.split() for line in short.splitlines()
    ]


def test_mark_published_needs_a_sheet_and_a_sane_date(with_results: Path) -> None:
    result = invoke(
        "publish", "--plan", with_results, "--mark-published", "2025-03-14", "--today", "2025-03-14"
    )
    assert result.exit_code == 2 and "还没有写出过公示表" in result.stderr
    assert invoke("publish", "--plan", with_results, "--today", "2025-03-14").exit_code == 0
    result = invoke(
        "publish", "--plan", with_results, "--mark-published", "2025-03-11", "--today", "2025-03-14"
    )
    assert result.exit_code == 2 and "早于" in result.stderr
    result = invoke(
        "publish", "--plan", with_results, "--mark-published", "2025-03-20", "--today", "2025-03-14"
    )
    assert result.exit_code == 2 and "之后" in result.stderr
