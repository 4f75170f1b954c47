"""``ssj deadline-check``: where every result stands on its way to publication (read-only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules.assign import current_groups
from shuangsuiji.rules.deadlines import STATUS_NAMES, statuses
from shuangsuiji.rules.records import AssignmentRecord, DrawRecord, Status


def officers_of(ledger: Ledger, year: int) -> dict[tuple[str, str], list[str]]:
    """Who inspects each drawn enterprise (scope, uscc): its group's current officers."""
    found: dict[tuple[str, str], list[str]] = {}
    for month, text in ledger.assignments(year):
        groups = current_groups(AssignmentRecord.from_json(text), ledger.substitutions(month))
        for group in groups:
            for enterprise in group.enterprises:
                officers = group.officers_of(enterprise.uscc)
                found[(group.scope, enterprise.uscc)] = [o.name for o in officers]
    return found


def status_filter(names: Collection[str]) -> set[str]:
    """Status keys from what a person types (已逾期 or overdue); an unknown one is an error."""
    by_name = {v: k for k, v in STATUS_NAMES.items()} | {k: k for k in STATUS_NAMES}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(
            f"不认识的状态“{'、'.join(unknown)}”；可选：{'、'.join(STATUS_NAMES.values())}"
        )
    return {by_name[n] for n in names}


def check_deadlines(
    plan_path: str | Path, today: dt.date | None = None, *, only: Collection[str] = ()
) -> list[Status]:
    """Every result and every drawn enterprise still without one after its month ended (and
    the plan's grace), most urgent first; ``only`` keeps those statuses (names or keys)."""
    plan = load_plan(plan_path)
    wanted = status_filter(only)
    if not Ledger.exists(plan.folder):
        return []
    with Ledger.at(plan.folder) as ledger:
        # Results of imported selections are kept where they were drawn, not tracked here.
        records = [d.record for d in ledger.draws(plan.year)]
        draws = [r for r in records if isinstance(r, DrawRecord)]
        found = statuses(
            ledger.results(),
            draws,
            today or dt.date.today(),
            plan.work_calendar,
            plan.deadline_workdays,
            grace=plan.results_grace_workdays,
            officers=officers_of(ledger, plan.year),
            waivers=ledger.waivers(),
        )
    return [s for s in found if not wanted or s.status in wanted]
