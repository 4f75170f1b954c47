"""The workbooks ssj writes, as people open and print them: re-opened with openpyxl for their
print settings, and rendered with LibreOffice (where installed) to count the printed pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from shuangsuiji.commands.assign import assign_month
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.outputs.excel import Page, PagedSheet, Sheet, row_height, workbook_bytes

from .conftest import header_row

MARCH = Path("输出") / "2025-03"


@pytest.fixture
def march(workspace: Path) -> Path:
    draw_month(workspace, "2025-03")
    assign_month(workspace, "2025-03")
    return workspace.parent / MARCH


def test_the_same_content_gives_the_same_bytes() -> None:
    # No clock in the file: document dates and zip timestamps are fixed.
    sheets = [Sheet("表", ["甲", "乙"], [[1, dt.date(2025, 3, 1)], ["文字", None]], caption="标题")]
    first = hashlib.sha256(workbook_bytes(sheets)).hexdigest()
    assert hashlib.sha256(workbook_bytes(sheets)).hexdigest() == first
    changed = [
        Sheet("表", ["甲", "乙"], [[2, dt.date(2025, 3, 1)], ["文字", None]], caption="标题")
    ]
    assert hashlib.sha256(workbook_bytes(changed)).hexdigest() != first


def test_text_stays_text_and_dates_are_dates(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [["=1+1", "+86 123", "-5", "@SUM(A1)", dt.date(2025, 3, 10), 7]]
    path.write_bytes(
        workbook_bytes([Sheet("表", ["a", "b", "c", "d", "日期", "n"], rows, "=标题")])
    )
    sheet = openpyxl.load_workbook(path)["表"]
    cells = list(sheet[3])
    assert [c.value for c in cells[:4]] == ["=1+1", "+86 123", "-5", "@SUM(A1)"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[:4])
    assert sheet["A1"].value == "=标题" and sheet["A1"].quotePrefix  # titles too
    assert cells[4].value == dt.datetime(2025, 3, 10) and cells[4].number_format == "yyyy-mm-dd"
    assert cells[5].value == 7


def test_every_sheet_is_set_up_for_a4(march: Path) -> None:
    for name in ("抽取结果-2025-03.xlsx", "检查任务单-2025-03.xlsx"):
        book = openpyxl.load_workbook(march / name)
        for sheet in book:
            setup = sheet.page_setup
            assert int(setup.paperSize) == 9, (name, sheet.title)  # A4
            assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0
            assert "第 &P 页 共 &N 页" in sheet.oddFooter.center.text
            assert sheet.oddHeader.center.text  # the title on every page
    results = openpyxl.load_workbook(march / "抽取结果-2025-03.xlsx")["抽取结果"]
    assert results.page_setup.orientation == "landscape"  # five columns, one a 64-char hash
    top = header_row(results)
    assert results.print_title_rows == f"${top}:${top}"  # the header row on every page
    assert results.cell(top + 1, 5).border.left.style == "thin"


def test_long_text_wraps_and_the_row_grows(march: Path) -> None:
    sheet = openpyxl.load_workbook(march / "检查任务单-2025-03.xlsx")["检查任务单"]
    # The items' long names are a note under the list, wrapped over the table's width.
    [note] = [c for c in sheet["A"] if str(c.value).startswith("注：抽查事项")]
    assert note.alignment.wrap_text and f"A{note.row}:" in str(sheet.merged_cells)
    assert sheet.row_dimensions[note.row].height >= row_height(2)
    # Every row has its height set: one CJK line at least (an unset row is too low for one).
    rows = [r for r in range(3, note.row - 1)]
    assert all(sheet.row_dimensions[r].height >= row_height(1) for r in rows)


def test_text_that_fits_its_sized_column_keeps_a_one_line_row(tmp_path: Path) -> None:
    # Columns are sized to their longest text: rows of such text must not print two lines
    # tall (a 25,000-row 抽取结果 would take twice the paper).
    rows = [[n, f"洛阳测试{n:06d}有限公司", f"91410311MA{n:08d}"] for n in range(1, 200)]
    rows.append([200, "洛阳" + "很长的企业名称" * 8 + "有限公司", "91410311MA00000000"])
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook_bytes([Sheet("表", ["名次", "企业名称", "代码"], rows)]))
    sheet = openpyxl.load_workbook(path)["表"]
    heights = {sheet.row_dimensions[r].height for r in range(2, 201)}
    assert heights == {row_height(1)}  # one CJK line, set (an unset row is too low for it)
    assert sheet.row_dimensions[201].height >= row_height(2)  # the one long name still wraps
    # A 64-character hash prints in two lines of a narrower column, not one wide line.
    path.write_bytes(workbook_bytes([Sheet("表", ["名次", "抽取号"], [[1, "0" * 64]] * 3)]))
    sheet = openpyxl.load_workbook(path)["表"]
    assert sheet.column_dimensions["B"].width < 64 and sheet.row_dimensions[2].height == row_height(
        2
    )


def test_group_pages_break_after_each_group(march: Path) -> None:
    sheet = openpyxl.load_workbook(march / "检查任务单-2025-03.xlsx")["分组检查单"]
    titles = [c.row for c in sheet["A"] if "现场检查单" in str(c.value)]
    assert [b.id for b in sheet.row_breaks.brk] == [row - 1 for row in titles[1:]]
    signatures = [c.row for c in sheet["A"] if str(c.value).startswith("检查人员签字")]
    assert len(signatures) == len(titles)
    assert all(t < s for t, s in zip(titles, signatures, strict=True))
    [header] = [
        list(r) for r in sheet.iter_rows(max_row=titles[1], values_only=True) if r[0] == "序号"
    ]
    assert "检查人员签字" in header and "企业负责人签字" in header


def test_a_thousand_pages_to_a_sheet(tmp_path: Path) -> None:
    # Excel allows 1,023 page breaks in a worksheet: more groups go on to a second sheet.
    pages = [Page(f"第{n}组", [], [[n, "AJ-01/2025-03"]]) for n in range(1, 1202)]
    path = tmp_path / "p.xlsx"
    path.write_bytes(
        workbook_bytes([PagedSheet("分组检查单", ["序号", "任务编号"], pages, "页眉")])
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["分组检查单", "分组检查单2"]
    assert len(book["分组检查单"].row_breaks.brk) == 999
    assert len(book["分组检查单2"].row_breaks.brk) == 200


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice（soffice）未安装")
def test_each_group_prints_on_one_page(march: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(march / "检查任务单-2025-03.xlsx")
    groups = sum("现场检查单" in str(c.value) for c in book["分组检查单"]["A"])
    for name in book.sheetnames:
        if name != "分组检查单":
            del book[name]
    only_pages = tmp_path / "pages.xlsx"
    book.save(only_pages)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), only_pages],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = (tmp_path / "pages.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == groups  # one sheet of paper a group


def test_site_documents_for_every_enterprise(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8")
    checklist = "checklist:\n  - 安全生产责任制落实情况\n  - 隐患排查治理情况\nitems:\n"
    workspace.write_text(text.replace("items:\n", checklist, 1), encoding="utf-8")
    draw_month(workspace, "2025-03")
    outcome = assign_month(workspace, "2025-03")
    path = workspace.parent / MARCH / "现场检查文书-2025-03.xlsx"
    assert path in outcome.files
    sheet = openpyxl.load_workbook(path)["现场检查文书"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    first = [str(r[0]) for r in cells if r[0] is not None]
    notices = [n for n, line in enumerate(first) if line.endswith("现场检查通知书")]
    records = [n for n, line in enumerate(first) if line.endswith("现场检查记录")]
    enterprises = [e for g in outcome.groups for e in g.enterprises]
    assert len(notices) == len(records) == len(enterprises)  # a notice and a record each
    assert len(sheet.row_breaks.brk) == 2 * len(enterprises) - 1  # each on its own page
    group = outcome.groups[0]
    enterprise = group.enterprises[0]
    record = "\n".join(first[records[0] : notices[1]])
    assert f"被检查单位：{enterprise.name}" in record
    assert enterprise.uscc in record and group.industry in record
    assert "检查依据：《中华人民共和国安全生产法》" in record
    assert all(o.name in record for o in group.officers)
    assert not any(o.id in " ".join(first) for g in outcome.groups for o in g.officers)
    rows = [r for r in cells if r[1] in ("安全生产责任制落实情况", "隐患排查治理情况")]
    assert len(rows) == 2 * len(enterprises)  # the plan's checklist on every record
    assert any(line.startswith("企业负责人签字") for line in first)
    notice = "\n".join(first[notices[0] : records[0]])
    assert f"{enterprise.name}：" in notice and "检查人员" in notice and "序号" not in notice


def test_lost_site_documents_are_written_again(march: Path, workspace: Path) -> None:
    path = march / "现场检查文书-2025-03.xlsx"
    kept = path.read_bytes()
    path.unlink()
    assign_month(workspace, "2025-03")  # an assigned month: nothing is redrawn, files healed
    assert path.read_bytes() == kept


def test_times_in_the_result_workbook_are_local(workspace: Path) -> None:
    import re

    from shuangsuiji.commands.draw import draw_month

    draw_month(workspace, "2025-03")
    book = openpyxl.load_workbook(
        workspace.parent / "输出" / "2025-03" / "抽取结果-2025-03.xlsx", read_only=True
    )
    times = [r[1] for r in book["抽取参数"].iter_rows(values_only=True) if r[0] == "抽取时间"]
    assert len(times) == 2  # one a draw
    for cell in times:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", str(cell)), cell


def test_no_time_people_read_carries_an_offset(workspace: Path) -> None:
    # Records and the ledger keep ISO 8601 with the offset; every time a person reads — in a
    # workbook, the page, the log, a console line — is the plan's local time without one.
    from .conftest import fill_task_sheet, invoke

    iso = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}(:\d{2})?[+-]\d{2}:\d{2}|UTC")
    said = []
    steps = [
        ("draw", "--plan", workspace, "--month", "2025-03"),
        ("draw", "--plan", workspace, "--month", "2025-03"),  # "已于 … 抽取（返回原记录）"
        ("assign", "--plan", workspace, "--month", "2025-03"),
        ("assign", "--plan", workspace, "--month", "2025-03", "--replace", "孙红梅",
         "--reason", "病假", "--today", "2025-03-05"),
    ]  # fmt: skip
    for step in steps:
        said.append(invoke(*step).output)
    sheet = fill_task_sheet(workspace, "2025-03", {0: (dt.date(2025, 3, 10), "未发现问题", None)})
    for step in [
        ("results", "import", sheet, "--plan", workspace, "--today", "2025-03-11"),
        ("publish", "--plan", workspace, "--today", "2025-03-11"),
        ("run", "--plan", workspace, "--today", "2025-03-12"),
        ("report", "--plan", workspace, "--today", "2025-03-12"),
        ("audit", "log", "--plan", workspace),
        ("verify", workspace.parent / "输出"),
    ]:
        said.append(invoke(*step).output)
    for text in said:
        assert not iso.search(text), iso.search(text)
    folder = workspace.parent
    read = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            cells = [str(c) for s in book for r in s.iter_rows(values_only=True) for c in r]
            text = "\n".join(c for c in cells if c != "None")
        elif path.suffix == ".html":  # the page, without the records it embeds
            text = re.sub(r"<script type=\"application/json\".*?</script>", "", path.read_text(
                encoding="utf-8"), flags=re.S)  # fmt: skip
        elif path.suffix in (".log", ".txt"):
            text = path.read_text(encoding="utf-8")
        else:
            continue
        read += 1
        found = iso.search(text)
        assert found is None, (path.relative_to(folder), text[found.start() - 40 : found.end()])
    assert read >= 8
