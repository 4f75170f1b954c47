"""The 承诺书 (docs/spec.md §4.3): the parameters a plan fixes, and a published 承诺书 read back."""

from __future__ import annotations

import json
from pathlib import Path

from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.plan import Item, JointTask, Plan
from shuangsuiji.rules.pledge import (
    Parameters,
    Pledge,
    PledgedCeremony,
    PledgedTask,
)

PLEDGE_STEM = "承诺书"


def pledge_name(year: int, version: int, suffix: str) -> str:
    """承诺书-2025.json for the first of a year; 承诺书-2025-第2版.json for a replacement."""
    part = "" if version == 1 else f"-第{version}版"
    return f"{PLEDGE_STEM}-{year}{part}{suffix}"


def _task(plan: Plan, task: Item | JointTask) -> PledgedTask:
    base = plan.base_item(task)
    joint = isinstance(task, JointTask)
    return PledgedTask(
        id=task.id,
        covers=task.covers if isinstance(task, JointTask) else None,
        partner=task.partner if isinstance(task, JointTask) else None,
        targets={k: list(v) for k, v in sorted(base.targets.items())},
        ratio=task.ratio.to_plain(),
        months=list(task.months),
        method="SSJ-DRAW-1" if joint else base.draw_method,
        sources="" if joint else base.draw_sources,
    )


def pledge_parameters(plan: Plan) -> Parameters:
    """Everything in the plan that decides the year's draws, as the 承诺书 fixes it."""
    block = plan.ceremony_block
    months = sorted({m for t in plan.tasks for m in t.months})
    return Parameters(
        seed=plan.seed,
        tasks=[_task(plan, t) for t in plan.tasks],
        ceremony=None if block is None else PledgedCeremony(block.source, block.pattern),
        draw_day=plan.draw_day,
        draw_days={f"{plan.year:04d}-{m:02d}": plan.draw_day_of(m).isoformat() for m in months},
        timezone=plan.timezone,
    )


def latest_pledge(folder: Path, year: int) -> tuple[Pledge, int] | None:
    """The workspace's newest 承诺书 of a year and its version, if it has one."""
    version = 1
    found = None
    while (path := folder / pledge_name(year, version, ".json")).is_file():
        found = (read_pledge(path), version)
        version += 1
    return found


def read_pledge(path: Path) -> Pledge:
    """A published 承诺书 (the JSON file), its shape checked; a clear error if it is not one."""
    file = str(path)
    fix = "给出 ssj seal 写出的 承诺书-YYYY.json（不是 .txt）"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(
            "找不到承诺书文件", [Problem(file, None, None, "文件不存在", fix)]
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError, IsADirectoryError) as exc:
        raise InputError(
            "承诺书不是有效的 JSON",
            [Problem(file, getattr(exc, "lineno", None), None, f"无法读取：{exc}", fix)],
        ) from None
    try:
        pledge = Pledge.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            "承诺书不完整或格式不对",
            [Problem(file, None, None, f"{exc.__class__.__name__}: {exc}", fix)],
        ) from None
    return pledge
