"""``ssj init``: a new bureau's workspace of its own, from nothing to a passing validate."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
import yaml

from shuangsuiji.commands import init as init_module
from shuangsuiji.commands.init import init_workspace
from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.inputs.secret import EXAMPLE_MARK

from .conftest import EXAMPLES, NOTICE_COPY, files_in, invoke

AGENCY = "伊滨区应急管理局"


def _init(folder: Path, *args: str) -> Path:
    result = invoke("init", folder, "--agency", AGENCY, "--year", "2026", *args)
    assert result.exit_code == 0, result.output
    return folder / "2026.yaml"


def test_a_new_workspace_is_sealed_on_a_chain_of_its_own(tmp_path: Path) -> None:
    plan_file = _init(tmp_path / "ws")
    plan = load_plan(plan_file)
    example = load_plan(EXAMPLES / "2025.yaml")
    assert plan.agency == AGENCY and plan.year == 2026
    assert plan.commitment is not None and plan.commitment != example.commitment
    assert plan.seed == f"{AGENCY}2026年度双随机抽查"  # not the example's label
    assert example.seed not in plan_file.read_text(encoding="utf-8")
    assert plan.ceremony_block is not None  # the public number is fixed in advance
    secret = (tmp_path / "ws" / "ssj-secret.txt").read_text(encoding="utf-8")
    assert EXAMPLE_MARK not in secret
    # The 承诺书 commits to this plan's chain, and the ledger's first event is a plain seal
    # (not a "取代" that would read as a re-seal to an auditor).
    pledge = json.loads((tmp_path / "ws" / "承诺书-2026.json").read_text(encoding="utf-8"))
    assert pledge["commitment"] == plan.commitment and pledge["agency"] == AGENCY
    with sqlite3.connect(tmp_path / "ws" / "ssj.db") as db:
        kind, payload = db.execute("SELECT kind, payload FROM events ORDER BY seq").fetchone()
    assert kind == "seal" and json.loads(payload)["replaces"] is None


def test_the_template_plan_holds_the_examples_items(tmp_path: Path) -> None:
    # The template is the example's items and joint tasks: the two must not drift apart.
    plan = yaml.safe_load(_init(tmp_path / "ws").read_text(encoding="utf-8"))
    example = yaml.safe_load((EXAMPLES / "2025.yaml").read_text(encoding="utf-8"))
    assert plan["items"] == example["items"] and plan["joint"] == example["joint"]
    assert plan["rosters"] == example["rosters"]


def test_validate_names_the_rosters_to_fill_then_passes_once_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    plan_file = _init(folder)
    before = files_in(folder)
    result = invoke("validate", "--plan", plan_file)
    assert result.exit_code == 2
    for name, what in (("enterprises.xlsx", "企业"), ("officers.xlsx", "执法人员")):
        assert f"{name}" in result.output
        assert f"名录库还没有填写：表头下没有任何{what}" in result.output
    assert files_in(folder) == before  # validate of a bad workspace writes nothing
    for name in ("enterprises.xlsx", "officers.xlsx"):
        shutil.copy(EXAMPLES / name, folder / name)
    result = invoke("validate", "--plan", plan_file)
    assert result.exit_code == 0, result.output
    assert "校验通过" in result.output


def test_the_roster_templates_guide_whoever_fills_them(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    _init(folder)
    book = openpyxl.load_workbook(folder / "enterprises.xlsx")
    sheet = book.active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["统一社会信用代码", "企业名称", "行业类别", "经营状态"]
    lists = {
        headers[next(iter(v.sqref.ranges)).min_col - 1]: v.formula1
        for v in sheet.data_validations.dataValidation
    }
    assert "存续" in lists["经营状态"] and "注销" in lists["经营状态"]
    assert "危险化学品生产" in lists["行业类别"]  # the plan's own targets
    assert next(iter(sheet.data_validations.dataValidation[0].sqref.ranges)).max_row > 1000
    # A code typed into the template stays text (a 15-digit 注册号 is not turned into 4.1E+14).
    assert sheet.column_dimensions["A"].number_format == "@"
    book = openpyxl.load_workbook(folder / "officers.xlsx")
    sheet = book.active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["姓名", "执法证号", "执法证有效期至"]
    kinds = {
        headers[next(iter(v.sqref.ranges)).min_col - 1]: (v.type, v.formula1)
        for v in sheet.data_validations.dataValidation
    }
    assert kinds["执法证有效期至"][0] == "date"
    assert "在岗" in kinds["在岗状态"][1] and "离职" in kinds["在岗状态"][1]
    assert AGENCY in kinds["所属机关"][1] and "区市场监督管理局" in kinds["所属机关"][1]


def test_a_template_filled_by_hand_validates(tmp_path: Path) -> None:
    import datetime as dt

    folder = tmp_path / "ws"
    plan_file = _init(folder)
    example = openpyxl.load_workbook(EXAMPLES / "enterprises.xlsx").active
    assert example is not None
    rows = list(example.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "统一社会信用代码")
    names = list(rows[header])
    book = openpyxl.load_workbook(folder / "enterprises.xlsx")
    sheet = book.active
    assert sheet is not None
    columns = [c.value for c in sheet[1]]
    for r, row in enumerate(rows[header + 1 :], start=2):
        for c, column in enumerate(columns, start=1):
            if column in names:
                sheet.cell(r, c, row[names.index(column)])
    book.save(folder / "enterprises.xlsx")
    book = openpyxl.load_workbook(folder / "officers.xlsx")
    sheet = book.active
    assert sheet is not None
    for r in range(2, 8):
        valid = dt.date(2030, 12, 31)
        sheet.append([f"人员{r}", f"41030020{r:04d}", valid, "执法股", "", "在岗", AGENCY, ""])
    for r in range(2, 4):
        sheet.append([f"协作{r}", f"41030099{r:04d}", valid, "", "", "在岗", "区市场监督管理局"])
    book.save(folder / "officers.xlsx")
    result = invoke("validate", "--plan", plan_file)
    assert result.exit_code == 0, result.output
    assert "执法人员名录库 8 人" in result.output


def test_the_workspace_draws_and_verifies_against_its_own_pledge(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    plan_file = _init(folder)
    for name in ("enterprises.xlsx", "officers.xlsx"):
        shutil.copy(EXAMPLES / name, folder / name)
    result = invoke(
        "draw", "--plan", plan_file, "--month", "2026-03", "--seed-extra", "3 8 1",
        "--today", "2026-03-02",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = invoke(
        "verify", folder / "输出", "--enterprises", folder / "enterprises.xlsx",
        "--published", folder / "承诺书-2026.json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "示例" not in result.output  # no warning about the example's public chain


def test_the_schedule_runs_this_folder(tmp_path: Path) -> None:
    folder = tmp_path / "my ws"
    _init(folder)
    crontab = (folder / "定时任务" / "crontab").read_text(encoding="utf-8")
    line = next(x for x in crontab.splitlines() if x.startswith("30 7 "))
    assert f"cd '{folder}' && " in line and line.endswith("run --plan 2026.yaml")
    service = (folder / "定时任务" / "ssj-run.service").read_text(encoding="utf-8")
    assert f"WorkingDirectory={folder}" in service
    guide = (folder / "使用说明.txt").read_text(encoding="utf-8")
    assert "ssj validate --plan 2026.yaml" in guide and "承诺书-2026.txt" in guide


def test_from_the_notice_the_plan_is_the_notices(tmp_path: Path) -> None:
    result = invoke("init", tmp_path / "ws", "--from", NOTICE_COPY)
    assert result.exit_code == 0, result.output
    plan = load_plan(tmp_path / "ws" / "2025.yaml")
    assert plan.agency == "洛龙区应急管理局" and plan.commitment is not None
    assert len(plan.checklist) == 10  # the notice's 检查内容, word for word
    assert (tmp_path / "ws" / "enterprises.xlsx").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "须用 --agency 写明实施机关"),
        (("--agency", "甲局\n乙局"), "名称应为一行"),
        (("--agency", AGENCY, "--from", "不存在的附件.xlsx"), "不存在的附件.xlsx"),
    ],
)
def test_bad_input_creates_nothing(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = invoke("init", tmp_path / "ws", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "ws").exists()


def test_a_folder_with_files_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "mine.txt").write_text("本单位的文件", encoding="utf-8")
    result = invoke("init", folder, "--agency", AGENCY)
    assert result.exit_code == 2 and "文件夹里已有文件" in result.output
    assert files_in(folder) == {"mine.txt": "本单位的文件".encode()}


def test_a_failure_half_way_leaves_no_half_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(plan: Path) -> None:
        raise InputError("磁盘已满")

    monkeypatch.setattr(init_module, "seal", broken)
    with pytest.raises(InputError):
        init_workspace(tmp_path / "ws", agency=AGENCY)
    assert not (tmp_path / "ws").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError):
        init_workspace(tmp_path / "empty", agency=AGENCY)
    assert list((tmp_path / "empty").iterdir()) == []
