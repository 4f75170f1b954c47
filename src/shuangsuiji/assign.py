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
from functools import partial
from typing import Any

from shuangsuiji.dates import month_end, parse_month
from shuangsuiji.draw import ticket
from shuangsuiji.exceptions import InputError

SPEC = "SSJ-ASSIGN-1"
NO_INDUSTRY = "（未分行业）"


def officer_scope(scope: str) -> str:
    """The ticket scope of a task's officer draw: "{task}/{YYYY-MM}/officers"."""
    return f"{scope}/officers"


def split_groups(
    enterprises: Sequence[Mapping[str, Any]], group_max: int
) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Enterprises grouped by industry (first appearance order), at most ``group_max`` a group."""
    by_industry: dict[str, list[Mapping[str, Any]]] = {}
    for enterprise in enterprises:
        by_industry.setdefault(enterprise["industry"] or NO_INDUSTRY, []).append(enterprise)
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
    officer: Mapping[str, Any], department: str, last_day: dt.date, usccs: set[str]
) -> str | None:
    """Why an officer may not serve a group of ``department``, or None if they may."""
    if officer["department"] != department:
        return f"属于{officer['department']}"
    if not officer["on_duty"]:
        return f"不在岗（{officer['duty']}）"
    until = dt.date.fromisoformat(officer["cert_until"])
    if until < last_day:
        return f"执法证 {until.isoformat()} 到期，不足以覆盖整月"
    recused = sorted(usccs.intersection(officer["recusals"]))
    if recused:
        return f"需回避 {'、'.join(recused)}"
    return None


def _rank(
    officer: Mapping[str, Any],
    usccs: set[str],
    tickets: Mapping[str, str],
    history: Mapping[str, set[str]],
    load: Mapping[str, int],
) -> tuple[bool, int, str]:
    """Rule 3: earlier inspections of the group last, then fewest groups, then ticket."""
    repeat = bool(history.get(officer["id"], set()) & usccs)
    return repeat, load[officer["id"]], tickets[officer["id"]]


def officer_tickets(inputs: Mapping[str, Any], scope: str) -> dict[str, str]:
    """Each officer's ticket for a task's officer draw."""
    return {
        o["id"]: ticket(inputs["seed"], officer_scope(scope), o["id"]) for o in inputs["officers"]
    }


def inspected(inputs: Mapping[str, Any]) -> dict[str, set[str]]:
    """Who inspected which enterprises earlier in the year, from the input's history."""
    return {officer: set(usccs) for officer, usccs in inputs["history"].items()}


def assign(inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The groups for a month's tasks; raises InputError if a group cannot be staffed."""
    year, month = parse_month(inputs["month"]) or (0, 0)
    last_day = month_end(year, month)
    officers = inputs["officers"]
    history = inspected(inputs)
    load: Counter[str] = Counter()
    groups: list[dict[str, Any]] = []
    for task in inputs["tasks"]:
        scope = task["scope"]
        tickets = officer_tickets(inputs, scope)
        needs = [(inputs["agency"], inputs["group_size"])]
        if task.get("partner"):
            needs.append((task["partner"], inputs["partner_group_size"]))
        split = split_groups(task["enterprises"], inputs["group_max"])
        for number, (industry, members) in enumerate(split, start=1):
            usccs = {e["uscc"] for e in members}
            key = partial(_rank, usccs=usccs, tickets=tickets, history=history, load=load)
            chosen: list[Mapping[str, Any]] = []
            warnings: list[str] = []
            expert_found = False
            for department, size in needs:
                reasons = {o["id"]: ineligibility(o, department, last_day, usccs) for o in officers}
                pool = [o for o in officers if reasons[o["id"]] is None]
                picked: list[Mapping[str, Any]] = []
                experts = [o for o in pool if industry in o["fields"]]
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
                            f"{o['name']} 本年度已检查过本组企业，因无其他可用人员仍被选派"
                        )
                    load[o["id"]] += 1
                chosen += picked
            if not expert_found:
                warnings.append(f"没有专业领域为“{industry}”的可用人员")
            groups.append(
                {
                    "scope": scope,
                    "group": number,
                    "industry": industry,
                    "officers": [
                        {"id": o["id"], "name": o["name"], "department": o["department"]}
                        for o in chosen
                    ],
                    "enterprises": [{"uscc": e["uscc"], "name": e["name"]} for e in members],
                    "warnings": warnings,
                }
            )
    return groups


def substitute(
    inputs: Mapping[str, Any],
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
    year, month = parse_month(inputs["month"]) or (0, 0)
    last_day = month_end(year, month)
    by_id = {o["id"]: o for o in inputs["officers"]}
    history = inspected(inputs)
    load: Counter[str] = Counter(o["id"] for g in groups for o in g["officers"])
    replacements = []
    for index, group in enumerate(groups):
        members = {o["id"] for o in group["officers"]}
        if out_id not in members:
            continue
        department = by_id[out_id]["department"]
        usccs = {e["uscc"] for e in group["enterprises"]}
        tickets = officer_tickets(inputs, group["scope"])
        key = partial(_rank, usccs=usccs, tickets=tickets, history=history, load=load)
        pool = [
            o
            for o in inputs["officers"]
            if o["id"] not in members | unavailable | {out_id}
            and ineligibility(o, department, last_day, usccs) is None
        ]
        if not pool:
            raise InputError(
                f"{group['scope']} 第{group['group']}组没有可以递补的{department}执法人员；"
                "请补充执法人员名录库"
            )
        # Keep the group's 专业领域 match if the officer leaving was the one who gave it.
        industry = group["industry"]
        lost_expert = not any(industry in by_id[m]["fields"] for m in members - {out_id})
        best = min(pool, key=lambda o: (lost_expert and industry not in o["fields"], *key(o)))
        load[best["id"]] += 1
        load[out_id] -= 1
        replacements.append((index, str(best["id"])))
    return replacements


def _too_few(
    scope: str,
    number: int,
    industry: str,
    department: str,
    size: int,
    officers: Sequence[Mapping[str, Any]],
    reasons: Mapping[str, str | None],
) -> InputError:
    listed = "；".join(
        f"{o['name']}：{reasons[o['id']]}"
        for o in officers
        if reasons[o["id"]] and o["department"] == department
    )
    return InputError(
        f"{scope} 第{number}组（{industry}）需要 {size} 名{department}执法人员，可用的不足。"
        f"不可用的人员：{listed or '（名录库中没有该部门的人员）'}。"
        "请补充执法人员名录库，或调小计划中的 group_size / group_max"
    )
