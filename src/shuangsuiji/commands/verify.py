"""``ssj verify``: re-run published draw records, from the records alone.

The recomputation is the rule in ``rules.verify``; given the roster, the record's population
is also checked against it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from shuangsuiji.engine.draw import ENGINE_MIN_KEYS
from shuangsuiji.engine.draw import draw_strata as sql_draw_strata
from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.plan import Plan, load_plan
from shuangsuiji.inputs.pledge import read_pledge
from shuangsuiji.inputs.population import eligible_mask
from shuangsuiji.inputs.records import is_assignment, load_records
from shuangsuiji.inputs.rosters import NAME, EnterpriseRoster, load_enterprises
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules.assign import verify_assignment
from shuangsuiji.rules.clock import DEFAULT_ZONE, local_time
from shuangsuiji.rules.draw import draw_strata
from shuangsuiji.rules.pledge import check_pledge
from shuangsuiji.rules.ratio import Ratio
from shuangsuiji.rules.records import (
    EXTERNAL,
    DrawRecord,
    ExternalDraw,
    PublishedAssignment,
    read_draw,
)
from shuangsuiji.rules.verify import record_differences, record_warnings, year_differences

_MAX_LISTED = 5


def verify_record(
    record: DrawRecord | Mapping[str, Any], roster: EnterpriseRoster | None = None
) -> list[str]:
    """Every way ``record`` (typed, or as read from JSON) fails to reproduce; empty if it does.
    Imported selections (spec EXTERNAL) have nothing to recompute: only their shape is checked."""
    try:
        if not isinstance(record, DrawRecord) and record.get("spec") == EXTERNAL:
            ExternalDraw.from_dict(record)
            return []
        typed = DrawRecord.coerce(record)
        also = None if roster is None else partial(_against_roster, roster=roster)
        large = typed.population.size >= ENGINE_MIN_KEYS
        return record_differences(typed, also, sql_draw_strata if large else draw_strata)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A hand-edited record can lose any part; that is a record that does not reproduce.
        return [f"记录结构不完整或类型不对（{exc.__class__.__name__}: {exc}），无法重算"]


def _against_roster(record: DrawRecord, roster: EnterpriseRoster) -> list[str]:
    absent = [c for c in record.targets if c not in roster.columns]
    if absent:
        return [f"名录库没有“{'、'.join(absent)}”列，无法核对对象名单"]
    eligible = set(roster.keys.filter(eligible_mask(roster, record.targets)).to_pylist())
    keys = set(record.population.keys)
    names = roster.details(record.selected_keys, NAME)
    out = [
        f"第 {s.rank} 名 {s.uscc} 的企业名称在名录库中是“{names[s.uscc]}”，记录为“{s.name}”"
        for s in record.selected
        if s.uscc in names and names[s.uscc] != s.name.strip()
    ][:_MAX_LISTED]
    for what, diff in (
        ("名录库中符合条件、记录中却没有", eligible - keys),
        ("记录中有、名录库中却不符合条件", keys - eligible),
    ):
        if diff:
            sample = "、".join(sorted(diff)[:_MAX_LISTED])
            out.append(
                f"{what}的企业 {len(diff)} 家：{sample}{' 等' if len(diff) > _MAX_LISTED else ''}"
            )
    return out


def record_files(paths: Sequence[Path]) -> list[Path]:
    """The record files named: files as given, folders searched for ``*.json`` (e.g. 输出/)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.json") if p.is_file())
        else:
            found.append(path)
    if not found:
        raise InputError(
            "没有找到抽取记录",
            [
                Problem(
                    ", ".join(map(str, paths)),
                    None,
                    None,
                    "文件夹中没有 .json 文件",
                    "给出抽取记录文件或 输出/ 文件夹",
                )
            ],
        )
    return found


@dataclass
class VerifyOutcome:
    """What ``ssj verify`` found: each record's differences (empty if it reproduces)."""

    results: list[tuple[str, list[str]]]
    cross_checked: bool  # several records: exclusions recomputed across them
    external: dict[str, str]  # scope -> the file imported selections came from
    problems: list[str] = field(default_factory=list)  # of the set: a due draw missing …
    warnings: list[str] = field(default_factory=list)  # what the records cannot prove
    pledged: bool = False  # checked against a published 承诺书

    @property
    def failed(self) -> int:
        return sum(1 for _, differences in self.results if differences) + len(self.problems)


def _against_plan(record: Mapping[str, Any], plan: Plan, ledger: Ledger | None) -> list[str]:
    """A published record checked against the workspace: its task and targets are the plan's,
    and it is exactly the ledger's copy."""
    out = []
    task = plan.task(str(record.get("item_id")))
    if task is None:
        out.append(f"计划中没有任务“{record.get('item_id')}”")
    elif record.get("spec") != EXTERNAL:
        targets = {k: list(v) for k, v in sorted(plan.base_item(task).targets.items())}
        if record.get("targets") != targets:
            out.append(f"targets 与计划不符：计划为 {json.dumps(targets, ensure_ascii=False)}")
        try:
            ratio = Ratio.model_validate(record.get("ratio")).to_plain()
        except ValidationError:
            ratio = None
        if ratio != task.ratio.to_plain():
            plain = json.dumps(task.ratio.to_plain(), ensure_ascii=False)
            out.append(
                f"比例与计划不符：计划为 {plain}，记录为 {json.dumps(record.get('ratio'), ensure_ascii=False)}"
            )
    month = str(record.get("month", ""))
    if task is not None and month[5:7].isdigit() and int(month[5:7]) not in task.months:
        out.append(f"计划中 {task.id} 的抽查月份没有 {int(month[5:7])} 月")
    if ledger is not None:
        stored = ledger.draw(str(record.get("scope")))
        if stored is None:
            out.append("台账中没有这次抽取：记录不是本工作区写出的，或台账被改动过")
        elif json.loads(stored.text) != _as_written(record):
            out.append("与台账中的记录不同：公开的文件被改动过")
    return out


def _as_written(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as its file holds it: the key lists read from the files it names left out
    again (those files are checked against the record's digests when it is re-run)."""
    written = dict(record)
    for name in ("population", "strata"):
        if name not in written:
            continue
        value = written[name]
        entries = value if isinstance(value, list) else [value]
        trimmed = [
            {k: v for k, v in e.items() if k != "keys"}
            if isinstance(e, dict) and "keys_file" in e
            else e
            for e in entries
        ]
        written[name] = trimmed if isinstance(value, list) else trimmed[0]
    return written


def verify_published_assignment(
    data: Mapping[str, Any],
    draws: Sequence[DrawRecord | ExternalDraw],
    zone: str = DEFAULT_ZONE,
) -> tuple[str, list[str], list[str]]:
    """A published officer draw (人员分组记录) re-run with its 递补 (docs/spec.md §5); its seed
    is the month's effective draw seed when the month's draw records are given too. Returns
    the label it is reported under, what does not reproduce, and each 递补 as a reader reads
    it (a chain of replacements is what a reader must see)."""
    month = str(data.get("month", "?"))
    label = f"人员分组 {month}"
    try:
        published = PublishedAssignment.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        failed = f"记录结构不完整或类型不对（{exc.__class__.__name__}: {exc}），无法重算"
        return label, [failed], []
    record = published.assignment
    found = verify_assignment(record, published.substitutions)
    if record.month != published.month:
        found.append(f"分组记录的月份是 {record.month}，文件标的是 {published.month}")
    seeds = {d.seed for d in draws if isinstance(d, DrawRecord) and d.month == month}
    if seeds and record.seed not in seeds:
        found.append("分组用的种子不是本月抽取记录的种子：人员不是按当月的随机数抽取的")
    for entry in published.substitutions:
        if not entry.reason.strip():
            found.append(f"{entry.scope} 第{entry.group}组的递补（{entry.out.name}）没有写原因")
    chain = [
        f"{label} 递补：{e.scope} 第{e.group}组 {e.out.name} → {e.replacement.name}"
        f"（{e.reason}，{e.on or local_time(e.at or '', zone)[:10]}）"
        for e in published.substitutions
    ]
    return label, found, chain


NOT_PLEDGED = (
    "没有对照承诺书（--published 承诺书-YYYY.json）：只证明记录自身一致，不能证明比例、范围、方式、"
    "种子承诺和公开随机数是事先公布的，也不能证明没有漏抽或多抽的月份"
)


def _pledge_check(
    typed: Sequence[DrawRecord | ExternalDraw], published: Path, results: dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    """Each record against the 承诺书 (docs/spec.md §4.3); the set's problems and notes."""
    pledge = read_pledge(published)
    try:
        zone: ZoneInfo | None = ZoneInfo(pledge.parameters.timezone)
    except (ValueError, ZoneInfoNotFoundError):
        zone = None
    checked = check_pledge(typed, pledge, zone, published.name)
    for scope, found in checked.by_scope.items():
        results.setdefault(scope, []).extend(found)
    return checked.problems, checked.notes


def verify_paths(
    paths: Sequence[Path],
    enterprises: Path | None = None,
    plan_path: Path | None = None,
    published: Path | None = None,
) -> VerifyOutcome:
    """Verify every record in the files and folders given; with more than one record, also
    each record's exclusions against the others (docs/spec.md §4.2); with the plan, also each
    record against the plan and the workspace's ledger; with the published 承诺书, every
    record against what was announced and the set for draws missing or extra (§4.3)."""
    loaded = [record for path in record_files(paths) for record in load_records(path)]
    raw = [record for record in loaded if not is_assignment(record)]
    assignments = [record for record in loaded if is_assignment(record)]
    roster = None
    if enterprises is not None:
        roster, roster_problems = load_enterprises(enterprises, uscc_check="warning")
        if roster is None or any(p.is_error for p in roster_problems):
            raise InputError("名录库有错误，无法用来核对", roster_problems)
    unique: dict[str, dict[str, Any]] = {}
    results: dict[str, list[str]] = {}
    for record in raw:
        scope = str(record["scope"])
        if scope in unique:  # the same draw in two files (a record and a --json array)
            if _as_written(unique[scope]) != _as_written(record):
                results[scope].append("所给文件中同一抽取范围有两份内容不同的记录")
            continue
        unique[scope] = record
        results[scope] = verify_record(record, roster)
    zone = DEFAULT_ZONE
    if plan_path is not None:
        plan = load_plan(plan_path)
        zone = plan.timezone
        ledger = Ledger.at(plan.folder) if Ledger.exists(plan.folder) else None
        try:
            for scope, record in unique.items():
                results[scope] += _against_plan(record, plan, ledger)
        finally:
            if ledger is not None:
                ledger.close()
    typed: list[DrawRecord | ExternalDraw] = []
    for record in unique.values():
        try:
            typed.append(read_draw(json.dumps(record)))
        except (KeyError, TypeError, ValueError):
            continue  # already reported as a record that cannot be recomputed
    cross = len(typed) > 1
    if cross:
        for scope, found in year_differences(typed).items():
            results[scope] += found
    external = {r.scope: r.source for r in typed if isinstance(r, ExternalDraw)}
    problems: list[str] = []
    warnings: list[str] = []
    for data in assignments:
        label, found, chain = verify_published_assignment(data, typed, zone)
        results[label] = found
        warnings += chain
    if published is not None:
        problems, notes = _pledge_check(typed, published, results)
        warnings += notes
    else:
        warnings.append(NOT_PLEDGED)
    for record in typed:
        if isinstance(record, DrawRecord):
            warnings += [w for w in record_warnings(record) if w not in warnings]
    return VerifyOutcome(
        list(results.items()), cross, external, problems, warnings, published is not None
    )
