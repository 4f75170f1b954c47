"""``ssj report``: the year's statistics counted from the ledger, a workbook with native charts
over its own tables, and the same charts as PNG."""

from __future__ import annotations

import datetime as dt
from datetime import date as D
from pathlib import Path

import openpyxl
import pytest

from shuangsuiji.commands.assign import assign_month
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.commands.report import make_report
from shuangsuiji.outputs import report as report_module

from .conftest import fill_task_sheet, invoke

REPORT = Path("输出") / "报告"


@pytest.fixture
def spring(workspace: Path) -> Path:
    """March drawn, assigned and partly inspected: 3 results (one with two findings), two
    published — one on time, one late — and May drawn but not yet inspected."""
    draw_month(workspace, "2025-03")
    assign_month(workspace, "2025-03")
    sheet = fill_task_sheet(
        workspace,
        "2025-03",
        {
            0: (D(2025, 3, 10), "未发现问题", D(2025, 3, 12)),
            1: (D(2025, 3, 10), "发现问题经责令已改正", D(2025, 3, 31)),  # 5 workdays: late
            2: (D(2025, 3, 11), "发现问题待后续处理；未按规定公示应当公示的信息", None),
        },
    )
    imported = invoke("results", "import", sheet, "--plan", workspace, "--today", "2025-04-01")
    assert imported.exit_code == 0, imported.output
    draw_month(workspace, "2025-05")
    return workspace


def test_the_year_is_counted_as_it_stands(spring: Path) -> None:
    outcome = make_report(spring, today=dt.date(2025, 5, 20))
    report = outcome.report
    march = [t for t in report.tasks if t.month == "2025-03"]
    assert sum(t.inspected for t in march) == 3
    assert sum(t.with_findings for t in march) == 2 and sum(t.corrected for t in march) == 1
    assert (sum(t.on_time for t in march), sum(t.late for t in march)) == (1, 1)
    assert sum(t.unpublished for t in march) == 1
    assert [m.month for m in report.months] == ["2025-03", "2025-05"]  # only what happened
    assert report.months[0].on_time_rate == 0.5 and report.months[1].on_time_rate is None
    assert report.months[0].drawn == sum(len(t) for t in _selected(spring, "2025-03"))
    counts = dict(report.categories)
    assert counts["未发现问题"] == 1 and counts["未按规定公示应当公示的信息"] == 1
    assert sum(o.groups for o in report.officers) == sum(
        len(g.officers) for g in assign_month(spring, "2025-03").groups
    )


def _selected(plan: Path, month: str) -> list[list[str]]:
    return [r.selected_keys for r in draw_month(plan, month).records]


def test_the_workbook_has_its_tables_and_three_native_charts(spring: Path) -> None:
    result = invoke("report", "--plan", spring, "--today", "2025-05-20")
    assert result.exit_code == 0, result.output
    assert "2025-03" in result.stdout and "50%" in result.stdout
    path = spring.parent / REPORT / "年度抽查统计-2025.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["按任务按月", "按月汇总", "检查结果分类", "人员工作量", "图表"]
    months = [list(r) for r in book["按月汇总"].iter_rows(min_row=3, values_only=True)]
    assert [m[0] for m in months] == ["2025-03", "2025-05"]
    charts = book["图表"]._charts
    assert len(charts) == 3
    references = {
        str(s.val.numRef.f) for chart in charts for s in chart.series if s.val.numRef is not None
    }
    # Each chart draws the table rows written, no more and no fewer.
    assert "按月汇总!$B$3:$B$4" in references and "按月汇总!$C$3:$C$4" in references
    assert "按月汇总!$F$3:$F$4" in references
    assert "检查结果分类!$B$3:$B$10" in references


CJK_FONT = pytest.mark.skipif(
    report_module._font() is None, reason="no CJK font here (apt-get install fonts-noto-cjk)"
)


@CJK_FONT
def test_the_charts_as_png_for_a_report_written_in_word(spring: Path) -> None:
    assert invoke("report", "--plan", spring, "--today", "2025-05-20").exit_code == 0
    for name in ("图1-各月抽中与已检查", "图2-检查结果分类", "图3-各月按期公示率"):
        png = (spring.parent / REPORT / f"年度抽查统计-2025-{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_without_a_cjk_font_no_png_and_it_says_why(
    spring: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither the charts extra (mplfonts) nor a system CJK font: a chart of empty boxes helps
    # nobody, so the PNGs are left out — the workbook and its Excel charts are written.
    def not_installed(package: str) -> Path:
        raise ModuleNotFoundError(package)

    monkeypatch.setattr(report_module.importlib.resources, "files", not_installed)
    monkeypatch.setattr(report_module, "SYSTEM_FONTS", ())
    result = invoke("report", "--plan", spring, "--today", "2025-05-20")
    assert result.exit_code == 0, result.output
    assert "没有找到中文字体，未写出 PNG 图" in result.stderr and "fonts-noto-cjk" in result.stderr
    assert (spring.parent / REPORT / "年度抽查统计-2025.xlsx").is_file()
    assert not list((spring.parent / REPORT).glob("*.png"))


def test_the_same_year_gives_the_same_files(spring: Path) -> None:
    first = make_report(spring, today=dt.date(2025, 5, 20))
    assert len(first.files) == (1 if first.notes else 4)
    assert make_report(spring, today=dt.date(2025, 5, 20)).files == []  # byte for byte


def test_no_ledger_is_bad_input(workspace: Path) -> None:
    result = invoke("report", "--plan", workspace)
    assert result.exit_code == 2 and "还没有台账" in result.stderr
