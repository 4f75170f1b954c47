"""``ssj audit verify`` and ``ssj audit log``: check the ledger's hash chain, list its events."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shuangsuiji.commands.heal import anchor_problems, require_ledger_of_outputs
from shuangsuiji.exceptions import InputError, NeedsAttention, Problem
from shuangsuiji.inputs.anchors import published_anchors
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.store import LEDGER_NAME, AuditReport
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.rules.clock import local_time


@dataclass(frozen=True)
class Event:
    """One event of the ledger's log."""

    seq: int
    at: str
    kind: str
    payload: dict[str, Any]
    local_at: str  # ``at`` in the plan's time zone, as people read it


def audit_workspace(plan_path: str | Path) -> tuple[AuditReport, str] | None:
    """The audit of a workspace's ledger and its chain head; None while it has no ledger."""
    plan = load_plan(plan_path)
    require_ledger_of_outputs(plan)
    folder = plan.folder
    if not Ledger.exists(folder):
        return None
    try:
        with Ledger.at(folder) as ledger:
            report, head, chain = ledger.audit(), ledger.head(), ledger.chain()
    except sqlite3.DatabaseError as exc:
        raise NeedsAttention(
            f"台账文件 {folder / LEDGER_NAME} 已损坏，无法读取（{exc}）；请从备份恢复 ssj.db"
        ) from None
    outputs = folder / OUTPUT_DIR
    if report.ok and outputs.is_dir():
        # The workspace's own published files: an emptied or rolled-back ledger is not sound.
        found = anchor_problems(published_anchors(outputs), chain, outputs)
        report = replace(report, problems=found[:1])
    return report, head


def event_log(plan_path: str | Path) -> list[Event]:
    """Every event of the workspace's ledger, oldest first (none while it has no ledger), its
    time in the plan's time zone."""
    plan = load_plan(plan_path)
    return [
        Event(seq, at, kind, payload, local_time(at, plan.timezone))
        for seq, at, kind, payload in Ledger.existing_events(plan.folder)
    ]


@dataclass(frozen=True)
class AnchorCheck:
    """What ``ssj audit verify --against`` found: anchors read, and every mismatch."""

    checked: int
    problems: list[str]


def check_against(plan_path: str | Path, published: Path) -> AnchorCheck:
    """Every chain anchor in the published files under ``published`` must still be in the
    ledger's chain, with the same hash: a shorter chain was cut, a different hash rewritten."""
    plan = load_plan(plan_path)
    if not published.exists():
        raise InputError(
            f"找不到要核对的文件夹 {published}",
            [
                Problem(
                    str(published), None, None, "不存在", "给出公开过的文件所在的文件夹，如 输出/"
                )
            ],
        )
    anchors = published_anchors(published) if published.is_dir() else []
    chain: dict[int, str] = {}
    if Ledger.exists(plan.folder):
        with Ledger.at(plan.folder) as ledger:
            chain = ledger.chain()
    return AnchorCheck(len(anchors), anchor_problems(anchors, chain, published))
