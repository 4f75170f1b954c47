"""The 承诺书 (docs/spec.md §4.3): what the bureau announces before the first draw, and the check
of a year's published records against it.

The seal stops outsiders from knowing a draw in advance; the 承诺书 stops the bureau itself
from choosing one. It fixes, before any draw, everything that decides who is drawn — items,
targets, ratios and strata, months, method (and RFC 3797's sources, in words), the public
number's source and form, each month's draw day, the lists imported from elsewhere — with the
commitment to the year's secrets. Published and lodged (上级机关、纪检监察), it lets anyone find a
record drawn under another chain, another ratio, a public number spelled to taste, a month
drawn early, a draw missing or one too many.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from shuangsuiji.rules.clock import DEFAULT_ZONE, local_moment, local_time
from shuangsuiji.rules.records import DrawRecord, ExternalDraw, Record
from shuangsuiji.rules.seal import canonical_number, number_fits

PLEDGE_SPEC = "SSJ-PLEDGE-1"


def canonical_sha256(value: Any) -> str:
    """SHA-256 hex of a JSON value in its one canonical spelling (sorted keys, no spaces)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class PledgedTask(Record):
    """One item or joint task as announced: what decides its draws."""

    id: str
    covers: str | None  # a joint task: the item whose population it draws from
    partner: str | None
    targets: dict[str, list[str]]  # the (covered) item's targets
    ratio: str | dict[str, str]
    months: list[int]
    method: str  # SSJ-DRAW-1 or RFC3797
    sources: str  # RFC 3797: its public sources, described in advance

    _optional = ("covers", "partner")
    _defaults: ClassVar[dict[str, Any]] = {"covers": None, "partner": None, "sources": ""}


@dataclass(frozen=True, eq=False)
class PledgedCeremony(Record):
    """The public number's source, in words, and the form of its canonical value."""

    source: str
    pattern: str


@dataclass(frozen=True, eq=False)
class PledgedImport(Record):
    """A list of selections made elsewhere, imported before sealing."""

    scope: str
    file: str
    sha256: str


@dataclass(frozen=True, eq=False)
class Parameters(Record):
    """Everything that decides the year's draws, as the plan fixed it at sealing."""

    seed: str  # the plan's public label
    tasks: list[PledgedTask]
    ceremony: PledgedCeremony | None
    draw_day: int  # the n-th working day of the month …
    draw_days: dict[str, str]  # … which is, for each month with draws: "YYYY-MM" -> ISO date
    timezone: str

    _defaults: ClassVar[dict[str, Any]] = {"ceremony": None, "timezone": DEFAULT_ZONE}


@dataclass(frozen=True, eq=False)
class Pledge(Record):
    """A 承诺书: the year's commitment and parameters, from ``applies_from`` on. A replacement
    (``ssj seal --replace``) names the commitment it replaces and why, and carries the
    earlier 承诺书 so that one file explains the whole year."""

    spec: str
    agency: str
    year: int
    applies_from: str  # "YYYY-MM": the first month drawn under this commitment
    commitment: str
    parameters: Parameters
    parameters_sha256: str
    imports: list[PledgedImport]
    replaces: str | None  # the commitment replaced …
    reason: str | None  # … and why
    issued_at: str
    earlier: list[Pledge]  # the 承诺书 this one replaces, oldest first

    _optional = ("replaces", "reason", "earlier")
    _defaults: ClassVar[dict[str, Any]] = {
        "imports": [],
        "replaces": None,
        "reason": None,
        "earlier": [],
    }

    def to_json(self) -> str:
        return json.dumps(self, ensure_ascii=False, indent=2) + "\n"

    @property
    def chain(self) -> list[Pledge]:
        """Every 承诺书 of the year in force order: the earlier ones, then this one."""
        return [*(replace(p, earlier=[]) for p in self.earlier), replace(self, earlier=[])]

    def task(self, task_id: str) -> PledgedTask | None:
        return next((t for t in self.parameters.tasks if t.id == task_id), None)


def in_force(pledges: Sequence[Pledge], month: str) -> Pledge | None:
    """The 承诺书 that governs a month: the latest whose ``applies_from`` is not after it."""
    found = None
    for pledge in sorted(pledges, key=lambda p: p.applies_from):
        if pledge.applies_from <= month:
            found = pledge
    return found


def due_scopes(pledge: Pledge, through: str) -> list[str]:
    """The scopes the 承诺书 says are drawn in its year up to month ``through``, in order."""
    scopes = []
    for month in sorted({m for t in pledge.parameters.tasks for m in t.months}):
        label = f"{pledge.year:04d}-{month:02d}"
        if label > through:
            break
        scopes += [f"{t.id}/{label}" for t in pledge.parameters.tasks if month in t.months]
    return scopes


def _record_findings(
    record: DrawRecord, pledge: Pledge, zone: dt.tzinfo | None, source: str
) -> list[str]:
    """How one drawn record departs from the 承诺书 in force for its month."""
    out = []
    task = pledge.task(record.item_id)
    if task is None:
        return [f"承诺书（{source}）中没有任务 {record.item_id}：这次抽取不在事先公布的计划内"]
    month = int(record.month[5:7])
    if month not in task.months:
        out.append(f"承诺书中 {task.id} 的抽查月份是 {task.months}，没有 {month} 月：多出来的抽取")
    if record.spec != task.method:
        out.append(f"承诺书规定用 {task.method} 方式抽取，记录用的是 {record.spec}")
    if record.ratio != task.ratio:
        out.append(
            f"比例与承诺书不符：承诺书为 {json.dumps(task.ratio, ensure_ascii=False)}，"
            f"记录为 {json.dumps(record.ratio, ensure_ascii=False)}"
        )
    if record.targets != task.targets:
        out.append(
            f"检查对象范围（targets）与承诺书不符：承诺书为 {json.dumps(task.targets, ensure_ascii=False)}"
        )
    if (record.covers or None) != (task.covers or None):
        out.append(f"承诺书中 {task.id} 覆盖的事项是 {task.covers}，记录为 {record.covers}")
    if task.method == "SSJ-DRAW-1" and record.commitment != pledge.commitment:
        out.append(
            f"种子承诺不是 {record.month} 时有效的承诺（{source}：{pledge.commitment[:16]}…），"
            f"记录为 {(record.commitment or '无')[:16]}…：抽取用的不是事先公布的哈希链"
        )
    ceremony = pledge.parameters.ceremony
    if ceremony is not None and task.method == "SSJ-DRAW-1":
        number = record.public_number
        if number is None or record.extra is None:
            out.append(f"承诺书要求每次抽取加入公开随机数（{ceremony.source}），记录中没有")
        else:
            if (number.source, number.pattern) != (ceremony.source, ceremony.pattern):
                out.append(
                    f"公开随机数的来源或格式与承诺书不符：承诺书为“{ceremony.source}”、{ceremony.pattern}"
                )
            if record.extra != canonical_number(number.typed) or not number_fits(
                record.extra, ceremony.pattern
            ):
                out.append(
                    f"公开随机数“{record.extra}”不是承诺书规定格式（{ceremony.pattern}）的规范写法"
                )
    day = pledge.parameters.draw_days.get(record.month)
    if day is not None:
        if record.draw_day is not None and record.draw_day != day:
            out.append(f"记录的抽取日 {record.draw_day} 不是承诺书规定的 {day}")
        made = local_moment(record.created_at, zone)
        if made is not None and made.date().isoformat() < day:
            shown = local_time(record.created_at, zone)
            out.append(f"抽取时间 {shown} 早于承诺书规定的抽取日 {day}")
    return out


@dataclass(frozen=True)
class PledgeCheck:
    """What checking a year's records against the 承诺书 found."""

    by_scope: dict[str, list[str]]  # each record's findings
    problems: list[str]  # of the set: due draws without a record, an edited 承诺书
    notes: list[str]  # what the reader should know (a replaced 承诺书, no public number)


def check_pledge(
    records: Sequence[DrawRecord | ExternalDraw],
    pledge: Pledge,
    zone: dt.tzinfo | None = None,
    source: str = "承诺书",
) -> PledgeCheck:
    """Every record against the 承诺书 in force for its month (docs/spec.md §4.3); with the year's
    records, also every due draw from the first month to the latest present, none extra."""
    chain = pledge.chain
    problems = [
        f"承诺书（{source}，自 {p.applies_from} 起）的参数与其 parameters_sha256 不符：承诺书被改动过"
        for p in chain
        if canonical_sha256(p.parameters) != p.parameters_sha256
    ]
    notes = []
    for later in chain[1:]:
        notes.append(
            f"承诺书自 {later.applies_from} 起更换了种子承诺（原因：{later.reason or '未说明'}，"
            f"{later.issued_at}）：请核对更换是否在该月抽取之前公开"
        )
    if pledge.parameters.ceremony is None:
        notes.append(
            "承诺书没有规定公开随机数：工作区事先就能算出各月的抽取结果，只有种子承诺防止外人预知"
        )
    by_scope: dict[str, list[str]] = {}
    present = {r.scope for r in records}
    for record in records:
        found: list[str] = []
        if record.month[:4] != f"{pledge.year:04d}":
            found.append(f"记录属于 {record.month[:4]} 年，承诺书是 {pledge.year} 年度的")
        elif (governing := in_force(chain, record.month)) is None:
            found.append(f"承诺书从 {chain[0].applies_from} 起才有效，{record.month} 不在其内")
        elif isinstance(record, ExternalDraw):
            listed = {(i.scope, i.sha256) for i in governing.imports}
            if (record.scope, record.source_sha256) not in listed:
                found.append(
                    "导入的名单没有在承诺书中事先公布（范围和 SHA-256 都要一致）：可能是事后挑选的名单"
                )
        else:
            found = _record_findings(record, governing, zone, source)
        by_scope[record.scope] = found
    latest = max((r.month for r in records if r.month[:4] == f"{pledge.year:04d}"), default="")
    missing = [s for s in due_scopes(pledge, latest) if s not in present]  # none for ""
    problems += [
        f"缺少 {scope} 的抽取记录：承诺书规定要抽取，所给记录中没有（到 {latest} 为止都应有）"
        for scope in missing
    ]
    return PledgeCheck(by_scope, problems, notes)
