"""Reading published draw records from a file, as anyone verifying a draw has them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.rules.records import ASSIGNMENT_FILE, EXTERNAL

RECORD_FIELDS = ("spec", "scope", "item_id", "month", "seed", "ratio", "population", "excluded", "k", "selected")  # fmt: skip
EXTERNAL_FIELDS = ("spec", "scope", "item_id", "month", "source", "selected")


def is_assignment(data: Any) -> bool:
    """Whether a published JSON object is a month's officer draw (人员分组记录), not a draw."""
    return isinstance(data, dict) and data.get("record_type") == ASSIGNMENT_FILE


def load_records(path: Path) -> list[dict[str, Any]]:
    """Draw records from a JSON file: one record, or an array as ``ssj draw --json`` prints;
    a published officer draw comes back as it is (see :func:`is_assignment`)."""
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
    if is_assignment(data):
        return [data]
    records = data if isinstance(data, list) else [data]
    for record in records:
        _read_key_files(record, path.parent)
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


def read_key_file(folder: Path, name: str) -> list[str] | None:
    """The keys of a key list kept beside its record (one per line), or None if absent."""
    path = folder / name
    if Path(name).name != name or not path.is_file():  # a plain name beside the record only
        return None
    text = path.read_text(encoding="utf-8")
    return text.split("\n") if text else []


def _read_key_files(record: Any, folder: Path) -> None:
    """Fill in, in place, the key lists a record keeps in files beside it."""
    if not isinstance(record, dict):
        return
    for entry in [record.get("population"), *(record.get("strata") or [])]:
        named = isinstance(entry, dict) and isinstance(entry.get("keys_file"), str)
        if named and "keys" not in entry:
            keys = read_key_file(folder, entry["keys_file"])
            if keys is not None:
                entry["keys"] = keys
