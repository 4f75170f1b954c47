"""``ssj validate``: every problem with file, row and column; exit 2 on errors, 0 otherwise."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.commands.validate import validate_workspace

from .conftest import FIXTURES, files_in, invoke, use_small_roster


def test_example_validates_with_summary(workspace: Path) -> None:
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 0, result.output
    assert "校验通过" in result.stdout
    for task in ("AJ-01", "AJ-02", "LH-01", "LH-02"):
        assert task in result.stdout
    assert "符合条件企业" in result.stdout and "每次抽取" in result.stdout
    assert "过期" in result.stdout  # a warning is shown but does not fail


def test_summary_numbers_match_the_library(workspace: Path) -> None:
    ws, summaries = validate_workspace(workspace)
    assert not ws.errors
    result = invoke("validate", "--plan", workspace)
    for s in summaries:
        line = next(line for line in result.stdout.splitlines() if f" {s.task_id} " in line)
        assert f" {s.eligible} " in line and f" {s.quota} " in line
        assert s.quota == -(-s.eligible * 5 // 100)


def test_bad_roster_lists_each_problem_and_exits_2(workspace: Path) -> None:
    shutil.copy(FIXTURES / "enterprises_bad.tsv", workspace.parent / "bad.tsv")
    plan = workspace.read_text(encoding="utf-8").replace("enterprises.xlsx", "bad.tsv")
    workspace.write_text(plan, encoding="utf-8")
    before = files_in(workspace.parent)
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2, result.output
    lines = result.stdout.splitlines()

    def line_with(*parts: str) -> str:
        return next(line for line in lines if all(p in line for p in parts))

    assert " 3 " in line_with("bad.tsv", "校验位错误：应为 E")
    assert " 5 " in line_with("bad.tsv", "第 2 行和第 5 行")
    # The roster has no 行业类别, which both items filter on: named at the plan's targets line.
    assert "行业类别" in line_with("2025.yaml", "items[0].targets.行业类别", "没有这一列")
    assert "发现 4 个错误" in result.stderr
    assert files_in(workspace.parent) == before


def test_uscc_check_downgraded_to_warning(workspace: Path) -> None:
    rows = (
        "统一社会信用代码,企业名称,行业类别\n91512081MA62K0260F,某公司,冶金\n"
        "91410311MA5C0C3H83,某化工,危险化学品经营\n"
    )
    (workspace.parent / "e.csv").write_text(rows, encoding="utf-8")
    use_small_roster(workspace, "e.csv")
    text = workspace.read_text(encoding="utf-8")
    assert invoke("validate", "--plan", workspace).exit_code == 2
    workspace.write_text(
        text.replace("deadline_workdays: 5", "deadline_workdays: 5\nuscc_check: warning"),
        encoding="utf-8",
    )
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 0, result.output
    assert "校验位错误" in result.stdout


def test_text_that_looks_like_console_markup_prints_as_written(workspace: Path) -> None:
    # Cells come from users: "[/x]" is text to show, not a style tag to stop the command on.
    rows = "统一社会信用代码,企业名称,行业类别\n[/x]BAD,洛阳[/]有限公司[bold],冶金\n"
    (workspace.parent / "e.csv").write_text(rows, encoding="utf-8")
    use_small_roster(workspace, "e.csv")
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2, result.output
    assert "“[/X]BAD”不是 18 位统一社会信用代码" in result.stdout
    assert "Markup" not in result.output and "内部错误" not in result.output


def test_missing_roster_file_and_sheet(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(
        text.replace("officers: officers.xlsx", "officers: people.xlsx"), encoding="utf-8"
    )
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2
    assert "people.xlsx" in result.stdout and "文件不存在" in result.stdout
    workspace.write_text(
        text.replace("officers: officers.xlsx", "officers: officers.xlsx\n  officers_sheet: 人员"),
        encoding="utf-8",
    )
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2
    assert "找不到工作表“人员”" in result.stdout and "执法检查人员名录库" in result.stdout


def test_stratified_plan_without_default_names_missing_strata(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8").replace(
        "ratio: 5%", "ratio: {by: 信用风险分类, A: 3%, B: 5%}", 1
    )
    workspace.write_text(text, encoding="utf-8")
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2
    assert "没有给出“C、D”层的比例" in result.stdout


def test_bad_plan_is_exit_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("agency: x\nyear: 2025\nitems: 3\n", encoding="utf-8")
    result = invoke("validate", "--plan", tmp_path / "p.yaml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "items" in result.stderr
    # The same through the installed command's entry, which ends the process itself.
    completed = subprocess.run(
        [sys.executable, "-m", "shuangsuiji", "validate", "--plan", str(tmp_path / "p.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr and "items" in completed.stderr


def test_the_installed_command_writes_everything_before_it_ends(workspace: Path) -> None:
    # The entry point ends the process without tearing it down: JSON written to a pipe (held
    # in a buffer until then, unless Python was told to write unbuffered) must arrive whole.
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "shuangsuiji",
            "draw",
            "-p",
            str(workspace),
            "-m",
            "2025-03",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=buffered,
    )
    assert completed.returncode == 0, completed.stderr
    records = json.loads(completed.stdout)
    assert [r["scope"] for r in records] == ["AJ-01/2025-03", "AJ-02/2025-03"]


def test_help_is_chinese_and_module_runs() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert (
        "validate" in result.stdout and "检查计划文件" in result.stdout and "命令" in result.stdout
    )
    completed = subprocess.run(
        [sys.executable, "-m", "shuangsuiji", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0 and completed.stdout.startswith("ssj ")
    assert "SSJ-DRAW-1" in completed.stdout and "SSJ-ASSIGN-3" in completed.stdout


def test_missing_name_column_still_checks_every_key(workspace: Path) -> None:
    rows = (
        "统一社会信用代码,行业类别\n"
        "91330100609167206N,冶金\n"
        "91512081MA62K0260F,机械\n"
        "91330100609167206n,冶金\n"
    )
    (workspace.parent / "e.csv").write_text(rows, encoding="utf-8")
    workspace.write_text(
        workspace.read_text(encoding="utf-8").replace("enterprises.xlsx", "e.csv"), encoding="utf-8"
    )
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2
    lines = [line for line in result.stdout.splitlines() if "e.csv" in line]
    assert any(
        " 1 " in line and "缺少必填列“企业名称”" in line and "统一社会信用代码、行业类别" in line
        for line in lines
    )
    assert any(" 3 " in line and "应为 E" in line for line in lines)
    assert any(" 4 " in line and "第 2 行和第 4 行" in line for line in lines)


def test_usage_errors_are_chinese_and_exit_2() -> None:
    cases = [
        (["validate"], "缺少选项 --plan / -p"),
        (["validate", "-p", "x", "--bogus"], "没有选项 --bogus"),
        (["drw"], "没有命令 drw；是不是 draw？"),
        (["workdays", "2025-01-01"], "缺少参数 天数：第几个工作日"),
        (["workdays", "2025-01-01", "1", "x"], "多余的参数：x"),
        (["draw", "-p", "x", "--wait", "abc"], "--wait 的值不对：应为数字"),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert "Usage" not in result.stderr and "用法：ssj" in result.stderr


COMMANDS = [
    [], ["validate"], ["seal"], ["plan"], ["plan", "import"], ["draw"], ["draw", "import"],
    ["assign"], ["verify"], ["workdays"], ["results"], ["results", "import"], ["publish"],
    ["deadline-check"], ["run"], ["audit"], ["audit", "verify"], ["audit", "log"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "ssj")
def test_help_is_chinese_and_never_cut_at_80_columns(command: list[str]) -> None:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "用法：ssj" in text
    for english in ("Usage", "<bool>", "<str>", "<path>", "range", "[OPTIONS]", "COMMAND"):
        assert english not in text, (english, text)
    assert not re.search(r"…\s*│", text), text  # a help line cut off at the edge
    assert max(len(line) for line in text.splitlines()) <= 80


def test_audit_help_describes_both_subcommands() -> None:
    text = invoke("audit", "--help").stdout
    assert "哈希链" in text and "事件日志" in text
