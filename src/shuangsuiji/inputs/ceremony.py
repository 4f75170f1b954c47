"""The day's public randomness for a draw (docs/spec.md §4.1 "extra"), dropped in the workspace as
随机数/YYYY-MM.txt — e.g. the lottery numbers announced on the draw day — for ``ssj run``."""

from __future__ import annotations

from pathlib import Path

from shuangsuiji.exceptions import InputError, Problem

PUBLIC_NUMBERS_DIR = "随机数"


def public_numbers_path(folder: Path, month: str) -> Path:
    return folder / PUBLIC_NUMBERS_DIR / f"{month}.txt"


def read_public_numbers(folder: Path, month: str) -> str | None:
    """The month's public numbers (lines joined by a space, "#" lines are notes), or None
    while no such file, or only an empty one, is there."""
    path = public_numbers_path(folder, month)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            "公开随机数文件不是文本，无法读取，未抽取",
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "不是 UTF-8 编码的文本（可能是误存的图片、Word 文件或其他编码）",
                    "用记事本打开，只写开奖号码（如 3 1 5），另存为 UTF-8 编码的 .txt",
                )
            ],
        ) from None
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return " ".join(lines) or None
