"""``ssj publish``: write the 公示表 of results not yet published, or record their publication.

One sheet per batch: a new sheet is written only when the set of unpublished results (or their
values) changes; until then the sheet already written stands, under its first day's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shuangsuiji.commands.heal import sound_ledger
from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.dates import parse_month, writing_day
from shuangsuiji.inputs.plan import Plan, load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.outputs.publication import (
    SUPERSEDED_DIR,
    public_digest,
    publication_day,
    publication_name,
    publication_path,
    set_aside,
    write_publication,
)
from shuangsuiji.rules.records import Result


@dataclass
class PublishOutcome:
    """What ``ssj publish`` did."""

    rows: list[Result] = field(default_factory=list)
    path: Path | None = None
    written: bool = False  # the file was (re)written
    new_batch: bool = False  # a sheet for a new set of results
    marked: str | None = None
    warnings: list[str] = field(default_factory=list)
    # (sheet, the sheet that replaces it) moved to 公示/已被取代/ by this call
    superseded: list[tuple[str, str]] = field(default_factory=list)

    @property
    def replacements(self) -> list[str]:
        """One line per superseded sheet, as the summary and the console say it."""
        return [
            f"公示表 {old} 已被 {new} 取代（前者从未公示，已移至 输出/公示/{SUPERSEDED_DIR}/）"
            for old, new in self.superseded
        ]

    @property
    def corrections(self) -> int:
        return sum(r.correction is not None for r in self.rows)


def _unpublished(ledger: Ledger, month: str | None) -> list[Result]:
    return [
        result
        for (scope, _uscc), result in sorted(ledger.results().items())
        if not result.published_on and (month is None or scope.endswith(f"/{month}"))
    ]


def _sheets(ledger: Ledger) -> list[dict[str, Any]]:
    return [p for _, _, kind, p in ledger.events() if kind == "publication_sheet"]


def superseded_sheets(ledger: Ledger) -> dict[str, str]:
    """Sheets never marked published whose results a later sheet lists again, each with the
    latest sheet that replaces it: only that one should go out."""
    sheets = _sheets(ledger)
    marked = {p["file"] for _, _, kind, p in ledger.events() if kind == "publish"}
    replaced: dict[str, str] = {}
    for i, older in enumerate(sheets):
        if older["file"] in marked:
            continue
        items = {(scope, uscc) for scope, uscc in older["items"]}
        for newer in sheets[i + 1 :]:
            if items <= {(scope, uscc) for scope, uscc in newer["items"]}:
                replaced[older["file"]] = newer["file"]
                if newer["file"] in marked:  # the one that went out in its place
                    break
    return replaced


def publish(
    plan_path: str | Path,
    *,
    month: str | None = None,
    mark_published: dt.date | None = None,
    sheet: str | None = None,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
    audited: bool = False,
) -> PublishOutcome:
    """Write the 公示表 of results not yet published (a new one only when that set changed),
    or (``mark_published``) record that the results of ``sheet`` (default: the latest) were
    published on that date. ``audited``: the caller (ssj run) has audited the ledger under
    the lock it holds."""
    plan = load_plan(plan_path)
    today = writing_day(today)
    if month is not None:
        parsed = parse_month(month)
        if parsed is None:
            raise InputError(f"“{month}”不是有效的月份；请写成 YYYY-MM，如 2025-03")
        month = f"{parsed[0]:04d}-{parsed[1]:02d}"
    if sheet is not None and mark_published is None:
        raise InputError("--sheet 只与 --mark-published 一起使用")
    outcome = PublishOutcome()
    if not Ledger.exists(plan.folder):
        return outcome
    with workspace_lock(plan.folder, wait), sound_ledger(plan, audited) as ledger:
        if mark_published is not None:
            outcome.marked, outcome.warnings = _mark(plan, ledger, mark_published, today, sheet)
            return outcome
        outcome.rows = _unpublished(ledger, month)
        if not outcome.rows:
            return outcome
        digest = public_digest(outcome.rows)
        event = next((s for s in _sheets(ledger) if s.get("digest") == digest), None)
        if event is None:
            event = {
                "file": publication_name(today, digest),
                "digest": digest,
                "items": [[r.scope, r.uscc] for r in outcome.rows],
            }
            # Recorded before the sheet is visible: a run killed in between leaves an event
            # whose sheet the next run writes, never a sheet the ledger does not know.
            ledger.record_events("publication_sheet", [event])
            outcome.new_batch = True
        name = str(event["file"])
        outcome.path = publication_path(plan, name)
        anchor = ledger.last_event(("publication_sheet",), lambda p: p["file"] == name)
        outcome.written = write_publication(outcome.path, plan, outcome.rows, anchor)
        for old, new in superseded_sheets(ledger).items():
            if set_aside(plan, old):
                outcome.superseded.append((old, new))
    return outcome


def _mark(
    plan: Plan, ledger: Ledger, day: dt.date, today: dt.date, chosen: str | None
) -> tuple[str, list[str]]:
    """Record that the results a 公示表 listed were published on ``day``; warn about older
    sheets never marked whose results are still unpublished."""
    if day > today:
        raise InputError(f"公示日期 {day.isoformat()} 在今天（{today.isoformat()}）之后")
    sheets = _sheets(ledger)
    if not sheets:
        raise InputError(
            "还没有写出过公示表；请先运行 ssj publish，公示后再用 --mark-published 登记"
        )
    if chosen is None:
        index = len(sheets) - 1
    else:
        wanted = Path(chosen).name
        found = [i for i, s in enumerate(sheets) if s["file"] == wanted]
        if not found:
            names = "、".join(s["file"] for s in sheets[-5:])
            raise InputError(f"没有写出过公示表“{wanted}”（最近的：{names}）")
        index = found[-1]
    target = sheets[index]
    written = publication_day(target["file"])
    if written is not None and day < written:
        raise InputError(
            f"公示日期 {day.isoformat()} 早于公示表 {target['file']} 写出的日期 "
            f"{written.isoformat()}，未登记；请写这张表实际公示的日期"
        )
    current = ledger.results()
    listed = [(scope, uscc) for scope, uscc in target["items"]]
    pending = [key for key in listed if key in current and not current[key].published_on]
    early = [current[k] for k in pending if current[k].due_from > day.isoformat()]
    if early:
        raise InputError(
            f"公示日期 {day.isoformat()} 早于 {early[0].name} 的"
            f"{'更正日期' if early[0].correction else '检查日期'} {early[0].due_from}"
        )
    if pending:
        ledger.record_events(
            "publish",
            [
                {
                    "date": day.isoformat(),
                    "items": [list(k) for k in pending],
                    "file": target["file"],
                }
            ],
        )
        set_aside(plan, target["file"], aside=False)  # it went out: a live sheet again
    marked_files = {p["file"] for _, _, kind, p in ledger.events() if kind == "publish"}
    warnings = []
    for older in sheets[:index]:
        # Unpublished until now: if that sheet went out earlier, its date is the right one.
        waiting = [k for k in older["items"] if (k[0], k[1]) in current]
        waiting = [k for k in waiting if not current[(k[0], k[1])].published_on]
        if older["file"] not in marked_files and waiting:
            warnings.append(
                f"较早的公示表 {older['file']} 从未登记公示（其中 {len(waiting)} 条当时未公示）；"
                f"如果它曾公示，请用 --mark-published 当天日期 --sheet {older['file']} 登记"
            )
    return f"{target['file']}：{len(pending)} 条登记为 {day.isoformat()} 公示", warnings
