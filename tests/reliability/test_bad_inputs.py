"""Inputs that once hung, crashed or were silently accepted: each now gets its exit code and a
Chinese message, never a traceback, and nothing is written."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ..conftest import files_in, header_row, invoke, use_small_roster

CORPUS = Path(__file__).parent / "bad_inputs"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("plan_alias_bomb.yaml", "YAML 引用（*别名）超过"),
        ("plan_deep.yaml", "YAML 嵌套超过"),
        ("plan_duplicate_key.yaml", "键“ratio”在同一处写了两次"),
    ],
)
def test_a_plan_that_cannot_be_loaded_safely(tmp_path: Path, name: str, fragment: str) -> None:
    plan = Path(shutil.copy(CORPUS / name, tmp_path / name))
    result = invoke("validate", "--plan", plan)
    assert result.exit_code == 2 and fragment in result.stderr
    assert "Traceback" not in result.output and files_in(tmp_path) == {name: plan.read_bytes()}


@pytest.mark.parametrize(
    ("roster", "code", "fragment"),
    [
        ("roster_cr_only.csv", 0, "校验通过"),  # lone CR line endings and a CR inside quotes
        ("roster_password.xlsx", 2, "设置了打开密码"),
        # one stray value in the last cell: calamine would ask for 550 GB and abort
        ("roster_stray_far_cell.xlsx", 2, "一直延伸到 XFD1048576 单元格"),
        ("roster_header_only.csv", 2, "表头下没有任何企业"),
        ("roster_duplicate_header.csv", 2, "都是“统一社会信用代码”"),
        ("a_folder", 2, "是文件夹，不是表格文件"),
        ("/dev/zero", 2, "不是普通文件"),
    ],
)
def test_rosters_that_crashed_or_misled(
    workspace: Path, roster: str, code: int, fragment: str
) -> None:
    if roster == "a_folder":
        (workspace.parent / roster).mkdir()
    elif not roster.startswith("/"):
        shutil.copy(CORPUS / roster, workspace.parent / roster)
    use_small_roster(workspace, roster)
    before = files_in(workspace.parent)
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == code, result.output
    assert fragment in result.output and "Traceback" not in result.output
    after = files_in(workspace.parent)
    # A clean validate keeps each item's count, the baseline of the year's first draw; a
    # refused one writes nothing at all.
    assert after.pop("ssj-validate.json", None) is not None or code != 0
    assert after == before


def test_a_day_in_the_future_writes_nothing(workspace: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    before = files_in(workspace.parent)
    for args in (["run"], ["publish"]):
        result = invoke(*args, "--plan", workspace, "--today", future)
        assert result.exit_code == 2 and "不能提前做将来的事" in result.stderr
    assert files_in(workspace.parent) == before
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()  # time zones: tolerated
    assert invoke("publish", "--plan", workspace, "--today", tomorrow).exit_code == 0


def test_titles_and_headers_never_become_formulas(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(
        text.replace("agency: 洛龙区应急管理局", 'agency: "=HYPERLINK(\\"x\\")"'), encoding="utf-8"
    )
    assert invoke("draw", "--plan", workspace, "--month", "2025-03").exit_code == 0
    book = openpyxl.load_workbook(workspace.parent / "输出" / "2025-03" / "抽取结果-2025-03.xlsx")
    title = book["抽取结果"]["A1"]
    assert (
        str(title.value).startswith("=HYPERLINK") and title.data_type == "s" and title.quotePrefix
    )
    sheet = book["抽取结果"]
    assert all(cell.quotePrefix for cell in sheet[header_row(sheet)])


def test_an_item_without_eligible_enterprises_is_an_error_unless_allowed(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(
        text.replace("[冶金, 有色, 建材, 机械, 轻工, 纺织, 商贸]", "[造船]"), encoding="utf-8"
    )
    before = files_in(workspace.parent)
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 2 and "AJ-02 在企业名录库中没有任何符合条件" in result.stderr
    assert files_in(workspace.parent) == before
    allowed = workspace.read_text(encoding="utf-8").replace(
        "  - id: AJ-02\n", "  - id: AJ-02\n    allow_empty: true\n"
    )
    workspace.write_text(allowed, encoding="utf-8")
    assert invoke("draw", "--plan", workspace, "--month", "2025-03").exit_code == 0


def test_a_row_of_spaces_is_a_blank_row_in_xlsx_as_in_csv(workspace: Path) -> None:
    path = workspace.parent / "enterprises.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.append(["   "] * sheet.max_column)
    book.save(path)
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 0 and "校验通过" in result.stdout


def test_a_roster_outside_the_workspace_is_named(
    workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("共享盘") / "enterprises.xlsx"
    shutil.move(workspace.parent / "enterprises.xlsx", elsewhere)
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(text.replace("enterprises.xlsx", str(elsewhere)), encoding="utf-8")
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 0 and "名录库在工作区" in result.stdout and "之外" in result.stdout


def test_a_secret_file_outside_the_workspace_is_refused(workspace: Path, tmp_path: Path) -> None:
    victim = tmp_path.parent / f"{tmp_path.name}-victim.txt"
    victim.write_text("不要覆盖我\n", encoding="utf-8")
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(f"secret_file: ../{victim.name}\n{text}", encoding="utf-8")
    before = files_in(workspace.parent)
    for args in (["seal", "--replace", "--reason", "换"], ["validate"]):
        result = invoke(*args, "--plan", workspace)
        assert result.exit_code == 2 and "在工作区" in result.stderr and "之外" in result.stderr
    assert victim.read_text(encoding="utf-8") == "不要覆盖我\n"
    assert files_in(workspace.parent) == before


def test_a_binary_public_numbers_file_is_named(workspace: Path) -> None:
    numbers = workspace.parent / "随机数"
    numbers.mkdir()
    (numbers / "2025-03.txt").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    result = invoke("run", "--plan", workspace, "--today", "2025-03-03")
    assert result.exit_code == 2, result.output
    assert "随机数/2025-03.txt" in result.output and "UTF-8" in result.output
    assert "内部错误" not in result.output and "UnicodeDecodeError" not in result.output


def test_a_roster_linked_out_of_the_workspace_is_not_read(workspace: Path, tmp_path: Path) -> None:
    secret = tmp_path.parent / f"{tmp_path.name}-shadow"
    secret.write_text("root:$6$very-secret-hash:19000:0:99999:7:::\n", encoding="utf-8")
    link = workspace.parent / "链接.csv"
    link.symlink_to(secret)
    use_small_roster(workspace, link.name)
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2 and "是指向工作区之外的链接，没有读取" in result.output
    assert "very-secret-hash" not in result.output and "$6$" not in result.output


def test_outputs_are_never_written_through_a_link(workspace: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    outputs = workspace.parent / "输出"
    outputs.mkdir()
    (outputs / "2025-03").symlink_to(elsewhere, target_is_directory=True)
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 1 and "是链接（快捷方式），ssj 不通过链接写文件" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_control_characters_never_reach_the_terminal(workspace: Path) -> None:
    import csv

    import openpyxl

    book = openpyxl.load_workbook(workspace.parent / "enterprises.xlsx")
    sheet = book.active
    assert sheet is not None
    rows = [[str(c or "") for c in r] for r in sheet.iter_rows(min_row=2, values_only=True)]
    for row in rows[1:]:
        row[1] = "\x1b[2J\x1b]0;被改了\x07" + row[1] + "\x9b31m"  # clear screen, window title
    with (workspace.parent / "名录库.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    use_small_roster(workspace, "名录库.csv")
    drawn = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert drawn.exit_code == 0, drawn.output
    record = workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    for row in rows[1:]:  # names that differ from the record's: verify shows both
        row[1] = row[1].replace("\x1b[2J", "\x1b[5m")
    with (workspace.parent / "另一份.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    verified = invoke("verify", record, "--enterprises", workspace.parent / "另一份.csv")
    assert verified.exit_code == 1 and "\ufffd[5m" in verified.output
    for result in (drawn, verified):
        assert "\ufffd[2J" in result.output  # shown, defused
        assert not any(c in result.output for c in "\x1b\x07\x9b")


@pytest.mark.parametrize("blocks", [8, 30, 60])
def test_a_full_disk_or_a_size_limit_is_named(workspace: Path, blocks: int) -> None:
    import subprocess
    import sys

    command = (
        f"ulimit -f {blocks}; exec {sys.executable} -m shuangsuiji draw "
        f"--plan '{workspace}' --month 2025-03"
    )
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "内部错误" not in done.stderr and "Traceback" not in done.stderr
    assert "ssj.db" in done.stderr or "无法读写“" in done.stderr  # the file is named
    # Nothing half-done: without the limit the same command completes and audits clean.
    assert invoke("draw", "--plan", workspace, "--month", "2025-03").exit_code == 0
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 0


HEAD = "统一社会信用代码,企业名称,行业类别\n"


def _big_cell(path: Path) -> None:
    path.write_text(HEAD + '91410311MA44XXXXXX,"' + "x" * (10 << 20) + '",冶金\n', "utf-8")


def _utf32(path: Path) -> None:
    path.write_text(HEAD + "91410311MA44XXXXXX,甲,冶金\n", encoding="utf-32")


def _wide(path: Path) -> None:
    # The wanted columns come last, past the first 64 KB of the header line.
    extra = [f"备用列{i}" for i in range(19_997)]
    path.write_text(",".join([*extra, HEAD.strip()]) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (_big_cell, "有一格的内容超过 128 KB"),  # was: "field limit … 检查引号是否成对"
        (_utf32, "UTF-32"),  # was: "找到的列：统 一 社 …"
        # the whole 20,000-column header is read (it was cut, and the wanted columns "missing")
        (_wide, "表头下没有任何企业"),
    ],
    ids=["a 10 MB cell", "UTF-32", "20,000 columns"],
)
def test_odd_csv_files_get_the_real_cause(workspace: Path, make: Any, fragment: str) -> None:
    make(workspace.parent / "名录库.csv")
    use_small_roster(workspace, "名录库.csv")
    before = files_in(workspace.parent)
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2 and fragment in result.output, result.output[-600:]
    assert "检查引号是否成对" not in result.output and "统 一 社" not in result.output
    assert files_in(workspace.parent) == before


def test_a_results_file_linked_out_of_the_workspace_is_not_read(
    workspace: Path, tmp_path: Path
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-外部.xlsx"
    shutil.copy(workspace.parent / "enterprises.xlsx", outside)
    results = workspace.parent / "结果"
    results.mkdir()
    (results / "任务单.xlsx").symlink_to(outside)
    run = invoke("run", "--plan", workspace, "--today", "2025-03-03")
    assert run.exit_code == 2 and "是指向工作区之外的链接，没有读取" in run.output
    assert "洛阳" not in run.output.split("需要处理")[-1]  # nothing of the file is shown
