"""The year's statistics a bureau submits (年度双随机抽查工作总结): per task and month what was
eligible, drawn, inspected, found and published, and each officer's load. Pure counting over
the records; mid-year it counts what has happened so far."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shuangsuiji.rules.records import DrawRecord, Group, Result, Status
from shuangsuiji.rules.results import FINDINGS, RESULT_CATEGORIES

CORRECTED = "发现问题经责令已改正"
ON_TIME, LATE = "published", "published_late"
UNPUBLISHED = ("overdue", "due_today", "pending")


@dataclass(frozen=True)
class TaskMonth:
    """One task's draw in one month and what became of it."""

    scope: str
    task_id: str
    month: str  # YYYY-MM
    joint: bool  # 部门联合抽查 (covers another item) or the department's own
    eligible: int
    drawn: int
    inspected: int
    with_findings: int  # results with at least one finding
    corrected: int  # 发现问题经责令已改正
    on_time: int
    late: int
    unpublished: int  # a result not yet published, in time or not
    waived: int = 0  # drawn, but could not be inspected (ssj results waive, with the reason)


@dataclass(frozen=True)
class MonthTotal:
    month: str
    drawn: int
    inspected: int
    on_time: int
    late: int

    @property
    def on_time_rate(self) -> float | None:
        """Share of published results published within the deadline (None: none published)."""
        published = self.on_time + self.late
        return self.on_time / published if published else None


@dataclass(frozen=True)
class OfficerTotal:
    name: str
    department: str
    groups: int
    enterprises: int


@dataclass(frozen=True)
class YearReport:
    agency: str
    year: int
    tasks: list[TaskMonth]
    months: list[MonthTotal]
    categories: list[tuple[str, int]]  # each standard category, how many results name it
    officers: list[OfficerTotal]


def _categories(result: Result) -> list[str]:
    return [c for c in result.result.split("；") if c]


def year_report(
    agency: str,
    year: int,
    draws: Sequence[DrawRecord],
    results: Mapping[tuple[str, str], Result],
    statuses: Iterable[Status],
    groups: Iterable[Group],
) -> YearReport:
    """The statistics of ``draws`` (this year's, in the order made), their ``results``, the
    publication ``statuses`` (``rules.deadlines.statuses``) and the groups of the year."""
    listed = list(statuses)
    state = {(s.scope, s.uscc): s.status for s in listed}
    waived = Counter(s.scope for s in listed if s.status == "waived")
    tasks = []
    for draw in draws:
        found = [r for (scope, _), r in results.items() if scope == draw.scope]
        states = Counter(state.get((draw.scope, r.uscc)) for r in found)
        tasks.append(
            TaskMonth(
                scope=draw.scope,
                task_id=draw.item_id,
                month=draw.month,
                joint=draw.covers is not None,
                eligible=draw.population.size,
                drawn=len(draw.selected),
                inspected=len(found),
                with_findings=sum(any(c in FINDINGS for c in _categories(r)) for r in found),
                corrected=sum(CORRECTED in _categories(r) for r in found),
                on_time=states[ON_TIME],
                late=states[LATE],
                unpublished=sum(states[s] for s in UNPUBLISHED),
                waived=waived[draw.scope],
            )
        )
    months = []
    for month in sorted({t.month for t in tasks}):
        these = [t for t in tasks if t.month == month]
        months.append(
            MonthTotal(
                month,
                sum(t.drawn for t in these),
                sum(t.inspected for t in these),
                sum(t.on_time for t in these),
                sum(t.late for t in these),
            )
        )
    counted = Counter(c for r in results.values() for c in _categories(r))
    loads: dict[tuple[str, str], list[int]] = {}
    for group in groups:
        for officer in group.everyone:
            loads.setdefault((officer.name, officer.department), [0, 0])[0] += 1
        for enterprise in group.enterprises:  # each visit to whoever made (or makes) it
            for officer in group.officers_of(enterprise.uscc):  # all among ``everyone``
                loads[(officer.name, officer.department)][1] += 1
    officers = [
        OfficerTotal(name, department, g, e)
        for (name, department), (g, e) in sorted(loads.items(), key=lambda i: (-i[1][0], i[0]))
    ]
    return YearReport(
        agency,
        year,
        tasks,
        months,
        [(c, counted[c]) for c in RESULT_CATEGORIES],
        officers,
    )
