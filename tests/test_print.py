"""Paper as a bureau files it, judged the way it is printed: every workbook of the example's
year (four months' draws and groups, a 递补, results, a correction, 公示表, the year report,
and the notice's checklist in the 文书) converted to PDF by LibreOffice and read back (pdfplumber),
and each row's height judged by LibreOffice itself through its UNO bridge (tests/uno_rows.py).

Needs LibreOffice, Debian's python3-uno, fonts-noto-cjk and fonts-crosextra-carlito (the
metric twin of Calibri, the workbooks' default font, so that columns print as wide as in
Excel); .ci/run installs them. Without them these tests say so and are skipped."""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from shuangsuiji.inputs.annex import read_check_contents

from .conftest import NOTICE_COPY, copy_examples, fill_task_sheet, invoke

pdfplumber = pytest.importorskip("pdfplumber")
SYSTEM_PYTHON = Path("/usr/bin/python3")
UNO = Path(__file__).with_name("uno_rows.py")


def _uno_ready() -> bool:
    if shutil.which("soffice") is None or not SYSTEM_PYTHON.exists():
        return False
    found = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return found.returncode == 0


pytestmark = pytest.mark.skipif(
    not _uno_ready(), reason="LibreOffice 或其 Python UNO 接口（python3-uno）未安装"
)
D = dt.date


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace of the example with the notice's checklist and a 文号, through the year."""
    plan = copy_examples(tmp_path_factory.mktemp("year"))
    checklist = read_check_contents(NOTICE_COPY)
    plan.write_text(
        plan.read_text(encoding="utf-8")
        + "document_number: 洛龙应急检〔2025〕\nchecklist:\n"
        + "".join(f'  - "{item}"\n' for item in checklist),
        encoding="utf-8",
    )
    for month in ("2025-03", "2025-05", "2025-08", "2025-10"):  # the example's whole year
        assert invoke("draw", "--plan", plan, "--month", month).exit_code == 0
        assert invoke("assign", "--plan", plan, "--month", month).exit_code == 0
    leaving = invoke("assign", "--plan", plan, "--month", "2025-05", "--json").stdout
    officer = json.loads(leaving)["groups"][0]["officers"][0]["id"]
    replaced = invoke("assign", "--plan", plan, "--month", "2025-05", "--replace", officer,
                      "--reason", "病假", "--today", "2025-05-08")  # fmt: skip
    assert replaced.exit_code == 0, replaced.output
    filled = {i: (D(2025, 3, 10 + i), "未发现问题", None) for i in range(5)}
    sheet = fill_task_sheet(plan, "2025-03", filled)
    assert (
        invoke("results", "import", sheet, "--plan", plan, "--today", "2025-03-20").exit_code == 0
    )
    assert invoke("publish", "--plan", plan, "--today", "2025-03-20").exit_code == 0
    marked = invoke("publish", "--plan", plan, "--mark-published", "2025-03-21",
                    "--today", "2025-03-21")  # fmt: skip
    assert marked.exit_code == 0, marked.output
    filled[0] = (D(2025, 3, 10), "发现问题经责令已改正", None)  # a correction: 更正公示
    sheet = fill_task_sheet(plan, "2025-03", filled)
    assert (
        invoke("results", "import", sheet, "--plan", plan, "--today", "2025-03-25").exit_code == 0
    )
    assert invoke("publish", "--plan", plan, "--today", "2025-03-25").exit_code == 0
    assert invoke("report", "--plan", plan, "--today", "2025-12-31").exit_code == 0
    return plan


@pytest.fixture(scope="module")
def printed(year: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every workbook of the year and its PDF as LibreOffice prints it, by file name."""
    books = sorted(p for p in (year.parent / "输出").rglob("*.xlsx") if "备份" not in p.parts)
    out = tmp_path_factory.mktemp("pdf")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, books)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {b.name: out / f"{b.stem}.pdf" for b in books}


def _pages(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as document:
        return [page.extract_text() or "" for page in document.pages]


def test_every_document_prints_its_body_at_nine_points_or_more(printed: dict[str, Path]) -> None:
    kinds = {re.sub(r"-\d{4}.*", "", name) for name in printed}
    assert {"抽取结果", "检查任务单", "现场检查文书", "公示表", "年度抽查统计"} <= kinds
    for name, pdf in printed.items():
        sizes: collections.Counter[float] = collections.Counter()
        with pdfplumber.open(pdf) as document:
            for page in document.pages:
                sizes.update(round(c["size"], 1) for c in page.chars)
        common, _ = sizes.most_common(1)[0]
        assert common >= 9.0, (name, sizes.most_common(3))


def test_technical_sheets_stay_out_of_the_printout(year: Path, printed: dict[str, Path]) -> None:
    for name, pdf in printed.items():
        text = "".join(_pages(pdf))
        assert "台账事件序号" not in text, name  # the chain anchor: in the workbook, not on paper
        assert not re.search(r"0\.\d{4,}", text), name  # no rate as 0.833333
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", text), name  # no ISO times
    # … and still in the workbook, for auditors, hidden.
    book = openpyxl.load_workbook(year.parent / "输出" / "2025-03" / "抽取结果-2025-03.xlsx")
    assert book["台账链头"].sheet_state == "hidden"
    report = openpyxl.load_workbook(next((year.parent / "输出" / "报告").glob("*.xlsx")))
    rates = [r[5] for r in report["按月汇总"].iter_rows(min_row=3) if r[5].value is not None]
    assert rates and all(cell.number_format == "0.0%" for cell in rates)


def test_no_row_is_lower_than_its_text(year: Path, tmp_path: Path) -> None:
    # LibreOffice's own optimal height for every row of every printed sheet, against the
    # height written (cells merged across a table are measured by ssj's wider Excel measure).
    requests = []
    for book in sorted((year.parent / "输出").rglob("*.xlsx")):
        merges = {
            sheet.title: [[m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1]
                          for m in sheet.merged_cells.ranges]
            for sheet in openpyxl.load_workbook(book)
        }  # fmt: skip
        requests.append({"file": str(book), "merges": merges})
    request = tmp_path / "request.json"
    request.write_text(json.dumps(requests, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [SYSTEM_PYTHON, UNO, request], capture_output=True, text=True, timeout=600, check=True
    )
    verdict = json.loads(done.stdout)
    assert verdict["rows"] > 1000  # every data row of the year was judged
    assert verdict["short"] == []


def test_site_documents_two_pages_a_firm_each_naming_it(
    year: Path, printed: dict[str, Path]
) -> None:
    book = openpyxl.load_workbook(year.parent / "输出" / "2025-05" / "检查任务单-2025-05.xlsx")
    firms = [r[3] for r in book["检查任务单"].iter_rows(min_row=3, values_only=True) if r[2]]
    pages = _pages(printed["现场检查文书-2025-05.xlsx"])
    assert len(pages) <= 2 * len(firms)
    squeezed = [re.sub(r"\s", "", p) for p in pages]
    for number, page in enumerate(squeezed):
        assert any(firm in page for firm in firms), f"第 {number + 1} 页没有企业名称"
    records = [p for p in squeezed if "现场检查记录" in p]
    assert len(records) == len(firms)
    assert all("文号：洛龙应急检〔2025〕5" in p for p in squeezed)
    # A blank to sign for every officer of the group, both departments of a joint one.
    assignment = json.loads(
        (year.parent / "输出" / "2025-05" / "人员分组记录-2025-05.json").read_text("utf-8")
    )
    joint = next(g for g in assignment["assignment"]["groups"] if g["scope"].startswith("LH-01"))
    page = next(p for p in records if joint["enterprises"][0]["name"] in p)
    line = page[page.index("检查人员签字：") :]
    assert line.count("＿＿＿＿＿") >= len(joint["officers"]) >= 3
