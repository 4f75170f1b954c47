"""The month's officer draw, published beside its draw records (人员分组记录-YYYY-MM.json), so
that a chain of 递补 is visible to anyone, not only to the ledger's holder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shuangsuiji.inputs.plan import Plan
from shuangsuiji.ledger.files import write_if_changed
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.rules.records import (
    ASSIGNMENT_FILE,
    AssignmentRecord,
    LedgerHead,
    PublishedAssignment,
    Substitution,
)


def assignment_file(month: str) -> str:
    return f"人员分组记录-{month}.json"


def write_assignment_file(
    plan: Plan,
    record: AssignmentRecord,
    substitutions: Sequence[Substitution],
    anchor: LedgerHead | None,
    text: str | None = None,
) -> list[Path]:
    """Write (when it differs) the month's published assignment; the path if written.
    ``text``: the record's ``to_json()``, when the caller has just made it."""
    published = PublishedAssignment(
        ASSIGNMENT_FILE, record.month, record, list(substitutions), anchor
    )
    path = plan.folder / OUTPUT_DIR / record.month / assignment_file(record.month)
    path.parent.mkdir(parents=True, exist_ok=True)
    return [path] if write_if_changed(path, published.to_json(text).encode()) else []
