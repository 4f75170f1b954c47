"""SSJ-ASSIGN-1 and SSJ-ASSIGN-2: the officer draw and inspection groups (docs/spec.md §5), as
a pure function.

:func:`assign` takes a self-contained input — the month's drawn tasks with their enterprises,
a snapshot of the officer roster, and who inspected whom earlier in the year — and returns
the groups. The same input always gives the same groups, so an assignment record can be
re-run by anyone (``ssj assign --verify``). New assignments use SSJ-ASSIGN-2; records made
with SSJ-ASSIGN-1 are re-run with the rule they were made by.

The rule, in order:

1. Each task's enterprises (by rank) are grouped by 行业类别 in order of first appearance;
   an industry with more than ``group_max`` enterprises is split into nearly equal groups.
   (2) With ``merge_by_street``, an industry's only enterprise joins an earlier group of the
   same task with an enterprise in the same 所属街道 and room left under ``group_max``.
2. An officer may serve a group only if of the right department, 在岗, holding a 执法证 valid
   through the month's last day, and not listed to recuse from any enterprise in the group.
3. Officers are ranked by, in order:
   (1) whether they inspected an enterprise of the group earlier in the year (those who did
       come last), how many groups they already have this month (fewest first);
   (2) whether they reached the month's cap of groups (those who did come last), whether
       they inspected an enterprise of the group earlier in the year, their groups this year
       (this month included), their enterprises this year, their groups this month;
   and finally their ticket SHA-256(seed ‖ 0x1F ‖ "{scope}/officers" ‖ 0x1F ‖ 执法证号),
   so that among equally loaded officers the draw decides.
4. A group takes ``group_size`` officers of the agency (joint tasks also take
   ``partner_group_size`` of the partner department); the first pick is the best-ranked
   officer whose 专业领域 matches the group's industry, when there is one ((2): one not at the
   cap). (2) When the roster holds no officer of the partner department at all, the group
   keeps a placeholder for the partner's officers instead, with a warning.

(2) The cap is the plan's ``max_groups_per_officer``, or a department's officer places this
month divided by its eligible officers, rounded up. Going over it when the roster leaves no
other choice is a warning on the group.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from shuangsuiji.exceptions import InputError
from shuangsuiji.rules.draw import ticket
from shuangsuiji.rules.records import (
    AssignInput,
    AssignmentRecord,
    Group,
    GroupEnterprise,
    OfficerEntry,
    OfficerLoad,
    Substitution,
    SubstitutionNote,
    TaskEnterprise,
)
from shuangsuiji.rules.workdays import month_end

SPEC_1 = "SSJ-ASSIGN-1"
SPEC_2 = "SSJ-ASSIGN-2"
SPEC = "SSJ-ASSIGN-3"  # what new assignments use
SPECS = (SPEC_1, SPEC_2, SPEC)


def level(spec: str) -> int:
    """The rule version as a number: 1, 2 or 3 (older records re-run with their own rule)."""
    return SPECS.index(spec) + 1


NO_INDUSTRY = "（未分行业）"


def officer_scope(scope: str) -> str:
    """The ticket scope of a task's officer draw: "{task}/{YYYY-MM}/officers"."""
    return f"{scope}/officers"


def month_last_day(month: str) -> dt.date:
    """The last day of a "YYYY-MM" month: a certificate must be valid through it."""
    year, number = month.split("-")
    return month_end(int(year), int(number))


def split_groups(
    enterprises: Sequence[Mapping[str, Any]], group_max: int, merge_by_street: bool = False
) -> list[tuple[str, list[TaskEnterprise]]]:
    """Enterprises grouped by industry (first appearance order), at most ``group_max`` a group;
    with ``merge_by_street`` an industry's only enterprise joins an earlier group holding an
    enterprise of the same 所属街道 (rule 1(2)). A merged group's industry is "甲、乙"."""
    by_industry: dict[str, list[TaskEnterprise]] = {}
    for entry in enterprises:
        enterprise = TaskEnterprise.coerce(entry)
        by_industry.setdefault(enterprise.industry or NO_INDUSTRY, []).append(enterprise)
    groups: list[tuple[list[str], list[TaskEnterprise]]] = []
    for industry, members in by_industry.items():
        street = members[0].street if merge_by_street and len(members) == 1 else None
        host = next(
            (
                g
                for g in groups
                if street and len(g[1]) < group_max and any(e.street == street for e in g[1])
            ),
            None,
        )
        if host is not None:
            host[0].append(industry)
            host[1].append(members[0])
            continue
        count = -(-len(members) // group_max)
        size, extra = divmod(len(members), count)
        start = 0
        for index in range(count):
            end = start + size + (1 if index < extra else 0)
            groups.append(([industry], members[start:end]))
            start = end
    return [("、".join(industries), members) for industries, members in groups]


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


def covers(officer: OfficerEntry, industry: str) -> bool:
    """Whether an officer's 专业领域 matches a group's industry (any, for a merged group)."""
    return any(part in officer.fields for part in industry.split("、"))


def officer_tickets(inputs: AssignInput, scope: str) -> dict[str, str]:
    """Each officer's ticket for a task's officer draw."""
    return {o.id: ticket(inputs.seed, officer_scope(scope), o.id) for o in inputs.officers}


class _Ranking:
    """Rule 3 over arrays, one slot per officer: loads, caps, eligibility and, per task, the
    order of the tickets. A new group's officers are read from the head of the task's queues
    (:meth:`best`); a 递补 and SSJ-ASSIGN-1 rank a pool with one ``numpy.lexsort``. A month of
    10,000 groups and 2,000 officers takes about a second."""

    def __init__(self, inputs: AssignInput) -> None:
        self.inputs = inputs
        self.version_2 = level(inputs.spec) >= 2
        officers = inputs.officers
        count = len(officers)
        self.officers = officers
        self.index = {o.id: i for i, o in enumerate(officers)}
        self.month_groups = np.zeros(count, dtype=np.int64)
        given_groups, given_enterprises = inputs.year_groups or {}, inputs.year_enterprises or {}
        year_groups = [given_groups.get(o.id, 0) for o in officers]
        year_enterprises = [given_enterprises.get(o.id, 0) for o in officers]
        # Loads are whole numbers far below 2**53, ordered and added, never shown from here:
        # numpy's own dtype for them (float64 for zeros, int64 for a list of ints) is the same.
        self.month_enterprises = np.zeros(count, dtype=np.int64)  # pragma: no mutate
        self.year_groups = np.array(year_groups, dtype=np.int64)  # pragma: no mutate
        self.year_enterprises = np.array(year_enterprises, dtype=np.int64)  # pragma: no mutate
        # No cap until set_caps: int64's largest, which numpy makes an int64 array anyway.
        self.cap = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)  # pragma: no mutate
        last_day = month_last_day(inputs.month)
        self.serving: dict[str, npt.NDArray[np.bool_]] = {}
        for department in {o.department for o in officers} | {inputs.agency}:
            self.serving[department] = np.array(
                [ineligibility(o, department, last_day, set()) is None for o in officers],
                # A list of bools makes a bool array anyway.
                dtype=bool,  # pragma: no mutate
            )
        self.recusing = _inverse({o.id: o.recusals for o in officers}, self.index)
        self.inspected = _inverse(inputs.history, self.index)
        # The same as Python ints, for the queues' sets (a group's few enterprises).
        self._recusing = {u: a.tolist() for u, a in self.recusing.items()}
        self._inspected = {u: a.tolist() for u, a in self.inspected.items()}
        self.experts: dict[str, npt.NDArray[np.bool_]] = {}
        self.tickets: dict[str, npt.NDArray[np.intp]] = {}
        # One task's queues (see :meth:`best`): (department, industry or None) -> heap. Both
        # are replaced at the first task (no scope is empty), so their start values are moot.
        self._scope = ""  # pragma: no mutate
        self._queues: dict[tuple[str, str | None], list[_Entry]] = {}  # pragma: no mutate
        # An entry of an officer whose load changed since is stale. Versions are only compared
        # for equality: any start value is the same.
        self._version = [0] * count  # pragma: no mutate

    def set_caps(self, caps: Mapping[str, int]) -> None:
        for i, officer in enumerate(self.officers):
            if officer.department in caps:
                self.cap[i] = caps[officer.department]

    def at_cap(self, idx: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        return self.month_groups[idx] >= self.cap[idx]

    def covering(self, industry: str) -> npt.NDArray[np.bool_]:
        """Who has a 专业领域 of the group's industry (any, for a merged group)."""
        if industry not in self.experts:
            self.experts[industry] = np.array([covers(o, industry) for o in self.officers])
        return self.experts[industry]

    def pool(self, department: str, usccs: set[str]) -> npt.NDArray[np.intp]:
        """Rule 2: who may serve a group of ``department`` with these enterprises."""
        if department not in self.serving:  # nobody of that department in the roster
            return _NONE
        allowed = self.serving[department].copy()
        for uscc in usccs:
            # numpy stores None in a bool array as False.
            allowed[self.recusing.get(uscc, _NONE)] = False  # pragma: no mutate
        return np.flatnonzero(allowed)

    def order(
        self,
        idx: npt.NDArray[np.intp],
        scope: str,
        usccs: set[str],
    ) -> npt.NDArray[np.intp]:
        """``idx`` in rule 3's order for a group of ``scope``."""
        # A sort key: as bools or as 0.0 and 1.0, the order is the same.
        repeat = np.zeros(len(self.officers), dtype=bool)  # pragma: no mutate
        for uscc in usccs:
            repeat[self.inspected.get(uscc, _NONE)] = True
        month = self.month_groups[idx]
        keys: list[npt.NDArray[Any]] = [self._ticket_order(scope)[idx]]  # last decides first
        if self.version_2:
            keys += [
                month,
                self.year_enterprises[idx] + self.month_enterprises[idx],
                self.year_groups[idx] + month,
                repeat[idx],
                self.at_cap(idx),
            ]
        else:
            keys += [month, repeat[idx]]
        return idx[np.lexsort(keys)]

    def repeats(self, i: int, usccs: set[str]) -> bool:
        return not usccs.isdisjoint(self.inputs.history.get(self.officers[i].id, ()))

    def add(self, i: int, enterprises: int) -> None:
        self.month_groups[i] += 1
        self.month_enterprises[i] += enterprises
        if self._queues:  # the officer's place in this task's queues moves
            # A version only tells a current entry from stale ones: any step that never
            # repeats a value (+1, +2, −1) does.
            self._version[i] += 1  # pragma: no mutate
            entry = (self._key(i), self._version[i], i)
            for (department, industry), queue in self._queues.items():
                if self.serving[department][i] and (industry is None or self.covering(industry)[i]):
                    heapq.heappush(queue, entry)

    def _key(self, i: int) -> tuple[int, ...]:
        """Rule 3 (2)'s order of one officer, all but "inspected an enterprise of the group"
        (which depends on the group): cap reached, groups this year, enterprises this year,
        groups this month, place among the task's tickets."""
        month = int(self.month_groups[i])
        return (
            int(month >= self.cap[i]),
            int(self.year_groups[i]) + month,
            int(self.year_enterprises[i] + self.month_enterprises[i]),
            month,
            int(self._ticket_order(self._scope)[i]),
        )

    def best(
        self,
        scope: str,
        department: str,
        usccs: set[str],
        count: int,
        industry: str | None = None,
        skip: int | None = None,
        below_cap: bool = False,
    ) -> list[int]:
        """The first ``count`` of rule 3 (2)'s order among the officers who may serve a group
        of ``scope`` with ``usccs`` for ``department`` (with ``industry``, only those whose
        专业领域 matches it), ``skip`` left out; with ``below_cap`` only officers under the
        month's cap. What ``order(pool)[:count]`` gives, found without ranking the whole pool:
        each task keeps its officers in a heap by the order's group-independent keys, and a
        group reads from its head only as far as it must (a city's month is ten thousand
        groups over thousands of officers)."""
        if count <= 0:
            return []
        queue = self._queue(scope, department, industry)
        recused = {j for u in usccs for j in self._recusing.get(u, ())}
        repeat = {j for u in usccs for j in self._inspected.get(u, ())}
        taken: list[_Entry] = []  # every current entry taken off the heap, put back after
        chosen: list[int] = []
        first: list[int] = []  # the cap level being read: those who did not inspect …
        then: list[int] = []  # … before those who did
        # No level read yet: at the first entry the lists are empty, so any start value no
        # level has ("" as well as None) flushes nothing and reads the same.
        reading = None  # pragma: no mutate
        while True:
            entry = heapq.heappop(queue) if queue else None
            if entry is not None and entry[1] != self._version[entry[2]]:
                continue  # stale: the officer has a newer entry
            if entry is not None:
                taken.append(entry)
            at_cap = None if entry is None else entry[0][0]
            if reading is not None and at_cap != reading:  # the level read to its end
                chosen += first + then
                first, then = [], []
                if len(chosen) >= count:
                    break
            if entry is None or (below_cap and at_cap):
                break
            reading, i = at_cap, entry[2]
            if i == skip or i in recused:
                continue
            if i in repeat:
                then.append(i)
                continue
            first.append(i)
            if len(chosen) + len(first) >= count:  # before anyone of this level who did
                chosen += first
                break
        for entry in taken:
            heapq.heappush(queue, entry)
        return chosen[:count]

    def _queue(self, scope: str, department: str, industry: str | None) -> list[_Entry]:
        if scope != self._scope:  # a task's groups come together: the last task's are done
            self._scope, self._queues = scope, {}
        if (department, industry) not in self._queues:
            members = self.serving[department]
            if industry is not None:
                members = members & self.covering(industry)
            queue = [(self._key(i), self._version[i], i) for i in np.flatnonzero(members).tolist()]
            heapq.heapify(queue)
            self._queues[department, industry] = queue
        return self._queues[department, industry]

    def _ticket_order(self, scope: str) -> npt.NDArray[np.intp]:
        """Each officer's place in the order of the task's tickets (the draw among equals).
        Tickets differ (each hashes its officer's id): there are no ties to order."""
        if scope not in self.tickets:
            tickets = officer_tickets(self.inputs, scope)
            keys = np.array([tickets[o.id] for o in self.officers])
            self.tickets[scope] = np.argsort(np.argsort(keys))
        return self.tickets[scope]


_NONE = np.zeros(0, dtype=np.intp)
_Entry = tuple[tuple[int, ...], int, int]  # (rank keys, version, officer slot)


def _inverse(
    lists: Mapping[str, Sequence[str]], index: Mapping[str, int]
) -> dict[str, npt.NDArray[np.intp]]:
    """enterprise -> the officers (by slot) whose list names it."""
    found: dict[str, list[int]] = {}
    for officer_id, usccs in lists.items():
        if officer_id in index:
            for uscc in usccs:
                found.setdefault(uscc, []).append(index[officer_id])
    # Slots are Python ints (never an empty list): numpy makes them its default integer,
    # the same as intp on the 64-bit systems numpy supports, with or without the dtype.
    return {u: np.array(slots, dtype=np.intp) for u, slots in found.items()}  # pragma: no mutate


def _needs(inputs: AssignInput, partner: str | None) -> list[tuple[str, int]]:
    """(department, officers) a group of a task takes."""
    needs = [(inputs.agency, inputs.group_size)]
    if partner:
        needs.append((partner, inputs.partner_group_size))
    return needs


def _caps(inputs: AssignInput, splits: Sequence[tuple[str | None, int]]) -> dict[str, int]:
    """Rule (2): groups a month one officer of each department may take — the plan's cap, or
    the department's places this month ÷ its eligible officers, rounded up. ``splits``: each
    task's partner and number of groups."""
    last_day = month_last_day(inputs.month)
    places: Counter[str] = Counter()
    for partner, count in splits:
        for department, size in _needs(inputs, partner):
            places[department] += size * count
    caps = {}
    for department, wanted in places.items():
        eligible = sum(
            ineligibility(o, department, last_day, set()) is None for o in inputs.officers
        )
        if eligible:
            caps[department] = inputs.max_groups_per_officer or -(-wanted // eligible)
    return caps


def assign(data: AssignInput | Mapping[str, Any]) -> list[Group]:
    """The groups for a month's tasks; raises InputError if a group cannot be staffed.

    ``data`` is the typed input or the same as JSON (the input part of an assignment record).
    """
    inputs = AssignInput.coerce(data)
    if inputs.spec not in SPECS:
        raise InputError(f"不认识的分组规则“{inputs.spec}”；本版本支持 {'、'.join(SPECS)}")
    version_2 = level(inputs.spec) >= 2
    last_day = month_last_day(inputs.month)
    officers = inputs.officers
    departments = {o.department for o in officers}
    splits = [
        split_groups(task.enterprises, inputs.group_max, version_2 and bool(inputs.merge_by_street))
        for task in inputs.tasks
    ]
    ranking = _Ranking(inputs)
    # One split per task, made from the tasks just above: strict has nothing to catch.
    tasks = list(zip(inputs.tasks, splits, strict=True))  # pragma: no mutate
    if version_2:
        ranking.set_caps(_caps(inputs, [(t.partner, len(g)) for t, g in tasks]))
    groups: list[Group] = []
    for task, split in tasks:
        scope = task.scope
        for number, (industry, members) in enumerate(split, start=1):
            usccs = {e.uscc for e in members}
            chosen: list[OfficerEntry] = []
            warnings: list[str] = []
            placeholder = None
            group_expert: int | None = None  # the group's one pick for its 专业领域
            for department, size in _needs(inputs, task.partner):
                if version_2 and department != inputs.agency and department not in departments:
                    # Each department usually draws its own officers (docs/spec.md §5).
                    placeholder = f"{department}选派 {size} 名"
                    warnings.append(f"名录库中没有{department}的人员：{placeholder}")
                    # The partner's need comes last (_needs): stopping here is the same.
                    continue  # pragma: no mutate
                picked: list[int] = []
                expert = None
                if version_2:  # rule 3 (2)'s order read from the task's queues
                    if group_expert is None:
                        below = level(inputs.spec) == 2  # SSJ-ASSIGN-2: a match under the cap
                        found = ranking.best(scope, department, usccs, 1, industry, below_cap=below)
                        expert = found[0] if found else None
                    if expert is not None:
                        picked.append(expert)
                        group_expert = expert
                    picked += ranking.best(
                        scope, department, usccs, size - len(picked), None, expert
                    )
                else:
                    pool = ranking.pool(department, usccs)
                    if group_expert is None:
                        expert = _best_expert(ranking, pool, scope, usccs, industry)
                        if expert is not None:
                            picked.append(expert)
                            group_expert = expert
                    rest = pool[pool != picked[0]] if picked else pool
                    picked += ranking.order(rest, scope, usccs)[: size - len(picked)].tolist()
                if len(picked) < size:
                    reasons = {
                        o.id: ineligibility(o, department, last_day, usccs) for o in officers
                    }
                    raise _too_few(scope, number, industry, department, size, officers, reasons)
                for i in picked:
                    o = officers[i]
                    if version_2 and ranking.month_groups[i] >= ranking.cap[i]:
                        why = (
                            f"该专业领域（{industry}）的人员本月都已达上限，为保证专业仍选派"
                            if level(inputs.spec) >= 3 and i == expert
                            else "可用人员不足"
                        )
                        warnings.append(
                            f"{o.name} 本月已有 {ranking.month_groups[i]} 组，仍被选派，超过每人"
                            f" {ranking.cap[i]} 组的上限：{why}"
                        )
                    if ranking.repeats(i, usccs):
                        warnings.append(
                            f"{o.name} 本年度已检查过本组企业，因无其他可用人员仍被选派"
                        )
                    ranking.add(i, len(members))
                chosen += [officers[i] for i in picked]
            if group_expert is None:
                anyone = bool(ranking.covering(industry).any())
                warnings.append(_no_expert(inputs, industry, anyone))
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


def _best_expert(
    ranking: _Ranking,
    pool: npt.NDArray[np.intp],
    scope: str,
    usccs: set[str],
    industry: str,
) -> int | None:
    """Rule 4's first pick for an SSJ-ASSIGN-1 group, and for a 递补 under every rule: the
    best-ranked officer of ``pool`` whose 专业领域 matches the group. The ranking puts those at
    the month's cap last, so one over the cap is taken only when every match is at it. (New
    groups of SSJ-ASSIGN-2 and -3 take theirs from the task's queues: :meth:`_Ranking.best`.)"""
    experts = pool[ranking.covering(industry)[pool]]
    if not len(experts):
        return None
    return int(ranking.order(experts, scope, usccs)[0])


def _no_expert(inputs: AssignInput, industry: str, anyone: bool) -> str:
    """Why a group has no officer of its 专业领域: nobody has it (``anyone`` false), or nobody
    who has it can go."""
    if level(inputs.spec) < 3:
        return f"没有专业领域为“{industry}”的可用人员"
    if not anyone:
        return f"没有专业领域为“{industry}”的人员（名录库中没有该专业领域的人员）"
    return f"没有专业领域为“{industry}”的可用人员（该专业领域的人员执法证到期、不在岗或需回避）"


def _month_caps(inputs: AssignInput, groups: Sequence[Group]) -> dict[str, int]:
    """The caps an assignment of ``groups`` was made under (none for SSJ-ASSIGN-1)."""
    if level(inputs.spec) < 2:
        return {}
    counts = Counter(g.scope for g in groups)
    partners = {t.scope: t.partner for t in inputs.tasks}
    return _caps(inputs, [(partners.get(s), n) for s, n in counts.items()])


def officer_loads(inputs: AssignInput, groups: Sequence[Group]) -> list[OfficerLoad]:
    """Every officer's groups and enterprises this month and this year (fairness figures),
    most groups this year first."""
    last_day = month_last_day(inputs.month)
    caps = _month_caps(inputs, groups)
    month_groups: Counter[str] = Counter()
    month_enterprises: Counter[str] = Counter()
    for group in groups:
        for officer in group.everyone:
            month_groups[officer.id] += 1
        for enterprise in group.enterprises:
            for officer in group.officers_of(enterprise.uscc):
                month_enterprises[officer.id] += 1
    year_groups = inputs.year_groups or {}
    year_enterprises = inputs.year_enterprises or {k: len(v) for k, v in inputs.history.items()}
    found = [
        OfficerLoad(
            id=o.id,
            name=o.name,
            department=o.department,
            eligible=ineligibility(o, o.department, last_day, set()) is None,
            month_groups=month_groups[o.id],
            month_enterprises=month_enterprises[o.id],
            year_groups=year_groups.get(o.id, 0) + month_groups[o.id],
            year_enterprises=year_enterprises.get(o.id, 0) + month_enterprises[o.id],
            cap=caps.get(o.department),
        )
        for o in inputs.officers
    ]
    return sorted(found, key=lambda o: (-o.year_groups, -o.month_groups, o.id))


@dataclass(frozen=True)
class Spread:
    """How evenly a department's eligible officers share the work: fewest and most groups."""

    month: tuple[int, int]
    year: tuple[int, int]

    @property
    def year_ratio(self) -> float | None:
        """Most ÷ fewest groups this year (None while someone has none)."""
        return self.year[1] / self.year[0] if self.year[0] else None


def spread(loads: Sequence[OfficerLoad], department: str) -> Spread | None:
    """The load spread over ``department``'s officers eligible this month (None if none are)."""
    mine = [o for o in loads if o.department == department and o.eligible]
    if not mine:
        return None
    month = [o.month_groups for o in mine]
    year = [o.year_groups for o in mine]
    return Spread((min(month), max(month)), (min(year), max(year)))


def substitute(
    data: AssignInput | Mapping[str, Any],
    groups: Sequence[Mapping[str, Any]],
    out_id: str,
    unavailable: set[str],
    only: tuple[str, int] | None = None,
    barred: Mapping[tuple[str, int], Collection[str]] | None = None,
) -> list[tuple[int, str]]:
    """递补: for each group holding ``out_id`` (only the group ``only`` = (scope, number) when
    given), the officer who takes the place.

    The replacement is chosen as rule 4 chooses a group's officers (:func:`_best_expert`, then
    rule 3's order with this month's current loads and caps) among the eligible officers of the
    same department who are not in the group, not ``unavailable`` and not ``barred`` from that
    group ((scope, number) -> officers the roster says by then may not serve it): an officer of
    the group's 专业领域 first if the one leaving was its only match. Returns (group index,
    replacement id) pairs; raises InputError if a group has no replacement.
    """
    inputs = AssignInput.coerce(data)
    current = [Group.coerce(g) for g in groups]
    barred = barred or {}
    by_id = {o.id: o for o in inputs.officers}
    ranking = _Ranking(inputs)
    ranking.set_caps(_month_caps(inputs, current))
    for group in current:
        for officer in group.officers:
            ranking.add(ranking.index[officer.id], len(group.enterprises))
    replacements = []
    for index, group in enumerate(current):
        members = set(group.officer_ids)
        if out_id not in members or (only is not None and only != (group.scope, group.group)):
            continue
        department = by_id[out_id].department
        usccs = group.usccs
        passed_over = (
            members | unavailable | {out_id} | set(barred.get((group.scope, group.group), ()))
        )
        taken = [ranking.index[i] for i in passed_over if i in ranking.index]
        pool = np.setdiff1d(ranking.pool(department, usccs), taken)
        if not len(pool):
            raise InputError(
                f"{group.scope} 第{group.group}组没有可以递补的{department}执法人员；"
                "请补充执法人员名录库"
            )
        # Keep the group's 专业领域 match if the officer leaving was the one who gave it.
        industry = group.industry
        lost_expert = not any(covers(by_id[m], industry) for m in members - {out_id})
        best = _best_expert(ranking, pool, group.scope, usccs, industry)
        if best is None or not lost_expert:
            best = int(ranking.order(pool, group.scope, usccs)[0])
        ranking.add(best, len(group.enterprises))
        replacements.append((index, ranking.officers[best].id))
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
        # Enterprises already inspected keep the officers who inspected them (docs/spec.md §5.1).
        done = {u: group.officers_of(u) for u in sub.kept if u in group.usccs}
        current[index] = replace(
            group,
            officers=[sub.replacement if o.id == sub.out.id else o for o in group.officers],
            substitutions=[*group.substitutions, note],
            inspected_by={**group.inspected_by, **done},
        )
    return current


def current_groups(record: AssignmentRecord, substitutions: Sequence[Substitution]) -> list[Group]:
    """A month's groups as they stand: 递补 applied, and a group left without an officer of its
    专业领域 by a 递补 says so, as the assignment would have."""
    by_id = {o.id: o for o in record.officers}
    groups = apply_substitutions(record.groups, substitutions)
    # apply_substitutions gives one group for each it is given: strict has nothing to catch.
    pairs = zip(record.groups, groups, strict=True)  # pragma: no mutate
    for index, (before, after) in enumerate(pairs):
        industry = after.industry
        had = any(covers(by_id[o.id], industry) for o in before.officers if o.id in by_id)
        has = any(covers(by_id[o.id], industry) for o in after.officers if o.id in by_id)
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
    ruled_out: dict[str, str] = {}  # officer id -> why an earlier 递补 passed them over
    # One 递补 request writes one event per group of the officer replaced: replay them together.
    batches: list[list[Substitution]] = []
    for sub in substitutions:
        if batches and batches[-1][0].out.id == sub.out.id and not sub.single:
            batches[-1].append(sub)
        else:
            batches.append([sub])
    for batch in batches:
        out_id = batch[0].out.id
        only = (batch[0].scope, batch[0].group) if batch[0].single else None
        try:
            barred = {(s.scope, s.group): set(s.unavailable) for s in batch}
            expected = substitute(inputs, current, out_id, unavailable, only, barred)
        except InputError as exc:
            out.append(f"递补 {batch[0].out.name} 无法重算：{exc.message}")
            break
        recorded = [(s.scope, s.group, s.replacement.id) for s in batch]
        wanted = [(current[i].scope, current[i].group, new) for i, new in expected]
        if recorded != wanted:
            out.append(f"递补 {batch[0].out.name} 的结果与按规则重算的不符")
        # Passed over as unable to serve at all (not a recusal from that one group), then
        # named a replacement later the same month: the roster was bent for one 递补.
        out += [
            f"递补 {s.out.name} 选了 {s.replacement.name}，而此前的递补称其不能派出（{ruled_out[s.replacement.id]}）"
            for s in batch
            if s.replacement.id in ruled_out
        ]
        ruled_out.update(
            (i, why)
            for s in batch
            for i, why in s.unavailable.items()
            if not why.startswith("需回避")
        )
        current = apply_substitutions(current, batch)
        if only is None:  # out of every group; one left out of one group may serve elsewhere
            unavailable.add(out_id)
    return out
