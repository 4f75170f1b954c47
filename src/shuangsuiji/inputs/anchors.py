"""Reading the chain anchors published files carry (``ssj audit verify --against``): the
``ledger_head`` of each record file, and the 台账链头 sheet of each workbook."""

from __future__ import annotations

import json
from pathlib import Path

from shuangsuiji.inputs.tables import excel_sheets
from shuangsuiji.rules.records import LedgerHead
from shuangsuiji.rules.seal import is_hex64

ANCHOR_SHEET = "台账链头"


def published_anchors(folder: Path) -> list[tuple[Path, LedgerHead]]:
    """Every anchor found in the files under ``folder`` (files without one are skipped)."""
    found: list[tuple[Path, LedgerHead]] = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError):
                continue
            for record in data if isinstance(data, list) else [data]:
                head = record.get("ledger_head") if isinstance(record, dict) else None
                if isinstance(head, dict) and isinstance(head.get("seq"), int):
                    found.append((path, LedgerHead(head["seq"], str(head.get("hash")))))
        elif path.suffix == ".xlsx" and not path.name.startswith(("~$", ".~")):
            anchor = workbook_anchor(path)
            if anchor is not None:
                found.append((path, anchor))
    return found


def workbook_anchor(path: Path) -> LedgerHead | None:
    """The anchor a workbook of ours carries, if any."""
    sheets, problems = excel_sheets(path, only=ANCHOR_SHEET)
    if problems:  # a damaged or foreign workbook carries no anchor of ours
        return None
    for name, rows in sheets:
        if name != ANCHOR_SHEET:
            continue
        for row in rows:
            seq, digest = (*row, "", "")[:2]
            if seq.isdigit() and is_hex64(digest):
                return LedgerHead(int(seq), digest)
    return None
