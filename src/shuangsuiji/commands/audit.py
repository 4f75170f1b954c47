"""``ssj audit verify`` and ``ssj audit log``: check the ledger's hash chain, list its events."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shuangsuiji.commands.heal import require_ledger_of_outputs
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.store import AuditReport


@dataclass(frozen=True)
class Event:
    """One event of the ledger's log."""

    seq: int
    at: str
    kind: str
    payload: dict[str, Any]


def audit_workspace(plan_path: str | Path) -> tuple[AuditReport, str] | None:
    """The audit of a workspace's ledger and its chain head; None while it has no ledger."""
    plan = load_plan(plan_path)
    require_ledger_of_outputs(plan)
    folder = plan.folder
    if not Ledger.exists(folder):
        return None
    with Ledger.at(folder) as ledger:
        return ledger.audit(), ledger.head()


def event_log(plan_path: str | Path) -> list[Event]:
    """Every event of the workspace's ledger, oldest first (none while it has no ledger)."""
    folder = load_plan(plan_path).folder
    return [Event(*event) for event in Ledger.existing_events(folder)]
