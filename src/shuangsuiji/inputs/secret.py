"""Reading the sealed secret (DESIGN.md §4.1): the one file ssj never copies anywhere."""

from __future__ import annotations

from pathlib import Path

from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.rules.seal import is_hex64

EXAMPLE_MARK = "ssj: example-only"  # a secret shipped with the examples, public by design
LOST_FIX = "若秘密文件确已丢失：运行 ssj seal --plan 计划文件 --replace --reason 原因，并重新公开新的 commitment"


def read_secret(path: Path) -> str:
    """The secret s12: the file's one line of 64 lowercase hex characters (lines starting with
    "#" are notes, e.g. the example's "示例专用")."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(
            "找不到种子承诺的秘密文件，无法抽取",
            [Problem(file, None, None, "秘密文件不存在", LOST_FIX)],
        ) from None
    lines = [
        (n, line.strip())
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(lines) != 1 or not is_hex64(lines[0][1]):
        row = lines[0][0] if lines else None
        raise InputError(
            "秘密文件内容不对，无法抽取",
            [
                Problem(
                    file,
                    row,
                    None,
                    "应只有一行 64 位小写十六进制数（由 ssj seal 写入）",
                    "不要手改秘密文件；" + LOST_FIX,
                )
            ],
        )
    return lines[0][1]


def is_example_secret(path: Path) -> bool:
    """Whether the secret file is the examples' public one (marked, on a "#" line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    return any(line.startswith("#") and EXAMPLE_MARK in line for line in text.splitlines())
