"""What ``ssj draw`` writes for people: each record as a JSON file, and the month's results as a
workbook meant for publication (抽取结果)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from shuangsuiji.inputs.plan import Plan
from shuangsuiji.inputs.tables import Positions, release_memory
from shuangsuiji.ledger.files import write_if_changed
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.anchor import anchor_sheet
from shuangsuiji.outputs.excel import Sheet, write_workbook
from shuangsuiji.outputs.verify_page import page_name, write_verify_page
from shuangsuiji.rules.clock import local_time
from shuangsuiji.rules.draw import joined_parts, separated
from shuangsuiji.rules.ratio import Ratio
from shuangsuiji.rules.records import Drawn, DrawRecord, ExternalDraw, KeyList, LedgerHead

if TYPE_CHECKING:  # pyarrow only where a big month's columns are written
    import pyarrow as pa

    from shuangsuiji.inputs.rosters import EnterpriseRoster

COMMITMENT_CHECK = (
    "s=本月秘密; for i in $(seq 月份); do s=$(printf '%s' \"$s\" | sha256sum | cut -c1-64); done; "
    "echo $s   # 应等于承诺值"
)
CHECK_COMMAND = "printf '%s\\037%s\\037%s' \"$SEED\" 范围 统一社会信用代码 | sha256sum"


PARAMETERS = (
    "抽取范围",
    "方法",
    "种子/随机源",
    "种子承诺(commitment)",
    "本月秘密(secret)",
    "公开随机数",
    "抽取日",
    "比例",
    "对象总数",
    "对象摘要(SHA-256)",
    "排除数",
    "应抽数",
    "实抽数",
    "抽取时间",
    "工具版本",
    "抽取记录文件",
)
RESULT_HEADERS = (
    "序号",
    "任务编号",
    "抽查事项",
    "抽取月份",
    "统一社会信用代码",
    "企业名称",
    "抽取号",
)
# The workbook's list: the items' names are a legend above it, the month is in its title.
PRINTED_HEADERS = ("序号", "任务编号", "统一社会信用代码", "企业名称", "抽取号")
BLANK_UNIT = "（未填）"


def result_workbook_name(month: str) -> str:
    return f"抽取结果-{month}.xlsx"


def result_columns_stem(month: str) -> str:
    """抽取结果-2025-03: a big month's list as .csv and .parquet beside the summary."""
    return f"抽取结果-{month}"


def record_file_name(record: Drawn) -> str:
    return record_file(record.item_id, record.month)


def record_file(task_id: str, month: str) -> str:
    """The published record file of a task's draw in a month ("YYYY-MM")."""
    return f"抽取记录-{task_id}-{month}.json"


def _public_number(record: DrawRecord) -> str:
    """The public number as people read it: the canonical value, what was typed, the source."""
    number = record.public_number
    if number is None:
        return record.extra or ""
    return f"{record.extra}（输入：{number.typed}；来源：{number.source}）"


def _parameters(record: DrawRecord | ExternalDraw, zone: str) -> list[object]:
    """One row of 抽取参数; imported selections say where they came from instead."""
    if isinstance(record, ExternalDraw):
        source = f"{record.source}（SHA-256 {record.source_sha256}）"
        head: list[object] = [record.scope, "外部导入（非本工具抽取）", source, "", "", "", ""]
        return [
            *head,
            "",
            "",
            "",
            "",
            "",
            len(record.selected),
            local_time(record.created_at, zone),
            record.tool_version,
            record_file_name(record),
        ]
    rfc = record.spec != "SSJ-DRAW-1"
    return [
        record.scope,
        "RFC 3797" if rfc else "SSJ-DRAW-1",
        (record.key_string or "") if rfc else record.seed,
        record.commitment or "",
        record.secret or "",
        _public_number(record),
        record.draw_day or "",
        Ratio.model_validate(record.ratio).describe(),
        record.population.size,
        record.population.digest,
        len(record.excluded),
        record.k,
        len(record.selected),
        local_time(record.created_at, zone),
        record.tool_version,
        record_file_name(record),
    ]


def _how_to_check() -> Sheet:
    return Sheet(
        "如何复核",
        ["说明"],
        [
            [
                "每家企业的抽取号 = SHA-256(种子 ‖ 0x1F ‖ 抽取范围 ‖ 0x1F ‖ 统一社会信用代码)，取抽取号最小的若干家。"
            ],
            [f"在 Linux/macOS 终端中复核一个抽取号：{CHECK_COMMAND}"],
            [
                "种子 = 计划种子/本月秘密[/公开随机数的规范写法]。本月秘密来自年初公开的种子承诺："
                "把本月秘密连续做 m 次 SHA-256（m 为月份，如 3 月做 3 次）应得到承诺值，"
                "所以抽取前谁也算不出抽取号，抽取后谁都能核对。"
            ],
            [f"在 Linux/macOS 终端中核对本月秘密：{COMMITMENT_CHECK}"],
            ["用抽取记录文件完整复核：ssj verify 抽取记录-<任务编号>-<月份>.json"],
            [
                "对照机关事先公开的承诺书（比例、范围、公开随机数、抽取日、有没有漏抽）："
                "ssj verify 输出/ --published 承诺书-<年度>.json"
            ],
        ],
    )


def _parameters_sheet(
    plan: Plan, month: str, records: Sequence[DrawRecord | ExternalDraw]
) -> Sheet:
    # A block of rows a draw, one parameter a row: long seeds and hashes print readably on a
    # portrait page, however many draws the month has.
    return Sheet(
        "抽取参数",
        ["项目", "内容"],
        [
            [label, value]
            for values in (_parameters(r, plan.timezone) for r in records)
            for label, value in zip(PARAMETERS, values, strict=True)
        ],
        caption=f"{plan.agency} {month} 抽取参数",
    )


def _task_names(plan: Plan) -> dict[str, str]:
    return {t.id: (t.name or plan.base_item(t).name) for t in plan.tasks}


def result_sheets(
    plan: Plan,
    month: str,
    records: Sequence[DrawRecord | ExternalDraw],
    unit: tuple[str, Callable[[str], bool]] | None = None,
) -> list[Sheet]:
    """The print-ready 抽取结果 of a month: the list with the items as a legend above it, the
    parameters and how to check them; with ``unit`` (its name and which codes are its), only
    that unit's enterprises are listed, ranks as drawn."""
    names = _task_names(plan)
    keep = (lambda _: True) if unit is None else unit[1]
    lists = [[s for s in r.selected if keep(s.uscc)] for r in records]
    # On paper the items' long names are a legend above the list, not a column of every row.
    legend = []
    for r, own in zip(records, lists, strict=True):
        mine = "" if unit is None else f"，本单位 {len(own)} 家"
        if isinstance(r, DrawRecord):
            counts = f"对象 {r.population.size} 家，抽中 {len(r.selected)} 家{mine}"
        else:
            counts = f"外部导入 {len(r.selected)} 家{mine}"
        legend.append(f"{r.item_id}：{names.get(r.item_id, '')}（{counts}）")
    rows: list[list[object]] = [
        [s.rank, r.item_id, s.uscc, s.name, s.ticket]
        for r, own in zip(records, lists, strict=True)
        for s in own
    ]
    where = "" if unit is None else f"（{unit[0]}）"
    caption = f"{plan.agency} {month} “双随机”抽取结果{where}"
    return [
        Sheet("抽取结果", PRINTED_HEADERS, rows, caption=caption, notes=legend),
        _parameters_sheet(plan, month, records),
        _how_to_check(),
    ]


def _columns(
    records: Sequence[DrawRecord | ExternalDraw],
    names: Mapping[str, str],
    unit: tuple[str, Mapping[str, str]] | None,
) -> pa.Table:
    """The month's selections as columns: RESULT_HEADERS, and the unit's column if known."""
    import pyarrow as pa

    selected = [(r, s) for r in records for s in r.selected]
    columns: dict[str, pa.Array] = {
        "序号": pa.array([s.rank for _, s in selected], pa.int32()),
        "任务编号": pa.array([r.item_id for r, _ in selected], pa.string()),
        "抽查事项": pa.array([names.get(r.item_id, "") for r, _ in selected], pa.string()),
        "抽取月份": pa.array([r.month for r, _ in selected], pa.string()),
        "统一社会信用代码": pa.array([s.uscc for _, s in selected], pa.string()),
        "企业名称": pa.array([s.name for _, s in selected], pa.string()),
        "抽取号": pa.array([s.ticket for _, s in selected], pa.string()),
    }
    if unit is not None:
        column, of = unit
        columns[column] = pa.array([of.get(s.uscc, "") for _, s in selected], pa.string())
    return pa.table(columns)


class _Sink:
    """A file for pyarrow's writers, which close what they write to: here the file's owner
    closes it (after syncing it), and anything with ``write`` will do."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._written = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self._handle.write(data)
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def column_files(folder: Path, stem: str, table: pa.Table) -> list[Path]:
    """``table`` as ``stem``.csv (UTF-8 with BOM: Excel and WPS open it as such) and
    ``stem``.parquet in ``folder``; the files changed."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    def csv(handle: BinaryIO) -> None:
        handle.write(b"\xef\xbb\xbf")
        pacsv.write_csv(table, _Sink(handle), pacsv.WriteOptions(quoting_style="needed"))

    def parquet(handle: BinaryIO) -> None:
        pq.write_table(table, _Sink(handle), compression="zstd")

    written = []
    for suffix, writer in ((".csv", csv), (".parquet", parquet)):
        path = folder / f"{stem}{suffix}"
        if write_if_changed(path, writer):  # streamed to the file, not built in memory
            written.append(path)
    return written


def _summary_sheets(
    plan: Plan,
    month: str,
    records: Sequence[DrawRecord | ExternalDraw],
    unit: tuple[str, Mapping[str, str]] | None,
) -> list[Sheet]:
    """A big month's 抽取结果 on paper: counts per task and per unit, the parameters, where the
    full list is and how to print a unit's pages."""
    names = _task_names(plan)
    total = sum(len(r.selected) for r in records)
    rows: list[list[object]] = [
        [
            r.item_id,
            names.get(r.item_id, ""),
            r.population.size if isinstance(r, DrawRecord) else "",
            len(r.selected),
        ]
        for r in records
    ]
    rows.append(["合计", "", "", total])
    stem = result_columns_stem(month)
    notes = [
        f"本月共抽中 {total} 家，超过打印上限（计划 print_max_selected：{plan.print_max_selected} 家），"
        f"完整名单见同一文件夹的 {stem}.csv（Excel、WPS 可直接打开）和 {stem}.parquet。",
        f"按单位打印抽取结果：ssj pages --plan 计划文件 --month {month}"
        f"（按名录库的“{plan.print_unit}”列分单位，--unit 只打印一个单位）。",
    ]
    sheets = [
        Sheet(
            "抽取结果",
            ["任务编号", "抽查事项", "对象家数", "抽中家数"],
            rows,
            caption=f"{plan.agency} {month} “双随机”抽取结果（汇总）",
            notes=notes,
        )
    ]
    if unit is not None:
        column, of = unit
        counts: dict[str, list[int]] = {}
        for index, r in enumerate(records):
            for s in r.selected:
                counts.setdefault(of.get(s.uscc) or BLANK_UNIT, [0] * len(records))[index] += 1
        by_unit: list[list[object]] = [
            [name, *found, sum(found)] for name, found in sorted(counts.items())
        ]
        sheets.append(
            Sheet(
                "按单位",
                [column, *(r.item_id for r in records), "合计"],
                by_unit,
                caption=f"{plan.agency} {month} 抽中企业按{column}统计（取自写出时的名录库）",
            )
        )
    return [*sheets, _parameters_sheet(plan, month, records), _how_to_check()]


def is_big(plan: Plan, records: Sequence[DrawRecord | ExternalDraw]) -> bool:
    """Whether a month's selections are past what people print as one list."""
    return sum(len(r.selected) for r in records) > plan.print_max_selected


def month_units(
    plan: Plan,
    roster: EnterpriseRoster | None,
    records: Sequence[DrawRecord | ExternalDraw],
    selected: tuple[list[str], Positions] | None = None,
) -> dict[str, str] | None:
    """A big month's selected codes → their unit in the roster (the plan's ``print_unit``
    column); None for a month printed as one list, or a roster without the column.
    ``selected``: codes whose roster rows are known (a draw's, found for their names), taken
    by those rows; only the others are looked up."""
    if roster is None or not is_big(plan, records) or plan.print_unit not in roster.columns:
        return None
    codes = {s.uscc for r in records for s in r.selected}
    found: dict[str, str] = {}
    if selected is not None:
        found = roster.details_at(*selected, [plan.print_unit])[plan.print_unit]
    missing = codes - found.keys()
    return found | roster.details(missing, plan.print_unit) if missing else found


def _write_key_file(path: Path, entry: KeyList) -> bool:
    """A record's key file, unless ``path`` already holds it; True if written. Streamed, a
    part at a time: a province's list is gigabytes."""

    def parts(handle: BinaryIO) -> None:
        for piece in separated(joined_parts(entry.keys)):
            handle.write(piece)

    return write_if_changed(path, parts)


def write_draw_files(
    plan: Plan,
    month: str,
    drawn: Sequence[tuple[DrawRecord | ExternalDraw, str]],
    anchor: LedgerHead | None = None,
    earlier: Sequence[str] = (),
    units: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write each record's JSON (its published ``text``), the month's 抽取结果 and its
    verification page (with the ``earlier`` months' record texts, for the exclusions); return
    the files changed. A big month's list is written as columns beside a summary workbook,
    with each enterprise's unit (``units``: code → the plan's ``print_unit``) when known."""
    folder = plan.folder / OUTPUT_DIR / month
    written = []
    for record, text in drawn:
        path = folder / record_file_name(record)
        if write_if_changed(path, text.encode()):
            written.append(path)
        for entry in record.key_lists() if isinstance(record, DrawRecord) else []:
            if entry.keys_file is not None and _write_key_file(folder / entry.keys_file, entry):
                written.append(folder / entry.keys_file)
    records = [record for record, _ in drawn]
    if is_big(plan, records):
        unit = None if units is None else (plan.print_unit, units)
        table = _columns(records, _task_names(plan), unit)
        written += column_files(folder, result_columns_stem(month), table)
        del table
        release_memory()  # the columns' Arrow buffers, before the page is made
        sheets = _summary_sheets(plan, month, records, unit)
    else:
        sheets = result_sheets(plan, month, records)
    if anchor is not None:
        sheets.append(anchor_sheet(anchor))
    path = folder / result_workbook_name(month)
    if write_workbook(path, sheets):
        written.append(path)
    texts = [*earlier, *(text for _, text in drawn)]
    if write_verify_page(folder, plan.agency, month, texts, _task_names(plan), anchor):
        written.append(folder / page_name(month))
    return written
