"""The month's task sheet (检查任务单.xlsx): what ``assign`` writes and ``results import`` reads.

One row per drawn enterprise with its group and officers; officers fill in 检查日期, 检查结果
(a drop-down of the standard categories) and 公示日期. A printable sheet follows per group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shuangsuiji.excel import Sheet, write_workbook

# The standard result categories of 双随机 抽查 (国家企业信用信息公示系统).
RESULT_CATEGORIES = (
    "未发现问题",
    "发现问题经责令已改正",
    "发现问题待后续处理",
    "未按规定公示应当公示的信息",
    "通过登记的住所（经营场所）无法联系",
    "未发现开展本次抽查涉及的经营活动",
    "已关闭停业或正在组织清算",
    "不配合检查情节严重",
)
TASK = "任务编号"
GROUP = "检查组"
USCC = "统一社会信用代码"
NAME = "企业名称"
INSPECTED_ON = "检查日期"
RESULT = "检查结果"
PUBLISHED_ON = "公示日期"
NOTE = "备注"
HEADERS = (
    TASK,
    GROUP,
    USCC,
    NAME,
    "行业类别",
    "抽查事项",
    "检查人员",
    INSPECTED_ON,
    RESULT,
    PUBLISHED_ON,
    NOTE,
)


def file_name(month: str) -> str:
    return f"检查任务单-{month}.xlsx"


def group_label(number: int) -> str:
    return f"第{number}组"


def officer_names(group: Mapping[str, Any], agency: str) -> str:
    """ "张伟、李娜（区市场监督管理局）": partner officers marked with their department."""
    return "、".join(
        o["name"] if o["department"] == agency else f"{o['name']}（{o['department']}）"
        for o in group["officers"]
    )


def group_notes(group: Mapping[str, Any]) -> str:
    notes = list(group["warnings"])
    notes += [
        f"递补：{s['out_name']}→{s['in_name']}（{s['reason']}，{s['at'][:10]}）"
        for s in group.get("substitutions", [])
    ]
    return "；".join(notes)


def write_task_sheet(
    path: Path,
    *,
    agency: str,
    month: str,
    groups: Sequence[Mapping[str, Any]],
    item_names: Mapping[str, str],
    addresses: Mapping[str, str],
) -> bool:
    """Write the task sheet (``addresses``: 注册地址 by USCC, for the printed group sheets)."""
    rows = []
    sheets = []
    for group in groups:
        task_id = group["scope"].split("/")[0]
        label = group_label(group["group"])
        names = officer_names(group, agency)
        notes = group_notes(group)
        for enterprise in group["enterprises"]:
            rows.append(
                [
                    group["scope"],
                    label,
                    enterprise["uscc"],
                    enterprise["name"],
                    group["industry"],
                    item_names.get(task_id, ""),
                    names,
                    None,
                    None,
                    None,
                    notes,
                ]
            )
        sheets.append(
            Sheet(
                f"{task_id}{label}",
                ["序号", USCC, NAME, "注册地址", INSPECTED_ON, RESULT, "检查人员签字", NOTE],
                [
                    [
                        n,
                        e["uscc"],
                        e["name"],
                        addresses.get(e["uscc"], ""),
                        None,
                        None,
                        None,
                        None,
                    ]
                    for n, e in enumerate(group["enterprises"], start=1)
                ],
                caption=f"{group['scope']} {label}（{group['industry']}） 检查人员：{names}",
                choices={RESULT: RESULT_CATEGORIES},
                date_columns=(INSPECTED_ON,),
            )
        )
    main = Sheet(
        "检查任务单",
        HEADERS,
        rows,
        caption=f"{agency} {month} “双随机”检查任务单",
        choices={RESULT: RESULT_CATEGORIES},
        date_columns=(INSPECTED_ON, PUBLISHED_ON),
    )
    return write_workbook(path, [main, *sheets])
