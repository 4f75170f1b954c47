"""Writing the plan file that ``ssj plan import`` made from the notice's annexes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.annex import ImportedPlan
from shuangsuiji.ledger.files import write_atomic


def write_plan(imported: ImportedPlan, out: Path, *, force: bool = False) -> None:
    """Write an imported plan; never overwrite an existing file unless ``force``."""
    if out.exists() and not force:
        raise InputError(
            "输出文件已存在，未覆盖",
            [Problem(str(out), None, None, "文件已存在", "换一个 -o 文件名，或加 --force 覆盖")],
        )
    write_atomic(out, imported.text)


_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)#\s*commitment:[^#\n]*(?P<comment>#.*)?$", re.M)


def with_commitment(text: str, commitment: str) -> str:
    """The plan text with ``commitment:`` set, everything else kept to the byte: an existing
    ``commitment:`` line gets the new value, else the "# commitment: <64 hex>" placeholder of
    the example becomes the key, else the key goes on the line after ``seed``."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    lines = text.splitlines(keepends=True)
    entry = f'commitment: "{commitment}"'
    keys = {str(k.value): (k, v) for k, v in root.value}
    if "commitment" in keys:
        key, value = keys["commitment"]
        line = lines[key.start_mark.line]
        start, end = value.start_mark, value.end_mark
        assert start.line == end.line == key.start_mark.line  # one line: a 64-hex scalar
        lines[start.line] = f'{line[: start.column]}"{commitment}"{line[end.column :]}'
        return "".join(lines)
    placeholder = _PLACEHOLDER.search(text)
    if placeholder is not None:
        comment = placeholder["comment"]
        line = f"{placeholder['indent']}{entry}{'            ' + comment if comment else ''}"
        return text[: placeholder.start()] + line + text[placeholder.end() :]
    _, seed = keys["seed"]
    after = seed.end_mark.line + (1 if seed.end_mark.column else 0)
    newline = "\n" if not lines[after - 1].endswith("\n") else ""
    lines.insert(after, f"{newline}{entry}  # ssj seal 写入，抽取前公开\n")
    return "".join(lines)
