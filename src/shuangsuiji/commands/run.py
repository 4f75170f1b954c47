"""``ssj run``: the daily cron batch. It does what is due on the day and nothing else.

On or after a month's first working day its draws and officer assignments are made (earlier
months missed by cron are caught up in order); filled task sheets dropped in the workspace's
结果/ folder are imported; a 公示表 is written for results not yet published; deadlines are
checked. Everything is idempotent, so a second run on the same day changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shuangsuiji.commands.assign import assign_month, leaving_officers
from shuangsuiji.commands.deadlines import check_deadlines
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.commands.heal import heal_outputs, load_audited
from shuangsuiji.commands.publish import publish
from shuangsuiji.commands.results import import_results
from shuangsuiji.exceptions import ExitCode, Problem, SsjError
from shuangsuiji.inputs.ceremony import public_numbers_path, read_public_numbers
from shuangsuiji.inputs.dates import local_now, writing_day
from shuangsuiji.inputs.plan import Plan, load_plan
from shuangsuiji.inputs.workspace import linked_outside
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, plan_lock, workspace_lock
from shuangsuiji.outputs.runlog import run_number, write_run_log
from shuangsuiji.rules.deadlines import NAMED_DAILY, attention_line
from shuangsuiji.rules.records import Status

RESULTS_DIR = "结果"


@dataclass
class RunOutcome:
    """What one ``ssj run`` did and found."""

    today: dt.date
    actions: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # draws waiting for public numbers: what to do
    attention: list[str] = field(default_factory=list)  # conflicts, files with nothing filled
    warnings: list[Problem] = field(default_factory=list)  # the workspace's, on a day it draws
    log: Path | None = None

    @property
    def counts(self) -> Counter[str]:
        return Counter(s.status for s in self.statuses)

    @property
    def exit_code(self) -> int:
        """2 with input problems, 1 with anything a person must act on, else 0."""
        return 2 if self.problems else 1 if self.to_do else 0

    @property
    def to_do(self) -> list[str]:
        """Everything a person must act on, each one named: the whole list, never a count."""
        late = [attention_line(s) for s in self.statuses if s.status in NAMED_DAILY]
        return [*self.waiting, *self.attention, *late]


def due_months(plan: Plan, today: dt.date) -> list[str]:
    """Months with tasks whose draw day (plan ``draw_day``) has come, in order."""
    months = []
    for month in range(1, 13):
        if plan.due(month) and plan.draw_day_of(month) <= today:
            months.append(f"{plan.year:04d}-{month:02d}")
    return months


def waiting_message(plan: Plan, month: str) -> str:
    """What a person must do for a month that waits for its public numbers (ceremony)."""
    path = public_numbers_path(plan.folder, month).relative_to(plan.folder)
    block = plan.ceremony_block
    source = f"（{block.source}）" if block else "（计划要求 ceremony: required）"
    return (
        f"{month} 的抽取等待计划公布的公开随机数{source}：开奖后把号码写入 {path}，"
        f'或运行 ssj draw --plan {plan.shell_path} --month {month} --seed-extra "开奖号码"'
    )


def _problems(exc: SsjError, file: str) -> list[Problem]:
    return exc.problems or [Problem(file, None, None, exc.message)]


def year_message(plan: Plan, today: dt.date) -> str:
    """Why a day outside the plan's year draws nothing: no plan covers it."""
    name = plan.source.name if plan.source else "计划文件"
    if today.year < plan.year:
        return (
            f"今天是 {today.year} 年，计划 {name} 是 {plan.year} 年度的：{plan.year} 年之前不会抽取"
        )
    return (
        f"没有覆盖 {today.year} 年的计划：计划 {name} 是 {plan.year} 年度的，"
        f"只处理该年度的结果和公示；请用 ssj plan import 生成 {today.year} 年度计划，"
        "并把定时任务改用它"
    )


def notify(command: str, text: str) -> str | None:
    """Run ``command`` (a shell command line) with ``text`` on its stdin, to alert a person;
    why it failed, or None."""
    try:
        done = subprocess.run(
            command, shell=True, input=text.encode(), capture_output=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"通知命令未能运行：{exc}"
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace").strip()[:200]
        return f"通知命令退出码 {done.returncode}：{error}"
    return None


def _import_results(
    plan: Plan,
    plan_path: str | Path,
    today: dt.date,
    wait: float,
    outcome: RunOutcome,
    log: Callable[[], None],
) -> None:
    """Import each new or changed file in 结果/ (created when missing) once per version; report
    conflicts and files with nothing filled for a person."""
    results = plan.folder / RESULTS_DIR
    results.mkdir(exist_ok=True)
    for sheet in sorted(results.glob("*.xlsx")):
        if sheet.name.startswith(("~$", ".~")):  # Excel's and WPS's lock files of an open sheet
            continue
        if linked_outside(plan.folder, sheet):
            outcome.problems.append(
                Problem(
                    str(sheet),
                    None,
                    None,
                    "是指向工作区之外的链接，没有读取",
                    "把填好的任务单文件本身复制到 结果/ 文件夹",
                )
            )
            continue
        try:
            imported = import_results(
                plan_path, sheet, today=today, wait=wait, skip_seen=True, audited=True
            )
        except SsjError as exc:
            if exc.exit_code == ExitCode.NEEDS_ATTENTION:
                outcome.attention.append(exc.message)
            else:
                outcome.problems += _problems(exc, str(sheet))
            continue
        if imported.changed:
            fixes = len(imported.corrections)
            more = f"（其中 {fixes} 条更正已公示的结果）" if fixes else ""
            outcome.actions.append(
                f"导入 {sheet.name}：{len(imported.changed)} 条新结果或改动{more}"
            )
            log()
    if not Ledger.exists(plan.folder):
        return
    with Ledger.at(plan.folder) as ledger:
        outcome.attention += [
            f"结果冲突，请核实后改正其中一个文件：{c.render()}" for c in ledger.open_conflicts()
        ]


def run_day(
    plan_path: str | Path, today: dt.date | None = None, *, wait: float = DEFAULT_WAIT
) -> RunOutcome:
    """Do the day's work for a workspace (see the module docstring)."""
    with plan_lock(plan_path, wait):
        return _run_locked(plan_path, today, wait)


def _run_locked(plan_path: str | Path, today: dt.date | None, wait: float) -> RunOutcome:
    plan = load_plan(plan_path)
    today = writing_day(today)
    outcome = RunOutcome(today)
    started = (run_number(plan, today), local_now(plan.timezone)[11:])
    if today.year != plan.year:
        outcome.attention.append(year_message(plan, today))

    def log(exit_code: int | None = None, failure: str | None = None) -> None:
        # Written after each step, so a run killed midway still leaves what it did in the log.
        outcome.log = write_run_log(
            plan,
            today,
            started,
            outcome.actions,
            outcome.statuses,
            [*outcome.warnings, *outcome.problems],
            outcome.to_do,
            exit_code,
            failure,
        )

    try:
        _run_steps(plan, plan_path, today, wait, outcome, log)
    except SsjError as exc:  # the day's log says this run stopped, and why
        with contextlib.suppress(OSError, SsjError):
            log(int(exc.exit_code), exc.message)
        raise
    log(outcome.exit_code)
    return outcome


def _run_steps(
    plan: Plan,
    plan_path: str | Path,
    today: dt.date,
    wait: float,
    outcome: RunOutcome,
    log: Callable[[], None],
) -> None:
    with workspace_lock(plan.folder, wait):
        workspace, audited = load_audited(plan_path)
        workspace.require_valid()
        audited()  # nothing is derived from a ledger that does not audit
        if Ledger.exists(plan.folder):  # finish what a killed run left unwritten
            with Ledger.at(plan.folder) as ledger:
                healed = heal_outputs(workspace, ledger)
            outcome.actions += [f"补写 {path.relative_to(plan.folder)}" for path in healed]
            log()
        months = [] if today.year < plan.year else due_months(plan, today)
        for month in months:
            drawn = {d.scope for d in Ledger.existing_draws(plan.folder, plan.year)}
            try:
                if any(f"{t.id}/{month}" not in drawn for t in plan.due(int(month[5:]))):
                    extra = read_public_numbers(plan.folder, month)
                    if extra is None and plan.waits_for_numbers:
                        outcome.waiting.append(waiting_message(plan, month))
                        break  # later months depend on this one
                    draw = draw_month(
                        plan_path, month, seed_extra=extra, today=today, wait=wait, heal=False
                    )
                    if draw.new_scopes:
                        outcome.warnings = draw.warnings
                    outcome.actions += [f"抽取 {scope}" for scope in draw.new_scopes]
                    log()
                external = Ledger.existing_external(plan.folder, plan.year)
                if any(s.endswith(f"/{month}") for s in external):
                    continue  # staffed on the platform it was drawn on
                if Ledger.existing_assignment(plan.folder, month) is None:
                    assigned = assign_month(plan_path, month, wait=wait, heal=False)
                    outcome.actions.append(f"{month} 人员分组：{len(assigned.groups)} 个检查组")
                    log()
            except SsjError as exc:
                if exc.exit_code == ExitCode.NEEDS_ATTENTION:  # e.g. a population that shrank
                    outcome.attention.append(exc.message)
                else:
                    outcome.problems += _problems(exc, str(plan.source))
                break  # later months depend on this one
        _import_results(plan, plan_path, today, wait, outcome, log)
        if Ledger.exists(plan.folder):
            with Ledger.at(plan.folder) as ledger:
                outcome.attention += leaving_officers(workspace, ledger)
        try:
            published = publish(plan_path, today=today, wait=wait, audited=True)
            if published.new_batch and published.path is not None:
                fixes = f"（其中更正 {published.corrections} 条）" if published.corrections else ""
                outcome.actions.append(
                    f"写出公示表 {published.path.name}：{len(published.rows)} 条待公示{fixes}"
                )
            elif published.written and published.path is not None:
                outcome.actions.append(f"补写公示表 {published.path.name}")
            outcome.actions += published.replacements
            outcome.statuses = check_deadlines(plan_path, today)
        except SsjError as exc:
            outcome.problems += _problems(exc, str(plan.source))
