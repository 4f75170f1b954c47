"""The day's public randomness for a draw (docs/spec.md §4.1 "extra"), dropped in the workspace as
随机数/YYYY-MM.txt — e.g. the lottery numbers announced on the draw day — for ``ssj run``."""

from __future__ import annotations

from pathlib import Path

PUBLIC_NUMBERS_DIR = "随机数"


def public_numbers_path(folder: Path, month: str) -> Path:
    return folder / PUBLIC_NUMBERS_DIR / f"{month}.txt"


def read_public_numbers(folder: Path, month: str) -> str | None:
    """The month's public numbers (lines joined by a space, "#" lines are notes), or None
    while no such file, or only an empty one, is there."""
    path = public_numbers_path(folder, month)
    if not path.is_file():
        return None
    lines = [
        line.strip()
        for line in path.read_text(encoding="utf-8-sig").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return " ".join(lines) or None
