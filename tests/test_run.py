"""``ssj run``: the right actions on the right days, and nothing on a second run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from shuangsuiji.commands.run import run_day
from shuangsuiji.ledger import Ledger

from .conftest import files_in, fill_task_sheet, invoke, lock_held_elsewhere

D = dt.date


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def test_the_year_day_by_day(workspace: Path) -> None:
    # First working days: 2025-03-03 (Mon), 2025-05-06 (after the May Day holiday),
    # 2025-08-01 (Fri), 2025-10-09 (after the National Day holiday).
    expected = {
        D(2025, 3, 3): ["抽取 AJ-01/2025-03", "抽取 AJ-02/2025-03", "2025-03 人员分组"],
        D(2025, 5, 6): [
            "抽取 LH-01/2025-05",
            "抽取 AJ-01/2025-05",
            "抽取 AJ-02/2025-05",
            "2025-05 人员分组",
        ],
        D(2025, 8, 1): ["抽取 AJ-01/2025-08", "抽取 AJ-02/2025-08", "2025-08 人员分组"],
        D(2025, 10, 9): [
            "抽取 LH-02/2025-10",
            "抽取 AJ-01/2025-10",
            "抽取 AJ-02/2025-10",
            "2025-10 人员分组",
        ],
    }
    windows = [
        (D(2025, 2, 26), D(2025, 3, 5)),
        (D(2025, 4, 28), D(2025, 5, 7)),
        (D(2025, 7, 30), D(2025, 8, 2)),
        (D(2025, 9, 29), D(2025, 10, 10)),
    ]
    for first, last in windows:
        for day in _days(first, last):
            outcome = run_day(workspace, day)
            actions = [a.split("：")[0] for a in outcome.actions]
            assert actions == expected.get(day, []), day
            assert not outcome.problems
            before = _state(workspace)
            again = run_day(workspace, day)
            assert again.actions == [] and _state(workspace) == before, day
    with Ledger.at(workspace.parent) as ledger:
        assert len(ledger.draws(2025)) == 10
        assert [m for m, _ in ledger.assignments(2025)] == [
            "2025-03",
            "2025-05",
            "2025-08",
            "2025-10",
        ]


def test_missed_days_are_caught_up_in_order(workspace: Path) -> None:
    outcome = run_day(workspace, D(2025, 5, 20))  # cron did not run in March
    assert [a.split("：")[0] for a in outcome.actions][:3] == [
        "抽取 AJ-01/2025-03",
        "抽取 AJ-02/2025-03",
        "2025-03 人员分组",
    ]
    assert "2025-05 人员分组" in [a.split("：")[0] for a in outcome.actions]


def test_results_folder_publication_and_overdue(workspace: Path) -> None:
    run_day(workspace, D(2025, 3, 3))
    fill_task_sheet(
        workspace,
        "2025-03",
        {0: (D(2025, 3, 10), "未发现问题", None), 1: (D(2025, 3, 11), "未发现问题", None)},
        target=workspace.parent / "结果" / "三月.xlsx",
    )
    result = invoke("run", "--plan", workspace, "--today", "2025-03-12")
    assert result.exit_code == 0, result.output
    [sheet] = (workspace.parent / "输出" / "公示").glob("公示表-2025-03-12-*.xlsx")
    assert "导入 三月.xlsx：2 条" in result.stdout
    assert f"写出公示表 {sheet.name}：2 条待公示" in result.stdout
    log = (workspace.parent / "日志" / "ssj-run-2025-03-12.log").read_text(encoding="utf-8")
    assert "导入 三月.xlsx" in log
    result = invoke("run", "--plan", workspace, "--today", "2025-03-12")
    assert result.exit_code == 0 and "今天没有新的操作" in result.stdout
    late = invoke("run", "--plan", workspace, "--today", "2025-03-25")
    assert late.exit_code == 1 and "已逾期" in late.stdout


def test_bad_results_file_is_exit_2_but_the_day_goes_on(workspace: Path) -> None:
    run_day(workspace, D(2025, 3, 3))
    fill_task_sheet(
        workspace,
        "2025-03",
        {0: (D(2025, 3, 10), "不知道", None)},
        target=workspace.parent / "结果" / "错.xlsx",
    )
    result = invoke("run", "--plan", workspace, "--today", "2025-03-12")
    assert result.exit_code == 2
    assert "不是标准的检查结果" in result.stderr
    assert "日志" in result.stdout


def test_run_while_another_holds_the_lock_exits_3(workspace: Path) -> None:
    with lock_held_elsewhere(workspace.parent):
        result = invoke("run", "--plan", workspace, "--today", "2025-03-03", "--wait", "0.3")
        assert result.exit_code == 3


def test_piped_output_names_every_enterprise_with_its_officers_in_full(workspace: Path) -> None:
    from typer.testing import CliRunner

    from shuangsuiji.cli import app

    assert invoke("run", "--plan", workspace, "--today", "2025-03-03").exit_code == 0
    narrow = CliRunner(env={"COLUMNS": "80"})  # what cron and MAILTO get: not a terminal
    result = narrow.invoke(app, ["run", "--plan", str(workspace), "--today", "2025-04-10"])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "没有检查结果：" in line]
    checked = json.loads(
        invoke("deadline-check", "-p", workspace, "--today", "2025-04-10", "--json").stdout
    )
    assert len(lines) == len(checked) > 0
    for status in checked:
        whole = f"{status['uscc']} {status['name']}，检查人员 {'、'.join(status['officers'])}"
        assert any(whole in line for line in lines), whole


def test_every_run_of_a_day_stays_in_its_log(workspace: Path) -> None:
    bad = workspace.parent / "结果"
    bad.mkdir()
    (bad / "坏.xlsx").write_bytes(b"not a workbook")
    morning = invoke("run", "--plan", workspace, "--today", "2025-03-03")
    assert morning.exit_code == 2
    (bad / "坏.xlsx").unlink()
    (bad / ".~坏.xlsx").write_bytes(b"WPS lock")  # WPS's lock file while a sheet is open
    afternoon = invoke("run", "--plan", workspace, "--today", "2025-03-03")
    assert afternoon.exit_code == 0, afternoon.output
    log = (workspace.parent / "日志" / "ssj-run-2025-03-03.log").read_text(encoding="utf-8")
    assert "ssj run 2025-03-03 第 1 次" in log and "ssj run 2025-03-03 第 2 次" in log
    assert "坏.xlsx" in log and "退出码 2（有输入问题）" in log and "退出码 0（完成）" in log
    assert log.index("退出码 2") < log.index("退出码 0")


def _state(workspace: Path) -> dict[str, bytes]:
    """Everything a run writes but its log, which keeps a section for every run of the day."""
    return {k: v for k, v in files_in(workspace.parent).items() if not k.startswith("日志")}


def test_due_today_is_named_and_a_weekend_overdue_reads_right(workspace: Path) -> None:
    run_day(workspace, D(2025, 3, 3))
    fill_task_sheet(
        workspace,
        "2025-03",
        {0: (D(2025, 3, 10), "未发现问题", None), 1: (D(2025, 3, 7), "未发现问题", None)},
        target=workspace.parent / "结果" / "三月.xlsx",
    )
    run_day(workspace, D(2025, 3, 12))
    due = invoke("run", "--plan", workspace, "--today", "2025-03-17")  # Monday
    assert "今天到期（2025-03-17）" in due.stdout and "请今天公示" in due.stdout
    saturday = invoke("deadline-check", "--plan", workspace, "--today", "2025-03-15")
    assert "逾期 0 个工作日" not in saturday.stdout
    assert "已逾期（不足 1 个工作日）" in saturday.stdout  # deadline Friday 03-14
