"""``ssj assign``: draw the officers for a month's drawn tasks, once, and keep the history.

The month's input (tasks, officer roster snapshot, earlier inspections) and the resulting
groups are stored in the ledger as one record; 递补 substitutions are appended as events,
never overwriting the original assignment. The task sheet shows the current groups.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shuangsuiji import __version__
from shuangsuiji.commands.draw import parse_draw_month, refuse_if_deleted
from shuangsuiji.commands.heal import heal_outputs, load_audited, sheet_anchor
from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.dates import writing_day
from shuangsuiji.inputs.plan import JointTask, Plan, load_plan
from shuangsuiji.inputs.rosters import INDUSTRY, STREET, Officer, OfficerRoster, officer_department
from shuangsuiji.inputs.workspace import Workspace
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, plan_lock, workspace_lock
from shuangsuiji.ledger.store import now_text
from shuangsuiji.outputs.assignment import write_assignment_file
from shuangsuiji.outputs.documents import too_many
from shuangsuiji.outputs.tasksheet import write_month_sheet
from shuangsuiji.rules.assign import (
    SPEC,
    apply_substitutions,
    assign,
    covers,
    current_groups,
    ineligibility,
    month_last_day,
    officer_loads,
    substitute,
    verify_assignment,
)
from shuangsuiji.rules.clock import DEFAULT_ZONE
from shuangsuiji.rules.draw import scope_of
from shuangsuiji.rules.records import (
    AssignInput,
    AssignmentRecord,
    AssignTask,
    DrawRecord,
    Group,
    GroupOfficer,
    OfficerEntry,
    OfficerLoad,
    Substitution,
    TaskEnterprise,
)
from shuangsuiji.rules.workdays import month_end


@dataclass
class AssignOutcome:
    """What ``ssj assign`` did for a month."""

    month: str
    groups: list[Group] = field(default_factory=list)  # current, 递补 applied
    record: AssignmentRecord | None = None
    new: bool = False
    notices: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    timezone: str = DEFAULT_ZONE  # the plan's, for the times shown with the groups

    @property
    def loads(self) -> list[OfficerLoad]:
        """Each officer's groups and enterprises this month and this year (fairness)."""
        return [] if self.record is None else officer_loads(self.record.inputs, self.groups)

    def to_json(self) -> dict[str, object]:
        """What ``ssj assign --json`` prints: the groups and the officers' loads."""
        spec = self.record.spec if self.record else None
        return {"month": self.month, "spec": spec, "groups": self.groups, "officers": self.loads}


def department_of(officer: Officer, plan: Plan) -> str:
    """The department an officer serves: the plan's agency, a joint partner, or as written."""
    return officer_department(officer, [plan.agency, *(j.partner for j in plan.joint)])


def officer_snapshot(plan: Plan, roster: OfficerRoster) -> list[OfficerEntry]:
    """The officer roster as the assignment record keeps it (sorted by 执法证号)."""
    return [
        OfficerEntry(
            id=o.cert_id,
            name=o.name,
            department=department_of(o, plan),
            section=o.section,
            fields=list(o.fields),
            duty=o.duty,
            on_duty=o.on_duty,
            cert_until=o.cert_until.isoformat(),
            recusals=list(o.recusals),
        )
        for o in sorted(roster.officers, key=lambda o: o.cert_id)
    ]


@dataclass(frozen=True)
class YearSoFar:
    """The year's earlier assignments (after 递补), as the officer draw weighs them."""

    history: dict[str, list[str]]  # officer id -> enterprises inspected
    groups: dict[str, int]  # officer id -> groups served
    enterprises: dict[str, int]  # officer id -> enterprises served (visits)


def year_so_far(ledger: Ledger, year: int, before: str) -> YearSoFar:
    """Who inspected which enterprises, in how many groups, before month ``before``."""
    seen: dict[str, set[str]] = {}
    groups: Counter[str] = Counter()
    visits: Counter[str] = Counter()
    for month, text in ledger.assignments(year):
        if month >= before:
            continue
        record = AssignmentRecord.from_json(text)
        for group in apply_substitutions(record.groups, ledger.substitutions(month)):
            for officer in group.everyone:
                groups[officer.id] += 1
            for enterprise in group.enterprises:
                for officer in group.officers_of(enterprise.uscc):
                    seen.setdefault(officer.id, set()).add(enterprise.uscc)
                    visits[officer.id] += 1
    return YearSoFar(
        {k: sorted(v) for k, v in sorted(seen.items())},
        dict(sorted(groups.items())),
        dict(sorted(visits.items())),
    )


def _month_tasks(
    workspace: Workspace, ledger: Ledger, year: int, mon: int
) -> tuple[list[AssignTask], str]:
    """The month's drawn tasks in draw order, each enterprise with its 行业类别, and the seed of
    the month's first draw, which the officer draw uses too (docs/spec.md §4.1)."""
    plan, roster = workspace.plan, workspace.enterprises
    assert roster is not None
    due = plan.due(mon)
    missing = [t.id for t in due if ledger.draw(scope_of(t.id, year, mon)) is None]
    month = f"{year:04d}-{mon:02d}"
    if missing:
        raise InputError(
            f"{month} 的 {'、'.join(missing)} 还没有抽取检查对象；"
            f"请先运行 ssj draw --plan {plan.shell_path} --month {month}"
        )
    external = sorted(ledger.external_scopes(year) & {scope_of(t.id, year, mon) for t in due})
    if external:
        raise InputError(
            f"{month} 的 {'、'.join(external)} 是从其他平台导入的抽取结果，检查人员已在原平台选派，"
            "本工具不为其分组"
        )
    drawn = []
    for task in due:
        stored = ledger.draw(scope_of(task.id, year, mon))
        assert stored is not None
        record = stored.record
        assert isinstance(record, DrawRecord)
        drawn.append((task, record))
    # The month's enterprises looked up in the roster once, not once per task.
    found = roster.details_of(
        {s.uscc for _, record in drawn for s in record.selected}, (INDUSTRY, STREET)
    )
    industries, streets = found[INDUSTRY], found[STREET]
    tasks = [
        AssignTask(
            scope=record.scope,
            partner=task.partner if isinstance(task, JointTask) else None,
            enterprises=[
                TaskEnterprise(
                    s.uscc, s.name, industries.get(s.uscc, ""), streets.get(s.uscc) or None
                )
                for s in record.selected
            ],
        )
        for task, record in drawn
    ]
    return tasks, drawn[0][1].seed


def _load(
    plan_path: str | Path, month: str, audit: bool = True
) -> tuple[Workspace, Callable[[], None], int, int, str]:
    """The workspace, the ledger's audit verdict (:func:`load_audited`), the month."""
    workspace, audited = load_audited(plan_path, audit)
    workspace.require_valid()
    year, mon = parse_draw_month(month, workspace.plan)
    return workspace, audited, year, mon, f"{year:04d}-{mon:02d}"


def assign_month(
    plan_path: str | Path, month: str, *, wait: float = DEFAULT_WAIT, heal: bool = True
) -> AssignOutcome:
    """Assign officers to the month's groups, or return the recorded assignment. The lock is
    taken before anything is read."""
    with plan_lock(plan_path, wait):
        return _assign_locked(plan_path, month, wait, heal)


def _assign_locked(plan_path: str | Path, month: str, wait: float, heal: bool) -> AssignOutcome:
    workspace, audited, year, mon, label = _load(plan_path, month, heal)
    plan = workspace.plan
    outcome = AssignOutcome(label, timezone=plan.timezone)
    if not plan.due(mon):
        outcome.notices.append(f"{label} 没有抽查任务，无需分组")
        return outcome
    # Check that the month is drawn before anything is written.
    if not Ledger.exists(plan.folder):
        raise InputError(
            f"{label} 还没有抽取检查对象；请先运行 ssj draw --plan {plan.shell_path} --month {label}"
        )
    audited()  # ssj run audits and heals once itself
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        healed = heal_outputs(workspace, ledger) if heal else []  # ssj run heals once itself
        text = ledger.assignment(label)
        if text is None:
            refuse_if_deleted([label] if label in ledger.assigned_months() else [], "人员分组")
            assert workspace.officers is not None
            tasks, seed = _month_tasks(workspace, ledger, year, mon)
            earlier = year_so_far(ledger, year, label)
            inputs = AssignInput(
                spec=SPEC,
                month=label,
                seed=seed,
                agency=plan.agency,
                group_max=plan.group_max,
                group_size=plan.group_size,
                partner_group_size=plan.partner_group_size,
                officers=officer_snapshot(plan, workspace.officers),
                history=earlier.history,
                tasks=tasks,
                year_groups=earlier.groups,
                year_enterprises=earlier.enterprises,
                max_groups_per_officer=plan.max_groups_per_officer,
                merge_by_street=plan.merge_small_groups,
            )
            made = AssignmentRecord.of(inputs, assign(inputs), now_text(), __version__)
            text = made.to_json()
            ledger.record_assignment(label, year, text)
            outcome.new = True
        # A record just made is what its text reads back as (tests/test_records.py round-trips
        # them): parsing 10⁴ groups again would only cost time.
        outcome.record = made if outcome.new else AssignmentRecord.from_json(text)
        substitutions = ledger.substitutions(label)
        outcome.groups = current_groups(outcome.record, substitutions)
        anchor = sheet_anchor(ledger, label)
        fresh = text if outcome.new else None  # the record's text as just made: not again
        written = write_assignment_file(plan, outcome.record, substitutions, anchor, fresh)
        written += write_month_sheet(workspace, label, outcome.groups, anchor)
        outcome.files = [*healed, *(p for p in written if p not in healed)]
        if (why := too_many(plan, outcome.groups)) is not None:
            outcome.notices.append(why)
    return outcome


def _leaving(record: AssignmentRecord, who: str) -> OfficerEntry:
    """The officer a person named: by 执法证号, or by name when only one officer has it."""
    key = who.strip()
    by_id = {o.id: o for o in record.officers}
    if key.upper() in by_id:
        return by_id[key.upper()]
    named = [o for o in record.officers if o.name == key]
    if len(named) == 1:
        return named[0]
    if named:
        ids = "、".join(f"{o.name}（{o.id}，{o.department}）" for o in named)
        raise InputError(f"有 {len(named)} 名执法人员叫“{key}”：{ids}；请改用执法证号")
    raise InputError(f"{record.month} 的执法人员名录中没有执法证号或姓名为“{key}”的人员")


def replace_officer(
    plan_path: str | Path,
    month: str,
    who: str,
    reason: str,
    *,
    group: str | None = None,
    today: dt.date | None = None,
    wait: float = DEFAULT_WAIT,
) -> AssignOutcome:
    """递补: take an officer (执法证号 or unambiguous name) out of the month's groups (or of
    ``group`` only: "AJ-01:2", or "2" when unambiguous); the officer the assignment's own rule
    ranks first steps in. Enterprises with a result recorded by then keep the officers who
    inspected them, in every output. Asking again for one already replaced changes nothing.
    The task sheet is written again with what people typed into it carried over, and the
    earlier one kept as a dated backup."""
    if not reason.strip():
        raise InputError(
            "递补必须用 --reason 写明原因（如“病假”“回避”），原因记入台账并随人员分组记录公开"
        )
    with plan_lock(plan_path, wait):
        return _replace_locked(plan_path, month, who, reason.strip(), group, today, wait)


def _one_group(groups: Sequence[Group], officer: OfficerEntry, wanted: str) -> tuple[str, int]:
    """(scope, number) of the group ``wanted`` names ("AJ-01:2" or "2") among the officer's."""
    task, _, number = wanted.strip().rpartition(":")
    mine = [g for g in groups if officer.id in g.officer_ids]
    found = [
        g
        for g in mine
        if str(g.group) == number.strip() and (not task or g.scope.split("/")[0] == task.strip())
    ]
    if len(found) != 1:
        listed = "、".join(f"{g.scope.split('/')[0]}:{g.group}" for g in mine)
        why = "有多个这样的组" if found else "不在这个组"
        raise InputError(
            f"--group {wanted}：{officer.name}{why}；{officer.name} 所在的组：{listed}"
            "（写成 任务编号:组号，如 AJ-01:2）"
        )
    return found[0].scope, found[0].group


def _replace_locked(
    plan_path: str | Path,
    month: str,
    who: str,
    reason: str,
    group: str | None,
    today: dt.date | None,
    wait: float,
) -> AssignOutcome:
    workspace, audited, _, _, label = _load(plan_path, month)
    plan = workspace.plan
    day = writing_day(today)
    audited()
    with workspace_lock(plan.folder, wait), Ledger.at(plan.folder) as ledger:
        text = ledger.assignment(label)
        if text is None:
            raise InputError(
                f"{label} 还没有人员分组；请先运行 ssj assign --plan {plan.shell_path} --month {label}"
            )
        record = AssignmentRecord.from_json(text)
        earlier = ledger.substitutions(label)
        groups = current_groups(record, earlier)
        officer = _leaving(record, who)
        outcome = AssignOutcome(label, record=record, groups=groups, timezone=plan.timezone)
        if not any(officer.id in g.officer_ids for g in groups):
            done = [s for s in earlier if s.out.id == officer.id]
            if not done:
                raise InputError(
                    f"{officer.name}（{officer.id}）不在 {label} 的任何检查组中，无需递补"
                )
            when = (done[-1].on or done[-1].at or "")[:10]
            outcome.notices.append(
                f"{officer.name} 已于 {when} 递补（{done[-1].reason}），无需重复；没有做任何改动"
            )
            return outcome
        only = None if group is None else _one_group(groups, officer, group)
        by_id = {o.id: o for o in record.officers}
        unavailable = {s.out.id for s in earlier if not s.single}
        barred = _barred(workspace, record, groups, officer, only)
        results = ledger.results()
        events = [
            Substitution(
                month=label,
                scope=groups[index].scope,
                group=groups[index].group,
                out=officer.public(),
                replacement=by_id[new_id].public(),
                reason=reason,
                at=None,
                on=today.isoformat() if today else None,
                kept=sorted(u for u in groups[index].usccs if (groups[index].scope, u) in results),
                single=True if only is not None else None,
                unavailable=barred.get((groups[index].scope, groups[index].group), {}),
            )
            for index, new_id in substitute(
                record.inputs, groups, officer.id, unavailable, only, barred
            )
        ]
        ledger.record_events("substitute", events)
        substitutions = ledger.substitutions(label)
        outcome.groups = current_groups(record, substitutions)
        outcome.notices = [
            f"{e.scope} 第{e.group}组：{e.out.name} → {e.replacement.name}（{reason}）"
            for e in events
        ]
        outcome.notices += [
            f"{g.scope} 第{g.group}组：{w}"
            for g in outcome.groups
            for w in g.warnings
            if w.startswith("递补后")
            and any(e.scope == g.scope and e.group == g.group for e in events)
        ]
        outcome.notices += [
            f"{e.scope} 第{e.group}组：按执法人员名录库现状不能派出、未选 "
            + "、".join(f"{by_id[i].name}（{why}）" for i, why in e.unavailable.items())
            for e in events
            if e.unavailable
        ]
        outcome.notices += [
            f"{e.scope} 第{e.group}组：已有检查结果的 {len(e.kept)} 家仍记为原检查人员检查"
            for e in events
            if e.kept
        ]
        loads = {o.id: o for o in officer_loads(record.inputs, outcome.groups)}
        for new_id in dict.fromkeys(e.replacement.id for e in events):
            load = loads[new_id]
            if load.cap is not None and load.month_groups > load.cap:
                why = "可用人员不足"
                if any(
                    e.replacement.id == new_id and covers(by_id[new_id], g.industry)
                    for e in events
                    for g in outcome.groups
                    if (g.scope, g.group) == (e.scope, e.group)
                ):
                    why = "为保证该组的专业领域（该专业领域人员本月都已达上限）"
                outcome.notices.append(
                    f"{load.name} 本月 {load.month_groups} 组，超过每人 {load.cap} 组的上限：{why}"
                )
        anchor = sheet_anchor(ledger, label)
        outcome.files = write_assignment_file(plan, record, substitutions, anchor)
        outcome.files += write_month_sheet(workspace, label, outcome.groups, anchor, day)
    return outcome


def _cannot_serve(
    now: Mapping[str, OfficerEntry],
    officer: OfficerEntry | GroupOfficer,
    last_day: dt.date,
    usccs: set[str],
) -> str | None:
    """Why the roster as it is now says ``officer`` may not serve a group, or None."""
    entry = now.get(officer.id)
    if entry is None:
        return "已不在执法人员名录库中（离职或调出？）"
    return ineligibility(entry, officer.department, last_day, usccs)


def _barred(
    workspace: Workspace,
    record: AssignmentRecord,
    groups: Sequence[Group],
    leaving: OfficerEntry,
    only: tuple[str, int] | None,
) -> dict[tuple[str, int], dict[str, str]]:
    """For each group the 递补 changes, the officers of the leaving one's department whom the
    assignment's snapshot allowed but the roster now rules out, with why: the rule passes them
    over and the event records them, so that the replay does the same (docs/spec.md §5.1)."""
    if workspace.officers is None:
        return {}
    now = {o.id: o for o in officer_snapshot(workspace.plan, workspace.officers)}
    last_day = month_last_day(record.month)
    found: dict[tuple[str, int], dict[str, str]] = {}
    for group in groups:
        if leaving.id not in group.officer_ids or only not in (None, (group.scope, group.group)):
            continue
        usccs = group.usccs
        why = {
            o.id: reason
            for o in record.officers
            if o.department == leaving.department
            and o.id not in group.officer_ids
            and ineligibility(o, o.department, last_day, usccs) is None
            and (reason := _cannot_serve(now, o, last_day, usccs)) is not None
        }
        if why:
            found[(group.scope, group.group)] = dict(sorted(why.items()))
    return found


def leaving_officers(workspace: Workspace, ledger: Ledger) -> list[str]:
    """Every grouped officer who can no longer serve (left the roster, not 在岗, certificate
    not valid through the month, now listed to recuse) while the group still has enterprises
    without a result, each with the command that replaces them (docs/spec.md §5.1)."""
    plan, roster = workspace.plan, workspace.officers
    if roster is None:
        return []
    now = {o.id: o for o in officer_snapshot(plan, roster)}
    done = set(ledger.results()) | set(ledger.waivers())
    found = []
    for label, text in ledger.assignments(plan.year):
        last_day = month_end(plan.year, int(label[5:]))
        for group in current_groups(AssignmentRecord.from_json(text), ledger.substitutions(label)):
            open_ = [e for e in group.enterprises if (group.scope, e.uscc) not in done]
            if not open_:
                continue
            for officer in group.officers:
                why = _cannot_serve(now, officer, last_day, group.usccs)
                if why is None:
                    continue
                found.append(
                    f"{officer.name}（{officer.id}）{why}，仍在 {group.scope} 第{group.group}组"
                    f"（{len(open_)} 家未检查）：请运行 ssj assign --plan {plan.shell_path} "
                    f"--month {label} --replace {officer.id} --reason 原因"
                )
    return found


def verify_month_assignment(plan_path: str | Path, month: str) -> list[str]:
    """``ssj assign --verify``: re-run the month's stored assignment and its 递补 events."""
    plan = load_plan(plan_path)
    year, mon = parse_draw_month(month, plan)
    label = f"{year:04d}-{mon:02d}"
    records = Ledger.existing_assignment(plan.folder, label)
    if records is None:
        if label in Ledger.existing_assigned_months(plan.folder):
            return [f"事件日志中有 {label} 的人员分组，表中的记录却不见了：记录被删除过"]
        raise InputError(f"{label} 还没有人员分组记录")
    text, substitutions = records
    return verify_assignment(AssignmentRecord.from_json(text), substitutions)
