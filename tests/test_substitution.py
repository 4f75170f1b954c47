"""递补 that keeps history (docs/spec.md §5.1): who inspected an enterprise is never rewritten,
the reason is required, one group can be named, and the replacement is chosen by the rule of
the first assignment."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from .conftest import files_in, fill_task_sheet, invoke

MONTH = "2025-03"


@pytest.fixture
def assigned(workspace: Path) -> Path:
    assert invoke("draw", "--plan", workspace, "--month", MONTH).exit_code == 0
    assert invoke("assign", "--plan", workspace, "--month", MONTH).exit_code == 0
    return workspace


def _groups(plan: Path) -> list[dict[str, Any]]:
    shown = json.loads(invoke("assign", "-p", plan, "-m", MONTH, "--json").stdout)
    groups: list[dict[str, Any]] = shown["groups"]
    return groups


def _sheet_rows(plan: Path) -> list[tuple[Any, ...]]:
    path = plan.parent / "输出" / MONTH / f"检查任务单-{MONTH}.xlsx"
    return list(openpyxl.load_workbook(path)["检查任务单"].iter_rows(min_row=3, values_only=True))


def _edit_officer(plan: Path, cert_id: str, column_name: str, value: object) -> None:
    """Change one officer's cell in the workspace's officer roster, as the clerk would."""
    path = plan.parent / "officers.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = next(r for r in sheet.iter_rows(max_row=5) if any(c.value == column_name for c in r))
    column = next(c.column for c in header if c.value == column_name)
    [row] = [r for r in sheet.iter_rows(min_row=header[0].row + 1) if r[1].value == cert_id]
    sheet.cell(row[0].row, column).value = value
    book.save(path)


def test_an_inspected_enterprise_keeps_its_officers_everywhere(assigned: Path) -> None:
    group = next(g for g in _groups(assigned) if len(g["enterprises"]) >= 2)
    before = [o["name"] for o in group["officers"]]
    done, waiting = (e["uscc"] for e in group["enterprises"][:2])
    row = next(i for i, r in enumerate(_sheet_rows(assigned)) if r[2] == done)
    sheet = fill_task_sheet(assigned, MONTH, {row: (dt.date(2025, 3, 10), "未发现问题", None)})
    imported = invoke("results", "import", sheet, "-p", assigned, "--today", "2025-03-11")
    assert imported.exit_code == 0, imported.output
    leaving = group["officers"][0]
    replaced = invoke(
        "assign", "-p", assigned, "-m", MONTH, "--replace", leaving["id"],
        "--reason", "病假", "--today", "2025-03-12",
    )  # fmt: skip
    assert replaced.exit_code == 0, replaced.output
    assert "已有检查结果的 1 家仍记为原检查人员检查" in replaced.stderr
    rows = {r[2]: r for r in _sheet_rows(assigned)}
    assert rows[done][4] == "、".join(before)  # the task sheet: who inspected it
    assert leaving["name"] not in str(rows[waiting][4])  # the rest: the new group
    docs = openpyxl.load_workbook(assigned.parent / "输出" / MONTH / f"现场检查文书-{MONTH}.xlsx")
    cells = [str(c) for ws in docs.worksheets for r in ws.iter_rows(values_only=True) for c in r]
    name = group["enterprises"][0]["name"]
    at = next(i for i, c in enumerate(cells) if name in c and "检查通知书" not in c)
    assert any("、".join(before) in c for c in cells[at : at + 60])
    checked = invoke("deadline-check", "-p", assigned, "--today", "2025-03-13", "--json")
    officers = {s["uscc"]: s["officers"] for s in json.loads(checked.stdout)}
    assert officers[done] == before
    assert invoke("report", "-p", assigned, "--today", "2025-03-13").exit_code == 0
    published = json.loads(
        (assigned.parent / "输出" / MONTH / f"人员分组记录-{MONTH}.json").read_text("utf-8")
    )
    assert any(done in s.get("kept", []) for s in published["substitutions"])
    verified = invoke("verify", assigned.parent / "输出")
    assert verified.exit_code == 0 and f"人员分组 {MONTH} 复核一致" in verified.stdout
    assert invoke("assign", "-p", assigned, "-m", MONTH, "--verify").exit_code == 0


def test_a_reason_is_required_and_one_group_can_be_named(assigned: Path) -> None:
    groups = _groups(assigned)
    counts: dict[str, list[dict[str, Any]]] = {}
    for g in groups:
        for o in g["officers"]:
            counts.setdefault(o["id"], []).append(g)
    before = files_in(assigned.parent)
    leaving = next(iter(counts))
    missing = invoke("assign", "-p", assigned, "-m", MONTH, "--replace", leaving)
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    assert files_in(assigned.parent) == before
    busy = next((i for i, gs in counts.items() if len(gs) >= 2), None)
    if busy is None:  # every officer has one group this month: name it all the same
        busy = leaving
    target = counts[busy][0]
    task = target["scope"].split("/")[0]
    one = invoke(
        "assign", "-p", assigned, "-m", MONTH, "--replace", busy, "--reason", "外出培训",
        "--group", f"{task}:{target['group']}",
    )  # fmt: skip
    assert one.exit_code == 0, one.output
    after = {(g["scope"], g["group"]): g for g in _groups(assigned)}
    for g in counts[busy]:
        still = busy in {o["id"] for o in after[(g["scope"], g["group"])]["officers"]}
        assert still == ((g["scope"], g["group"]) != (target["scope"], target["group"]))
    verified = invoke("assign", "-p", assigned, "-m", MONTH, "--verify")
    assert verified.exit_code == 0, verified.output
    wrong = invoke(
        "assign", "-p", assigned, "-m", MONTH, "--replace", busy, "--reason", "x", "--group", "99"
    )
    assert wrong.exit_code == 2 and "写成 任务编号:组号" in wrong.stderr


def test_the_daily_run_names_an_officer_who_can_no_longer_go(assigned: Path) -> None:
    group = _groups(assigned)[0]
    leaving = group["officers"][0]
    _edit_officer(assigned, leaving["id"], "在岗状态", "离职")
    run = invoke("run", "--plan", assigned, "--today", "2025-03-20")
    assert run.exit_code == 1
    said = f"{leaving['name']}（{leaving['id']}）不在岗（离职），仍在 {group['scope']} 第{group['group']}组"
    assert said in run.stdout
    assert f"--replace {leaving['id']} --reason 原因" in run.stdout


@pytest.mark.parametrize(
    ("column_name", "value", "why"),
    [
        ("在岗状态", "离职", "不在岗（离职）"),
        ("执法证有效期至", dt.datetime(2025, 3, 30), "执法证 2025-03-30 到期"),
        ("回避企业", "RECUSED", "需回避"),
    ],
    ids=["left", "expired", "recused"],
)
def test_a_replacement_is_never_an_officer_the_roster_now_says_cannot_serve(
    assigned: Path, tmp_path: Path, column_name: str, value: object, why: str
) -> None:
    # Who the rule would name, found on a copy; then the clerk's roster says that officer left,
    # has a certificate that no longer covers the month, or must recuse from the group.
    group = _groups(assigned)[0]
    leaving = group["officers"][0]["id"]
    task = group["scope"].split("/")[0]
    replace = ("assign", "-m", MONTH, "--replace", leaving, "--reason", "病假",
               "--group", f"{task}:{group['group']}", "--today", "2025-03-12")  # fmt: skip
    trial = shutil.copytree(assigned.parent, tmp_path / "副本") / assigned.name
    assert invoke(*replace[:1], "-p", trial, *replace[1:]).exit_code == 0
    named = _groups(trial)[0]["officers"]
    [first_choice] = [o for o in named if o["id"] not in {m["id"] for m in group["officers"]}]
    if value == "RECUSED":
        value = group["enterprises"][0]["uscc"]
    _edit_officer(assigned, first_choice["id"], column_name, value)
    replaced = invoke(*replace[:1], "-p", assigned, *replace[1:])
    assert replaced.exit_code == 0, replaced.output
    assert f"按执法人员名录库现状不能派出、未选 {first_choice['name']}（{why}" in replaced.stderr
    now = _groups(assigned)[0]
    assert first_choice["id"] not in {o["id"] for o in now["officers"]}
    assert leaving not in {o["id"] for o in now["officers"]}
    # The record says whom the roster ruled out, and why: the 递补 replays from it alone.
    published = json.loads(
        (assigned.parent / "输出" / MONTH / f"人员分组记录-{MONTH}.json").read_text("utf-8")
    )
    [event] = published["substitutions"]
    assert why in event["unavailable"][first_choice["id"]]
    verified = invoke("verify", assigned.parent / "输出")
    assert verified.exit_code == 0 and f"人员分组 {MONTH} 复核一致" in verified.stdout
    assert invoke("assign", "-p", assigned, "-m", MONTH, "--verify").exit_code == 0
