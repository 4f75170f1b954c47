"""``ssj draw``: draw every task due in a month, in the order SSJ-DRAW-1 fixes, exactly once.

A month's new draws are stored in the ledger in one transaction; a scope already drawn is
returned as recorded, never drawn again. Each record is also written as a JSON file, and the
month's results as a workbook meant for publication (抽取结果).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from shuangsuiji import __version__, rfc3797
from shuangsuiji.dates import parse_month
from shuangsuiji.draw import (
    base_item,
    build_strata,
    effective_seed,
    make_record,
    ordered,
    population,
    population_digest,
    record_json,
    scope_of,
)
from shuangsuiji.excel import Sheet, write_workbook
from shuangsuiji.exceptions import InputError
from shuangsuiji.files import write_if_changed
from shuangsuiji.ledger import DrawInfo, Ledger, StoredDraw, now_text
from shuangsuiji.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.plan import Item, JointTask, Plan
from shuangsuiji.ratio import Ratio
from shuangsuiji.rosters import KEY, NAME
from shuangsuiji.workspace import load_workspace

OUTPUT_DIR = "输出"
CHECK_COMMAND = "printf '%s\\037%s\\037%s' \"$SEED\" 范围 统一社会信用代码 | sha256sum"


@dataclass
class DrawOutcome:
    """What ``ssj draw`` did for a month."""

    month: str
    records: list[dict[str, Any]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # each record's published JSON text
    new_scopes: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def parse_draw_month(text: str | None, plan: Plan, today: dt.date | None = None) -> tuple[int, int]:
    """(year, month) from "YYYY-MM" (default: the current month), checked against the plan year."""
    if text is None:
        day = today or dt.date.today()
        year, month = day.year, day.month
    else:
        parsed = parse_month(text)
        if parsed is None:
            raise InputError(f"无法识别的月份“{text}”；请写成 YYYY-MM，例如 2025-03")
        year, month = parsed
    if year != plan.year:
        raise InputError(
            f"{year}-{month:02d} 不在计划年度 {plan.year} 内；请用 --month 指定 {plan.year} 年的月份"
        )
    return year, month


def draw_order(plan: Plan, month: int) -> list[Item | JointTask]:
    """The tasks due in a month, joint tasks first (SSJ-DRAW-1), each group in plan order."""
    joint = [t for t in plan.joint if month in t.months]
    items = [t for t in plan.items if month in t.months]
    return [*joint, *items]


def _earlier_due(plan: Plan, task: Item | JointTask, month: int) -> list[str]:
    """Scopes over the same item that SSJ-DRAW-1 orders before ``task`` in ``month``."""
    base = base_item(plan, task).id
    scopes: list[str] = []
    for m in range(1, month + 1):
        for other in draw_order(plan, m):
            if base_item(plan, other).id != base:
                continue
            if m == month and other.id == task.id:
                return scopes
            scopes.append(scope_of(other.id, plan.year, m))
    return scopes


def _recorded(ledger: Ledger, scope: str) -> tuple[dict[str, Any], str]:
    """A stored draw's record and its published text, exactly as recorded."""
    stored = ledger.draw(scope)
    assert stored is not None
    return ordered(stored.record), stored.text


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
        base = base_item(plan, task).id
        later = [d.scope for d in recorded.values() if d.base_item == base and d.month > month]
        if later:
            raise InputError(
                f"已经抽取了更晚的 {'、'.join(later)}，不能再补抽 {scope}（排除规则要求按月份顺序抽取）"
            )
        batch.add(scope)


def _names_lookup(eligible: pd.DataFrame) -> Callable[[list[str]], Mapping[str, str]]:
    """Names of the selected enterprises, looked up only once the selection is known."""

    def names(keys: list[str]) -> Mapping[str, str]:
        rows = eligible.loc[eligible[KEY].isin(keys), [KEY, NAME]]
        return {k: str(n).strip() for k, n in zip(rows[KEY], rows[NAME], strict=True)}

    return names


def draw_month(
    plan_path: str | Path,
    month: str | None = None,
    *,
    item: str | None = None,
    seed_extra: str | None = None,
    sources: str | None = None,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
) -> DrawOutcome:
    """Draw every task due in ``month`` (or only ``item``); return recorded draws unchanged.

    ``sources`` switches to RFC 3797 with that public randomness; ``seed_extra`` appends
    public randomness to the SSJ-DRAW-1 seed.
    """
    workspace = load_workspace(plan_path)
    workspace.require_valid()
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    year, mon = parse_draw_month(month, plan, today)
    label = f"{year:04d}-{mon:02d}"
    tasks = draw_order(plan, mon)
    if item is not None:
        if item not in {t.id for t in plan.tasks}:
            raise InputError(
                f"计划中没有编号为“{item}”的事项；现有：{'、'.join(t.id for t in plan.tasks)}"
            )
        tasks = [t for t in tasks if t.id == item]
        if not tasks:
            months = "、".join(f"{m}月" for m in next(t for t in plan.tasks if t.id == item).months)
            raise InputError(f"{item} 在 {label} 没有抽取任务（抽查月份：{months}）")
    key_string = None if sources is None else rfc3797.key_string(rfc3797.parse_sources(sources))
    if key_string is not None and any(t.ratio.stratified for t in tasks):
        raise InputError("RFC 3797 方式不支持分层比例；请用默认的 SSJ-DRAW-1 方式抽取")
    seed = effective_seed(plan.seed, seed_extra)
    outcome = DrawOutcome(label)
    if not tasks:
        outcome.notices.append(f"{label} 没有到期的抽取任务")
        return outcome

    # Refuse out-of-order draws before anything is written; checked again under the lock.
    _check_order(
        plan, tasks, year, mon, {d.scope: d for d in Ledger.existing_draws(plan.folder, year)}
    )
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        recorded = {d.scope: d for d in ledger.drawn(year)}
        _check_order(plan, tasks, year, mon, recorded)
        new: list[tuple[StoredDraw, list[str]]] = []
        batch_selected: dict[str, set[str]] = {}
        for task in tasks:
            scope = scope_of(task.id, year, mon)
            base = base_item(plan, task).id
            eligible = population(plan, task, roster)
            if scope in recorded:
                record, text = _recorded(ledger, scope)
                outcome.records.append(record)
                outcome.texts.append(text)
                outcome.notices += _changes_since(record, eligible, seed, key_string)
                continue
            excluded = ledger.selected_over(base, year) | batch_selected.get(base, set())
            record = make_record(
                task=task,
                plan=plan,
                year=year,
                month=mon,
                seed=seed,
                strata=build_strata(task, eligible),
                excluded=excluded,
                names=_names_lookup(eligible),
                created_at=now_text(),
                tool_version=__version__,
                key_string=key_string,
            )
            selected = [s["uscc"] for s in record["selected"]]
            batch_selected.setdefault(base, set()).update(selected)
            text = record_json(record)
            new.append((StoredDraw(scope, task.id, base, year, mon, text), selected))
            outcome.records.append(record)
            outcome.texts.append(text)
            outcome.new_scopes.append(scope)
            if record["shortfall"]:
                outcome.notices.append(
                    f"{scope}：排除本年度已抽中的企业后只剩 {record['k'] - record['shortfall']} 家候选，"
                    f"少于应抽的 {record['k']} 家，已全部抽取"
                )
        if new:
            ledger.record_draws(new)
        known = {r["scope"]: (r, t) for r, t in zip(outcome.records, outcome.texts, strict=True)}
        month_records = [
            known[d.scope] if d.scope in known else _recorded(ledger, d.scope)
            for d in ledger.drawn(year)
            if d.month == mon
        ]
        outcome.files = write_draw_files(plan, label, month_records)
    return outcome


def _changes_since(
    record: dict[str, Any], eligible: pd.DataFrame, seed: str, key_string: str | None
) -> list[str]:
    """Why the recorded draw differs from what the inputs would give now (reported, not redrawn)."""
    notes = []
    keys = sorted(eligible[KEY].tolist())
    if population_digest(keys) != record["population"]["digest"]:
        notes.append(
            f"{record['scope']} 已于 {record['created_at']} 抽取；此后企业名录库有变化"
            f"（对象 {record['population']['size']} → {len(keys)} 家），返回原抽取结果，未重新抽取"
        )
    if record["seed"] != seed or record.get("key_string") != key_string:
        notes.append(f"{record['scope']} 已按原种子/随机源抽取，本次给出的种子或随机源未使用")
    return notes


def record_file_name(record: Mapping[str, Any]) -> str:
    return f"抽取记录-{record['item_id']}-{record['month']}.json"


def write_draw_files(
    plan: Plan, month: str, drawn: Sequence[tuple[dict[str, Any], str]]
) -> list[Path]:
    """Write each record's JSON and the month's 抽取结果 workbook; return the files changed."""
    folder = plan.folder / OUTPUT_DIR / month
    written = []
    for record, text in drawn:
        path = folder / record_file_name(record)
        if write_if_changed(path, text.encode()):
            written.append(path)
    records = [record for record, _ in drawn]
    task_names = {t.id: (t.name or base_item(plan, t).name) for t in plan.tasks}
    results = [
        [
            s["rank"],
            r["item_id"],
            task_names.get(r["item_id"], ""),
            r["month"],
            s["uscc"],
            s["name"],
            s["ticket"],
        ]
        for r in records
        for s in r["selected"]
    ]
    parameters = [
        [
            r["scope"],
            "SSJ-DRAW-1" if r["spec"] == "SSJ-DRAW-1" else "RFC 3797",
            r["seed"] if r["spec"] == "SSJ-DRAW-1" else r.get("key_string", ""),
            Ratio.model_validate(r["ratio"]).describe(),
            r["population"]["size"],
            r["population"]["digest"],
            len(r["excluded"]),
            r["k"],
            len(r["selected"]),
            r["created_at"],
            r["tool_version"],
            record_file_name(r),
        ]
        for r in records
    ]
    sheets = [
        Sheet(
            "抽取结果",
            ["序号", "任务编号", "抽查事项", "抽取月份", "统一社会信用代码", "企业名称", "抽取号"],
            results,
            caption=f"{plan.agency} {month} “双随机”抽取结果",
        ),
        Sheet(
            "抽取参数",
            [
                "抽取范围",
                "方法",
                "种子/随机源",
                "比例",
                "对象总数",
                "对象摘要(SHA-256)",
                "排除数",
                "应抽数",
                "实抽数",
                "抽取时间",
                "工具版本",
                "抽取记录文件",
            ],
            parameters,
        ),
        Sheet(
            "如何复核",
            ["说明"],
            [
                [
                    "每家企业的抽取号 = SHA-256(种子 ‖ 0x1F ‖ 抽取范围 ‖ 0x1F ‖ 统一社会信用代码)，取抽取号最小的若干家。"
                ],
                [f"在 Linux/macOS 终端中复核一个抽取号：{CHECK_COMMAND}"],
                ["用抽取记录文件完整复核：ssj verify 抽取记录-<任务编号>-<月份>.json"],
            ],
        ),
    ]
    path = folder / f"抽取结果-{month}.xlsx"
    if write_workbook(path, sheets):
        written.append(path)
    return written
