"""``ssj results import``: take the filled task sheet back in.

A sheet with any error imports nothing. New and corrected results are appended to the ledger
as events; earlier values stay in the history. Each file version is remembered by its SHA-256,
so the daily batch reads a file again only when it changed; a value contradicting one imported
from another file is held back as a conflict for a person to settle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from shuangsuiji.commands.heal import sound_ledger
from shuangsuiji.exceptions import InputError, NeedsAttention, raise_for_errors
from shuangsuiji.inputs.dates import writing_day
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.inputs.tasksheet import read_results
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.rules.records import Result, ResultConflict
from shuangsuiji.rules.results import merge


@dataclass
class ImportOutcome:
    """What one results import did."""

    file: str
    changed: list[Result] = field(default_factory=list)  # new, changed or corrected results
    unchanged: int = 0
    blank: int = 0  # enterprises listed but not filled in
    conflicts: list[ResultConflict] = field(default_factory=list)
    seen_before: bool = False  # this very file version was imported before: nothing read

    @property
    def corrections(self) -> list[Result]:
        """Changed results that correct published ones (更正公示)."""
        return [r for r in self.changed if r.correction and not r.published_on]


def import_results(
    plan_path: str | Path,
    sheet: str | Path,
    *,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
    prefer: bool = False,
    skip_seen: bool = False,
    audited: bool = False,
) -> ImportOutcome:
    """Import a filled task sheet: all rows or none; unchanged rows are not recorded again.

    A row contradicting a value imported from another file is a conflict, held back, unless
    ``prefer`` (the person settles it: this file wins). ``skip_seen`` does nothing for a file
    version imported before (the daily batch); ``audited``: the caller (ssj run) has audited
    the ledger under the lock it holds."""
    plan = load_plan(plan_path)
    path = Path(sheet)
    day = writing_day(today)
    drawn_records = Ledger.existing_draws(plan.folder, plan.year)
    if not drawn_records:
        raise InputError("工作区还没有任何抽取记录；请先运行 ssj draw 和 ssj assign")
    outcome = ImportOutcome(str(path))
    with workspace_lock(plan.folder, wait), sound_ledger(plan, audited) as ledger:
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        if skip_seen and (path.name, digest) in ledger.imported_files():
            outcome.seen_before = True
            return outcome
        drawn: dict[str, dict[str, str]] = {}
        for info in drawn_records:
            stored = ledger.draw(info.scope)
            assert stored is not None
            drawn[info.scope] = {s.uscc: s.name for s in stored.record.selected}
        rows, outcome.blank, problems = read_results(path, drawn, day, path.name)
        raise_for_errors(f"{path.name} 有错误，没有导入任何结果；改正后重新导入", problems)
        if not rows:
            raise NeedsAttention(
                f"{path.name} 中没有找到任何检查结果（{outcome.blank} 家企业都还没有填写检查日期和结果）；"
                "填写后重新导入"
            )
        current = ledger.results()
        for row in rows:
            before = current.get((row.scope, row.uscc))
            new = merge(before, row, day.isoformat())
            if new is None:
                outcome.unchanged += 1
            elif before is not None and before.source != row.source and not prefer:
                outcome.conflicts.append(
                    ResultConflict(
                        row.scope,
                        row.uscc,
                        row.name,
                        row.source,
                        row.cell,
                        row.shown(),
                        before.source,
                        before.cell,
                        before.shown(),
                    )
                )
            else:
                outcome.changed.append(new)
        file_event = {
            "file": path.name,
            "sha256": digest,
            "changed": len(outcome.changed),
            "conflicts": outcome.conflicts,
        }
        ledger.record([*(("result", r) for r in outcome.changed), ("results_file", file_event)])
    return outcome
