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

from shuangsuiji.commands.draw import parse_draw_month
from shuangsuiji.commands.heal import sound_ledger
from shuangsuiji.exceptions import InputError, NeedsAttention, raise_for_errors
from shuangsuiji.inputs.dates import writing_day
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.inputs.tasksheet import read_results
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, plan_lock, workspace_lock
from shuangsuiji.rules.keys import normalize_value
from shuangsuiji.rules.records import Result, ResultConflict, Waiver
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


def waive_result(
    plan_path: str | Path,
    *,
    month: str,
    uscc: str,
    reason: str,
    task: str | None = None,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
) -> Waiver:
    """``ssj results waive``: record that a drawn enterprise could not be inspected, and why
    (none of the standard 检查结果 fits). Its needs-attention alarm ends; the event log keeps
    the reason; a result imported for it later ends the waiver."""
    if not reason.strip():
        raise InputError("--reason 不能为空：写明为什么没能检查（如“企业已搬离本区，移交属地”）")
    with plan_lock(plan_path, wait):
        plan = load_plan(plan_path)
        day = writing_day(today)
        label = parse_draw_month(month, plan)
        code = normalize_value(uscc).upper()
        with sound_ledger(plan) as ledger:
            scopes = [
                (info.scope, s.name)
                for info in ledger.drawn(plan.year)
                if f"{plan.year:04d}-{info.month:02d}" == f"{label[0]:04d}-{label[1]:02d}"
                and (task is None or info.task_id == task)
                and (stored := ledger.draw(info.scope)) is not None
                for s in stored.record.selected
                if s.uscc == code
            ]
            if not scopes:
                raise InputError(
                    f"{code} 不是 {label[0]:04d}-{label[1]:02d}"
                    f"{'' if task is None else ' ' + task} 抽中的企业；核对代码和月份"
                )
            if len(scopes) > 1:
                raise InputError(
                    f"{code} 在本月被多个任务抽中（{'、'.join(s for s, _ in scopes)}）；用 --task 指明"
                )
            scope, name = scopes[0]
            if (scope, code) in ledger.results():
                raise InputError(
                    f"{scope} {name} 已有检查结果，不能再登记为未能检查；结果有误请改正任务单后重新导入"
                )
            waiver = Waiver(scope, code, name, reason.strip(), day.isoformat())
            if ledger.waivers().get((scope, code)) != waiver:
                ledger.record_events("waive", [waiver])
    return waiver
