"""What ``ssj draw`` writes for people: each record as a JSON file, and the month's results as a
workbook meant for publication (抽取结果)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from shuangsuiji.inputs.plan import Plan
from shuangsuiji.ledger.files import write_if_changed
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.anchor import anchor_sheet
from shuangsuiji.outputs.excel import Sheet, write_workbook
from shuangsuiji.outputs.verify_page import page_name, write_verify_page
from shuangsuiji.rules.clock import local_time
from shuangsuiji.rules.ratio import Ratio
from shuangsuiji.rules.records import Drawn, DrawRecord, ExternalDraw, LedgerHead

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
EXCEL_ROWS = 1_048_576 - 2  # a worksheet's rows, less the title and the header


def result_workbook_name(month: str) -> str:
    return f"抽取结果-{month}.xlsx"


def result_csv_name(month: str) -> str:
    """The full list of a month whose selections do not fit in one worksheet."""
    return f"抽取结果-{month}.csv"


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


def write_draw_files(
    plan: Plan,
    month: str,
    drawn: Sequence[tuple[DrawRecord | ExternalDraw, str]],
    anchor: LedgerHead | None = None,
    earlier: Sequence[str] = (),
) -> list[Path]:
    """Write each record's JSON (its published ``text``), the month's 抽取结果 workbook and
    its verification page (with the ``earlier`` months' record texts, for the exclusions);
    return the files changed."""
    folder = plan.folder / OUTPUT_DIR / month
    written = []
    for record, text in drawn:
        path = folder / record_file_name(record)
        if write_if_changed(path, text.encode()):
            written.append(path)
        for entry in record.key_lists() if isinstance(record, DrawRecord) else []:
            if entry.keys_file is not None:
                path = folder / entry.keys_file
                if write_if_changed(path, "\n".join(entry.keys).encode()):
                    written.append(path)
    records = [record for record, _ in drawn]
    task_names = {t.id: (t.name or plan.base_item(t).name) for t in plan.tasks}
    # On paper the items' long names are a legend above the list, not a column of every row.
    legend = [
        f"{r.item_id}：{task_names.get(r.item_id, '')}（对象 {r.population.size} 家，"
        f"抽中 {len(r.selected)} 家）"
        if isinstance(r, DrawRecord)
        else f"{r.item_id}：{task_names.get(r.item_id, '')}（外部导入 {len(r.selected)} 家）"
        for r in records
    ]
    results: list[list[object]] = [
        [s.rank, r.item_id, s.uscc, s.name, s.ticket] for r in records for s in r.selected
    ]
    headers = list(PRINTED_HEADERS)
    caption = f"{plan.agency} {month} “双随机”抽取结果"
    if len(results) > EXCEL_ROWS - len(legend):
        # A province's or the country's month: the full list as csv (UTF-8 with BOM, which
        # Excel and WPS open as such), the workbook keeps the parameters and says where it is.
        path = folder / result_csv_name(month)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [
                RESULT_HEADERS,
                *(
                    [
                        s.rank,
                        r.item_id,
                        task_names.get(r.item_id, ""),
                        r.month,
                        s.uscc,
                        s.name,
                        s.ticket,
                    ]
                    for r in records
                    for s in r.selected
                ),
            ]
        )
        if write_if_changed(path, ("\ufeff" + buffer.getvalue()).encode()):
            written.append(path)
        caption += f"：共 {len(results)} 家，超过 Excel 工作表的行数上限，完整名单见 {path.name}"
        results = [[r.item_id, r.month, len(r.selected)] for r in records]
        headers = ["任务编号", "抽取月份", "抽中家数"]
    sheets = [
        Sheet("抽取结果", headers, results, caption=caption, notes=legend),
        # A block of rows a draw, one parameter a row: long seeds and hashes print readably
        # on a portrait page, however many draws the month has.
        Sheet(
            "抽取参数",
            ["项目", "内容"],
            [
                [label, value]
                for values in (_parameters(r, plan.timezone) for r in records)
                for label, value in zip(PARAMETERS, values, strict=True)
            ],
            caption=f"{plan.agency} {month} 抽取参数",
        ),
        Sheet(
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
        ),
    ]
    if anchor is not None:
        sheets.append(anchor_sheet(anchor))
    path = folder / result_workbook_name(month)
    if write_workbook(path, sheets):
        written.append(path)
    texts = [*earlier, *(text for _, text in drawn)]
    if write_verify_page(folder, plan.agency, month, texts, task_names, anchor):
        written.append(folder / page_name(month))
    return written
