"""``ssj draw``: draw every task due in a month, in the order SSJ-DRAW-1 fixes, exactly once.

A month's new draws are stored in the ledger in one transaction; a scope already drawn is
returned as recorded, never drawn again. Each record is also written as a JSON file, and the
month's results as a workbook meant for publication (抽取结果).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from shuangsuiji import __version__
from shuangsuiji.commands.heal import heal_outputs, load_audited, month_anchor
from shuangsuiji.commands.validate import validated_count
from shuangsuiji.engine.draw import ENGINE_MIN_KEYS
from shuangsuiji.engine.draw import draw_strata as sql_draw_strata
from shuangsuiji.exceptions import InputError, NeedsAttention, Problem
from shuangsuiji.inputs.ceremony import public_numbers_path
from shuangsuiji.inputs.dates import parse_month, writing_day
from shuangsuiji.inputs.plan import Item, JointTask, Plan
from shuangsuiji.inputs.population import (
    Eligible,
    KeyColumn,
    account,
    build_strata,
    names_lookup,
    population,
    selected_rows,
)
from shuangsuiji.inputs.rosters import NAME
from shuangsuiji.inputs.secret import LOST_FIX, read_secret, refuse_example_secret
from shuangsuiji.inputs.tables import release_memory
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, plan_lock
from shuangsuiji.ledger.store import DrawInfo, StoredDraw, now_text
from shuangsuiji.outputs.draws import month_units, write_draw_files
from shuangsuiji.rules import rfc3797
from shuangsuiji.rules.clock import DEFAULT_ZONE, local_time
from shuangsuiji.rules.draw import (
    Choice,
    DrawInput,
    choose,
    draw_strata,
    population_digest,
    record_of,
    scope_of,
)
from shuangsuiji.rules.records import Accounting, DrawRecord, ExternalDraw, PublicNumber
from shuangsuiji.rules.seal import (
    canonical_number,
    commitment_of,
    month_secret,
    normalize_extra,
    number_fits,
)


@dataclass
class DrawOutcome:
    """What ``ssj draw`` did for a month."""

    month: str
    records: list[DrawRecord | ExternalDraw] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # each record's published JSON text
    timezone: str = DEFAULT_ZONE  # the plan's: times shown with the records
    new_scopes: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # the workspace's, before drawing


def parse_draw_month(text: str | None, plan: Plan, today: dt.date | None = None) -> tuple[int, int]:
    """(year, month) from "YYYY-MM" (default: the current month), checked against the plan year."""
    if text is None:
        day = today or dt.date.today()
        year, month = day.year, day.month
    else:
        parsed = parse_month(text)
        if parsed is None:
            raise InputError(f"“{text}”不是有效的月份；请写成 YYYY-MM，例如 2025-03")
        year, month = parsed
    if year != plan.year:
        raise InputError(
            f"{year}-{month:02d} 不在计划年度 {plan.year} 内；请用 --month 指定 {plan.year} 年的月份"
        )
    return year, month


def _earlier_due(plan: Plan, task: Item | JointTask, month: int) -> list[str]:
    """Scopes over the same item that SSJ-DRAW-1 orders before ``task`` in ``month``."""
    base = plan.base_item(task).id
    scopes: list[str] = []
    for m in range(1, month + 1):
        for other in plan.due(m):
            if plan.base_item(other).id != base:
                continue
            if m == month and other.id == task.id:
                return scopes
            scopes.append(scope_of(other.id, plan.year, m))
    return scopes


def _recorded(ledger: Ledger, scope: str) -> tuple[DrawRecord | ExternalDraw, str]:
    """A stored draw's record and its published text, exactly as recorded."""
    stored = ledger.draw(scope)
    assert stored is not None
    return ledger.full_record(stored, KeyColumn.of_parts), stored.text


def _check_order(
    plan: Plan,
    tasks: Sequence[Item | JointTask],
    year: int,
    month: int,
    recorded: Mapping[str, DrawInfo],
) -> None:
    """Exclusions need every earlier draw over the same item; refuse to draw out of order."""
    batch: set[str] = set()
    for task in tasks:
        scope = scope_of(task.id, year, month)
        if scope in recorded:
            continue
        missing = [
            s for s in _earlier_due(plan, task, month) if s not in recorded and s not in batch
        ]
        if missing:
            raise InputError(
                f"{scope} 要排除此前抽中的企业，必须先抽取 {'、'.join(missing)}；"
                "请先运行 ssj draw --month 指定这些月份"
            )
        base = plan.base_item(task).id
        later = [d.scope for d in recorded.values() if d.base_item == base and d.month > month]
        if later:
            raise InputError(
                f"已经抽取了更晚的 {'、'.join(later)}，不能再补抽 {scope}（排除规则要求按月份顺序抽取）"
            )
        batch.add(scope)


def refuse_if_deleted(missing: Sequence[str], what: str) -> None:
    """Nothing is drawn or assigned again once its event is in the log, whatever the tables
    hold: a record deleted from its table is tampering, never a reason to redo it."""
    if missing:
        raise NeedsAttention(
            f"台账的事件日志中已有 {'、'.join(missing)} 的{what}，表中的记录却不见了：记录被删除过。"
            f"不会重新{what}；请运行 ssj audit verify 并从备份恢复台账"
        )


def _month_secret(plan: Plan, month: int, extra: str | None) -> tuple[str | None, str | None]:
    """(s(m), commitment) of the plan's sealed chain (docs/spec.md §4.1); (None, None) for a plan
    without a commitment, which may draw only with public randomness of the day."""
    if plan.commitment is None:
        if extra is None:
            raise InputError(
                "计划还没有种子承诺（commitment），现在抽取的结果任何人都能事先算出，未抽取。"
                f"请先运行 ssj seal --plan {plan.shell_path} 并随年度计划公开 commitment；"
                "或每次抽取都用 --seed-extra 加入当天公开的随机数（如彩票开奖号码）"
            )
        return None, None
    secret = read_secret(plan.secret_path)
    if commitment_of(secret) != plan.commitment:
        raise InputError(
            f"秘密文件 {plan.secret_path} 与计划中的 commitment 不符，未抽取；"
            "请确认用的是 ssj seal 为这份计划写出的秘密文件。" + LOST_FIX
        )
    return month_secret(secret, month), plan.commitment


def _due_tasks(plan: Plan, month: int, label: str, item: str | None) -> list[Item | JointTask]:
    """The tasks to draw this month (only ``item`` when given), in SSJ-DRAW-1 order."""
    tasks = plan.due(month)
    if item is None:
        return tasks
    if plan.task(item) is None:
        raise InputError(
            f"计划中没有编号为“{item}”的事项；现有：{'、'.join(t.id for t in plan.tasks)}"
        )
    tasks = [t for t in tasks if t.id == item]
    if not tasks:
        months = "、".join(f"{m}月" for m in next(t for t in plan.tasks if t.id == item).months)
        raise InputError(f"{item} 在 {label} 没有抽取任务（抽查月份：{months}）")
    return tasks


def _public_number(
    plan: Plan, seed_extra: str | None, rfc: bool
) -> tuple[str | None, PublicNumber | None]:
    """The day's public number as the seed takes it (docs/spec.md §4.3): with the plan's
    ceremony block, the canonical value of what was typed, which must have the announced
    form; without one, the text as typed (NFC, trimmed)."""
    block = plan.ceremony_block
    if rfc or block is None or seed_extra is None:
        return normalize_extra(seed_extra), None
    value = canonical_number(seed_extra)
    if not number_fits(value, block.pattern):
        raise InputError(
            f"公开随机数“{seed_extra}”的规范写法是“{value}”，不符合计划公布的格式 {block.pattern}"
            f"（来源：{block.source}），未抽取；请照开奖公告原样输入号码",
            [
                Problem(
                    str(plan.source),
                    plan.line_of("ceremony", "pattern"),
                    "ceremony.pattern",
                    f"“{value}”不匹配 {block.pattern}",
                    "核对号码是否完整；格式是随计划事先公开的，不能为一次抽取修改",
                )
            ],
        )
    return value, PublicNumber(block.source, block.pattern, seed_extra.strip())


def _check_method(plan: Plan, tasks: Sequence[Item | JointTask], rfc: bool) -> None:
    """RFC 3797 only for items whose plan announced it, with its sources, in advance (§4.3);
    an item announced as RFC 3797 is drawn no other way."""
    for task in tasks:
        method = "SSJ-DRAW-1" if isinstance(task, JointTask) else task.draw_method
        if rfc and method != "RFC3797":
            raise InputError(
                f"{task.id} 的计划没有事先公布用 RFC 3797 方式抽取，不能临时改用（随机源可以挑选）；"
                f"未抽取。需要时在计划的事项中写明 draw_method: RFC3797 和 draw_sources，"
                "并在封存承诺前公开"
            )
        if not rfc and isinstance(task, Item) and method == "RFC3797":
            raise InputError(
                f"{task.id} 的计划规定用 RFC 3797 方式抽取（随机源：{task.draw_sources}），"
                "请用 --method rfc3797 --sources 给出该随机源当天的值"
            )


SHRINK = Decimal("0.9")  # a population below nine tenths of the previous one stops the draw


def _checked_shrink(
    plan: Plan, task: Item | JointTask, label: str, counted: Accounting, accept: str | None
) -> Accounting:
    """The task's accounting; an item whose population fell by more than a tenth since its
    previous draw stops the draw (exit 1) until a person accepts it with a reason, which the
    record then carries (docs/spec.md §3.2)."""
    base = plan.base_item(task)
    found = Ledger.existing_previous_population(plan.folder, base.id, plan.year, int(label[5:]))
    if found is None:  # the year's first draw: against the last clean ssj validate
        count = validated_count(plan, base.id)
        found = None if count is None else ("ssj validate 时", count)
    if found is None:
        return counted
    scope, before = found
    if Decimal(counted.eligible) >= SHRINK * before:
        return counted
    if accept is None or not accept.strip():
        left_out = {**counted.status, **counted.not_target}
        if counted.blank_target:
            left_out["目标列为空"] = counted.blank_target
        top = "、".join(f"{k} {v} 行" for k, v in list(left_out.items())[:5])
        raise NeedsAttention(
            f"{task.id}/{label} 的抽取对象比上次（{scope}）少了 {before - counted.eligible} 家："
            f"{before} → {counted.eligible} 家（名录库 {counted.rows} 行；未列入的主要是：{top or '无'}）。"
            "名录库可能少了行、经营状态被改动，或有合并、空白的单元格；未抽取。核对无误后运行 "
            f'ssj draw --plan {plan.shell_path} --month {label} --accept-shrink "原因" 接受这一变化'
            "（原因记入抽取记录，随记录公开）"
        )
    return replace(counted, previous=before, accepted=accept.strip())


def _check_draw_day(plan: Plan, month: int, label: str, today: dt.date) -> str:
    """The month's draw day (ISO); a draw before it is refused (§4.3)."""
    day = plan.draw_day_of(month)
    if today < day:
        raise InputError(
            f"{label} 的抽取日是 {day.isoformat()}（计划 draw_day：当月第 {plan.draw_day} 个工作日），"
            f"今天是 {today.isoformat()}：抽取日之前不能抽取，未抽取"
        )
    return day.isoformat()


def draw_month(
    plan_path: str | Path,
    month: str | None = None,
    *,
    item: str | None = None,
    seed_extra: str | None = None,
    sources: str | None = None,
    today: dt.date | None = None,
    accept_shrink: str | None = None,
    wait: float = DEFAULT_WAIT,
    heal: bool = True,
) -> DrawOutcome:
    """Draw every task due in ``month`` (or only ``item``); return recorded draws unchanged.

    ``sources`` switches to RFC 3797 with that public randomness; ``seed_extra`` is the day's
    public number added to the SSJ-DRAW-1 seed. An item whose population fell by more than a
    tenth since its previous draw is drawn only with ``accept_shrink``, the reason a person
    gives (kept in the record). The workspace lock is taken first: the plan, the secret and
    the ledger are read as no concurrent command is changing them.
    """
    with plan_lock(plan_path, wait):
        return _draw_locked(plan_path, month, item, seed_extra, sources, today, accept_shrink, heal)


def _draw_locked(
    plan_path: str | Path,
    month: str | None,
    item: str | None,
    seed_extra: str | None,
    sources: str | None,
    today: dt.date | None,
    accept_shrink: str | None,
    heal: bool,
) -> DrawOutcome:
    workspace, audited = load_audited(plan_path, heal)
    workspace.require_valid()
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    day = writing_day(today)
    year, mon = parse_draw_month(month, plan, day)
    label = f"{year:04d}-{mon:02d}"
    tasks = _due_tasks(plan, mon, label, item)
    key_string = None if sources is None else rfc3797.key_string(rfc3797.parse_sources(sources))
    if key_string is not None and any(t.ratio.stratified for t in tasks):
        raise InputError("RFC 3797 方式不支持分层比例；请用默认的 SSJ-DRAW-1 方式抽取")
    outcome = DrawOutcome(label, warnings=workspace.warnings, timezone=plan.timezone)
    if not tasks:
        outcome.notices.append(f"{label} 没有到期的抽取任务")
        return outcome

    audited()  # ``heal=False``: the caller (ssj run) has just audited and healed itself
    # Every refusal before the ledger is opened: a refused draw writes nothing.
    recorded = {d.scope: d for d in Ledger.existing_draws(plan.folder, year)}
    in_log = Ledger.existing_recorded_scopes(plan.folder, year)
    refuse_if_deleted(sorted(in_log - set(recorded)), "抽取")
    to_draw = [t for t in tasks if scope_of(t.id, year, mon) not in recorded]
    draw_day = _check_draw_day(plan, mon, label, day) if to_draw else None
    _check_order(plan, tasks, year, mon, recorded)
    extra, number = _public_number(plan, seed_extra, key_string is not None)
    secret, commitment = None, None
    if to_draw:
        _check_method(plan, to_draw, key_string is not None)
        refuse_example_secret(plan)
        if plan.ceremony_block is not None and key_string is None and extra is None:
            block = plan.ceremony_block
            raise InputError(
                f"计划规定每次抽取都加入公开随机数（{block.source}），未抽取；"
                f'请用 --seed-extra "号码" 给出，或写入 {public_numbers_path(plan.folder, label)}'
            )
        if key_string is None:
            secret, commitment = _month_secret(plan, mon, extra)
    accounts = {
        t.id: _checked_shrink(plan, t, label, account(plan, t, roster), accept_shrink)
        for t in to_draw
    }
    with Ledger.at(plan.folder) as ledger:
        healed = heal_outputs(workspace, ledger) if heal else []
        before = ledger.head_anchor()  # every record of this draw names where the chain stood
        new: list[tuple[StoredDraw, list[str]]] = []
        batch_selected: dict[str, set[str]] = {}
        batch_scopes: dict[str, list[str]] = {}  # drawn in this batch, recorded after it
        # First every task's selection, then the names of all of them (one read of the
        # roster's names), then the records, in the order of the tasks.
        drawn: list[tuple[DrawInput, Choice, Eligible]] = []
        slots: list[tuple[DrawRecord | ExternalDraw, str, list[str]] | int] = []
        for task in tasks:
            scope = scope_of(task.id, year, mon)
            base = plan.base_item(task)
            eligible = population(plan, task, roster)
            if scope in recorded:
                recorded_draw, text = _recorded(ledger, scope)
                changes = (
                    _changes_since(recorded_draw, eligible, extra, key_string, plan.timezone)
                    if isinstance(recorded_draw, DrawRecord)
                    else []
                )
                slots.append((recorded_draw, text, changes))
                continue
            excluded = ledger.selected_over(base.id, year) | batch_selected.get(base.id, set())
            earlier = [d.scope for d in ledger.drawn(year) if d.base_item == base.id]
            earlier += batch_scopes.get(base.id, [])
            large = len(eligible) >= ENGINE_MIN_KEYS
            given = DrawInput(
                task_id=task.id,
                covers=task.covers if isinstance(task, JointTask) else None,
                year=year,
                month=mon,
                plan_seed=plan.seed,
                secret=secret,
                commitment=commitment,
                extra=extra,
                ratio=task.ratio,
                targets=base.targets,
                strata=build_strata(task, eligible),
                excluded=frozenset(excluded),
                names=names_lookup(eligible),
                created_at=now_text(),
                tool_version=__version__,
                key_string=key_string,
                ledger_head=before,
                draw_day=draw_day,
                public_number=number,
                accounting=accounts[task.id],
                excluded_from=earlier,
                select=sql_draw_strata if large else draw_strata,
            )
            choice = choose(given)
            if large:
                release_memory()  # the engine's working memory, before the next task's
            batch_selected.setdefault(base.id, set()).update(choice.keys)
            batch_scopes.setdefault(base.id, []).append(scope)
            slots.append(len(drawn))
            drawn.append((given, choice, eligible))
        # The names of every task's selections, taken from the roster at once.
        found, rows = selected_rows([(e, c.keys) for _, c, e in drawn])
        names = roster.details_at(found, rows, [NAME])[NAME]
        for slot in slots:
            if not isinstance(slot, int):
                recorded_draw, text, changes = slot
                outcome.records.append(recorded_draw)
                outcome.texts.append(text)
                outcome.notices += changes
                continue
            given, choice, _ = drawn[slot]
            record = record_of(given, choice, names)
            choice.chosen.clear()  # in the record now: a province's tickets are not kept twice
            text = record.to_json()
            new.append((StoredDraw.of(text, record), record.selected_keys))
            outcome.records.append(record)
            outcome.texts.append(text)
            outcome.new_scopes.append(record.scope)
            if record.shortfall:
                outcome.notices.append(
                    f"{record.scope}：排除本年度已抽中的企业后只剩 {record.k - record.shortfall} 家候选，"
                    f"少于应抽的 {record.k} 家，已全部抽取"
                )
        del names
        if new:
            ledger.record_draws(new)
        known = {r.scope: (r, t) for r, t in zip(outcome.records, outcome.texts, strict=True)}
        month_records = [
            known[d.scope] if d.scope in known else _recorded(ledger, d.scope)
            for d in ledger.drawn(year)
            if d.month == mon
        ]
        # A big month's units: this draw's selections by the rows just found for their names.
        units = month_units(plan, roster, [r for r, _ in month_records], (found, rows))
        # The files need the records, not the roster: its columns (most of a big draw's
        # memory) go before the workbook is written.
        del workspace, roster, eligible, drawn, found, rows
        release_memory()
        earlier = ledger.texts_before(year, mon)
        anchor = month_anchor(ledger, label)
        written = write_draw_files(plan, label, month_records, anchor, earlier, units)
        outcome.files = [*healed, *(p for p in written if p not in healed)]
    return outcome


def _changes_since(
    record: DrawRecord, eligible: Eligible, extra: str | None, key_string: str | None, zone: str
) -> list[str]:
    """Why the recorded draw differs from what the inputs would give now (reported, not redrawn)."""
    notes = []
    keys = eligible.keys.to_pylist()
    if population_digest(keys) != record.population.digest:
        notes.append(
            f"{record.scope} 已于 {local_time(record.created_at, zone)} 抽取；此后企业名录库有变化"
            f"（对象 {record.population.size} → {len(keys)} 家），返回原抽取结果，未重新抽取"
        )
    if (extra is not None and extra != record.extra) or record.key_string != key_string:
        notes.append(f"{record.scope} 已按原种子/随机源抽取，本次给出的种子或随机源未使用")
    return notes
