"""The results loop replayed day by day as a bureau lives it: the clerk's notes, a 递补, two
results files that disagree, a correction after publication and an enterprise nobody
inspected — the daily batch runs every working day and must end with nothing lost, nothing
duplicated, nothing flipped back and forth, and the uninspected enterprise named."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from shuangsuiji.ledger import Ledger

from ..conftest import fill_task_sheet, invoke

D = dt.date


def _working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5 and d != D(2025, 4, 4)]  # 清明


@pytest.mark.slow
def test_a_spring_of_daily_runs(workspace: Path) -> None:
    plan = workspace
    sheet = plan.parent / "输出" / "2025-03" / "检查任务单-2025-03.xlsx"
    results = plan.parent / "结果"

    def run(day: dt.date) -> str:
        result = invoke("run", "--plan", plan, "--today", day.isoformat())
        assert result.exit_code in (0, 1), result.output
        return result.stdout

    def result_events() -> list[dict[str, object]]:
        with Ledger.at(plan.parent) as ledger:
            return [p for _, _, kind, p in ledger.events() if kind == "result"]

    run(D(2025, 3, 3))  # draws and groups March
    # The clerk notes something on the overview sheet, then an officer falls ill.
    book = openpyxl.load_workbook(sheet)
    next(book["检查任务单"].iter_rows(min_row=3))[8].value = "已电话通知企业"
    book.save(sheet)
    groups = json.loads(invoke("assign", "--plan", plan, "--month", "2025-03", "--json").stdout)[
        "groups"
    ]
    leaving = groups[0]["officers"][0]["id"]
    replaced = invoke(
        "assign", "--plan", plan, "--month", "2025-03", "--replace", leaving, "--reason", "病假",
        "--today", "2025-03-05",
    )  # fmt: skip
    assert replaced.exit_code == 0, replaced.output
    rows = list(openpyxl.load_workbook(sheet)["检查任务单"].iter_rows(min_row=3, values_only=True))
    assert rows[0][8] == "已电话通知企业" and any("递补" in str(r[0]) for r in rows)

    # Officers send their sheets: one covers 18 of 19 enterprises, another disagrees on one.
    inspected = {i: (D(2025, 3, 10), "未发现问题", None) for i in range(18)}
    fill_task_sheet(plan, "2025-03", inspected, target=results / "一组.xlsx")
    fill_task_sheet(
        plan, "2025-03", {5: (D(2025, 3, 10), "发现问题待后续处理", None)}, results / "二组.xlsx"
    )
    for day in _working_days(D(2025, 3, 10), D(2025, 3, 13)):
        assert "结果冲突" in run(day)
    assert len(result_events()) == 18  # imported once, the disagreeing value held back

    # Published on the 12th; the clerk records it.
    marked = invoke(
        "publish", "--plan", plan, "--mark-published", "2025-03-12", "--today", "2025-03-13"
    )
    assert marked.exit_code == 0 and "18 条登记" in marked.stdout

    # The second group was right after all: the first group's sheet is corrected, which settles
    # the conflict and corrects a published result.
    inspected[5] = (D(2025, 3, 10), "发现问题待后续处理", "2025-03-12")
    fill_task_sheet(plan, "2025-03", inspected, target=results / "一组.xlsx")
    for day in _working_days(D(2025, 3, 14), D(2025, 4, 10)):
        run(day)
    events = result_events()
    assert len(events) == 19  # 18 results and one correction: no flip-flops
    disputed = rows[5][2]
    assert [e["result"] for e in events if e["uscc"] == disputed] == [
        "未发现问题",
        "发现问题待后续处理",
    ]
    sheets = sorted((plan.parent / "输出" / "公示").glob("*.xlsx"))
    assert [p.name[:14] for p in sheets] == ["公示表-2025-03-10", "公示表-2025-03-14"]
    correction = openpyxl.load_workbook(sheets[-1])
    assert correction.sheetnames[0] == "更正公示"
    # The batch still says, by name, who was never inspected.
    final = invoke("run", "--plan", plan, "--today", "2025-04-10")
    assert final.exit_code == 1
    statuses = json.loads(
        invoke("deadline-check", "--plan", plan, "--today", "2025-04-10", "--json").stdout
    )
    [missing] = [s for s in statuses if s["status"] == "no_result"]
    assert f"没有检查结果：{missing['scope']} {missing['uscc']} {missing['name']}" in final.stdout
    kept = next(openpyxl.load_workbook(sheet)["检查任务单"].iter_rows(min_row=3, values_only=True))
    assert kept[8] == "已电话通知企业"
