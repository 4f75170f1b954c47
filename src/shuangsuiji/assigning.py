"""``ssj assign``: draw the officers for a month's drawn tasks, once, and keep the history.

The month's input (tasks, officer roster snapshot, earlier inspections) and the resulting
groups are stored in the ledger as one record; 递补 substitutions are appended as events,
never overwriting the original assignment. The task sheet shows the current groups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shuangsuiji import __version__
from shuangsuiji.assign import SPEC, assign, substitute
from shuangsuiji.draw import base_item, effective_seed, scope_of
from shuangsuiji.drawing import OUTPUT_DIR, draw_order, parse_draw_month
from shuangsuiji.exceptions import InputError
from shuangsuiji.ledger import Ledger, now_text
from shuangsuiji.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.plan import JointTask, Plan, load_plan
from shuangsuiji.rosters import (
    INDUSTRY,
    KEY,
    EnterpriseRoster,
    Officer,
    OfficerRoster,
    officer_department,
)
from shuangsuiji.tasksheet import file_name, write_task_sheet
from shuangsuiji.verify import verify_assignment
from shuangsuiji.workspace import Workspace, load_workspace


@dataclass
class AssignOutcome:
    """What ``ssj assign`` did for a month."""

    month: str
    groups: list[dict[str, Any]] = field(default_factory=list)  # current, 递补 applied
    record: dict[str, Any] | None = None
    new: bool = False
    notices: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def department_of(officer: Officer, plan: Plan) -> str:
    """The department an officer serves: the plan's agency, a joint partner, or as written."""
    return officer_department(officer, [plan.agency, *(j.partner for j in plan.joint)])


def officer_snapshot(plan: Plan, roster: OfficerRoster) -> list[dict[str, Any]]:
    """The officer roster as the assignment record keeps it (sorted by 执法证号)."""
    return [
        {
            "id": o.cert_id,
            "name": o.name,
            "department": department_of(o, plan),
            "section": o.section,
            "fields": list(o.fields),
            "duty": o.duty,
            "on_duty": o.on_duty,
            "cert_until": o.cert_until.isoformat(),
            "recusals": list(o.recusals),
        }
        for o in sorted(roster.officers, key=lambda o: o.cert_id)
    ]


def current_groups(
    record: dict[str, Any], substitutions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The record's groups with the month's 递补 applied in order."""
    groups = json.loads(json.dumps(record["groups"]))
    for sub in substitutions:
        group = next(g for g in groups if g["scope"] == sub["scope"] and g["group"] == sub["group"])
        group["officers"] = [
            sub["in"] if o["id"] == sub["out"]["id"] else o for o in group["officers"]
        ]
        group.setdefault("substitutions", []).append(
            {
                "out_name": sub["out"]["name"],
                "in_name": sub["in"]["name"],
                "reason": sub["reason"],
                "at": sub["at"],
            }
        )
    return list(groups)


def _history(ledger: Ledger, year: int, before: str) -> dict[str, list[str]]:
    """Who inspected which enterprises in the year's earlier assignments (after 递补)."""
    seen: dict[str, set[str]] = {}
    for month, text in ledger.assignments(year):
        if month >= before:
            continue
        for group in current_groups(json.loads(text), ledger.substitutions(month)):
            for officer in group["officers"]:
                seen.setdefault(officer["id"], set()).update(
                    e["uscc"] for e in group["enterprises"]
                )
    return {k: sorted(v) for k, v in sorted(seen.items())}


def _enterprise_details(roster: EnterpriseRoster, usccs: set[str], column: str) -> dict[str, str]:
    frame = roster.frame
    if column not in frame.columns:
        return {}
    rows = frame.loc[frame[KEY].isin(usccs), [KEY, column]]
    return {k: str(v).strip() for k, v in zip(rows[KEY], rows[column], strict=True)}


def _month_tasks(workspace: Workspace, ledger: Ledger, year: int, mon: int) -> list[dict[str, Any]]:
    """The month's drawn tasks in draw order, each enterprise with its 行业类别."""
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    due = draw_order(plan, mon)
    missing = [t.id for t in due if ledger.draw(scope_of(t.id, year, mon)) is None]
    month = f"{year:04d}-{mon:02d}"
    if missing:
        raise InputError(
            f"{month} 的 {'、'.join(missing)} 还没有抽取检查对象；"
            f"请先运行 ssj draw --plan {plan.source} --month {month}"
        )
    tasks = []
    for task in due:
        stored = ledger.draw(scope_of(task.id, year, mon))
        assert stored is not None
        selected = stored.record["selected"]
        industries = _enterprise_details(roster, {s["uscc"] for s in selected}, INDUSTRY)
        tasks.append(
            {
                "scope": stored.scope,
                "partner": task.partner if isinstance(task, JointTask) else None,
                "enterprises": [
                    {
                        "uscc": s["uscc"],
                        "name": s["name"],
                        "industry": industries.get(s["uscc"], ""),
                    }
                    for s in selected
                ],
            }
        )
    return tasks


def _load(plan_path: str | Path, month: str) -> tuple[Workspace, int, int, str]:
    workspace = load_workspace(plan_path)
    workspace.require_valid()
    year, mon = parse_draw_month(month, workspace.plan)
    return workspace, year, mon, f"{year:04d}-{mon:02d}"


def assign_month(plan_path: str | Path, month: str, *, wait: float = DEFAULT_WAIT) -> AssignOutcome:
    """Assign officers to the month's groups, or return the recorded assignment."""
    workspace, year, mon, label = _load(plan_path, month)
    plan = workspace.plan
    outcome = AssignOutcome(label)
    if not draw_order(plan, mon):
        outcome.notices.append(f"{label} 没有抽查任务，无需分组")
        return outcome
    # Check that the month is drawn before anything is written.
    if not Ledger.exists(plan.folder):
        raise InputError(
            f"{label} 还没有抽取检查对象；请先运行 ssj draw --plan {plan.source} --month {label}"
        )
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        text = ledger.assignment(label)
        if text is None:
            assert workspace.officers is not None
            inputs: dict[str, Any] = {
                "spec": SPEC,
                "month": label,
                "seed": effective_seed(plan.seed),
                "agency": plan.agency,
                "group_max": plan.group_max,
                "group_size": plan.group_size,
                "partner_group_size": plan.partner_group_size,
                "officers": officer_snapshot(plan, workspace.officers),
                "history": _history(ledger, year, label),
                "tasks": _month_tasks(workspace, ledger, year, mon),
            }
            record = inputs | {
                "groups": assign(inputs),
                "created_at": now_text(),
                "tool_version": __version__,
            }
            text = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
            ledger.record_assignment(label, year, text)
            outcome.new = True
        outcome.record = json.loads(text)
        outcome.groups = current_groups(outcome.record, ledger.substitutions(label))
        outcome.files = _write_sheet(workspace, label, outcome.groups)
    return outcome


def replace_officer(
    plan_path: str | Path, month: str, cert_id: str, reason: str, *, wait: float = DEFAULT_WAIT
) -> AssignOutcome:
    """递补: take an officer out of the month's groups; the next eligible officer by rank steps in."""
    workspace, _, _, label = _load(plan_path, month)
    plan = workspace.plan
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        text = ledger.assignment(label)
        if text is None:
            raise InputError(
                f"{label} 还没有人员分组；请先运行 ssj assign --plan {plan.source} --month {label}"
            )
        record = json.loads(text)
        earlier = ledger.substitutions(label)
        groups = current_groups(record, earlier)
        officer_id = cert_id.strip().upper()
        by_id = {o["id"]: o for o in record["officers"]}
        if not any(o["id"] == officer_id for g in groups for o in g["officers"]):
            raise InputError(f"执法证号 {cert_id} 的人员不在 {label} 的任何检查组中，无需递补")
        unavailable = {s["out"]["id"] for s in earlier}
        payloads = []
        for index, new_id in substitute(record, groups, officer_id, unavailable):
            group = groups[index]
            payloads.append(
                {
                    "month": label,
                    "scope": group["scope"],
                    "group": group["group"],
                    "out": _public(by_id[officer_id]),
                    "in": _public(by_id[new_id]),
                    "reason": reason,
                }
            )
        ledger.record_events("substitute", payloads)
        outcome = AssignOutcome(label, record=record)
        outcome.groups = current_groups(record, ledger.substitutions(label))
        outcome.notices = [
            f"{p['scope']} 第{p['group']}组：{p['out']['name']} → {p['in']['name']}（{reason}）"
            for p in payloads
        ]
        outcome.files = _write_sheet(workspace, label, outcome.groups)
    return outcome


def _public(officer: dict[str, Any]) -> dict[str, Any]:
    return {"id": officer["id"], "name": officer["name"], "department": officer["department"]}


def _write_sheet(workspace: Workspace, month: str, groups: list[dict[str, Any]]) -> list[Path]:
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    names = {t.id: _task_title(plan, t.id) for t in plan.tasks}
    usccs = {e["uscc"] for g in groups for e in g["enterprises"]}
    path = plan.folder / OUTPUT_DIR / month / file_name(month)
    written = write_task_sheet(
        path,
        agency=plan.agency,
        month=month,
        groups=groups,
        item_names=names,
        addresses=_enterprise_details(roster, usccs, "注册地址"),
    )
    return [path] if written else []


def _task_title(plan: Plan, task_id: str) -> str:
    """抽查事项 as the task sheet shows it; a joint task names the partner and its items."""
    task = next(t for t in plan.tasks if t.id == task_id)
    item = base_item(plan, task)
    if not isinstance(task, JointTask):
        return item.name
    extra = f"：{'；'.join(task.partner_items)}" if task.partner_items else ""
    return f"部门联合抽查：{item.name}（会同{task.partner}{extra}）"


def verify_month_assignment(plan_path: str | Path, month: str) -> list[str]:
    """``ssj assign --verify``: re-run the month's stored assignment and its 递补 events."""
    plan = load_plan(plan_path)
    year, mon = parse_draw_month(month, plan)
    label = f"{year:04d}-{mon:02d}"
    records = Ledger.existing_assignment(plan.folder, label)
    if records is None:
        raise InputError(f"{label} 还没有人员分组记录")
    text, substitutions = records
    return verify_assignment(json.loads(text), substitutions)
