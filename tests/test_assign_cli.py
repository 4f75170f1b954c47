"""``ssj assign`` on the example workspace: rules, outputs, re-runs, 递补 and verification."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.inputs.rosters import load_officers
from shuangsuiji.inputs.tasksheet import HEADERS
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules.results import RESULT_CATEGORIES

from .conftest import copy_examples, files_in, group_page_rows, invoke, task_rows


def _assign_json(plan: Path, month: str, *args: str) -> list[dict[str, Any]]:
    result = invoke("assign", "--plan", plan, "--month", month, "--json", *args)
    assert result.exit_code == 0, result.output
    groups: list[dict[str, Any]] = json.loads(result.stdout)["groups"]
    return groups


def test_march_groups_satisfy_every_rule(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    groups = _assign_json(workspace, "2025-03")
    roster, _ = load_officers(workspace.parent / "officers.xlsx")
    assert roster is not None
    by_id = {o.cert_id: o for o in roster.officers}
    with Ledger.at(workspace.parent) as ledger:
        drawn = {d.scope: d.record for d in ledger.draws(2025)}
    assert {g["scope"] for g in groups} == {"AJ-01/2025-03", "AJ-02/2025-03"}
    for scope, record in drawn.items():
        in_groups = [e["uscc"] for g in groups if g["scope"] == scope for e in g["enterprises"]]
        assert sorted(in_groups) == sorted(s["uscc"] for s in record["selected"])  # everyone, once
    loads: dict[str, int] = {}
    for group in groups:
        assert 1 <= len(group["enterprises"]) <= 5
        assert len(group["officers"]) >= 2
        usccs = {e["uscc"] for e in group["enterprises"]}
        for member in group["officers"]:
            person = by_id[member["id"]]
            assert person.on_duty and person.cert_until.isoformat() >= "2025-03-31"
            assert not usccs & set(person.recusals)
            assert member["department"] == "洛龙区应急管理局"
            loads[person.cert_id] = loads.get(person.cert_id, 0) + 1
        industries = group["industry"].split("、")  # lone enterprises may have joined
        has_expert = any(set(industries) & set(by_id[m["id"]].fields) for m in group["officers"])
        missing = f"没有专业领域为“{group['industry']}”"
        assert has_expert or any(w.startswith(missing) for w in group["warnings"])
    # Balance: nobody over the month's cap, ⌈places ÷ eligible⌉, and the month's load at most
    # one group apart across eligible officers — except an expert sent above the cap because
    # every officer of the group's 专业领域 was at it (SSJ-ASSIGN-3: expertise before load),
    # which the group says.
    eligible = [
        o for o in roster.officers
        if o.on_duty and o.cert_until.isoformat() >= "2025-03-31" and not o.agency.startswith("区市场")
    ]  # fmt: skip
    cap = -(-sum(len(g["officers"]) for g in groups) // len(eligible))
    kept = _kept_for_expertise(groups)
    counts = [loads.get(o.cert_id, 0) for o in eligible if o.name not in kept]
    assert max(counts) <= cap and max(counts) - min(counts) <= 1
    assert all(loads.get(o.cert_id, 0) > cap for o in eligible if o.name in kept)


def _kept_for_expertise(groups: list[dict[str, Any]]) -> set[str]:
    """Officers a group took above the month's cap for its 专业领域, as its warning says."""
    said = "的人员本月都已达上限，为保证专业仍选派"
    return {w.split(" ")[0] for g in groups for w in g["warnings"] if said in w}


def test_assign_before_draw_is_refused(workspace: Path) -> None:
    before = files_in(workspace.parent)
    result = invoke("assign", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 2 and "ssj draw" in result.stderr
    assert files_in(workspace.parent) == before


def test_rerun_changes_nothing(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    first = _assign_json(workspace, "2025-03")
    before = files_in(workspace.parent)
    assert _assign_json(workspace, "2025-03") == first
    assert files_in(workspace.parent) == before


def test_two_fresh_workspaces_give_identical_json(workspace: Path, tmp_path: Path) -> None:
    other = copy_examples(tmp_path / "other")
    outputs = []
    for plan in (workspace, other):
        draw_month(plan, "2025-03")
        result = invoke("assign", "--plan", plan, "--month", "2025-03", "--json")
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]


def test_joint_month_pairs_both_departments(workspace: Path) -> None:
    for month in ("2025-03", "2025-05"):
        draw_month(workspace, month)
    _assign_json(workspace, "2025-03")
    groups = _assign_json(workspace, "2025-05")
    joint = [g for g in groups if g["scope"].startswith("LH-01")]
    assert joint
    for group in joint:
        departments = [o["department"] for o in group["officers"]]
        assert (
            departments.count("洛龙区应急管理局") >= 2
            and departments.count("区市场监督管理局") >= 2
        )
    # May's officers avoid enterprises they inspected in March: none inspected twice (roster allows).
    march = _assign_json(workspace, "2025-03")
    seen = {(o["id"], e["uscc"]) for g in march for o in g["officers"] for e in g["enterprises"]}
    assert not seen & {
        (o["id"], e["uscc"]) for g in groups for o in g["officers"] for e in g["enterprises"]
    }


def test_task_sheet_headers_dropdown_and_group_sheets(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    groups = _assign_json(workspace, "2025-03")
    book = openpyxl.load_workbook(workspace.parent / "输出" / "2025-03" / "检查任务单-2025-03.xlsx")
    sheet = book["检查任务单"]
    assert [c.value for c in sheet[2]] == list(HEADERS)
    assert sheet.freeze_panes == "A3"
    rows = task_rows(sheet)
    assert len(rows) == sum(len(g["enterprises"]) for g in groups)
    [results, *dates] = sheet.data_validations.dataValidation
    assert results.type == "list" and str(results.sqref) == f"G3:G{2 + len(rows)}"
    assert results.formula1 == '"' + ",".join(RESULT_CATEGORIES) + '"'
    assert {d.type for d in dates} == {"date"}
    # The list, the groups' printable pages, and where the ledger's chain stood (台账链头).
    assert book.sheetnames == ["检查任务单", "分组检查单", "台账链头"]
    pages = book["分组检查单"]
    titles = [r[0] for r in pages.iter_rows(values_only=True) if "现场检查单" in str(r[0])]
    assert len(titles) == len(groups)  # one page a group …
    assert len(pages.row_breaks.brk) == len(groups) - 1  # … each starting a new sheet of paper
    listed = [(r[1], r[2]) for r in group_page_rows(pages)]
    assert listed == [(g["scope"], e["uscc"]) for g in groups for e in g["enterprises"]]
    assert any(str(r[0]).startswith("检查人员：") for r in pages.iter_rows(values_only=True))
    officer_ids = {o["id"] for g in groups for o in g["officers"]}
    text = " ".join(
        str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert not any(code in text for code in officer_ids)  # no 执法证号 in the sheets


def test_substitution_is_recorded_and_shown(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    original = _assign_json(workspace, "2025-03")
    leaving = original[0]["officers"][0]
    result = invoke(
        "assign",
        "--plan",
        workspace,
        "--month",
        "2025-03",
        "--replace",
        leaving["id"],
        "--reason",
        "病假",
    )
    assert result.exit_code == 0, result.output
    assert f"{leaving['name']} →" in result.stderr
    current = _assign_json(workspace, "2025-03")
    assert leaving["id"] not in {o["id"] for g in current for o in g["officers"]}
    assert current[0]["substitutions"][0]["out_name"] == leaving["name"]
    with Ledger.at(workspace.parent) as ledger:
        events = [payload for _, _, kind, payload in ledger.events() if kind == "substitute"]
        stored = json.loads(ledger.assignment("2025-03") or "{}")
    assert events and events[0]["reason"] == "病假" and events[0]["out"]["id"] == leaving["id"]
    assert stored["groups"] == [
        {k: g[k] for k in g if k != "substitutions"} for g in original
    ]  # kept
    book = openpyxl.load_workbook(workspace.parent / "输出" / "2025-03" / "检查任务单-2025-03.xlsx")
    notes = [
        str(c.value) for c in book["检查任务单"]["A"] if str(c.value).startswith("注：分组说明")
    ]
    assert any(f"递补：{leaving['name']}→" in n and "病假" in n for n in notes)
    log = invoke("audit", "log", "--plan", workspace)
    assert log.exit_code == 0 and f"{leaving['name']} →" in log.stdout and "病假" in log.stdout
    check = invoke("assign", "--plan", workspace, "--month", "2025-03", "--verify")
    assert check.exit_code == 0 and "复核一致" in check.stdout
    # Asked again (by name this time), the 递补 is not repeated.
    again = invoke(
        "assign", "--plan", workspace, "--month", "2025-03", "--replace", leaving["name"],
        "--reason", "病假",
    )  # fmt: skip
    assert again.exit_code == 0 and "无需重复" in again.stderr, again.output
    with Ledger.at(workspace.parent) as ledger:
        assert sum(kind == "substitute" for _, _, kind, _ in ledger.events()) == len(events)


def test_verify_detects_an_edited_assignment(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    groups = _assign_json(workspace, "2025-03")
    a, b = groups[0]["officers"][0]["id"], groups[-1]["officers"][-1]["id"]
    with sqlite3.connect(workspace.parent / "ssj.db") as conn:
        text = conn.execute("SELECT record FROM assignments").fetchone()[0]
        record = json.loads(text)
        record["groups"][0]["officers"][0]["id"] = b
        record["groups"][-1]["officers"][-1]["id"] = a
        conn.execute("UPDATE assignments SET record = ?", (json.dumps(record, ensure_ascii=False),))
    result = invoke("assign", "--plan", workspace, "--month", "2025-03", "--verify")
    assert result.exit_code == 1 and "应为" in result.stdout
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 1


def test_too_few_officers_exit_2_and_nothing_written(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    book = openpyxl.load_workbook(workspace.parent / "officers.xlsx")
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=3):
        row[5].value = "休假"  # 在岗状态
    sheet.cell(row=3, column=6).value = "在岗"
    book.save(workspace.parent / "officers.xlsx")
    before = files_in(workspace.parent)
    result = invoke("assign", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 2
    assert "第1组" in result.stderr and "不在岗（休假）" in result.stderr
    assert files_in(workspace.parent) == before


def test_group_size_below_two_is_refused(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8").replace(
        "deadline_workdays: 5", "deadline_workdays: 5\ngroup_size: 1"
    )
    workspace.write_text(text, encoding="utf-8")
    result = invoke("validate", "--plan", workspace)
    assert result.exit_code == 2 and "group_size" in result.stderr


def test_the_example_year_is_balanced(workspace: Path) -> None:
    """No officer over ⌈places ÷ eligible⌉ + 1 groups a month; over the year, officers eligible
    all year at most 2 groups apart (README's table comes from benchmarks/assign_load.py)."""
    year: dict[str, int] = {}
    eligible_all_year: set[str] | None = None
    kept: set[str] = set()  # sent above the cap for their 专业领域 (SSJ-ASSIGN-3), said so
    for month in ("2025-03", "2025-05", "2025-08", "2025-10"):
        draw_month(workspace, month)
        shown = json.loads(invoke("assign", "--plan", workspace, "--month", month, "--json").stdout)
        mine = [o for o in shown["officers"] if o["department"] == "洛龙区应急管理局"]
        eligible = {o["id"] for o in mine if o["eligible"]}
        places = sum(o["month_groups"] for o in mine)
        names = _kept_for_expertise(shown["groups"])
        kept |= {o["id"] for o in mine if o["name"] in names}
        others = [o["month_groups"] for o in mine if o["name"] not in names]
        assert max(others) <= -(-places // len(eligible)) + 1
        eligible_all_year = eligible if eligible_all_year is None else eligible_all_year & eligible
        year = {o["id"]: o["year_groups"] for o in mine}
    assert eligible_all_year
    counts = [year[o] for o in eligible_all_year - kept]
    assert max(counts) - min(counts) <= 2


def test_a_joint_month_without_the_partners_roster_gets_placeholders(workspace: Path) -> None:
    path = workspace.parent / "officers.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    partner_rows = [
        row[0].row for row in sheet.iter_rows(min_row=3) if row[6].value == "区市场监督管理局"
    ]
    assert len(partner_rows) == 8
    for number in reversed(partner_rows):
        sheet.delete_rows(number)
    book.save(path)
    for month in ("2025-03", "2025-05"):
        draw_month(workspace, month)
    result = invoke("assign", "--plan", workspace, "--month", "2025-05", "--json")
    assert result.exit_code == 0, result.output
    joint = [g for g in json.loads(result.stdout)["groups"] if g["scope"].startswith("LH-")]
    assert joint and all(g["partner_officers"] == "pending" for g in joint)
    assert all(g["placeholder"] == "区市场监督管理局选派 2 名" for g in joint)
    task_sheet = openpyxl.load_workbook(
        workspace.parent / "输出" / "2025-05" / "检查任务单-2025-05.xlsx"
    )["检查任务单"]
    names = [r["检查人员"] for r in task_rows(task_sheet)]
    assert any(n and n.endswith("、区市场监督管理局选派 2 名") for n in names)


def test_assign_shows_each_officers_load(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    result = invoke("assign", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 0
    assert "人员工作量" in result.stdout and "本月每人" in result.stdout
    assert "本年度每人" in result.stdout


def test_a_big_month_is_summarised_on_screen(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = sys.modules["shuangsuiji.cli.app"]  # the module (the package exports its Typer app)
    monkeypatch.setattr(cli, "MAX_GROUPS_SHOWN", 3)
    monkeypatch.setattr(cli, "MAX_OFFICERS_SHOWN", 3)
    draw_month(workspace, "2025-03")
    result = invoke("assign", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 0
    assert "明细见检查任务单" in result.stdout and "AJ-01/2025-03" in result.stdout
    assert "检查对象" in result.stdout and "洛阳" not in result.stdout  # no enterprise listed
    assert "人员工作量" not in result.stdout and "本年度每人" in result.stdout


def test_officers_over_the_cap_are_counted_past_a_screenful(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One enterprise a group and one group an officer: the roster cannot meet the cap.
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(f"group_max: 1\nmax_groups_per_officer: 1\n{text}", encoding="utf-8")
    cli = sys.modules["shuangsuiji.cli.app"]
    monkeypatch.setattr(cli, "MAX_OFFICERS_SHOWN", 2)
    draw_month(workspace, "2025-03")
    result = invoke("assign", "--plan", workspace, "--month", "2025-03", "--json")
    officers = json.loads(result.stdout)["officers"]
    over = [o for o in officers if o["cap"] is not None and o["month_groups"] > o["cap"]]
    assert len(over) > 2
    shown = invoke("assign", "--plan", workspace, "--month", "2025-03")
    named = [line for line in shown.stderr.splitlines() if "组的上限（原因见分组说明）" in line]
    assert len(named) == 2
    assert f"共 {len(over)} 名人员本月超过上限，以上只列出前 2 名" in shown.stderr
