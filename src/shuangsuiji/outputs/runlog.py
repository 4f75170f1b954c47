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


def log_path(plan: Plan, today: dt.date) -> Path:
    return plan.folder / LOG_DIR / f"ssj-run-{today.isoformat()}.log"


EXIT_MEANING = {0: "完成", 1: "有需要处理的事项", 2: "有输入问题", 3: "工作区被占用"}


def run_number(plan: Plan, today: dt.date) -> int:
    """The number the next run of the day gets in its log (1 for the first)."""
    return len(_sections(log_path(plan, today))) + 1


def write_run_log(
    plan: Plan,
    today: dt.date,
    started: tuple[int, str],
    actions: Sequence[str],
    statuses: Sequence[Status],
    problems: Sequence[Problem],
    to_do: Sequence[str] = (),
    exit_code: int | None = None,
    failure: str | None = None,
) -> Path:
    """This run's section of the day's log — its start time, what it did, the status, every
    item a person must act on (each named), the input problems and, once known, its exit code.
    Each run of the day keeps its own section: a second run never hides the first one's."""
    path = log_path(plan, today)
    number, time = started
    header = (
        f"ssj run {today.isoformat()} 第 {number} 次（{time} 开始）  {plan.agency} {plan.year} 年度"
    )
    counts = Counter(s.status for s in statuses)
    lines = [header, "", "本次操作："]
    lines += [f"- {a}" for a in actions] or ["（无）"]
    lines += [
        "",
        "公示状态："
        + ("，".join(f"{STATUS_NAMES[k]} {v}" for k, v in sorted(counts.items())) or "（无）"),
    ]
    if to_do:
        lines += ["", f"需要处理（{len(to_do)} 项）："] + [f"  {line}" for line in to_do]
    warnings = [f"  {p.render()}" for p in problems if not p.is_error]
    errors = [p for p in problems if p.is_error]
    if warnings:
        lines += ["", WARNINGS, *warnings]
    if errors:
        lines += ["", "输入问题："] + [f"  {p.render()}" for p in errors]
    if failure:
        lines += ["", f"未能完成：{failure}"]
    if exit_code is not None:
        lines += ["", f"退出码 {exit_code}（{EXIT_MEANING.get(exit_code, '')}）"]
    section = "\n".join(lines) + "\n"
    sections = _sections(path)  # the run's number keeps its section apart from the others
    sections[header] = section  # this run's, replaced as it goes on; earlier runs kept
    write_if_changed(path, (SEPARATOR.join(sections.values())).encode())
    return path


SEPARATOR = "\n" + "─" * 40 + "\n\n"


def _sections(path: Path) -> dict[str, str]:
    """The day's earlier runs' sections, by their first line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    found = {}
    for part in text.split(SEPARATOR):
        if part.strip():
            found[part.splitlines()[0]] = part if part.endswith("\n") else part + "\n"
    return found
