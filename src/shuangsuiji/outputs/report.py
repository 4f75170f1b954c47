"""The year-end report (年度双随机抽查工作总结的统计表): a workbook with the tables and native
Excel charts, and the same charts as PNG for a report written in Word."""

from __future__ import annotations

import importlib.resources
import io
from pathlib import Path
from typing import Any

from shuangsuiji.ledger.files import write_if_changed
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.excel import Chart, Sheet, write_workbook
from shuangsuiji.rules.report import YearReport

TASKS = "按任务按月"
MONTHS = "按月汇总"
CATEGORIES = "检查结果分类"
OFFICERS = "人员工作量"
TASK_HEADERS = (
    "抽取范围",
    "任务编号",
    "月份",
    "类型",
    "符合条件",
    "抽中",
    "已检查",
    "发现问题",
    "责令改正",
    "按期公示",
    "逾期公示",
    "尚未公示",
    "未能检查",
)
MONTH_HEADERS = ("月份", "抽中", "已检查", "按期公示", "逾期公示", "按期公示率")
PNG_NAMES = ("图1-各月抽中与已检查", "图2-检查结果分类", "图3-各月按期公示率")
CHARTS = (
    Chart("各月抽中与已检查企业数", "column", MONTHS, "月份", ("抽中", "已检查")),
    Chart("检查结果分类", "bar", CATEGORIES, "检查结果", ("企业数",)),
    Chart("各月按期公示率", "line", MONTHS, "月份", ("按期公示率",), percent=True),
)


def report_folder(folder: Path) -> Path:
    return folder / OUTPUT_DIR / "报告"


def report_name(year: int) -> str:
    return f"年度抽查统计-{year}.xlsx"


def png_name(year: int, chart: int) -> str:
    """The PNG of the workbook's ``chart``-th chart (0, 1, 2)."""
    return f"年度抽查统计-{year}-{PNG_NAMES[chart]}.png"


def _sheets(report: YearReport) -> list[Sheet]:
    caption = f"{report.agency} {report.year} 年度“双随机、一公开”抽查统计"
    tasks = [
        [
            t.scope,
            t.task_id,
            t.month,
            "部门联合" if t.joint else "本部门",
            t.eligible,
            t.drawn,
            t.inspected,
            t.with_findings,
            t.corrected,
            t.on_time,
            t.late,
            t.unpublished,
            t.waived,
        ]
        for t in report.tasks
    ]
    months = [
        [m.month, m.drawn, m.inspected, m.on_time, m.late, m.on_time_rate] for m in report.months
    ]
    return [
        Sheet(TASKS, TASK_HEADERS, tasks, caption=caption),
        Sheet(
            MONTHS,
            MONTH_HEADERS,
            months,
            caption=f"{caption}：按月汇总",
            percent_columns=("按期公示率",),
        ),
        Sheet(
            CATEGORIES,
            ["检查结果", "企业数"],
            [[c, n] for c, n in report.categories],
            caption="检查结果分类（一家企业可有多项发现）",
        ),
        Sheet(
            OFFICERS,
            ["姓名", "所属机关", "检查组数", "检查企业数"],
            [[o.name, o.department, o.groups, o.enterprises] for o in report.officers],
            caption=f"{report.year} 年执法人员工作量（含递补）",
        ),
    ]


# CJK fonts a machine may already have, in order of preference (Linux, Windows, macOS).
SYSTEM_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "DengXian",
    "PingFang SC",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
NO_FONT = (
    "没有找到中文字体，未写出 PNG 图（工作簿中的 Excel 图表不受影响）；"
    '安装系统的中文字体（如 Debian/Ubuntu 的 fonts-noto-cjk），或 pip install "shuangsuiji[charts]"'
)


def _font() -> Any | None:
    """Matplotlib with a CJK font for the Chinese labels: Noto Sans CJK SC from mplfonts where
    the ``charts`` extra is installed (the same glyphs everywhere), else one the system has;
    None where there is none (a chart of empty boxes helps nobody)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot

    try:
        font = importlib.resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
        with importlib.resources.as_file(font) as path:
            font_manager.fontManager.addfont(str(path))
            name = font_manager.FontProperties(fname=str(path)).get_name()
    except (ModuleNotFoundError, FileNotFoundError):
        have = {f.name for f in font_manager.fontManager.ttflist}
        found = next((f for f in SYSTEM_FONTS if f in have), None)
        if found is None:
            return None
        name = found
    pyplot.rcParams["font.family"] = [name]
    pyplot.rcParams["axes.unicode_minus"] = False
    return pyplot


def _pngs(report: YearReport) -> list[tuple[str, bytes]] | None:
    """The workbook's three charts as PNG: (file name, bytes), with no timestamp in them;
    None without a CJK font."""
    pyplot = _font()
    if pyplot is None:
        return None
    months = [m.month[5:] + "月" for m in report.months]
    out = []

    def save(name: str, figure: Any) -> None:
        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
        pyplot.close(figure)
        out.append((name, buffer.getvalue()))

    figure, axes = pyplot.subplots(figsize=(7, 3.5))
    width = 0.38
    positions = range(len(months))
    axes.bar(
        [p - width / 2 for p in positions], [m.drawn for m in report.months], width, label="抽中"
    )
    axes.bar(
        [p + width / 2 for p in positions],
        [m.inspected for m in report.months],
        width,
        label="已检查",
    )
    axes.set_xticks(list(positions), months)
    axes.set_title(CHARTS[0].title)
    axes.legend()
    save(png_name(report.year, 0), figure)

    figure, axes = pyplot.subplots(figsize=(7, 3.5))
    names = [c for c, _ in report.categories][::-1]
    axes.barh(names, [n for _, n in report.categories][::-1])
    axes.set_title(CHARTS[1].title)
    save(png_name(report.year, 1), figure)

    figure, axes = pyplot.subplots(figsize=(7, 3.5))
    rates = [m.on_time_rate for m in report.months]
    axes.plot(months, [None if r is None else r * 100 for r in rates], marker="o")
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_title(CHARTS[2].title)
    save(png_name(report.year, 2), figure)
    return out


def write_report(folder: Path, report: YearReport) -> tuple[list[Path], list[str]]:
    """Write the report workbook and its chart PNGs into 输出/报告/: the paths written, and
    notes for the user (no PNG without a CJK font)."""
    target = report_folder(folder)
    written = []
    path = target / report_name(report.year)
    if write_workbook(path, _sheets(report), CHARTS):
        written.append(path)
    pngs = _pngs(report)
    for name, data in pngs or []:
        if write_if_changed(target / name, data):
            written.append(target / name)
    return written, [NO_FONT] if pngs is None else []
