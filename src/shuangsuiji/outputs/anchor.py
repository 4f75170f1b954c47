"""The chain anchor every published workbook carries (a sheet of its own): where the
workspace's event chain stood when the file was made. Published, it lets anyone later check
with ``ssj audit verify --against`` that the history up to it was not cut or rewritten."""

from __future__ import annotations

from shuangsuiji.inputs.anchors import ANCHOR_SHEET
from shuangsuiji.outputs.excel import Sheet
from shuangsuiji.rules.records import LedgerHead


def anchor_sheet(anchor: LedgerHead) -> Sheet:
    return Sheet(
        ANCHOR_SHEET,
        ["台账链头", "说明"],
        [
            [
                anchor.text(),
                "本文件写出时工作区台账事件日志的位置。请随本文件一并公开；"
                "此后可用 ssj audit verify --plan 计划文件 --against 公开的文件夹 核对台账没有被删减或改写。",
            ]
        ],
    )
