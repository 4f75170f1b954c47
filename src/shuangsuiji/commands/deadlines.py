"""``ssj deadline-check``: where every result stands on its way to publication (read-only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules.deadlines import statuses
from shuangsuiji.rules.records import DrawRecord, Status


def check_deadlines(plan_path: str | Path, today: dt.date | None = None) -> list[Status]:
    """The status of every result, then drawn enterprises with none after their month ended."""
    plan = load_plan(plan_path)
    if not Ledger.exists(plan.folder):
        return []
    with Ledger.at(plan.folder) as ledger:
        # Results of imported selections are kept where they were drawn, not tracked here.
        records = [d.record for d in ledger.draws(plan.year)]
        draws = [r for r in records if isinstance(r, DrawRecord)]
        return statuses(
            ledger.results(),
            draws,
            today or dt.date.today(),
            plan.work_calendar,
            plan.deadline_workdays,
        )
