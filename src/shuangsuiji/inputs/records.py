"""Reading published draw records from a file, as anyone verifying a draw has them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.rules.records import EXTERNAL

RECORD_FIELDS = ("spec", "scope", "item_id", "month", "seed", "ratio", "population", "excluded", "k", "selected")  # fmt: skip
EXTERNAL_FIELDS = ("spec", "scope", "item_id", "month", "source", "selected")


def load_records(path: Path) -> list[dict[str, Any]]:
    """Draw records from a JSON file: one record, or an array as ``ssj draw --json`` prints."""
    file = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(
            "找不到抽取记录文件", [Problem(file, None, None, "文件不存在", "检查路径")]
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        row = getattr(exc, "lineno", None)
        raise InputError(
            "抽取记录不是有效的 JSON",
            [Problem(file, row, None, f"JSON 格式错误：{exc}", "使用 ssj draw 写出的原始记录文件")],
        ) from None
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        external = isinstance(record, dict) and record.get("spec") == EXTERNAL
        required = EXTERNAL_FIELDS if external else RECORD_FIELDS
        missing = [f for f in required if not isinstance(record, dict) or f not in record]
        if missing:
            raise InputError(
                "抽取记录不完整",
                [
                    Problem(
                        file,
                        None,
                        f"第 {index + 1} 条记录",
                        f"缺少字段：{'、'.join(missing)}",
                        "使用 ssj draw 写出的原始记录文件",
                    )
                ],
            )
    return records
