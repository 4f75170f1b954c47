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
        ["台账事件序号", "事件哈希", "说明"],
        [
            [
                anchor.seq,
                anchor.hash,
                "写出本文件时台账所在的位置，随本文件公开；ssj audit verify --against 据此核对历史未被删改",
            ]
        ],
        hidden=True,  # for auditors (unhide it in Excel to read), not printed with the document
    )
