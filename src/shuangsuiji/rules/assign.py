"""SSJ-ASSIGN-1: the officer draw and inspection groups (DESIGN.md §5), as a pure function.

:func:`assign` takes a self-contained input — the month's drawn tasks with their enterprises,
a snapshot of the officer roster, and who inspected whom earlier in the year — and returns
the groups. The same input always gives the same groups, so an assignment record can be
re-run by anyone (``ssj assign --verify``).

The rule, in order:

1. Each task's enterprises (by rank) are grouped by 行业类别 in order of first appearance;
   an industry with more than ``group_max`` enterprises is split into nearly equal groups.
2. An officer may serve a group only if of the right department, 在岗, holding a 执法证 valid
   through the month's last day, and not listed to recuse from any enterprise in the group.
3. Officers are ranked by: whether they inspected an enterprise of the group earlier in the
   year (those who did come last), how many groups they already have this month (fewest
   first), and their ticket SHA-256(seed ‖ 0x1F ‖ "{scope}/officers" ‖ 0x1F ‖ 执法证号).
4. A group takes ``group_size`` officers of the agency (joint tasks also take
   ``partner_group_size`` of the partner department); the first pick is the best-ranked
   officer whose 专业领域 matches the group's industry, when there is one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from shuangsuiji.exceptions import InputError
from shuangsuiji.rules.draw import ticket
from shuangsuiji.rules.records import (
    AssignInput,
    AssignmentRecord,
    Group,
    GroupEnterprise,
    OfficerEntry,
    Substitution,
    SubstitutionNote,
    TaskEnterprise,
)
from shuangsuiji.rules.workdays import month_end

SPEC = "SSJ-ASSIGN-1"
NO_INDUSTRY = "（未分行业）"


def officer_scope(scope: str) -> str:
    """The ticket scope of a task's officer draw: "{task}/{YYYY-MM}/officers"."""
    return f"{scope}/officers"


def _last_day(month: str) -> dt.date:
    """The last day of a "YYYY-MM" month: a certificate must be valid through it."""
    year, number = month.split("-")
    return month_end(int(year), int(number))


def split_groups(
    enterprises: Sequence[Mapping[str, Any]], group_max: int
) -> list[tuple[str, list[TaskEnterprise]]]:
    """Enterprises grouped by industry (first appearance order), at most ``group_max`` a group."""
    by_industry: dict[str, list[TaskEnterprise]] = {}
    for entry in enterprises:
        enterprise = TaskEnterprise.from_dict(entry)
        by_industry.setdefault(enterprise.industry or NO_INDUSTRY, []).append(enterprise)
    groups = []
    for industry, members in by_industry.items():
        count = -(-len(members) // group_max)
        size, extra = divmod(len(members), count)
        start = 0
        for index in range(count):
            end = start + size + (1 if index < extra else 0)
            groups.append((industry, members[start:end]))
            start = end
    return groups


def ineligibility(
    officer: OfficerEntry, department: str, last_day: dt.date, usccs: set[str]
) -> str | None:
    """Why an officer may not serve a group of ``department``, or None if they may."""
    if officer.department != department:
        return f"属于{officer.department}"
    if not officer.on_duty:
        return f"不在岗（{officer.duty}）"
    until = dt.date.fromisoformat(officer.cert_until)
    if until < last_day:
        return f"执法证 {until.isoformat()} 到期，不足以覆盖整月"
    recused = sorted(usccs.intersection(officer.recusals))
    if recused:
        return f"需回避 {'、'.join(recused)}"
    return None


def _rank(
    officer: OfficerEntry,
    usccs: set[str],
    tickets: Mapping[str, str],
    history: Mapping[str, set[str]],
    load: Mapping[str, int],
) -> tuple[bool, int, str]:
    """Rule 3: earlier inspections of the group last, then fewest groups, then ticket."""
    repeat = bool(history.get(officer.id, set()) & usccs)
    return repeat, load[officer.id], tickets[officer.id]


def officer_tickets(inputs: AssignInput, scope: str) -> dict[str, str]:
    """Each officer's ticket for a task's officer draw."""
    return {o.id: ticket(inputs.seed, officer_scope(scope), o.id) for o in inputs.officers}


def _inspected(inputs: AssignInput) -> dict[str, set[str]]:
    """Who inspected which enterprises earlier in the year, from the input's history."""
    return {officer: set(usccs) for officer, usccs in inputs.history.items()}


def assign(data: AssignInput | Mapping[str, Any]) -> list[Group]:
    """The groups for a month's tasks; raises InputError if a group cannot be staffed.

    ``data`` is the typed input or the same as JSON (the input part of an assignment record).
    """
    inputs = data if isinstance(data, AssignInput) else AssignInput.from_dict(data)
    last_day = _last_day(inputs.month)
    officers = inputs.officers
    history = _inspected(inputs)
    load: Counter[str] = Counter()
    groups: list[Group] = []
    for task in inputs.tasks:
        scope = task.scope
        tickets = officer_tickets(inputs, scope)
        needs = [(inputs.agency, inputs.group_size)]
        if task.partner:
            needs.append((task.partner, inputs.partner_group_size))
        split = split_groups(task.enterprises, inputs.group_max)
        for number, (industry, members) in enumerate(split, start=1):
            usccs = {e.uscc for e in members}
            key = partial(_rank, usccs=usccs, tickets=tickets, history=history, load=load)
            chosen: list[OfficerEntry] = []
            warnings: list[str] = []
            expert_found = False
            for department, size in needs:
                reasons = {o.id: ineligibility(o, department, last_day, usccs) for o in officers}
                pool = [o for o in officers if reasons[o.id] is None]
                picked: list[OfficerEntry] = []
                experts = [o for o in pool if industry in o.fields]
                if experts and not expert_found:
                    picked.append(min(experts, key=key))
                    expert_found = True
                picked += sorted((o for o in pool if o not in picked), key=key)[
                    : size - len(picked)
                ]
                if len(picked) < size:
                    raise _too_few(scope, number, industry, department, size, officers, reasons)
                for o in picked:
                    if key(o)[0]:
                        warnings.append(
                            f"{o.name} 本年度已检查过本组企业，因无其他可用人员仍被选派"
                        )
                    load[o.id] += 1
                chosen += picked
            if not expert_found:
                warnings.append(f"没有专业领域为“{industry}”的可用人员")
            groups.append(
                Group(
                    scope=scope,
                    group=number,
                    industry=industry,
                    officers=[o.public() for o in chosen],
                    enterprises=[GroupEnterprise(e.uscc, e.name) for e in members],
                    warnings=warnings,
                    substitutions=[],
                )
            )
    return groups


def substitute(
    data: AssignInput | Mapping[str, Any],
    groups: Sequence[Mapping[str, Any]],
    out_id: str,
    unavailable: set[str],
) -> list[tuple[int, str]]:
    """递补: for each group holding ``out_id``, the officer who takes the place.

    The replacement is the best-ranked eligible officer of the same department (rule 3, with
    this month's current loads) who is not in the group and not ``unavailable`` — an officer
    with the group's 专业领域 first if the one leaving was the group's only match. Returns
    (group index, replacement id) pairs; raises InputError if a group has no replacement.
    """
    inputs = data if isinstance(data, AssignInput) else AssignInput.from_dict(data)
    current = [g if isinstance(g, Group) else Group.from_dict(g) for g in groups]
    last_day = _last_day(inputs.month)
    by_id = {o.id: o for o in inputs.officers}
    history = _inspected(inputs)
    load: Counter[str] = Counter(o.id for g in current for o in g.officers)
    replacements = []
    for index, group in enumerate(current):
        members = set(group.officer_ids)
        if out_id not in members:
            continue
        department = by_id[out_id].department
        usccs = group.usccs
        tickets = officer_tickets(inputs, group.scope)
        key = partial(_rank, usccs=usccs, tickets=tickets, history=history, load=load)
        pool = [
            o
            for o in inputs.officers
            if o.id not in members | unavailable | {out_id}
            and ineligibility(o, department, last_day, usccs) is None
        ]
        if not pool:
            raise InputError(
                f"{group.scope} 第{group.group}组没有可以递补的{department}执法人员；"
                "请补充执法人员名录库"
            )
        # Keep the group's 专业领域 match if the officer leaving was the one who gave it.
        industry = group.industry
        lost_expert = not any(industry in by_id[m].fields for m in members - {out_id})
        best = min(pool, key=lambda o: (lost_expert and industry not in o.fields, *key(o)))
        load[best.id] += 1
        load[out_id] -= 1
        replacements.append((index, best.id))
    return replacements


def apply_substitutions(
    groups: Sequence[Group], substitutions: Sequence[Substitution]
) -> list[Group]:
    """The groups with a month's 递补 applied in order, each noted on the group it changed."""
    current = list(groups)
    for sub in substitutions:
        index = next(
            i for i, g in enumerate(current) if g.scope == sub.scope and g.group == sub.group
        )
        group = current[index]
        note = SubstitutionNote(
            sub.out.name, sub.replacement.name, sub.reason, sub.on or sub.at or ""
        )
        current[index] = replace(
            group,
            officers=[sub.replacement if o.id == sub.out.id else o for o in group.officers],
            substitutions=[*group.substitutions, note],
        )
    return current


def current_groups(record: AssignmentRecord, substitutions: Sequence[Substitution]) -> list[Group]:
    """A month's groups as they stand: 递补 applied, and a group left without an officer of its
    专业领域 by a 递补 says so, as the assignment would have."""
    fields_of = {o.id: o.fields for o in record.officers}
    groups = apply_substitutions(record.groups, substitutions)
    for index, (before, after) in enumerate(zip(record.groups, groups, strict=True)):
        industry = after.industry
        had = any(industry in fields_of.get(o.id, []) for o in before.officers)
        has = any(industry in fields_of.get(o.id, []) for o in after.officers)
        if had and not has:
            warning = f"递补后没有专业领域为“{industry}”的人员"
            groups[index] = replace(after, warnings=[*after.warnings, warning])
    return groups


def _too_few(
    scope: str,
    number: int,
    industry: str,
    department: str,
    size: int,
    officers: Sequence[OfficerEntry],
    reasons: Mapping[str, str | None],
) -> InputError:
    listed = "；".join(
        f"{o.name}：{reasons[o.id]}"
        for o in officers
        if reasons[o.id] and o.department == department
    )
    return InputError(
        f"{scope} 第{number}组（{industry}）需要 {size} 名{department}执法人员，可用的不足。"
        f"不可用的人员：{listed or '（名录库中没有该部门的人员）'}。"
        "请补充执法人员名录库，或调小计划中的 group_size / group_max"
    )


def verify_assignment(record: AssignmentRecord, substitutions: Sequence[Substitution]) -> list[str]:
    """Every way an assignment record (and its 递补 events) fails to reproduce."""
    inputs = record.inputs
    try:
        groups = assign(inputs)
    except InputError as exc:
        return [f"无法按记录重算分组：{exc.message}"]
    out = []
    if len(groups) != len(record.groups):
        out.append(f"应有 {len(groups)} 个检查组，记录中有 {len(record.groups)} 个")
    for want, got in zip(groups, record.groups, strict=False):
        where = f"{want.scope} 第{want.group}组"
        if [e.uscc for e in want.enterprises] != [e.uscc for e in got.enterprises]:
            out.append(f"{where} 的企业与记录不符")
        if want.officer_ids != got.officer_ids:
            names = "、".join(o.name for o in want.officers)
            out.append(f"{where} 应为 {names}，记录为 {'、'.join(o.name for o in got.officers)}")
    current = list(record.groups)
    unavailable: set[str] = set()
    # One 递补 request writes one event per group of the officer replaced: replay them together.
    batches: list[list[Substitution]] = []
    for sub in substitutions:
        if batches and batches[-1][0].out.id == sub.out.id:
            batches[-1].append(sub)
        else:
            batches.append([sub])
    for batch in batches:
        out_id = batch[0].out.id
        try:
            expected = substitute(inputs, current, out_id, unavailable)
        except InputError as exc:
            out.append(f"递补 {batch[0].out.name} 无法重算：{exc.message}")
            break
        recorded = [(s.scope, s.group, s.replacement.id) for s in batch]
        wanted = [(current[i].scope, current[i].group, new) for i, new in expected]
        if recorded != wanted:
            out.append(f"递补 {batch[0].out.name} 的结果与按规则重算的不符")
        current = apply_substitutions(current, batch)
        unavailable.add(out_id)
    return out
