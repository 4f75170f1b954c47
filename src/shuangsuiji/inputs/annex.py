"""Reading the notice's annex tables (附件1–3) into a plan, for ``ssj plan import``.

附件1 is the list of inspection items (抽查事项清单), 附件2 the department's own plan with its
months (本部门抽查计划), 附件3 the joint plan with a partner department (部门联合抽查计划). They
arrive as xlsx, csv, or tab-separated text pasted from the notice; tables are recognised by
their headers, wherever they stand in the file.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from shuangsuiji.exceptions import InputError, Problem, raise_for_errors
from shuangsuiji.inputs.plan import DEFAULT_CEREMONY, Plan
from shuangsuiji.inputs.tables import detect_encoding, excel_sheets, header_key
from shuangsuiji.rules.ratio import parse_rate

# Group names in notices that stand for a list of 行业类别 values. 工矿商贸 follows the
# 2025 洛龙区 notice: "冶金、有色、建材、机械、轻工、纺织等工矿商贸企业".
INDUSTRY_GROUPS = {
    "工矿商贸": ["冶金", "有色", "建材", "机械", "轻工", "纺织", "商贸"],
    "工贸": ["冶金", "有色", "建材", "机械", "轻工", "纺织", "商贸"],
}
_VERBS = ("生产", "储存", "经营", "使用", "运输", "批发", "零售", "仓储", "充装", "回收")
_SUFFIXES = ("单位企业", "生产经营单位", "单位", "企业")


@dataclass
class AnnexRow:
    """One data row of an annex table, with where it came from."""

    file: str
    row: int
    cells: dict[str, str]

    def get(self, *names: str) -> str:
        for name in names:
            value = self.cells.get(header_key(name), "")
            if value:
                return value
        return ""


@dataclass
class AnnexTable:
    kind: str  # "list" (附件1), "plan" (附件2) or "joint" (附件3)
    rows: list[AnnexRow]
    titles: list[str] = field(default_factory=list)


def _kind(header: Sequence[str]) -> str | None:
    keys = {header_key(h) for h in header}
    if "联合抽查事项名称" in keys or "牵头部门名称" in keys:
        return "joint"
    if "抽查事项名称" not in keys or "抽查比例" not in keys:
        return None
    return "plan" if "抽查时间" in keys else "list"


def _tables_in(rows: list[tuple[int, list[str]]], file: str) -> list[AnnexTable]:
    """Find annex tables among numbered rows of cells; other rows are titles or prose."""
    tables: list[AnnexTable] = []
    recent: list[str] = []
    current: AnnexTable | None = None
    header: list[str] = []
    for number, cells in rows:
        filled = [c for c in cells if c.strip()]
        kind = _kind(cells) if len(filled) >= 3 else None
        if kind is not None:
            header = [header_key(c) for c in cells]
            current = AnnexTable(kind, [], list(recent[-3:]))
            tables.append(current)
        elif current is not None and len(filled) >= 3:
            values = {
                h: re.sub(r"\s+", " ", c).strip() for h, c in zip(header, cells, strict=False) if h
            }
            current.rows.append(AnnexRow(file, number, values))
        else:
            current = None
            if filled:
                recent.append(" ".join(filled))
    return tables


def read_annexes(path: Path) -> list[AnnexTable]:
    """Every annex table in one file (xlsx sheets, csv, tsv or the notice's text)."""
    file = str(path)
    if not path.is_file():
        raise InputError(
            "找不到附件文件", [Problem(file, None, None, "文件不存在", "检查文件路径")]
        )
    suffix = path.suffix.lower()
    rows: list[tuple[int, list[str]]] = []
    tables: list[AnnexTable] = []
    if suffix in (".xlsx", ".xlsm"):
        sheets, problems = excel_sheets(path, file)
        if problems:
            raise InputError("无法读取附件文件", problems)
        for name, sheet_rows in sheets:
            tables += _tables_in(list(enumerate(sheet_rows, start=1)), f"{file}[{name}]")
        return tables
    data = path.read_bytes()
    encoding = detect_encoding(data)
    if encoding is None:
        raise InputError(
            "无法识别附件文件的编码",
            [Problem(file, None, None, "无法识别文件编码", "另存为 UTF-8 或 GB18030 编码")],
        )
    lines = data.decode(encoding).splitlines()
    delimiter = "," if suffix == ".csv" else "\t"
    for number, cells in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
        rows.append((number, cells))
    return _tables_in(rows, file)


_SECTION = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、．.]")
_NUMBERED = re.compile(r"^\s*(\d+)\s*[.．、]\s*(.+?)\s*$")


def read_check_contents(path: Path) -> list[str]:
    """The numbered 检查内容 of the notice's section on what is checked (“三、…执法检查内容”),
    in order, from the notice as text; empty when the file has no such section (an annex)."""
    if path.suffix.lower() not in (".txt", ".text", ".md"):
        return []
    data = path.read_bytes()
    encoding = detect_encoding(data)
    if encoding is None:
        return []
    contents: list[str] = []
    inside = False
    for line in data.decode(encoding).splitlines():
        if _SECTION.match(line):
            if inside:
                break
            inside = "检查内容" in line
        elif inside and (numbered := _NUMBERED.match(line)):
            contents.append(_tidy(numbered.group(2)).rstrip("；;。"))
    return contents


def _tidy(text: str) -> str:
    """Text with the stray spaces of PDF-extracted tables removed ("区应急管理 局")."""
    return re.sub(r"\s+", "", text).strip("。")


def _clean(text: str) -> str:
    """:func:`_tidy` plus NFKC, for comparing and parsing (not for text the user reads)."""
    return _tidy(unicodedata.normalize("NFKC", text))


def parse_months(text: str) -> list[int]:
    """Months from "3月、5月、8月、10月各一次", "2025年5月" or "3、5、8、10月"."""
    cleaned = re.sub(r"\d{4}\s*年", "", _clean(text))
    found = [int(m) for m in re.findall(r"(\d{1,2})(?=[月、，,])", cleaned + ",")]
    return sorted(set(found)) if "月" in cleaned else []


def parse_frequency(text: str) -> int | None:
    """Times per year from "4次/年" or "4 次/年"."""
    match = re.search(r"(\d+)次/?(?:每)?年", _clean(text))
    return int(match.group(1)) if match else None


def parse_targets(text: str) -> tuple[list[str], bool]:
    """行业类别 values for a 检查对象 phrase, and whether the reading is exact.

    "危险化学品生产、储存、经营、使用单位和烟花爆竹经营单位" gives the five industries;
    "金属冶炼等工矿商贸企业" gives the 工矿商贸 group. Anything else comes back as written,
    marked inexact, for the user to edit.
    """
    cleaned = _clean(text)
    if "等" in cleaned:
        group = cleaned.rsplit("等", 1)[1]
        for suffix in _SUFFIXES:
            group = group.removesuffix(suffix)
        if group in INDUSTRY_GROUPS:
            return list(INDUSTRY_GROUPS[group]), True
        return [cleaned], False
    values: list[str] = []
    exact = True
    for part in re.split(r"和|及|以及|；|;", cleaned):
        for suffix in _SUFFIXES:
            part = part.removesuffix(suffix)
        pieces = [p for p in part.split("、") if p]
        if not pieces:
            continue
        verb = next((v for v in _VERBS if pieces[0].endswith(v)), None)
        if verb is None:
            values += pieces
            exact = False
            continue
        prefix = pieces[0][: -len(verb)]
        values.append(pieces[0])
        for piece in pieces[1:]:
            values.append(prefix + piece if piece in _VERBS else piece)
    return values, exact and bool(values)


@dataclass
class ImportedPlan:
    """The result of an import: the plan, its YAML text, and warnings worth showing."""

    plan: Plan
    text: str
    warnings: list[Problem]


def _ratio(row: AnnexRow, problems: list[Problem]) -> str:
    raw = row.get("抽查比例")
    try:
        parse_rate(_clean(raw))
    except ValueError as exc:
        problems.append(Problem(row.file, row.row, "抽查比例", str(exc), "写成 5% 这样的比例"))
    return _clean(raw)


def _months(row: AnnexRow, year: int | None, problems: list[Problem]) -> list[int]:
    when = row.get("抽查时间")
    months = parse_months(when)
    if not months:
        problems.append(
            Problem(
                row.file,
                row.row,
                "抽查时间",
                f"无法从“{when}”读出抽查月份",
                "写成“3月、5月、8月、10月各一次”或“2025年5月”",
            )
        )
        return months
    years = {int(y) for y in re.findall(r"(\d{4})\s*年", when)}
    if year is not None and years - {year}:
        problems.append(
            Problem(row.file, row.row, "抽查时间", f"抽查时间“{when}”不在 {year} 年", "核对年度")
        )
    times = parse_frequency(row.get("抽查频次"))
    if times is not None and times != len(months):
        problems.append(
            Problem(
                row.file,
                row.row,
                "抽查频次",
                f"抽查频次为 {times} 次/年，但抽查时间“{when}”列出 {len(months)} 个月份",
                "让抽查频次与抽查时间一致",
            )
        )
    return months


def _title_facts(tables: list[AnnexTable]) -> tuple[str | None, int | None]:
    """Agency and year from titles such as "洛龙区应急管理局 2025 年本部门…抽查计划汇总表"."""
    for table in tables:
        for title in reversed(table.titles):
            match = re.match(r"^\s*(\S+?)\s*(\d{4})\s*年", title)
            if match:
                return match.group(1), int(match.group(2))
    return None, None


@dataclass(frozen=True)
class PlanOptions:
    """What the annexes do not say, from the command line (``ssj plan import --agency …``)."""

    agency: str | None = None  # default: from the annex titles
    year: int | None = None  # default: from the annex titles
    seed: str | None = None  # default: "{agency}{year}年度双随机抽查", with a warning
    enterprises: str = "enterprises.xlsx"
    officers: str = "officers.xlsx"
    target_column: str = "行业类别"
    deadline_workdays: int = 5
    item_prefix: str = "AJ"
    joint_prefix: str = "LH"


def import_plan(paths: Sequence[Path], options: PlanOptions | None = None) -> ImportedPlan:
    """Build a plan from annex tables; raise InputError listing every problem."""
    options = options or PlanOptions()
    agency, year, seed = options.agency, options.year, options.seed
    target_column = options.target_column
    tables = [t for path in paths for t in read_annexes(path)]
    if not tables:
        raise InputError(
            "没有找到附件表格",
            [
                Problem(
                    ", ".join(map(str, paths)),
                    None,
                    None,
                    "没有找到含“抽查事项名称”“抽查比例”表头的表格",
                    "附件应为 xlsx、csv 或制表符分隔的文本，表头照通知附件1–3",
                )
            ],
        )
    titled_agency, titled_year = _title_facts(tables)
    year = year or titled_year
    problems: list[Problem] = []
    warnings: list[Problem] = []

    # Items: 附件2 gives months; 附件1 may add rows 附件2 lacks (which then have no months).
    by_name: dict[str, dict[str, Any]] = {}
    plan_rows = [r for t in tables if t.kind == "plan" for r in t.rows]
    list_rows = [r for t in tables if t.kind == "list" for r in t.rows]
    for row in plan_rows + list_rows:
        name = row.get("抽查事项名称")
        key = _clean(name)
        if not key:
            problems.append(
                Problem(row.file, row.row, "抽查事项名称", "抽查事项名称为空", "补上名称")
            )
            continue
        ratio = _ratio(row, problems)
        if key in by_name:
            earlier = by_name[key]
            if earlier["ratio"] != ratio:
                problems.append(
                    Problem(
                        row.file,
                        row.row,
                        "抽查比例",
                        f"与 {earlier['_where']} 的比例 {earlier['ratio']} 不一致",
                        "附件1 与附件2 的同一事项应使用相同比例",
                    )
                )
            continue
        if row in list_rows:
            problems.append(
                Problem(
                    row.file,
                    row.row,
                    "抽查时间",
                    f"事项“{name}”只在事项清单（附件1）中，没有抽查时间",
                    "同时导入附件2（本部门抽查计划汇总表）",
                )
            )
            continue
        target_text = row.get("检查对象")
        targets, exact = parse_targets(target_text)
        if not exact:
            warnings.append(
                Problem(
                    row.file,
                    row.row,
                    "检查对象",
                    f"无法把“{target_text}”准确对应到{target_column}，已原样写入",
                    f"导入后在计划文件中把 targets.{target_column} 改成名录库里的{target_column}",
                    "warning",
                )
            )
        methods = [m for m in re.split(r"[、，,]", _clean(row.get("检查方式"))) if m]
        by_name[key] = {
            "_where": f"第 {row.row} 行",
            "id": f"{options.item_prefix}-{len(by_name) + 1:02d}",
            "name": _tidy(name),
            "basis": _tidy(row.get("抽查依据")),
            "subject": _tidy(row.get("检查主体")),
            "category": _tidy(row.get("事项类别")),
            "targets": {target_column: targets},
            "ratio": ratio,
            "months": _months(row, year, problems),
            "methods": methods,
        }
        agency = agency or titled_agency or _tidy(row.get("部门名称"))

    joint: list[dict[str, Any]] = []
    for row in (r for t in tables if t.kind == "joint" for r in t.rows):
        text = row.get("联合抽查事项名称")
        parts = [_tidy(re.sub(r"^\s*\d+\s*[.．、]\s*", "", p)) for p in re.split(r"[；;]", text)]
        parts = [p for p in parts if p]
        covered = next((by_name[_clean(p)] for p in parts if _clean(p) in by_name), None)
        if covered is None:
            problems.append(
                Problem(
                    row.file,
                    row.row,
                    "联合抽查事项名称",
                    "联合抽查事项中没有附件1/附件2 中的本部门事项",
                    "联合事项的第一项应与本部门抽查事项名称一致",
                )
            )
            continue
        joint.append(
            {
                "id": f"{options.joint_prefix}-{len(joint) + 1:02d}",
                "partner": _tidy(row.get("配合部门名称")),
                "covers": covered["id"],
                "name": f"部门联合抽查：{covered['name']}",
                "partner_items": [p for p in parts if _clean(p) != _clean(covered["name"])],
                "ratio": _ratio(row, problems),
                "months": _months(row, year, problems),
            }
        )
    if not agency:
        problems.append(Problem(str(paths[0]), None, None, "无法确定实施机关", "用 --agency 指定"))
    if year is None:
        problems.append(Problem(str(paths[0]), None, None, "无法确定年度", "用 --year 指定"))
    raise_for_errors("附件有错误，未生成计划文件", problems)
    assert agency is not None and year is not None
    # A label only: what no one can predict is the public number the ceremony block adds.
    seed = seed or f"{agency}{year}年度双随机抽查"
    data: dict[str, Any] = {
        "agency": agency,
        "year": year,
        "seed": seed,
        "ceremony": dict(DEFAULT_CEREMONY),
        "rosters": {"enterprises": options.enterprises, "officers": options.officers},
        "deadline_workdays": options.deadline_workdays,
        "items": [
            {k: v for k, v in item.items() if not k.startswith("_")} for item in by_name.values()
        ],
    }
    if joint:
        data["joint"] = joint
    checklist = [c for path in paths for c in read_check_contents(path)]
    if checklist:
        data["checklist"] = checklist
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            "附件内容无法组成有效的计划",
            [
                Problem(str(paths[0]), None, ".".join(map(str, e["loc"])), e["msg"])
                for e in exc.errors()
            ],
        ) from None
    header = (
        f"# {agency} {year} 年度“双随机、一公开”抽查计划\n"
        f"# 由 ssj plan import 从 {', '.join(p.name for p in paths)} 生成；可直接编辑。\n"
        "# ceremony：每次抽取加入的公开随机数（来源和格式），随承诺书事先公开；抽取日前一天晚上\n"
        "# 开奖后，把号码写入 随机数/YYYY-MM.txt 或用 ssj draw --seed-extra 给出。\n"
    )
    body = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=None
    )
    return ImportedPlan(plan, header + body, warnings)
