"""Every roster row accounted for (docs/spec.md §4.2): merged cells read as Excel shows them,
a blank target cell refused by row, each row counted in one class and published with the
draw, and a population that shrinks by more than a tenth stopped until a person accepts it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from shuangsuiji.commands.draw import draw_month

from .conftest import copy_examples, files_in, invoke

INDUSTRY = 3  # 行业类别 is column C of the example roster (header on row 2)


def _rewrite(plan: Path, change: Callable[[Any, int], None]) -> Path:
    """The example roster rewritten by ``change(sheet, rows)``, saved beside it, the plan
    pointed at it."""
    book = openpyxl.load_workbook(plan.parent / "enterprises.xlsx")
    sheet = book.active
    assert sheet is not None
    change(sheet, sheet.max_row)
    path = plan.parent / "名录库-改.xlsx"
    book.save(path)
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("enterprises: enterprises.xlsx", f"enterprises: {path.name}"))
    return path


def _merge_industries(sheet: Any, last: int) -> None:
    """Sort by 行业类别 and merge each run of equal cells, as a clerk's 合并相同单元格 does."""
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=last)]
    rows.sort(key=lambda r: str(r[INDUSTRY - 1]))
    for index, row in enumerate(rows, start=3):
        for column, value in enumerate(row, start=1):
            sheet.cell(index, column).value = value
    start = 3
    for index in range(4, last + 2):
        value = rows[index - 3][INDUSTRY - 1] if index <= last else None
        if value != rows[start - 3][INDUSTRY - 1]:
            if index - 1 > start:
                for k in range(start + 1, index):
                    sheet.cell(k, INDUSTRY).value = None
                sheet.merge_cells(
                    start_row=start, start_column=INDUSTRY, end_row=index - 1, end_column=INDUSTRY
                )
            start = index


def _selected(plan: Path, month: str) -> dict[str, list[str]]:
    records = json.loads(invoke("draw", "-p", plan, "-m", month, "--json").stdout)
    return {r["scope"]: [s["uscc"] for s in r["selected"]] for r in records}


def test_a_merged_roster_draws_what_the_unmerged_one_draws(tmp_path: Path) -> None:
    plain = copy_examples(tmp_path / "plain")
    merged = copy_examples(tmp_path / "merged")
    _rewrite(merged, _merge_industries)
    validated = invoke("validate", "--plan", merged)
    assert validated.exit_code == 0, validated.output
    assert "有合并单元格：C" in validated.stdout and "按 Excel 显示的值读取" in validated.stdout
    for month in ("2025-03", "2025-05"):
        assert _selected(merged, month) == _selected(plain, month)


def test_blank_target_cells_are_refused_by_row(tmp_path: Path) -> None:
    plan = copy_examples(tmp_path)
    blanked = list(range(10, 30, 2))

    def blank(sheet: Any, last: int) -> None:
        for row in blanked:
            sheet.cell(row, INDUSTRY).value = None

    _rewrite(plan, blank)
    before = files_in(plan.parent)
    for args in (["validate", "--plan", plan], ["draw", "--plan", plan, "--month", "2025-03"]):
        result = invoke(*args)
        assert result.exit_code == 2
        out = result.output
        for row in blanked:
            assert f"│ {row} " in out
        assert "“行业类别”为空" in out and "blank_targets: exclude" in out
    assert files_in(plan.parent) == before
    # Left out on purpose: counted and published.
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("  - id: AJ-01\n", "  - id: AJ-01\n    blank_targets: exclude\n").replace(
            "  - id: AJ-02\n", "  - id: AJ-02\n    blank_targets: exclude\n"
        ),
        encoding="utf-8",
    )
    assert invoke("validate", "--plan", plan).exit_code == 0
    [record, _] = json.loads(invoke("draw", "-p", plan, "-m", "2025-03", "--json").stdout)
    assert record["accounting"]["blank_target"] == len(blanked)


def test_every_row_is_counted_once_and_published(workspace: Path) -> None:
    validated = invoke("validate", "--plan", workspace)
    assert "名录库每一行的去向" in validated.stdout and "经营状态不符 7（注销 3" in validated.stdout
    outcome = draw_month(workspace, "2025-03")
    for record in outcome.records:
        counted = record["accounting"]
        assert counted["rows"] == 460 and counted["eligible"] == record["population"]["size"]
        assert counted["rows"] == (
            counted["eligible"]
            + sum(counted["status"].values())
            + sum(counted["not_target"].values())
            + counted["blank_target"]
            + counted["duplicate"]
            + counted["invalid_code"]
        )
    # A record whose accounting was edited does not verify.
    path = workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["accounting"]["status"]["注销"] -= 1
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    verified = invoke("verify", path)
    assert verified.exit_code == 1 and "accounting" in verified.stdout
    # Why each enterprise is outside the population is listed by code; a drawn enterprise
    # said to be outside is caught.
    record["accounting"]["status"]["注销"] += 1
    outside = record["accounting"]["outside"]
    assert len(outside) == 460 - record["population"]["size"]
    assert sum("经营状态为注销" in why for why in outside.values()) == 3
    outside[record["selected"][0]["uscc"]] = "名录库中其经营状态为注销"
    del outside[next(iter(outside))]
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    verified = invoke("verify", path)
    assert verified.exit_code == 1 and "未列入的原因被改动过" in verified.stdout


def test_a_population_that_shrinks_stops_the_draw_until_accepted(tmp_path: Path) -> None:
    plan = copy_examples(tmp_path)
    assert invoke("draw", "--plan", plan, "--month", "2025-03").exit_code == 0

    def close_many(sheet: Any, last: int) -> None:
        closed = 0
        for row in range(3, last + 1):
            industry = str(sheet.cell(row, INDUSTRY).value)
            if industry.startswith("危险化学品") and closed < 30:
                sheet.cell(row, 4).value = "注销"
                closed += 1

    _rewrite(plan, close_many)
    before = files_in(plan.parent)
    stopped = invoke("draw", "--plan", plan, "--month", "2025-05")
    assert stopped.exit_code == 1, stopped.output
    assert "比上次（AJ-01/2025-03）少了" in stopped.stderr and "151 →" in stopped.stderr
    assert "注销" in stopped.stderr and "--accept-shrink" in stopped.stderr
    assert files_in(plan.parent) == before
    run = invoke("run", "--plan", plan, "--today", "2025-05-06")
    assert run.exit_code == 1 and "--accept-shrink" in run.stdout
    accepted = invoke(
        "draw", "-p", plan, "-m", "2025-05", "--accept-shrink", "30 家危化企业年初注销", "--json"
    )
    assert accepted.exit_code == 0, accepted.output
    records = {r["scope"]: r for r in json.loads(accepted.stdout)}
    counted = records["LH-01/2025-05"]["accounting"]
    assert counted["previous"] == 151 and counted["accepted"] == "30 家危化企业年初注销"
    assert "accepted" not in records["AJ-02/2025-05"]["accounting"]  # AJ-02 did not shrink


def test_the_first_draw_compares_with_the_last_clean_validate(tmp_path: Path) -> None:
    plan = copy_examples(tmp_path)
    assert invoke("validate", "--plan", plan).exit_code == 0
    assert json.loads((plan.parent / "ssj-validate.json").read_text("utf-8"))["items"] == {
        "AJ-01": 151,
        "AJ-02": 212,
    }

    def drop_rows(sheet: Any, last: int) -> None:
        sheet.delete_rows(3, 120)  # a roster exported with a filter left on

    roster = _rewrite(plan, drop_rows)
    # Pointed at the short roster without validating again: the draw notices.
    stopped = invoke("draw", "--plan", plan, "--month", "2025-03")
    assert stopped.exit_code == 1 and "比上次（ssj validate 时）少了" in stopped.stderr
    assert roster.exists() and not (plan.parent / "输出").exists()


def test_a_provinces_population_is_found_in_key_order_a_piece_at_a_time() -> None:
    import numpy as np

    from shuangsuiji.inputs.population import _in_key_order

    # Past a million rows the order is cut into pieces, one a core: end to end they are the
    # rows under the mask in key order, as one pass would give them.
    rng = np.random.default_rng(7)
    for rows in (0, 5, 2_500_001):
        order = rng.permutation(rows).astype(np.int32)
        mask = rng.random(rows) < 0.3
        assert np.array_equal(_in_key_order(order, mask), order[mask[order]])
