"""Starting mid-year: selections made elsewhere are imported as external draws, marked so
everywhere, and later draws exclude them."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from shuangsuiji.inputs.population import population
from shuangsuiji.inputs.workspace import load_workspace
from shuangsuiji.ledger import Ledger

from .conftest import copy_examples, files_in, invoke


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The example workspace before sealing: a bureau starting mid-year imports what the
    platform drew first, then seals, so that its 承诺书 lists every import (docs/spec.md §4.3)."""
    plan = copy_examples(tmp_path)
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("commitment:")) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "ssj-secret.txt").unlink()
    return plan


def _seal(plan: Path) -> None:
    sealed = invoke("seal", "--plan", plan)
    assert sealed.exit_code == 0, sealed.output


def _platform_list(workspace: Path, count: int = 8) -> list[str]:
    """Codes the provincial platform drew for AJ-01 in March: eligible enterprises of the item."""
    loaded = load_workspace(workspace)
    assert loaded.enterprises is not None
    task = loaded.plan.item("AJ-01")
    return population(loaded.plan, task, loaded.enterprises).keys.to_pylist()[3 : 3 + count]


def _export(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["省级平台抽取结果导出"])  # a title row above the header, as exports have
    sheet.append(["任务编号", "抽取时间", "统一社会信用代码", "单位名称"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_imported_selections_are_excluded_later_and_marked_external(workspace: Path) -> None:
    codes = _platform_list(workspace)
    export = _export(
        workspace.parent / "平台导出.xlsx", [["AJ-01", "2025-03-12", c.lower(), ""] for c in codes]
    )
    result = invoke(
        "draw", "import", export, "--plan", workspace, "--task", "AJ-01", "--month", "2025-03"
    )
    assert result.exit_code == 0, result.output
    assert "已导入 AJ-01/2025-03：8 家" in result.stdout
    record = json.loads(
        (workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json").read_text(
            encoding="utf-8"
        )
    )
    assert record["spec"] == "EXTERNAL" and record["source"] == "平台导出.xlsx"
    assert [s["uscc"] for s in record["selected"]] == codes and all(
        s["name"] for s in record["selected"]
    )
    assert "导入外部抽取结果" in invoke("audit", "log", "--plan", workspace).stdout
    # Importing the same scope again is refused; the ledger keeps the first import.
    again = invoke(
        "draw", "import", export, "--plan", workspace, "--task", "AJ-01", "--month", "2025-03"
    )
    assert again.exit_code == 2 and "已有抽取记录" in again.stderr
    _seal(workspace)
    pledge = json.loads((workspace.parent / "承诺书-2025.json").read_text(encoding="utf-8"))
    assert pledge["imports"] == [
        {
            "scope": "AJ-01/2025-03",
            "file": "平台导出.xlsx",
            "sha256": record["source_sha256"],
        }
    ]
    # The bureau draws the rest of March and May with ssj: May's draws exclude the platform's.
    assert invoke("draw", "--plan", workspace, "--month", "2025-03").exit_code == 0
    may = json.loads(invoke("draw", "--plan", workspace, "--month", "2025-05", "--json").stdout)
    lh01 = next(r for r in may if r["scope"] == "LH-01/2025-05")
    assert set(codes) <= set(lh01["excluded"])
    assert not set(codes) & {s["uscc"] for r in may for s in r["selected"]}
    # The year verifies: the import counts as earlier selections and is shown as external.
    verified = invoke("verify", workspace.parent / "输出")
    assert verified.exit_code == 0, verified.stdout
    assert "AJ-01/2025-03 是从“平台导出.xlsx”导入的外部抽取结果" in verified.stdout
    pledged = invoke(
        "verify", workspace.parent / "输出", "--published", workspace.parent / "承诺书-2025.json"
    )
    assert pledged.exit_code == 0, pledged.stdout
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 0
    # Officers for an imported month were chosen on the platform: ssj does not group them.
    refused = invoke("assign", "--plan", workspace, "--month", "2025-03")
    assert refused.exit_code == 2 and "其他平台导入" in refused.stderr
    sheet = openpyxl.load_workbook(workspace.parent / "输出" / "2025-03" / "抽取结果-2025-03.xlsx")
    methods = [row[1] for row in sheet["抽取参数"].iter_rows(values_only=True) if row[0] == "方法"]
    assert "外部导入（非本工具抽取）" in methods


def test_the_daily_batch_goes_on_after_an_import(workspace: Path) -> None:
    codes = _platform_list(workspace)
    export = workspace.parent / "三月.csv"
    export.write_text("统一社会信用代码\n" + "\n".join(codes) + "\n", encoding="utf-8")
    imported = invoke("draw", "import", export, "-p", workspace, "-t", "AJ-01", "-m", "2025-03")
    assert imported.exit_code == 0, imported.output
    _seal(workspace)
    result = invoke("run", "--plan", workspace, "--today", "2025-05-06")
    assert result.exit_code == 1, result.output  # March's draws have no results yet …
    assert "没有检查结果：AJ-02/2025-03" in result.stdout
    assert "没有检查结果：AJ-01/2025-03" not in result.stdout  # … imported ones are not ours
    assert "抽取 AJ-02/2025-03" in result.stdout and "2025-05 人员分组" in result.stdout
    assert "2025-03 人员分组" not in result.stdout
    with Ledger.at(workspace.parent) as ledger:
        assert ledger.external_scopes(2025) == {"AJ-01/2025-03"}


def test_a_bad_export_imports_nothing(workspace: Path) -> None:
    codes = _platform_list(workspace, 3)
    export = _export(
        workspace.parent / "错.xlsx",
        [
            ["AJ-01", "2025-03", codes[0], "甲"],
            ["AJ-02", "2025-03", codes[1], "乙"],  # another task
            ["AJ-01", "2025-04", codes[2], "丙"],  # another month
            ["AJ-01", "2025-03", codes[0], "甲"],  # repeated
            ["AJ-01", "2025-03", "91410311MA0000000X", "丁"],  # not a valid code
        ],
    )
    before = files_in(workspace.parent)
    result = invoke(
        "draw", "import", export, "--plan", workspace, "--task", "AJ-01", "--month", "2025-03"
    )
    assert result.exit_code == 2
    for row in ("4", "5", "6", "7"):
        assert f" {row} " in result.stderr
    assert files_in(workspace.parent) == before
    unknown = invoke(
        "draw", "import", export, "--plan", workspace, "--task", "AJ-09", "--month", "2025-03"
    )
    assert unknown.exit_code == 2 and "AJ-01" in unknown.stderr


def test_imports_only_before_sealing_for_due_months_before_any_draw_here(
    workspace: Path,
) -> None:
    export = workspace.parent / "名单.csv"
    export.write_text("统一社会信用代码\n" + _platform_list(workspace)[0] + "\n", encoding="utf-8")
    before = files_in(workspace.parent)
    # A month the item is not drawn in: such a list would exclude an enterprise all year.
    result = invoke("draw", "import", export, "-p", workspace, "-t", "AJ-02", "-m", "2025-04")
    assert result.exit_code == 2 and "4 月没有抽查任务" in result.stderr
    # Once the item has been drawn here, a list for it can only be a hand-picked one.
    drawn = invoke("draw", "-p", workspace, "-m", "2025-03", "--seed-extra", "1 2 3")
    assert drawn.exit_code == 0, drawn.output
    result = invoke("draw", "import", export, "-p", workspace, "-t", "LH-01", "-m", "2025-05")
    assert result.exit_code == 2 and "已经用本工具抽取过（AJ-01/2025-03）" in result.stderr
    # After sealing, nothing is imported at all (the 承诺书 lists every import).
    _seal(workspace)
    before = files_in(workspace.parent)
    result = invoke("draw", "import", export, "-p", workspace, "-t", "AJ-02", "-m", "2025-05")
    assert result.exit_code == 2 and "已经封存种子承诺" in result.stderr
    assert files_in(workspace.parent) == before
