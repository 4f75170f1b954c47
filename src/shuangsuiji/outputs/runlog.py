"""The daily log of ``ssj run`` (日志/ssj-run-日期.log), for the person who reads it next morning."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from shuangsuiji.exceptions import Problem
from shuangsuiji.inputs.plan import Plan
from shuangsuiji.ledger.files import write_if_changed
from shuangsuiji.rules.deadlines import STATUS_NAMES
from shuangsuiji.rules.records import Status

LOG_DIR = "日志"
WARNINGS = "输入警告（抽取前已核对）："


def write_run_log(
    plan: Plan,
    today: dt.date,
    actions: Sequence[str],
    statuses: Sequence[Status],
    problems: Sequence[Problem],
    to_do: Sequence[str] = (),
) -> Path:
    """The day's log: every action of the day's runs, then the latest status, everything a
    person must act on (each named) and the input problems."""
    path = plan.folder / LOG_DIR / f"ssj-run-{today.isoformat()}.log"
    earlier: list[str] = []
    warned: list[str] = []  # the day's warnings, shown when it drew, stay in the day's log
    if path.exists():
        text = path.read_text(encoding="utf-8")
        done_part = text.split("\n\n公示状态：", 1)[0]
        earlier = [line[2:] for line in done_part.splitlines() if line.startswith("- ")]
        if WARNINGS in text:
            block = text.split(WARNINGS, 1)[1].split("\n\n", 1)[0]
            warned = [line for line in block.splitlines() if line.strip()]
    done = earlier + [a for a in actions if a not in earlier]
    counts = Counter(s.status for s in statuses)
    lines = [
        f"ssj run {today.isoformat()}  {plan.agency} {plan.year} 年度",
        "",
        "今日操作：",
    ]
    lines += [f"- {a}" for a in done] or ["（无）"]
    lines += [
        "",
        "公示状态："
        + ("，".join(f"{STATUS_NAMES[k]} {v}" for k, v in sorted(counts.items())) or "（无）"),
    ]
    if to_do:
        lines += ["", f"需要处理（{len(to_do)} 项）："] + [f"  {line}" for line in to_do]
    warnings = [f"  {p.render()}" for p in problems if not p.is_error]
    warned += [w for w in warnings if w not in warned]
    errors = [p for p in problems if p.is_error]
    if warned:
        lines += ["", WARNINGS, *warned]
    if errors:
        lines += ["", "输入问题："] + [f"  {p.render()}" for p in errors]
    write_if_changed(path, ("\n".join(lines) + "\n").encode())
    return path
