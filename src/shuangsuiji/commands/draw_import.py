"""``ssj draw import``: bring in selections made elsewhere this year, for a mid-year start.

A bureau that adopts ssj in June already drew March and May on the provincial platform. Those
selections are recorded as external draws — marked so in the ledger and every output, never
presented as SSJ-DRAW-1 — so that later draws still exclude them (避免重复检查).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from shuangsuiji import __version__
from shuangsuiji.commands.draw import parse_draw_month
from shuangsuiji.commands.heal import load_audited, month_anchor
from shuangsuiji.exceptions import InputError, raise_for_errors
from shuangsuiji.inputs.external import read_selections
from shuangsuiji.inputs.plan import Item, JointTask, Plan
from shuangsuiji.inputs.population import KeyColumn
from shuangsuiji.inputs.rosters import NAME
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, plan_lock
from shuangsuiji.ledger.store import StoredDraw, now_text
from shuangsuiji.outputs.draws import month_units, write_draw_files
from shuangsuiji.rules.draw import scope_of
from shuangsuiji.rules.records import EXTERNAL, ExternalDraw, Selected


@dataclass
class DrawImportOutcome:
    """What one ``ssj draw import`` recorded."""

    record: ExternalDraw
    notices: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def import_draw(
    plan_path: str | Path,
    file: str | Path,
    *,
    task: str,
    month: str,
    wait: float = DEFAULT_WAIT,
) -> DrawImportOutcome:
    """Record the file's list as ``task``'s selections of ``month``; all rows or none. Only
    before sealing (the 承诺书 lists every import), and only for due months before the item's
    first draw here (docs/spec.md §4.3): a list brought in later could be hand-picked."""
    with plan_lock(plan_path, wait):
        return _import_locked(plan_path, file, task, month)


def _refuse_late_import(plan: Plan, found: Item | JointTask, year: int, mon: int) -> None:
    """An import only before sealing, for a month the task is due, before any draw here."""
    if plan.commitment is not None:
        raise InputError(
            "计划已经封存种子承诺（承诺书已写出），不能再导入其他平台的名单：导入只能在封存之前，"
            "并写进承诺书公开；未导入。确是封存前漏导的，请说明情况后按年中开始使用的流程重新建立工作区"
        )
    if mon not in found.months:
        months = "、".join(f"{m}月" for m in found.months)
        raise InputError(
            f"{found.id} 在 {mon} 月没有抽查任务（抽查月份：{months}），不能导入这个月的名单；未导入"
        )
    base = plan.base_item(found).id
    drawn = [
        d.scope
        for d in Ledger.existing_draws(plan.folder, year)
        if d.base_item == base and d.scope not in Ledger.existing_external(plan.folder, year)
    ]
    if drawn:
        raise InputError(
            f"{base} 已经用本工具抽取过（{'、'.join(drawn)}），不能再导入其他平台的名单；未导入"
        )


def _import_locked(
    plan_path: str | Path, file: str | Path, task: str, month: str
) -> DrawImportOutcome:
    workspace, audited = load_audited(plan_path)
    workspace.require_valid()
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    found = plan.task(task)
    if found is None:
        raise InputError(
            f"计划中没有编号为“{task}”的事项；现有：{'、'.join(t.id for t in plan.tasks)}"
        )
    year, mon = parse_draw_month(month, plan)
    _refuse_late_import(plan, found, year, mon)
    audited()
    label = f"{year:04d}-{mon:02d}"
    scope = scope_of(task, year, mon)
    path = Path(file)
    rows, problems = read_selections(path, task, label, plan.uscc_check)
    raise_for_errors(f"{path.name} 有错误，没有导入；改正后重新导入", problems)
    names = roster.details((r.uscc for r in rows), NAME)
    base = plan.base_item(found).id
    with Ledger.at(plan.folder) as ledger:
        if ledger.draw(scope) is not None:
            raise InputError(
                f"{scope} 已有抽取记录（抽取或导入过），不能再导入；台账中的记录不会被覆盖"
            )
        later = [d.scope for d in ledger.drawn(year) if d.base_item == base and d.month > mon]
        if later:
            raise InputError(
                f"已经有更晚的 {'、'.join(later)}，它们没有排除 {scope} 的企业；"
                "请按月份顺序导入，先导入更早月份的名单，再抽取之后的月份"
            )
        before = ledger.head_anchor()
        record = ExternalDraw(
            spec=EXTERNAL,
            scope=scope,
            item_id=task,
            covers=found.covers if isinstance(found, JointTask) else None,
            month=label,
            source=path.name,
            source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            selected=[
                Selected(n, r.uscc, r.name or names.get(r.uscc, ""), "")
                for n, r in enumerate(rows, start=1)
            ],
            created_at=now_text(),
            tool_version=__version__,
            ledger_head=before,
        )
        text = record.to_json()
        entry = StoredDraw.of(text)
        ledger.record_draws([(entry, record.selected_keys)], external=True)
        outcome = DrawImportOutcome(record)
        missing = [r for r in rows if r.uscc not in names]
        if missing:
            outcome.notices.append(
                f"{len(missing)} 家不在当前企业名录库中（如第 {missing[0].row} 行 {missing[0].uscc}），"
                "仍按名单记下"
            )
        month_draws = ledger.month_draws(year, mon, KeyColumn.of_parts)
        earlier = ledger.texts_before(year, mon)
        anchor = month_anchor(ledger, label)
        units = month_units(plan, roster, [r for r, _ in month_draws])
        outcome.files = write_draw_files(plan, label, month_draws, anchor, earlier, units)
    return outcome
