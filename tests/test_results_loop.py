"""The results and publication loop as a bureau lives it (issue 11): results filled anywhere in
the task sheet count, each results file is read once per version, conflicts wait for a person,
corrections are published, one 公示表 per batch, nothing drawn goes uninspected quietly."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest

from shuangsuiji.commands.assign import assign_month
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.commands.run import run_day
from shuangsuiji.ledger import Ledger

from .conftest import EXAMPLES, copy_examples, fill_task_sheet, group_page_rows, invoke

D = dt.date
MARCH_SHEET = Path("输出") / "2025-03" / "检查任务单-2025-03.xlsx"


@pytest.fixture
def assigned(workspace: Path) -> Path:
    draw_month(workspace, "2025-03")
    assign_month(workspace, "2025-03")
    return workspace


def _group_sheet(plan: Path) -> tuple[str, list[tuple[str, str]]]:
    """The group pages of March's task sheet: the sheet's name and its (scope, uscc) rows."""
    book = openpyxl.load_workbook(plan.parent / MARCH_SHEET)
    name = book.sheetnames[1]
    return name, [(str(r[1]), str(r[2])) for r in group_page_rows(book[name])]


def _fill_group(
    plan: Path, sheet: str, values: dict[int, tuple[object, object]], target: Path
) -> Path:
    """Fill enterprise rows of the group pages as officers would: {row index: (检查日期, 检查结果)}."""
    book = openpyxl.load_workbook(plan.parent / MARCH_SHEET)
    rows = [r for r in book[sheet].iter_rows() if isinstance(r[1].value, str) and "/" in r[1].value]
    for index, (inspected, result) in values.items():
        rows[index][5].value = inspected
        rows[index][6].value = result
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def _results(plan: Path) -> dict[tuple[str, str], dict[str, object]]:
    with Ledger.at(plan.parent) as ledger:
        return {k: dict(v) for k, v in ledger.results().items()}


def _result_events(plan: Path) -> int:
    with Ledger.at(plan.parent) as ledger:
        return sum(kind == "result" for _, _, kind, _ in ledger.events())


# -- 1. results filled anywhere in the task sheet count ------------------------------------------


def test_results_filled_only_on_a_group_sheet_are_imported(assigned: Path) -> None:
    name, rows = _group_sheet(assigned)
    sheet = _fill_group(
        assigned, name, {0: (D(2025, 3, 10), "未发现问题")}, assigned.parent / "组.xlsx"
    )
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-12")
    assert result.exit_code == 0, result.output
    assert "新结果或改动 1 条" in result.stdout
    book = openpyxl.load_workbook(sheet)
    first = next(r[0].row for r in book[name].iter_rows() if r[1].value == rows[0][0])
    assert first > 3  # below the page's title, its lines and its header
    assert _results(assigned)[rows[0]]["cell"] == f"{name} 第 {first} 行"


def test_one_enterprise_filled_differently_on_two_sheets_names_both_cells(assigned: Path) -> None:
    name, rows = _group_sheet(assigned)
    both = _fill_group(
        assigned, name, {0: (D(2025, 3, 10), "未发现问题")}, assigned.parent / "x.xlsx"
    )
    book = openpyxl.load_workbook(both)
    main = book["检查任务单"]
    line = next(r for r in main.iter_rows(min_row=3) if (r[0].value, r[2].value) == rows[0])
    line[5].value, line[6].value = D(2025, 3, 10), "发现问题待后续处理"
    book.save(both)
    result = invoke("results", "import", both, "--plan", assigned, "--today", "2025-03-12")
    assert result.exit_code == 2
    flat = result.stderr.replace("\n", "")
    assert f"［{name}］" in flat and f"［检查任务单］ 第 {line[0].row} 行" in flat
    assert _result_events(assigned) == 0


def test_a_sheet_with_nothing_filled_is_exit_1(assigned: Path) -> None:
    result = invoke("results", "import", assigned.parent / MARCH_SHEET, "--plan", assigned)
    assert result.exit_code == 1 and "没有找到任何检查结果" in result.stderr


# -- 2. the results folder is read once per file version ------------------------------------------


def test_each_results_file_version_is_read_once(assigned: Path) -> None:
    folder = assigned.parent / "结果"
    assert not folder.exists()
    run_day(assigned, D(2025, 3, 3))
    assert folder.is_dir()  # made for the clerk
    sheet = fill_task_sheet(
        assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)}, target=folder / "a.xlsx"
    )
    first = run_day(assigned, D(2025, 3, 11))
    assert any(a.startswith("导入 a.xlsx") for a in first.actions)
    events = len(Ledger.existing_events(assigned.parent))
    assert not any("导入" in a for a in run_day(assigned, D(2025, 3, 12)).actions)
    assert len(Ledger.existing_events(assigned.parent)) == events  # not even read again
    fill_task_sheet(
        assigned, "2025-03", {0: (D(2025, 3, 10), "发现问题待后续处理", None)}, target=sheet
    )
    changed = run_day(assigned, D(2025, 3, 12))
    assert any(a.startswith("导入 a.xlsx：1 条") for a in changed.actions)


def test_two_files_disagreeing_wait_for_a_person_and_never_flip(assigned: Path) -> None:
    folder = assigned.parent / "结果"
    fill_task_sheet(
        assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)}, target=folder / "a.xlsx"
    )
    fill_task_sheet(
        assigned,
        "2025-03",
        {0: (D(2025, 3, 10), "发现问题待后续处理", None)},
        target=folder / "b.xlsx",
    )
    for day in (11, 12, 13, 14):
        result = invoke("run", "--plan", assigned, "--today", f"2025-03-{day}")
        assert result.exit_code == 1, result.output
        assert "结果冲突" in result.stdout and "a.xlsx" in result.stdout
        assert "b.xlsx" in result.stdout and "第 3 行" in result.stdout
    assert _result_events(assigned) == 1  # the first file's value, never flipped
    [value] = _results(assigned).values()
    assert value["result"] == "未发现问题"
    # A person settles it: the file that was wrong is corrected (here: made a copy of the
    # right one, byte for byte), the conflict is gone.
    shutil.copy(folder / "a.xlsx", folder / "b.xlsx")
    settled = invoke("run", "--plan", assigned, "--today", "2025-03-14")
    assert settled.exit_code == 0 and "结果冲突" not in settled.stdout


def test_prefer_settles_a_conflict_for_the_file_given(assigned: Path) -> None:
    a = fill_task_sheet(
        assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)}, assigned.parent / "a.xlsx"
    )
    b = fill_task_sheet(
        assigned,
        "2025-03",
        {0: (D(2025, 3, 11), "未发现问题", None)},
        assigned.parent / "b.xlsx",
    )
    assert (
        invoke("results", "import", a, "--plan", assigned, "--today", "2025-03-12").exit_code == 0
    )
    held = invoke("results", "import", b, "--plan", assigned, "--today", "2025-03-12")
    assert held.exit_code == 1 and "冲突，未导入" in held.stdout and "--prefer" in held.stderr
    chosen = invoke("results", "import", b, "--plan", assigned, "--today", "2025-03-12", "--prefer")
    assert chosen.exit_code == 0
    [value] = _results(assigned).values()
    assert value["inspected_on"] == "2025-03-11"


# -- 3. corrections after publication -------------------------------------------------------------


def test_a_corrected_published_result_is_published_again_as_a_correction(assigned: Path) -> None:
    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    assert (
        invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-11").exit_code
        == 0
    )
    assert invoke("publish", "--plan", assigned, "--today", "2025-03-11").exit_code == 0
    marked = invoke(
        "publish", "--plan", assigned, "--mark-published", "2025-03-11", "--today", "2025-03-11"
    )
    assert marked.exit_code == 0
    # Found wrong later: the officer changes the result (the 公示日期 cell still shows the old).
    fill_task_sheet(
        assigned, "2025-03", {0: (D(2025, 3, 10), "发现问题经责令已改正", "2025-03-11")}, sheet
    )
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-20")
    assert result.exit_code == 0 and "更正已公示的结果 1 条" in result.stdout
    status = json.loads(
        invoke("deadline-check", "--plan", assigned, "--today", "2025-03-20", "--json").stdout
    )
    assert [(s["status"], s["corrected_on"], s["deadline"]) for s in status[:1]] == [
        ("pending", "2025-03-20", "2025-03-27")  # its own deadline, from the 更正 day
    ]
    published = invoke("publish", "--plan", assigned, "--today", "2025-03-20")
    assert published.exit_code == 0 and "其中更正 1 条" in published.stdout
    [path] = (assigned.parent / "输出" / "公示").glob("公示表-2025-03-20-*.xlsx")
    book = openpyxl.load_workbook(path)
    assert "公示表" not in book.sheetnames  # nothing new, only the correction
    rows = list(book["更正公示"].iter_rows(values_only=True))
    assert "更正" in str(rows[0][0])
    header, row = rows[1], rows[2]
    assert header[4:10] == (
        "更正项目",
        "原公示内容",
        "更正后内容",
        "原公示日期",
        "更正日期",
        "公示截止日期",
    )
    assert row[4] == "检查结果" and row[5] == "检查结果：未发现问题"
    assert row[6] == "检查结果：发现问题经责令已改正"
    assert row[7].date() == D(2025, 3, 11) and row[8].date() == D(2025, 3, 20)
    late = invoke("deadline-check", "--plan", assigned, "--today", "2025-03-31")
    assert late.exit_code == 1 and "逾期" in late.stdout and "（更正）" in late.stdout
    invoke("publish", "--plan", assigned, "--mark-published", "2025-03-21", "--today", "2025-03-21")
    [value] = _results(assigned).values()
    assert (
        value["published_on"] == "2025-03-21"
        and value["correction"]["published_on"] == "2025-03-11"
    )
    # Changed once more after the 更正 was out: a 更正 of what the public saw on 3-21, to publish.
    fill_task_sheet(
        assigned, "2025-03", {0: (D(2025, 3, 10), "发现问题待后续处理", "2025-03-21")}, sheet
    )
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-24")
    assert result.exit_code == 0 and "更正已公示的结果 1 条" in result.stdout, result.output
    [value] = _results(assigned).values()
    assert value["published_on"] == "" and value["correction"] == {
        "result": "发现问题经责令已改正",
        "inspected_on": "2025-03-10",
        "published_on": "2025-03-21",
        "corrected_on": "2025-03-24",
    }
    status = json.loads(
        invoke("deadline-check", "--plan", assigned, "--today", "2025-03-24", "--json").stdout
    )
    assert [(s["status"], s["deadline"]) for s in status[:1]] == [("pending", "2025-03-31")]


def test_changing_an_unpublished_result_is_no_correction(assigned: Path) -> None:
    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-11")
    fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "发现问题待后续处理", None)}, sheet)
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-12")
    assert result.exit_code == 0 and "更正" not in result.stdout
    [value] = _results(assigned).values()
    assert "correction" not in value


# -- 4. one 公示表 per batch ------------------------------------------------------------------------


def test_one_publication_sheet_per_batch_and_marking_the_chosen_one(assigned: Path) -> None:
    folder = assigned.parent / "结果"
    fill_task_sheet(
        assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)}, target=folder / "a.xlsx"
    )
    for day in range(11, 15):  # four days, one batch
        run_day(assigned, D(2025, 3, day))
    sheets = sorted((assigned.parent / "输出" / "公示").glob("*.xlsx"))
    assert [p.name[:14] for p in sheets] == ["公示表-2025-03-11"]
    fill_task_sheet(
        assigned,
        "2025-03",
        {0: (D(2025, 3, 10), "未发现问题", None), 1: (D(2025, 3, 14), "未发现问题", None)},
        target=folder / "a.xlsx",
    )
    summary = run_day(assigned, D(2025, 3, 17))
    run_day(assigned, D(2025, 3, 18))
    # The new sheet lists the first one's result again: only it stays among the live sheets,
    # the first is kept aside, and the day's summary says which replaces which.
    public = assigned.parent / "输出" / "公示"
    [live] = public.glob("*.xlsx")
    [aside] = (public / "已被取代").glob("*.xlsx")
    assert live.name.startswith("公示表-2025-03-17") and aside.name.startswith("公示表-2025-03-11")
    assert any(f"公示表 {aside.name} 已被 {live.name} 取代" in a for a in summary.actions)
    sheets = [aside, live]
    # Marking a date before a sheet was written is refused, nothing recorded.
    early = invoke(
        "publish", "--plan", assigned, "--mark-published", "2025-03-14", "--sheet", live.name,
        "--today", "2025-03-18",
    )  # fmt: skip
    assert early.exit_code == 2 and f"早于公示表 {live.name} 写出的日期 2025-03-17" in early.stderr
    # The clerk had published the first sheet on 03-12 after all and marks it late, by name:
    # it is a live sheet again.
    first = invoke(
        "publish", "--plan", assigned, "--mark-published", "2025-03-12", "--sheet", sheets[0].name,
        "--today", "2025-03-18",
    )  # fmt: skip
    assert first.exit_code == 0 and f"{sheets[0].name}：1 条登记" in first.stdout
    assert sorted(p.name for p in public.glob("*.xlsx")) == [aside.name, live.name]
    latest = invoke(
        "publish", "--plan", assigned, "--mark-published", "2025-03-18", "--today", "2025-03-18"
    )
    assert latest.exit_code == 0 and f"{sheets[1].name}：1 条登记" in latest.stdout
    published = {v["inspected_on"]: v["published_on"] for v in _results(assigned).values()}
    assert published == {"2025-03-10": "2025-03-12", "2025-03-14": "2025-03-18"}


def test_an_older_sheet_never_marked_is_warned_about(assigned: Path) -> None:
    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-11")
    invoke("publish", "--plan", assigned, "--today", "2025-03-11")
    fill_task_sheet(
        assigned,
        "2025-03",
        {0: (D(2025, 3, 10), "未发现问题", None), 1: (D(2025, 3, 12), "未发现问题", None)},
        sheet,
    )
    invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-12")
    invoke("publish", "--plan", assigned, "--today", "2025-03-12")
    marked = invoke(
        "publish", "--plan", assigned, "--mark-published", "2025-03-13", "--today", "2025-03-13"
    )
    assert marked.exit_code == 0 and "较早的公示表 公示表-2025-03-11-" in marked.stdout
    assert "从未登记公示" in marked.stdout


def test_publish_by_month_names_the_month_once(assigned: Path) -> None:
    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-11")
    result = invoke("publish", "--plan", assigned, "--month", "2025-03", "--today", "2025-03-11")
    assert result.exit_code == 0
    [path] = (assigned.parent / "输出" / "公示").glob("*.xlsx")
    assert path.name.count("2025-03") == 1


# -- 5. nothing drawn goes uninspected quietly ------------------------------------------------------


def test_enterprises_without_results_are_listed_by_name_after_the_grace(assigned: Path) -> None:
    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-11")
    invoke("publish", "--plan", assigned, "--today", "2025-03-11")
    invoke("publish", "--plan", assigned, "--mark-published", "2025-03-11", "--today", "2025-03-11")
    text = assigned.read_text(encoding="utf-8")
    assigned.write_text(
        text.replace("deadline_workdays: 5", "deadline_workdays: 5\nresults_grace_workdays: 3"),
        encoding="utf-8",
    )
    assert invoke("run", "--plan", assigned, "--today", "2025-04-02").exit_code == 0  # grace
    result = invoke("run", "--plan", assigned, "--today", "2025-04-04")
    assert result.exit_code == 1
    missing = json.loads(
        invoke("deadline-check", "--plan", assigned, "--today", "2025-04-04", "--json").stdout
    )
    missing = [s for s in missing if s["status"] == "no_result"]
    assert len(missing) == 18
    log = (assigned.parent / "日志" / "ssj-run-2025-04-04.log").read_text(encoding="utf-8")
    for status in missing:  # every one, by name, with whom to ask
        line = f"没有检查结果：{status['scope']} {status['uscc']} {status['name']}，检查人员 "
        assert line in result.stdout and line in log
    check = invoke("deadline-check", "--plan", assigned, "--today", "2025-04-04")
    assert check.exit_code == 1 and "18 家抽中企业月份已过仍没有检查结果" in check.stderr


# -- 6. deadline-check for a person ------------------------------------------------------------------


def test_deadline_check_is_sorted_filtered_and_fits_80_columns(assigned: Path) -> None:
    sheet = fill_task_sheet(
        assigned,
        "2025-03",
        {
            0: (D(2025, 3, 3), "未发现问题", None),
            1: (D(2025, 3, 10), "未发现问题", None),
            2: (D(2025, 3, 5), "未发现问题", None),
        },
    )
    invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-14")
    found = json.loads(
        invoke("deadline-check", "--plan", assigned, "--today", "2025-03-14", "--json").stdout
    )
    assert [(s["status"], s["workdays_left"]) for s in found] == [
        ("overdue", -4),  # the latest first
        ("overdue", -2),
        ("pending", 1),
    ]
    assert all(s["officers"] for s in found)
    from typer.testing import CliRunner

    from shuangsuiji.cli import app

    narrow = CliRunner(env={"COLUMNS": "80"}).invoke(
        app,
        ["deadline-check", "--plan", str(assigned), "--today", "2025-03-14", "--status", "已逾期"],
    )
    assert narrow.exit_code == 1
    lines = narrow.stdout.splitlines()
    assert "逾期 4 个工作日" in lines[1] and "逾期 2 个工作日" in lines[3]
    assert "待公示" not in narrow.stdout and "还剩" not in narrow.stdout
    assert all(s["uscc"] in narrow.stdout for s in found[:2])  # never wrapped
    assert "检查人员：" + "、".join(found[0]["officers"]) in narrow.stdout
    assert max(len(line) for line in lines) <= 80
    bad = invoke("deadline-check", "--plan", assigned, "--status", "迟了")
    assert bad.exit_code == 2 and "不认识的状态" in bad.stderr


# -- 7. 递补 keeps the clerk's work ------------------------------------------------------------------


def test_a_replacement_keeps_what_the_clerk_typed(assigned: Path) -> None:
    path = assigned.parent / MARCH_SHEET
    book = openpyxl.load_workbook(path)
    main = book["检查任务单"]
    row = next(main.iter_rows(min_row=3))
    row[5].value, row[6].value, row[8].value = D(2025, 3, 10), "未发现问题", "企业负责人已签字"
    book.save(path)
    groups = json.loads(
        invoke("assign", "--plan", assigned, "--month", "2025-03", "--json").stdout
    )["groups"]
    leaving = groups[0]["officers"][0]
    result = invoke(
        "assign", "--plan", assigned, "--month", "2025-03", "--replace", leaving["name"],
        "--reason", "病假", "--today", "2025-03-12",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    after = openpyxl.load_workbook(path)["检查任务单"]
    kept = next(after.iter_rows(min_row=3, values_only=True))
    assert kept[5].date() == D(2025, 3, 10) and kept[6] == "未发现问题"
    assert kept[8] == "企业负责人已签字"
    notes = [str(c.value) for c in after["A"] if str(c.value).startswith("注：分组说明")]
    assert any(f"递补：{leaving['name']}→" in n and "2025-03-12" in n for n in notes)
    [backup] = (path.parent / "备份").glob("*.xlsx")
    assert backup.name == "检查任务单-2025-03-备份-2025-03-12.xlsx"
    old = openpyxl.load_workbook(backup)["检查任务单"]
    assert next(old.iter_rows(min_row=3, values_only=True))[8] == "企业负责人已签字"
    # What the clerk typed is left alone by the daily batch as long as the groups stand.
    before = path.read_bytes()
    run_day(assigned, D(2025, 3, 13))
    assert path.read_bytes() == before


def test_replacing_the_only_expert_says_so(assigned: Path) -> None:
    with Ledger.at(assigned.parent) as ledger:
        record = json.loads(ledger.assignment("2025-03") or "{}")
    eligible = [o for o in record["officers"] if o["on_duty"] and o["cert_until"] >= "2025-03-31"]

    def experts(industries: list[str]) -> set[str]:
        return {o["id"] for o in eligible if set(industries) & set(o["fields"])}

    # A group whose one expert is the only eligible expert of its industries (高艳: 冶金, 建材).
    group, expert = next(
        (g, only)
        for g in record["groups"]
        if len(found := experts(g["industry"].split("、"))) == 1
        and (only := next(iter(found))) in {o["id"] for o in g["officers"]}
    )
    result = invoke(
        "assign", "--plan", assigned, "--month", "2025-03", "--replace", expert, "--reason", "病假"
    )
    assert result.exit_code == 0, result.output
    assert f"递补后没有专业领域为“{group['industry']}”的人员" in result.stderr


# -- 8. plan mistakes that quietly shrink a draw -------------------------------------------------


def test_a_target_value_matching_no_enterprise_is_an_error_with_suggestions(
    workspace: Path,
) -> None:
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(text.replace("危险化学品生产,", "危险化学品生厂,"), encoding="utf-8")
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 2
    flat = result.stderr.replace("\n", "").replace(" ", "")
    assert "没有行业类别为“危险化学品生厂”的企业" in flat and "危险化学品生产" in flat
    assert not (workspace.parent / "ssj.db").exists()
    # A value the bureau knows no enterprise has this year is said so in the plan.
    expected = text.replace("危险化学品生产,", "危险化学品生产, 危险化学品运输,").replace(
        "  - id: AJ-01\n", "  - id: AJ-01\n    absent_targets: {行业类别: [危险化学品运输]}\n"
    )
    workspace.write_text(expected, encoding="utf-8")
    validated = invoke("validate", "--plan", workspace)
    assert validated.exit_code == 0 and "计划已说明可以没有" in validated.stdout


def test_draw_shows_the_workspace_warnings(workspace: Path) -> None:
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 0
    assert "抽取时的输入警告" in result.stderr and "执法证" in result.stderr


# -- 9. contradictory results ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    ["未发现问题；发现问题经责令已改正", "已关闭停业或正在组织清算；未按规定公示应当公示的信息"],
)
def test_contradictory_results_are_rejected_with_the_rule(assigned: Path, result: str) -> None:
    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), result, None)})
    imported = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-12")
    assert imported.exit_code == 2
    flat = imported.stderr.replace("\n", "").replace(" ", "")
    assert "检查结果自相矛盾" in flat and "只能单独填写" in flat and "可以互相组合" in flat


def test_findings_combine(assigned: Path) -> None:
    both = "发现问题经责令已改正；未按规定公示应当公示的信息"
    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), both, None)})
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-12")
    assert result.exit_code == 0, result.output


# -- 10. the daily batch says when it has nothing to work on --------------------------------------


def test_a_run_outside_the_plan_year_needs_attention(workspace: Path) -> None:
    result = invoke("run", "--plan", workspace, "--today", "2024-12-02")
    assert (
        result.exit_code == 1 and "2025 年度" in result.stdout and "之前不会抽取" in result.stdout
    )


def test_notify_gets_the_summary_on_stdin(assigned: Path, tmp_path: Path) -> None:
    received = tmp_path / "mail.txt"
    command = f"{sys.executable} -c \"import sys; open(r'{received}', 'w', encoding='utf-8').write(sys.stdin.read())\""
    quiet = invoke("run", "--plan", assigned, "--today", "2025-03-04", "--notify", command)
    assert quiet.exit_code == 0 and not received.exists()  # nothing to tell
    late = invoke("run", "--plan", assigned, "--today", "2025-04-02", "--notify", command)
    assert late.exit_code == 1
    text = received.read_text(encoding="utf-8")
    assert "需要处理（19 项）" in text and "没有检查结果：AJ-01/2025-03" in text


def test_the_shipped_schedules_do_not_swallow_exit_1() -> None:
    service = (EXAMPLES / "cron" / "ssj-run.service").read_text(encoding="utf-8")
    crontab = (EXAMPLES / "cron" / "crontab").read_text(encoding="utf-8")
    assert "SuccessExitStatus" not in service.split("[Service]")[1]
    assert "--notify" in service and "--notify" in crontab and "MAILTO=" in crontab


# -- 11. messages -------------------------------------------------------------------------------


def test_a_missing_results_file_is_named_as_such(assigned: Path) -> None:
    result = invoke("results", "import", assigned.parent / "没有.xlsx", "--plan", assigned)
    assert result.exit_code == 2
    assert "文件不存在" in result.stderr and "rosters" not in result.stderr


def test_an_invalid_date_is_called_invalid(assigned: Path) -> None:
    result = invoke("deadline-check", "--plan", assigned, "--today", "2025-02-30")
    assert result.exit_code == 2 and "不是有效的日期" in result.stderr


def test_suggested_commands_run_as_printed(tmp_path: Path) -> None:
    # Only the example's own files: never what a command run in examples/ left there.
    plan = copy_examples(tmp_path / "年度 计划")
    result = invoke("assign", "--plan", plan, "--month", "2025-03")
    assert result.exit_code == 2
    assert f"ssj draw --plan '{plan}' --month 2025-03" in result.stderr.replace("\n", "")


def test_event_times_are_shown_in_the_plan_time_zone(assigned: Path) -> None:
    events = json.loads(invoke("audit", "log", "--plan", assigned, "--json").stdout)
    at = dt.datetime.fromisoformat(events[0]["at"])
    shanghai = at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    assert events[0]["local_at"] == shanghai
    assert shanghai in invoke("audit", "log", "--plan", assigned).stdout


def test_a_task_sheet_written_by_0_2_still_imports(assigned: Path) -> None:
    # 0.2's group sheets had no 任务编号: they are left out, the overview sheet is read.
    sheet = fill_task_sheet(assigned, "2025-03", {0: (D(2025, 3, 10), "未发现问题", None)})
    book = openpyxl.load_workbook(sheet)
    for name in book.sheetnames[1:-1]:
        book[name].delete_cols(2)
    book.save(sheet)
    result = invoke("results", "import", sheet, "--plan", assigned, "--today", "2025-03-12")
    assert result.exit_code == 0 and "新结果或改动 1 条" in result.stdout, result.output
