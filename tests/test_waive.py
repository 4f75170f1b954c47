"""``ssj results waive``: a drawn enterprise that could not be inspected, with the reason; its
alarm ends, the log and the report keep it, a later result ends the waiver."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl

from .conftest import files_in, fill_task_sheet, invoke


def _month(workspace: Path) -> list[dict[str, object]]:
    assert invoke("draw", "--plan", workspace, "--month", "2025-03").exit_code == 0
    assert invoke("assign", "--plan", workspace, "--month", "2025-03").exit_code == 0
    found = invoke("deadline-check", "-p", workspace, "--today", "2025-04-10", "--json")
    assert found.exit_code == 1  # every March enterprise is without a result
    statuses: list[dict[str, object]] = json.loads(found.stdout)
    return statuses


def test_a_waived_enterprise_leaves_the_alarm_with_its_reason(workspace: Path) -> None:
    first = _month(workspace)[0]
    uscc = str(first["uscc"])
    waived = invoke(
        "results", "waive", "-p", workspace, "-m", "2025-03", "--uscc", uscc.lower(),
        "--reason", "企业已搬离本区，移交属地", "--today", "2025-04-08",
    )  # fmt: skip
    assert waived.exit_code == 0, waived.output
    assert "未能检查：企业已搬离本区" in waived.stdout
    checked = invoke("deadline-check", "-p", workspace, "--today", "2025-04-10", "--json")
    statuses = {s["uscc"]: s for s in json.loads(checked.stdout)}
    assert statuses[uscc]["status"] == "waived"
    assert statuses[uscc]["reason"] == "企业已搬离本区，移交属地"
    shown = invoke("deadline-check", "-p", workspace, "--today", "2025-04-10").stdout
    assert "未能检查（企业已搬离本区，移交属地）" in shown
    run = invoke("run", "--plan", workspace, "--today", "2025-04-10")
    assert f"没有检查结果：{first['scope']} {uscc}" not in run.stdout
    log = invoke("audit", "log", "--plan", workspace).stdout
    assert "登记未能检查" in log and "企业已搬离本区" in log
    assert invoke("report", "--plan", workspace, "--today", "2025-04-10").exit_code == 0
    book = openpyxl.load_workbook(workspace.parent / "输出" / "报告" / "年度抽查统计-2025.xlsx")
    sheet = book.worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] == first["scope"]]
    header = next(r for r in sheet.iter_rows(values_only=True) if "未能检查" in r)
    assert rows[0][header.index("未能检查")] == 1
    # The same again changes nothing; a result imported later ends the waiver.
    events = len(json.loads(invoke("audit", "log", "-p", workspace, "--json").stdout))
    again = invoke(
        "results", "waive", "-p", workspace, "-m", "2025-03", "--uscc", uscc,
        "--reason", "企业已搬离本区，移交属地", "--today", "2025-04-08",
    )  # fmt: skip
    assert again.exit_code == 0
    assert len(json.loads(invoke("audit", "log", "-p", workspace, "--json").stdout)) == events
    index = next(i for i, s in enumerate(_sheet_codes(workspace)) if s == uscc)
    sheet_path = fill_task_sheet(
        workspace, "2025-03", {index: (dt.date(2025, 4, 9), "未发现问题", None)}
    )
    imported = invoke("results", "import", sheet_path, "-p", workspace, "--today", "2025-04-10")
    assert imported.exit_code == 0, imported.output
    checked = invoke("deadline-check", "-p", workspace, "--today", "2025-04-10", "--json")
    assert {s["uscc"]: s for s in json.loads(checked.stdout)}[uscc]["status"] != "waived"


def _sheet_codes(workspace: Path) -> list[str]:
    book = openpyxl.load_workbook(workspace.parent / "输出" / "2025-03" / "检查任务单-2025-03.xlsx")
    return [str(r[2].value) for r in book["检查任务单"].iter_rows(min_row=3)]


def test_a_waiver_needs_a_reason_and_a_drawn_enterprise(workspace: Path) -> None:
    first = _month(workspace)[0]
    before = files_in(workspace.parent)
    missing = invoke("results", "waive", "-p", workspace, "-m", "2025-03", "--uscc", "X")
    assert missing.exit_code == 2 and "--reason" in missing.output
    blank = invoke(
        "results", "waive", "-p", workspace, "-m", "2025-03", "--uscc", str(first["uscc"]),
        "--reason", "  ",
    )  # fmt: skip
    assert blank.exit_code == 2 and "--reason 不能为空" in blank.stderr
    stranger = invoke(
        "results", "waive", "-p", workspace, "-m", "2025-03", "--uscc", "91410311MA0000000X",
        "--reason", "找不到",
    )  # fmt: skip
    assert stranger.exit_code == 2 and "不是 2025-03 抽中的企业" in stranger.stderr
    assert files_in(workspace.parent) == before
