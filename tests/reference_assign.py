"""SSJ-ASSIGN-1/-2/-3 written plainly, officer by officer, as the rules read (the way ssj 0.3.0
first implemented them; -3 as docs/spec.md §5.1 words it): the reference that the array-based :func:`shuangsuiji.rules.assign.assign`
must agree with, group for group. Tests only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shuangsuiji.exceptions import InputError
from shuangsuiji.rules.assign import (
    SPEC,
    SPEC_1,
    SPECS,
    _caps,
    _needs,
    _too_few,
    covers,
    ineligibility,
    month_last_day,
    officer_tickets,
    split_groups,
)
from shuangsuiji.rules.records import AssignInput, Group, GroupEnterprise, OfficerEntry


@dataclass
class _Loads:
    """Who carries how much so far, as rule 3 ranks by it."""

    inputs: AssignInput
    month_groups: Counter[str] = field(default_factory=Counter)
    month_enterprises: Counter[str] = field(default_factory=Counter)
    caps: dict[str, int] = field(default_factory=dict)  # department -> cap (SSJ-ASSIGN-2)

    @property
    def version_2(self) -> bool:
        return self.inputs.spec != SPEC_1

    def add(self, officer_id: str, enterprises: int, count: int = 1) -> None:
        self.month_groups[officer_id] += count
        self.month_enterprises[officer_id] += enterprises * count

    def at_cap(self, officer: OfficerEntry) -> bool:
        cap = self.caps.get(officer.department)
        return cap is not None and self.month_groups[officer.id] >= cap

    def ranker(
        self, usccs: set[str], tickets: Mapping[str, str]
    ) -> Callable[[OfficerEntry], tuple[Any, ...]]:
        """Rule 3 for one group: the sort key of each officer."""
        history = self.inputs.history
        year_groups = self.inputs.year_groups or {}
        year_enterprises = self.inputs.year_enterprises or {}

        def key(officer: OfficerEntry) -> tuple[Any, ...]:
            repeat = not usccs.isdisjoint(history.get(officer.id, ()))
            month = self.month_groups[officer.id]
            if not self.version_2:
                return repeat, month, tickets[officer.id]
            return (
                self.at_cap(officer),
                repeat,
                year_groups.get(officer.id, 0) + month,
                year_enterprises.get(officer.id, 0) + self.month_enterprises[officer.id],
                month,
                tickets[officer.id],
            )

        return key


def assign(data: AssignInput | Mapping[str, Any]) -> list[Group]:
    """The groups for a month's tasks; raises InputError if a group cannot be staffed.

    ``data`` is the typed input or the same as JSON (the input part of an assignment record).
    """
    inputs = data if isinstance(data, AssignInput) else AssignInput.from_dict(data)
    if inputs.spec not in SPECS:
        raise InputError(f"不认识的分组规则“{inputs.spec}”；本版本支持 {'、'.join(SPECS)}")
    version_2 = inputs.spec != SPEC_1
    expertise_first = inputs.spec == SPEC  # SSJ-ASSIGN-3: an expert even above the cap
    last_day = month_last_day(inputs.month)
    officers = inputs.officers
    departments = {o.department for o in officers}
    splits = [
        split_groups(task.enterprises, inputs.group_max, version_2 and bool(inputs.merge_by_street))
        for task in inputs.tasks
    ]
    loads = _Loads(inputs)
    if version_2:
        loads.caps = _caps(
            inputs, [(t.partner, len(g)) for t, g in zip(inputs.tasks, splits, strict=True)]
        )
    groups: list[Group] = []
    for task, split in zip(inputs.tasks, splits, strict=True):
        scope = task.scope
        tickets = officer_tickets(inputs, scope)
        for number, (industry, members) in enumerate(split, start=1):
            usccs = {e.uscc for e in members}
            key = loads.ranker(usccs, tickets)
            chosen: list[OfficerEntry] = []
            warnings: list[str] = []
            placeholder = None
            expert_found = False
            for department, size in _needs(inputs, task.partner):
                if version_2 and department != inputs.agency and department not in departments:
                    # Each department usually draws its own officers (docs/spec.md §5).
                    placeholder = f"{department}选派 {size} 名"
                    warnings.append(f"名录库中没有{department}的人员：{placeholder}")
                    continue
                reasons = {o.id: ineligibility(o, department, last_day, usccs) for o in officers}
                pool = [o for o in officers if reasons[o.id] is None]
                picked: list[OfficerEntry] = []
                experts = [o for o in pool if covers(o, industry)]
                if version_2 and not expertise_first:
                    experts = [o for o in experts if not loads.at_cap(o)]
                expert = None
                if experts and not expert_found:
                    expert = min(experts, key=key)
                    picked.append(expert)
                    expert_found = True
                picked += sorted((o for o in pool if o not in picked), key=key)[
                    : size - len(picked)
                ]
                if len(picked) < size:
                    raise _too_few(scope, number, industry, department, size, officers, reasons)
                for o in picked:
                    if version_2 and loads.at_cap(o):
                        why = "可用人员不足"
                        if expertise_first and o is expert:
                            why = f"该专业领域（{industry}）的人员本月都已达上限，为保证专业仍选派"
                        warnings.append(
                            f"{o.name} 本月已有 {loads.month_groups[o.id]} 组，仍被选派，超过每人"
                            f" {loads.caps[o.department]} 组的上限：{why}"
                        )
                    if not usccs.isdisjoint(inputs.history.get(o.id, ())):
                        warnings.append(
                            f"{o.name} 本年度已检查过本组企业，因无其他可用人员仍被选派"
                        )
                    loads.add(o.id, len(members))
                chosen += picked
            if not expert_found and not expertise_first:
                warnings.append(f"没有专业领域为“{industry}”的可用人员")
            elif not expert_found and not any(covers(o, industry) for o in officers):
                warnings.append(f"没有专业领域为“{industry}”的人员（名录库中没有该专业领域的人员）")
            elif not expert_found:
                warnings.append(
                    f"没有专业领域为“{industry}”的可用人员（该专业领域的人员执法证到期、不在岗或需回避）"
                )
            groups.append(
                Group(
                    scope=scope,
                    group=number,
                    industry=industry,
                    officers=[o.public() for o in chosen],
                    enterprises=[GroupEnterprise(e.uscc, e.name) for e in members],
                    warnings=warnings,
                    substitutions=[],
                    partner_officers="pending" if placeholder else None,
                    placeholder=placeholder,
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
    last_day = month_last_day(inputs.month)
    by_id = {o.id: o for o in inputs.officers}
    loads = _Loads(inputs)
    if inputs.spec != SPEC_1:
        counts = Counter(g.scope for g in current)
        partners = {t.scope: t.partner for t in inputs.tasks}
        loads.caps = _caps(inputs, [(partners.get(s), n) for s, n in counts.items()])
    for group in current:
        for officer in group.officers:
            loads.add(officer.id, len(group.enterprises))
    replacements = []
    for index, group in enumerate(current):
        members = set(group.officer_ids)
        if out_id not in members:
            continue
        department = by_id[out_id].department
        usccs = group.usccs
        key = loads.ranker(usccs, officer_tickets(inputs, group.scope))
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
        lost_expert = not any(covers(by_id[m], industry) for m in members - {out_id})
        best = min(pool, key=lambda o: (lost_expert and not covers(o, industry), *key(o)))
        loads.add(best.id, len(group.enterprises))
        loads.add(out_id, len(group.enterprises), -1)
        replacements.append((index, best.id))
    return replacements
