"""``ssj report``: the year's statistics (年度双随机抽查工作总结) from the ledger, as a workbook
with native charts and the same charts as PNG. Read-only for the ledger; mid-year it counts
what has happened so far."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.outputs.report import write_report
from shuangsuiji.rules.assign import current_groups
from shuangsuiji.rules.deadlines import statuses
from shuangsuiji.rules.records import AssignmentRecord, DrawRecord
from shuangsuiji.rules.report import YearReport, year_report


@dataclass
class ReportOutcome:
    report: YearReport
    files: list[Path]
    notes: list[str] = field(default_factory=list)  # what was not written, and why


def make_report(
    plan_path: str | Path, year: int | None = None, today: dt.date | None = None
) -> ReportOutcome:
    """Count the year (the plan's unless ``year``) as of ``today`` and write the report."""
    plan = load_plan(plan_path)
    year = year or plan.year
    if not Ledger.exists(plan.folder):
        raise InputError(f"{plan.folder} 还没有台账，没有可统计的抽查；先运行 ssj draw 或 ssj run")
    with Ledger.at(plan.folder) as ledger:
        draws = [r for d in ledger.draws(year) if isinstance(r := d.record, DrawRecord)]
        if not draws:
            raise InputError(f"{year} 年还没有抽取，没有可统计的抽查")
        scopes = {d.scope for d in draws}
        results = {k: r for k, r in ledger.results().items() if k[0] in scopes}
        found = statuses(
            results,
            draws,
            today or dt.date.today(),
            plan.work_calendar,
            plan.deadline_workdays,
            grace=plan.results_grace_workdays,
            waivers={k: w for k, w in ledger.waivers().items() if k[0] in scopes},
        )
        groups = [
            group
            for month, text in ledger.assignments(year)
            for group in current_groups(
                AssignmentRecord.from_json(text), ledger.substitutions(month)
            )
        ]
    report = year_report(plan.agency, year, draws, results, found, groups)
    return ReportOutcome(report, *write_report(plan.folder, report))
