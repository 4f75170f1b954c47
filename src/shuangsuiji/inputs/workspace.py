"""A workspace: the plan file, the two rosters it names, and the checks that span them."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from shuangsuiji.exceptions import InputError, Problem, raise_for_errors
from shuangsuiji.inputs.plan import Item, JointTask, Plan, load_plan
from shuangsuiji.inputs.population import population, strata_sizes
from shuangsuiji.inputs.rosters import (
    EnterpriseRoster,
    OfficerRoster,
    category_counts,
    category_mask,
    load_enterprises,
    load_officers,
    officer_department,
    unknown_recusals,
)
from shuangsuiji.inputs.secret import LOST_FIX, read_secret
from shuangsuiji.inputs.tables import ROW
from shuangsuiji.rules.keys import normalize_value
from shuangsuiji.rules.seal import commitment_of


@dataclass
class Workspace:
    """Everything one plan file brings in, with the problems found while loading it."""

    plan: Plan
    enterprises: EnterpriseRoster | None
    officers: OfficerRoster | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.plan.folder

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def require_valid(self) -> None:
        """Raise InputError if anything in the workspace is wrong (run ``ssj validate`` to see all)."""
        raise_for_errors(
            "输入有错误，未做任何更改；可运行 ssj validate 查看全部问题", self.problems
        )


def _display(path: Path) -> str:
    """A roster path as the user wrote it relative to the plan, for messages."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _blank_target_problems(
    plan: Plan,
    item: Item,
    column: str,
    roster: EnterpriseRoster,
    plan_place: tuple[int | None, str],
) -> list[Problem]:
    """A blank cell in a targets column is an error naming its row: a merged or emptied cell
    would quietly leave the enterprise out of every draw. With ``blank_targets: exclude`` such
    rows are left out on purpose, counted and published (a warning says how many)."""
    blank = category_mask(roster.values(column), [""])
    if not blank.any():
        return []
    rows = roster.data.column(ROW).to_numpy()[blank].tolist()
    if item.blank_targets == "exclude":
        line, where = plan_place
        return [
            Problem(
                str(plan.source),
                line,
                where,
                f"名录库有 {len(rows)} 行的“{column}”为空，按计划（blank_targets: exclude）不列入 "
                f"{item.id} 的抽取对象，数目记入抽取记录",
                "",
                "warning",
            )
        ]
    fix = (
        f"填写该企业的{column}；确实无法归类、应当不列入抽取对象时，在事项 {item.id} 下写 "
        "blank_targets: exclude（数目会记入抽取记录并公开）"
    )
    return [
        Problem(roster.file, int(row), column, f"“{column}”为空：{item.id} 会悄悄漏掉这家企业", fix)
        for row in rows
    ]


def _task_problems(plan: Plan, task: Item | JointTask, roster: EnterpriseRoster) -> list[Problem]:
    """Problems between one task's targets/ratio and the roster's columns and values."""
    file = str(plan.source)
    key, index = plan.task_path(task.id)
    problems = []
    columns = roster.columns
    if isinstance(task, Item):
        for column, values in task.targets.items():
            line = plan.line_of(key, index, "targets", column)
            where = f"{key}[{index}].targets.{column}"
            if column not in columns:
                problems.append(
                    Problem(
                        file,
                        line,
                        where,
                        f"事项 {task.id} 按“{column}”筛选，但企业名录库没有这一列",
                        f"名录库的列：{'、'.join(columns)}；改正列名或在名录库中加上这一列",
                    )
                )
                continue
            problems += _blank_target_problems(plan, task, column, roster, (line, where))
            present = set(category_counts(roster.values(column)))
            expected = {normalize_value(v) for v in task.absent_targets.get(column, [])}
            for value in values:
                if normalize_value(value) in present:
                    continue
                if task.allow_empty or normalize_value(value) in expected:
                    problems.append(
                        Problem(
                            file,
                            line,
                            where,
                            f"名录库中没有{column}为“{value}”的企业（计划已说明可以没有）",
                            "",
                            "warning",
                        )
                    )
                    continue
                near = difflib.get_close_matches(
                    normalize_value(value), sorted(str(v) for v in present), n=3, cutoff=0.5
                )
                hint = f"名录库中相近的有：{'、'.join(near)}；" if near else ""
                problems.append(
                    Problem(
                        file,
                        line,
                        where,
                        f"名录库中没有{column}为“{value}”的企业，抽取范围会悄悄变小",
                        f"{hint}改正写法；确实今年没有这类企业时，在该事项下写 "
                        f"absent_targets: {{{column}: [{value}]}}",
                    )
                )
    base = plan.base_item(task)  # a joint task draws from the item it covers
    may_be_empty = task.allow_empty or base.allow_empty
    targets_known = all(c in columns for c in base.targets)
    if not may_be_empty and targets_known and not len(population(plan, task, roster)):
        problems.append(
            Problem(
                file,
                plan.line_of(key, index, "id"),
                f"{key}[{index}]",
                f"{task.id} 在企业名录库中没有任何符合条件（行业类别相符、经营状态为在业/存续/开业）的企业，"
                "抽取只会记下“抽中 0 家”",
                "核对 targets 的写法和名录库；确实没有这类企业时，在该事项下写 allow_empty: true",
            )
        )
    by = task.ratio.by
    where = f"{key}[{index}].ratio"
    line = plan.line_of(key, index, "ratio")
    if by is not None and by not in columns:
        problems.append(
            Problem(
                file,
                line,
                where,
                f"{task.id} 按“{by}”分层抽取，但企业名录库没有这一列",
                f"名录库的列：{'、'.join(columns)}",
            )
        )
    elif by is not None and task.ratio.default is None:
        eligible = population(plan, task, roster)
        missing = [s for s in strata_sizes(task, eligible) if task.ratio.rate_for(s) is None]
        if missing:
            problems.append(
                Problem(
                    file,
                    line,
                    where,
                    f"{task.id} 的分层比例没有给出“{'、'.join(missing) or '（空）'}”层的比例",
                    "为这些层加上比例，或加一项 default",
                )
            )
    return problems


def _partner_problems(plan: Plan, officers: OfficerRoster) -> list[Problem]:
    """A joint task whose partner has nobody in the officer roster cannot be staffed."""
    departments = [plan.agency, *(j.partner for j in plan.joint)]
    present = {officer_department(o, departments) for o in officers.officers}
    return [
        Problem(
            str(plan.source),
            plan.line_of("joint", index, "partner"),
            f"joint[{index}].partner",
            f"执法人员名录库中没有“{task.partner}”的人员：{task.id} 的检查组只选派本局人员，"
            f"任务单上留出“{task.partner}选派 {plan.partner_group_size} 名”",
            "由配合部门自行选派；要一并随机选派时，在名录库“所属机关”列写明配合部门人员，或核对 partner 的写法",
            "warning",
        )
        for index, task in enumerate(plan.joint)
        if task.partner not in present
    ]


def _seal_problems(plan: Plan) -> list[Problem]:
    """Warnings about the seed commitment (docs/spec.md §4.1): SSJ-DRAW-1 cannot draw without it."""
    file = str(plan.source)
    line = plan.line_of("commitment") or plan.line_of("seed")
    if plan.commitment is None:
        return [
            Problem(
                file,
                line,
                "commitment",
                "计划还没有种子承诺，现在抽取的结果任何人都能事先算出",
                f"第一次抽取前运行 ssj seal --plan {plan.shell_path}，并随年度计划公开承诺值",
                "warning",
            )
        ]
    try:
        secret = read_secret(plan.secret_path)
    except InputError as exc:
        return [
            Problem(
                file,
                line,
                "commitment",
                f"{exc.message}（{plan.secret_path}）",
                LOST_FIX,
                "warning",
            )
        ]
    if commitment_of(secret) != plan.commitment:
        return [
            Problem(
                file,
                line,
                "commitment",
                f"秘密文件 {plan.secret_path} 与承诺值不符，无法抽取",
                "确认用的是 ssj seal 为这份计划写出的秘密文件；" + LOST_FIX,
                "warning",
            )
        ]
    return []


def _outside_problems(plan: Plan) -> list[Problem]:
    """Rosters read from outside the workspace folder: allowed, but worth a look."""
    problems = []
    folder = plan.folder.resolve()
    for which in ("enterprises", "officers"):
        path = plan.roster_path(which).resolve()
        if not path.is_relative_to(folder) and not linked_outside(folder, plan.roster_path(which)):
            problems.append(
                Problem(
                    str(plan.source),
                    plan.line_of("rosters", which),
                    f"rosters.{which}",
                    f"名录库在工作区（计划文件所在文件夹）之外：{path}",
                    "允许；请确认这是本年度应使用的名录库，并一同备份",
                    "warning",
                )
            )
    return problems


T = TypeVar("T")


def linked_outside(folder: Path, path: Path) -> bool:
    """Whether ``path`` is reached through a symbolic link (the file or a folder on the way)
    that leads out of ``folder``: such a file is not read at all, so nothing of it (a system
    file a link points at) can end up in a message or an output."""
    root = folder.resolve()
    if path.resolve().is_relative_to(root):
        return False
    return any(p.is_symlink() for p in [path, *path.parents] if p != folder and p != p.parent)


def _unless_linked(
    plan: Plan,
    which: Literal["enterprises", "officers"],
    load: Callable[[], tuple[T | None, list[Problem]]],
) -> tuple[T | None, list[Problem]]:
    """A roster as ``load`` reads it, unless it is reached through a link out of the workspace:
    then it is not read at all."""
    path = plan.roster_path(which)
    if not linked_outside(plan.folder, path):
        return load()
    return None, [
        Problem(
            str(plan.source),
            plan.line_of("rosters", which),
            f"rosters.{which}",
            f"名录库 {_display(path)} 是指向工作区之外的链接，没有读取",
            "把名录库文件本身复制到工作区（计划文件所在文件夹）里，再改正计划中的路径",
        )
    ]


def load_workspace(plan_path: str | Path | Plan) -> Workspace:
    """Load a plan (or take one already loaded) and its rosters, collecting every problem
    (raises only if the plan is unusable)."""
    plan = plan_path if isinstance(plan_path, Plan) else load_plan(plan_path)
    problems: list[Problem] = _seal_problems(plan) + _outside_problems(plan)
    enterprises_path = plan.roster_path("enterprises")
    enterprises, found = _unless_linked(
        plan,
        "enterprises",
        lambda: load_enterprises(
            enterprises_path,
            uscc_check=plan.uscc_check,
            sheet=plan.rosters.enterprises_sheet,
            label=_display(enterprises_path),
        ),
    )
    problems += found
    officers_path = plan.roster_path("officers")
    officers, found = _unless_linked(
        plan,
        "officers",
        lambda: load_officers(
            officers_path,
            year=plan.year,
            uscc_check=plan.uscc_check,
            sheet=plan.rosters.officers_sheet,
            label=_display(officers_path),
        ),
    )
    problems += found
    if enterprises is not None:
        for task in plan.tasks:
            problems += _task_problems(plan, task, enterprises)
        if officers is not None:
            problems += _partner_problems(plan, officers)
            for officer, code in unknown_recusals(officers, enterprises):
                problems.append(
                    Problem(
                        officers.file,
                        officer.row,
                        "回避企业",
                        f"{officer.name} 的回避企业“{code}”不在企业名录库中",
                        "核对代码；不影响抽取",
                        "warning",
                    )
                )
    return Workspace(plan, enterprises, officers, problems)
