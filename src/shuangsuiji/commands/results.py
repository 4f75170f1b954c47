"""``ssj results import``: take the filled task sheet back in.

A sheet with any error imports nothing. New and corrected results are appended to the ledger
as events; earlier values stay in the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from shuangsuiji.exceptions import InputError, raise_for_errors
from shuangsuiji.inputs.dates import writing_day
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.inputs.tasksheet import read_results
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.rules.records import Result


@dataclass
class ImportOutcome:
    """What one results import did."""

    file: str
    changed: list[Result] = field(default_factory=list)  # new or corrected results
    unchanged: int = 0
    blank: int = 0


def _same(before: Result, row: Result) -> bool:
    """Whether a row only repeats what is recorded (a blank 公示日期 keeps a recorded one)."""
    return (before.result, before.inspected_on, before.note) == (
        row.result,
        row.inspected_on,
        row.note,
    ) and (before.published_on == row.published_on or not row.published_on)


def import_results(
    plan_path: str | Path,
    sheet: str | Path,
    *,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
) -> ImportOutcome:
    """Import a filled task sheet: all rows or none; unchanged rows are not recorded again."""
    plan = load_plan(plan_path)
    path = Path(sheet)
    today = writing_day(today)
    drawn_records = Ledger.existing_draws(plan.folder, plan.year)
    if not drawn_records:
        raise InputError("工作区还没有任何抽取记录；请先运行 ssj draw 和 ssj assign")
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        drawn: dict[str, dict[str, str]] = {}
        for info in drawn_records:
            stored = ledger.draw(info.scope)
            assert stored is not None
            drawn[info.scope] = {s.uscc: s.name for s in stored.record.selected}
        rows, blank, problems = read_results(path, drawn, today, path.name)
        raise_for_errors(f"{path.name} 有错误，没有导入任何结果；改正后重新导入", problems)
        current = ledger.results()
        outcome = ImportOutcome(str(path), blank=blank)
        for row in rows:
            before = current.get((row.scope, row.uscc))
            if before is not None and _same(before, row):
                outcome.unchanged += 1
                continue
            if before is not None and not row.published_on:  # keep a recorded publication
                row = replace(row, published_on=before.published_on)
            outcome.changed.append(row)
        ledger.record_events("result", outcome.changed)
    return outcome
