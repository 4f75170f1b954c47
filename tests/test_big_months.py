"""Big months: print-ready lists are for what people print. Past the plan's
``print_max_selected`` a month's 抽取结果 is written as columns (csv with BOM, parquet) beside a
summary workbook, and ``ssj pages`` prints each unit's own list.

The limit is lowered here so the example month crosses it; the example roster has 所属街道.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from shuangsuiji.commands.pages import unit_pages
from shuangsuiji.inputs.tasksheet import HEADERS
from shuangsuiji.outputs.draws import RESULT_HEADERS

from .conftest import copy_examples, fill_task_sheet, group_page_rows, invoke, task_rows

MONTH = Path("输出") / "2025-03"
STREET = "所属街道"


def _limit(plan: Path, limit: int) -> None:
    text = plan.read_text(encoding="utf-8")
    plan.write_text(f"print_max_selected: {limit}\n{text}", encoding="utf-8")


def _draw(plan: Path) -> None:
    result = invoke("draw", "--plan", plan, "--month", "2025-03", "--json")
    assert result.exit_code == 0, result.output


def _csv_rows(folder: Path) -> list[list[str]]:
    data = (folder / "抽取结果-2025-03.csv").read_bytes()
    assert data.startswith("\ufeff".encode())  # Excel and WPS open it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _streets(plan: Path) -> dict[str, str]:
    book = openpyxl.load_workbook(plan.parent / "enterprises.xlsx", read_only=True)
    rows = [[str(c or "").strip() for c in r] for r in book.active.iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if "统一社会信用代码" in r)
    code, street = rows[at].index("统一社会信用代码"), rows[at].index(STREET)
    return {r[code]: r[street] for r in rows[at + 1 :] if r[code]}


def _records(folder: Path) -> list[tuple[str, int, str, str, str]]:
    """(task, rank, code, name, ticket) of the month's records, in file order."""
    import json

    found = []
    for path in sorted(folder.glob("抽取记录-*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        found += [
            (record["item_id"], s["rank"], s["uscc"], s["name"], s["ticket"])
            for s in record["selected"]
        ]
    return found


def _sheet(path: Path, title: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [list(r) for r in book[title].iter_rows(values_only=True)]


def test_a_big_months_list_is_columns_beside_a_summary(workspace: Path) -> None:
    _limit(workspace, 5)
    _draw(workspace)
    folder = workspace.parent / MONTH
    selected = _records(folder)
    rows = _csv_rows(folder)
    assert tuple(rows[0]) == (*RESULT_HEADERS, STREET)
    streets = _streets(workspace)
    assert [(r[1], int(r[0]), r[4], r[5], r[6]) for r in rows[1:]] == selected
    assert all(r[7] == streets[r[4]] for r in rows[1:]) and len(selected) > 5
    # The parquet file holds the same list, ranks as numbers.
    table = pq.read_table(folder / "抽取结果-2025-03.parquet")
    assert table.column_names == rows[0]
    assert table.column("序号").to_pylist() == [int(r[0]) for r in rows[1:]]
    assert table.column("统一社会信用代码").to_pylist() == [r[4] for r in rows[1:]]
    # On paper: counts per task and per unit, and where the list is.
    summary = _sheet(folder / "抽取结果-2025-03.xlsx", "抽取结果")
    text = "\n".join(str(c) for r in summary for c in r if c is not None)
    assert "抽取结果-2025-03.csv" in text and "抽取结果-2025-03.parquet" in text
    assert "ssj pages" in text and "（汇总）" in text
    head = [r[0] for r in summary].index("任务编号")
    counts = {r[0]: r[3] for r in summary[head + 1 :]}
    assert counts == {
        "AJ-01": sum(1 for s in selected if s[0] == "AJ-01"),
        "AJ-02": sum(1 for s in selected if s[0] == "AJ-02"),
        "合计": len(selected),
    }
    by_unit = _sheet(folder / "抽取结果-2025-03.xlsx", "按单位")
    head = [r[0] for r in by_unit].index(STREET)
    expected: dict[str, int] = {}
    for s in selected:
        expected[streets[s[2]]] = expected.get(streets[s[2]], 0) + 1
    assert {r[0]: r[-1] for r in by_unit[head + 1 :]} == expected


def test_units_of_a_month_drawn_in_two_runs(workspace: Path) -> None:
    # The second run takes units with the names of what it draws and looks up the rest.
    _limit(workspace, 5)
    for item in ("AJ-01", "AJ-02"):
        result = invoke("draw", "-p", workspace, "-m", "2025-03", "--item", item, "--json")
        assert result.exit_code == 0, result.output
    rows = _csv_rows(workspace.parent / MONTH)
    streets = _streets(workspace)
    assert {r[1] for r in rows[1:]} == {"AJ-01", "AJ-02"}
    assert all(r[7] == streets[r[4]] for r in rows[1:])


def test_a_month_at_the_limit_is_printed_as_one_list(tmp_path: Path) -> None:
    # The example month's size, found by drawing it once, is then the limit of a fresh copy.
    first = copy_examples(tmp_path / "first")
    _draw(first)
    total = len(_records(first.parent / MONTH))
    plan = copy_examples(tmp_path / "second")
    _limit(plan, total)
    _draw(plan)
    folder = plan.parent / MONTH
    assert not list(folder.glob("抽取结果-*.csv")) and not list(folder.glob("*.parquet"))
    listed = _sheet(folder / "抽取结果-2025-03.xlsx", "抽取结果")
    head = [r[0] for r in listed].index("序号")
    assert [(r[1], r[0], r[2], r[3], r[4]) for r in listed[head + 1 :]] == _records(folder)
    assert "按单位" not in openpyxl.load_workbook(folder / "抽取结果-2025-03.xlsx").sheetnames


def test_a_lost_column_file_is_written_again(workspace: Path) -> None:
    _limit(workspace, 5)
    _draw(workspace)
    folder = workspace.parent / MONTH
    wanted = (folder / "抽取结果-2025-03.parquet").read_bytes()
    listed = folder / "抽取结果-2025-03.csv"
    kept, text = listed.stat().st_ino, listed.read_bytes()
    (folder / "抽取结果-2025-03.parquet").unlink()
    _draw(workspace)  # heals before answering
    assert (folder / "抽取结果-2025-03.parquet").read_bytes() == wanted
    assert listed.stat().st_ino == kept  # the same list is not written again
    listed.write_bytes(text.replace(b"\n", b"\r\n", 1))  # edited by hand
    _draw(workspace)
    assert listed.read_bytes() == text


def test_pages_prints_each_units_own_list(workspace: Path) -> None:
    _limit(workspace, 5)
    _draw(workspace)
    folder = workspace.parent / MONTH
    rows = _csv_rows(folder)[1:]
    result = invoke("pages", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 0, result.output
    units = sorted({r[7] for r in rows})
    assert len(units) > 1
    for unit in units:
        path = folder / "分单位" / unit / f"抽取结果-2025-03-{unit}.xlsx"
        assert f"已写出 {path}" in result.stderr.replace("\n", "")
        listed = _sheet(path, "抽取结果")
        assert f"{STREET}：{unit}" in str(listed[0][0])
        head = [r[0] for r in listed].index("序号")
        mine = [(r[1], int(r[0]), r[4], r[5], r[6]) for r in rows if r[7] == unit]
        assert [(r[1], r[0], r[2], r[3], r[4]) for r in listed[head + 1 :]] == mine
        assert "抽取参数" in openpyxl.load_workbook(path, read_only=True).sheetnames
    again = invoke("pages", "--plan", workspace, "--month", "2025-03")
    assert again.exit_code == 0 and "与上次相同，未改动" in again.stderr
    # One unit alone; the library gives what the command prints.
    outcome = unit_pages(workspace, "2025-03", unit=units[0])
    assert outcome.units == [(units[0], sum(1 for r in rows if r[7] == units[0]))]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025-03", "--unit", "不存在街道"], "没有“所属街道”为“不存在街道”的"),
        (["--month", "2025-03", "--by", "所属片区"], "没有“所属片区”列"),
        (["--month", "2025-04"], "2025-04 还没有抽取"),
        (["--month", "2025-13"], "不是有效的月份"),
    ],
)
def test_pages_refuses_what_it_cannot_print(workspace: Path, args: list[str], message: str) -> None:
    _draw(workspace)
    result = invoke("pages", "--plan", workspace, *args)
    assert result.exit_code == 2 and message in result.output.replace("\n", "")
    assert not (workspace.parent / MONTH / "分单位").exists()


def _assign(plan: Path, limit: int) -> None:
    text = plan.read_text(encoding="utf-8")
    plan.write_text(f"print_max_enterprises: {limit}\n{text}", encoding="utf-8")
    _draw(plan)
    result = invoke("assign", "--plan", plan, "--month", "2025-03")
    assert result.exit_code == 0, result.output
    assert "超过打印上限" in result.stderr and "ssj pages" in result.stderr


def _task_rows(folder: Path) -> list[dict[str, str]]:
    data = (folder / "检查任务单-2025-03.csv").read_bytes()
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _groups(plan: Path) -> list[dict[str, object]]:
    import json

    shown = invoke("assign", "-p", plan, "-m", "2025-03", "--json")
    groups: list[dict[str, object]] = json.loads(shown.stdout)["groups"]
    return groups


def _import_filled(workspace: Path, rows: list[dict[str, str]], today: str) -> None:
    """The list as officers fill it in Excel or WPS (saved as csv again), imported."""
    filled = workspace.parent / "填好的任务单.csv"
    with filled.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = invoke("results", "import", filled, "-p", workspace, "--today", today)
    assert result.exit_code == 0, result.output


def test_a_big_months_task_sheet_is_columns_and_imports_back(workspace: Path) -> None:
    _assign(workspace, 3)
    folder = workspace.parent / MONTH
    rows = _task_rows(folder)
    groups = _groups(workspace)
    listed = [(g["scope"], e["uscc"]) for g in groups for e in g["enterprises"]]  # type: ignore[attr-defined]
    assert [(r["任务编号"], r["统一社会信用代码"]) for r in rows] == listed
    assert list(rows[0]) == [*HEADERS, STREET]
    streets = _streets(workspace)
    assert all(r[STREET] == streets[r["统一社会信用代码"]] for r in rows)
    assert pq.read_table(folder / "检查任务单-2025-03.parquet").num_rows == len(rows)
    assert not (folder / "现场检查文书-2025-03.xlsx").exists()  # per unit: ssj pages
    summary = _sheet(folder / "检查任务单-2025-03.xlsx", "汇总")
    text = "\n".join(str(c) for r in summary for c in r if c is not None)
    assert "检查任务单-2025-03.csv" in text and "ssj results import" in text
    assert summary[-1][0] == "合计" and summary[-1][3] == len(rows)
    # Officers fill the csv in Excel or WPS (saved as csv again); it imports as the sheet does.
    rows[0]["检查日期"], rows[0]["检查结果"] = "2025-03-10", "未发现问题"
    rows[1]["检查日期"], rows[1]["检查结果"] = "2025-03-11", "发现问题经责令已改正"
    _import_filled(workspace, rows, "2025-03-12")
    shown = invoke("deadline-check", "-p", workspace, "--today", "2025-03-12", "--json")
    found = {(s["scope"], s["uscc"]): s for s in __import__("json").loads(shown.stdout)}
    dated = {k: s["result_date"] for k, s in found.items() if s["result_date"]}
    assert dated == {
        (rows[0]["任务编号"], rows[0]["统一社会信用代码"]): "2025-03-10",
        (rows[1]["任务编号"], rows[1]["统一社会信用代码"]): "2025-03-11",
    }
    assert "检查结果只能填" in text  # the csv has no drop-down: the summary lists the choices


def test_after_a_substitution_an_inspected_enterprise_keeps_its_officers(workspace: Path) -> None:
    # A 递补 after an inspection: in the list, the enterprise inspected keeps the officers who
    # inspected it, the rest of its group shows who steps in.
    _assign(workspace, 3)
    folder = workspace.parent / MONTH
    rows = _task_rows(folder)
    group = next(g for g in _groups(workspace) if len(g["enterprises"]) > 1)  # type: ignore[arg-type]
    scope, label = str(group["scope"]), f"第{group['group']}组"
    ours = [r for r in rows if (r["任务编号"], r["检查组"]) == (scope, label)]
    ours[0]["检查日期"], ours[0]["检查结果"] = "2025-03-10", "未发现问题"
    _import_filled(workspace, rows, "2025-03-11")
    leaving = group["officers"][0]  # type: ignore[index]
    replaced = invoke(
        "assign", "-p", workspace, "-m", "2025-03", "--replace", leaving["id"],
        "--group", f"{scope.split('/')[0]}:{group['group']}",
        "--reason", "病假", "--today", "2025-03-12",
    )  # fmt: skip
    assert replaced.exit_code == 0, replaced.output
    after = _task_rows(folder)
    named = {
        r["统一社会信用代码"]: r["检查人员"]
        for r in after
        if (r["任务编号"], r["检查组"]) == (scope, label)
    }
    assert leaving["name"] in named.pop(ours[0]["统一社会信用代码"])
    assert named and not any(leaving["name"] in n for n in named.values())


def test_typed_cells_of_the_list_survive_a_new_version(workspace: Path) -> None:
    _assign(workspace, 3)
    folder = workspace.parent / MONTH
    rows = _task_rows(folder)
    rows[0]["检查日期"], rows[0]["备注"] = "2025-03-10", "已电话预约"
    path = folder / "检查任务单-2025-03.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    leaving = _groups(workspace)[-1]["officers"][0]["id"]  # type: ignore[index]
    replaced = invoke(
        "assign", "-p", workspace, "-m", "2025-03", "--replace", leaving,
        "--reason", "病假", "--today", "2025-03-05",
    )  # fmt: skip
    assert replaced.exit_code == 0, replaced.output
    again = {r["统一社会信用代码"]: r for r in _task_rows(folder)}
    assert again[rows[0]["统一社会信用代码"]]["备注"] == "已电话预约"
    assert again[rows[0]["统一社会信用代码"]]["检查日期"] == "2025-03-10"
    assert list((folder / "备份").glob("检查任务单-2025-03-备份-2025-03-05.csv"))


def test_pages_prints_each_units_groups_and_documents_once(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(f"document_number: 洛龙应急检〔2025〕\n{text}", encoding="utf-8")
    _assign(workspace, 3)
    folder = workspace.parent / MONTH
    result = invoke("pages", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 0, result.output
    groups = _groups(workspace)
    streets = _streets(workspace)
    seen: list[tuple[str, str]] = []
    notices: list[str] = []
    for sheet in sorted((folder / "分单位").glob("*/检查任务单-2025-03-*.xlsx")):
        unit = sheet.parent.name
        book = openpyxl.load_workbook(sheet)
        assert f"（{STREET}：{unit}）" in str(book["检查任务单"]["A1"].value)
        listed = task_rows(book["检查任务单"])
        seen += [(r["任务编号"], r["统一社会信用代码"]) for r in listed]
        mine = {(r["任务编号"], r["检查组"]) for r in listed}
        assert {(r[1], r[2]) for r in group_page_rows(book["分组检查单"])} == {
            (r["任务编号"], r["统一社会信用代码"]) for r in listed
        }
        for g in groups:
            codes = [e["uscc"] for e in g["enterprises"]]  # type: ignore[attr-defined]
            if (g["scope"], f"第{g['group']}组") in mine:  # the group's unit: most of its firms
                at = [streets[c] for c in codes]
                assert at.count(unit) == max(at.count(u) for u in at)
        docs = _sheet(
            sheet.with_name(sheet.name.replace("检查任务单", "现场检查文书")), "现场检查文书"
        )
        notices += [str(c) for r in docs for c in r if c and str(c).startswith("文号")]
    everyone = [(str(g["scope"]), e["uscc"]) for g in groups for e in g["enterprises"]]  # type: ignore[attr-defined]
    assert sorted(seen) == sorted(everyone)  # every enterprise printed once, in one unit
    # The month's 文号, each once: as the month's own documents would number them.
    wanted = {f"文号：洛龙应急检〔2025〕{3001 + n}号" for n in range(2 * len(everyone))}
    assert sorted(notices) == sorted(wanted)


def test_a_month_that_becomes_big_keeps_what_was_typed_into_its_sheet(workspace: Path) -> None:
    # Assigned as a district's month, filled in, then the plan's limit lowered: the list
    # becomes columns and carries what was typed; the print-ready sheet is kept as a backup.
    _draw(workspace)
    assert invoke("assign", "--plan", workspace, "--month", "2025-03").exit_code == 0
    folder = workspace.parent / MONTH
    sheet = folder / "检查任务单-2025-03.xlsx"
    fill_task_sheet(workspace, "2025-03", {0: (dt.date(2025, 3, 10), None, None)}, target=sheet)
    first = task_rows(openpyxl.load_workbook(sheet)["检查任务单"])[0]["统一社会信用代码"]
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(f"print_max_enterprises: 3\n{text}", encoding="utf-8")
    again = invoke("assign", "--plan", workspace, "--month", "2025-03")
    assert again.exit_code == 0, again.output
    rows = {r["统一社会信用代码"]: r for r in _task_rows(folder)}
    assert rows[first]["检查日期"] == "2025-03-10"
    assert len(list((folder / "备份").glob("检查任务单-2025-03-备份-*.xlsx"))) == 1


def test_units_whose_names_clash_as_files_get_folders_of_their_own() -> None:
    from shuangsuiji.commands.pages import folder_names

    names = folder_names(["李村镇", "一/二", "一_二", "CON.", "", "一:二"])
    assert names["李村镇"] == "李村镇" and names[""] == "_"
    assert sorted(names[u] for u in ("一/二", "一_二", "一:二")) == ["一_二", "一_二-2", "一_二-3"]
    assert len(set(names.values())) == len(names)
    assert folder_names(reversed(list(names))) == names  # by the names, whatever their order
