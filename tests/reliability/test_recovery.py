"""Killed after the ledger commit but before the files: the next run writes exactly what an
uninterrupted run wrote, because every file under 输出/ is derived from the ledger."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from shuangsuiji.commands.draw import draw_month

from ..conftest import copy_examples, files_in, fill_task_sheet, invoke

D = dt.date


def _outputs(plan: Path) -> dict[str, bytes]:
    return files_in(plan.parent / "输出")


@pytest.fixture
def uninterrupted(tmp_path: Path) -> Path:
    """A workspace that drew and assigned March and May without interruption."""
    plan = copy_examples(tmp_path / "uninterrupted")
    for month in ("2025-03", "2025-05"):
        assert invoke("draw", "--plan", plan, "--month", month).exit_code == 0
        assert invoke("assign", "--plan", plan, "--month", month).exit_code == 0
    return plan


def _run_in_may(plan: Path) -> str:
    """ssj run on 2025-05-06: March's enterprises have no result yet, which needs attention
    (exit 1) and nothing else does."""
    result = invoke("run", "--plan", plan, "--today", "2025-05-06")
    assert result.exit_code == 1, result.output
    assert "没有检查结果：AJ-01/2025-03" in result.stdout and "输入问题" not in result.stdout
    return result.stdout


def _killed_copy(uninterrupted: Path, tmp_path: Path) -> Path:
    """The same ledger, with none of the files the killed commands were about to write."""
    plan = copy_examples(tmp_path / "killed", uninterrupted.parent)
    shutil.copy(uninterrupted.parent / "ssj.db", plan.parent / "ssj.db")
    return plan


def test_the_daily_batch_rewrites_what_a_kill_left_unwritten(
    uninterrupted: Path, tmp_path: Path
) -> None:
    plan = _killed_copy(uninterrupted, tmp_path)
    assert "补写 输出/2025-03/抽取记录-AJ-01-2025-03.json" in _run_in_may(plan)
    assert _outputs(plan) == _outputs(uninterrupted)  # byte for byte
    assert "补写" not in _run_in_may(plan)


def test_any_writing_command_heals_the_whole_workspace_first(
    uninterrupted: Path, tmp_path: Path
) -> None:
    plan = _killed_copy(uninterrupted, tmp_path)
    result = invoke("draw", "--plan", plan, "--month", "2025-05")  # a month already drawn
    assert result.exit_code == 0 and "检查任务单-2025-03.xlsx" in result.stderr
    assert _outputs(plan) == _outputs(uninterrupted)


def test_a_stale_record_file_is_replaced_by_the_ledgers(uninterrupted: Path) -> None:
    path = uninterrupted.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    original = path.read_bytes()
    path.write_text("{}", encoding="utf-8")
    _run_in_may(uninterrupted)
    assert path.read_bytes() == original


def test_a_draw_killed_before_its_files(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # as a kill between the ledger commit and the files

    monkeypatch.setattr("shuangsuiji.commands.draw.write_draw_files", killed)
    with pytest.raises(KeyboardInterrupt):
        draw_month(workspace, "2025-03")
    monkeypatch.undo()
    assert not (workspace.parent / "输出" / "2025-03").exists()
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 0 and "此前已完成" in result.stderr
    assert sorted(p.name for p in (workspace.parent / "输出" / "2025-03").iterdir()) == [
        "抽取复核-2025-03.html",
        "抽取结果-2025-03.xlsx",
        "抽取记录-AJ-01-2025-03.json",
        "抽取记录-AJ-02-2025-03.json",
    ]


def test_a_publication_sheet_is_never_unknown_to_the_ledger(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    assert invoke("assign", "--plan", workspace, "--month", "2025-03").exit_code == 0
    sheet = fill_task_sheet(workspace, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    assert (
        invoke("results", "import", sheet, "--plan", workspace, "--today", "2025-03-12").exit_code
        == 0
    )
    assert invoke("publish", "--plan", workspace, "--today", "2025-03-12").exit_code == 0
    [published] = (workspace.parent / "输出" / "公示").glob("公示表-2025-03-12-*.xlsx")
    content = published.read_bytes()
    published.unlink()  # as a kill after the event, before the sheet
    assert invoke("publish", "--plan", workspace, "--today", "2025-03-12").exit_code == 0
    assert published.read_bytes() == content
    marked = invoke(
        "publish", "--plan", workspace, "--mark-published", "2025-03-12", "--today", "2025-03-12"
    )
    assert marked.exit_code == 0 and "1 条登记" in marked.stdout
    log = invoke("audit", "log", "--plan", workspace).stdout
    assert log.count(published.name) == 1  # one event, however often it was written


def test_leftovers_of_a_killed_write_are_removed(uninterrupted: Path) -> None:
    leftover = uninterrupted.parent / "输出" / "2025-03" / "抽取结果-2025-03.xlsx.k3j9.ssj-tmp"
    leftover.write_bytes(b"half a workbook")
    _run_in_may(uninterrupted)
    assert not leftover.exists()


@pytest.mark.slow
def test_a_killed_replacement_is_finished_by_the_next_run(uninterrupted: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    import openpyxl

    groups = json.loads(
        invoke("assign", "--plan", uninterrupted, "--month", "2025-05", "--json").stdout
    )["groups"]
    leaving = groups[0]["officers"][0]["id"]
    command = [sys.executable, "-m", "shuangsuiji", "assign", "--plan", str(uninterrupted)]
    command += ["--month", "2025-05", "--replace", leaving, "--reason", "病假"]
    killed = subprocess.run(
        command, env=os.environ | {"SSJ_TEST_KILL_AT": "commit:1"}, capture_output=True, check=False
    )
    assert killed.returncode == 137  # the 递补 is in the ledger, the task sheet still the old one
    sheet = uninterrupted.parent / "输出" / "2025-05" / "检查任务单-2025-05.xlsx"
    assert "递补" not in str(
        [c.value for row in openpyxl.load_workbook(sheet)["检查任务单"].iter_rows() for c in row]
    )
    _run_in_may(uninterrupted)
    cells = [
        c.value for row in openpyxl.load_workbook(sheet)["检查任务单"].iter_rows() for c in row
    ]
    assert any("递补：" in str(v) and "病假" in str(v) for v in cells)
