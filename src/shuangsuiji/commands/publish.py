"""``ssj publish``: write the 公示表 of results not yet published, or record their publication."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.dates import parse_month, writing_day
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.outputs.publication import publication_path, write_publication
from shuangsuiji.rules.records import Result


@dataclass
class PublishOutcome:
    """What ``ssj publish`` did."""

    rows: list[Result] = field(default_factory=list)
    path: Path | None = None
    written: bool = False
    marked: str | None = None


def _unpublished(ledger: Ledger, month: str | None) -> list[Result]:
    return [
        result
        for (scope, _uscc), result in sorted(ledger.results().items())
        if not result.published_on and (month is None or scope.endswith(f"/{month}"))
    ]


def publish(
    plan_path: str | Path,
    *,
    month: str | None = None,
    mark_published: dt.date | None = None,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
) -> PublishOutcome:
    """Write the 公示表 of results not yet published, or (``mark_published``) record that
    those results were published on that date."""
    plan = load_plan(plan_path)
    today = writing_day(today)
    if month is not None:
        parsed = parse_month(month)
        if parsed is None:
            raise InputError(f"无法识别的月份“{month}”；请写成 YYYY-MM")
        month = f"{parsed[0]:04d}-{parsed[1]:02d}"
    outcome = PublishOutcome()
    if not Ledger.exists(plan.folder):
        return outcome
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        if mark_published is not None:
            outcome.marked = _mark(ledger, mark_published, today)
            return outcome
        outcome.rows = _unpublished(ledger, month)
        if not outcome.rows:
            return outcome
        outcome.path = publication_path(plan, today, month)
        event = {"file": outcome.path.name, "items": [[r.scope, r.uscc] for r in outcome.rows]}
        sheets = [p for _, _, kind, p in ledger.events() if kind == "publication_sheet"]
        if not sheets or sheets[-1] != event:
            # Recorded before the sheet is visible: a run killed in between leaves an event
            # whose sheet the next run writes, never a sheet the ledger does not know.
            ledger.record_events("publication_sheet", [event])
        name = outcome.path.name
        anchor = ledger.last_event(("publication_sheet",), lambda p: p["file"] == name)
        outcome.written = write_publication(outcome.path, plan, outcome.rows, anchor)
    return outcome


def _mark(ledger: Ledger, day: dt.date, today: dt.date) -> str:
    """Record that the results the latest 公示表 listed were published on ``day``."""
    if day > today:
        raise InputError(f"公示日期 {day.isoformat()} 在今天之后")
    sheets = [p for _, _, kind, p in ledger.events() if kind == "publication_sheet"]
    if not sheets:
        raise InputError(
            "还没有写出过公示表；请先运行 ssj publish，公示后再用 --mark-published 登记"
        )
    current = ledger.results()
    listed = [(scope, uscc) for scope, uscc in sheets[-1]["items"]]
    pending = [key for key in listed if key in current and not current[key].published_on]
    early = [current[k] for k in pending if current[k].inspected_on > day.isoformat()]
    if early:
        raise InputError(
            f"公示日期 {day.isoformat()} 早于 {early[0].name} 的检查日期 {early[0].inspected_on}"
        )
    if pending:
        ledger.record_events(
            "publish",
            [
                {
                    "date": day.isoformat(),
                    "items": [list(k) for k in pending],
                    "file": sheets[-1]["file"],
                }
            ],
        )
    return f"{sheets[-1]['file']}：{len(pending)} 条登记为 {day.isoformat()} 公示"
