"""How a group is named on paper and on screen: its label, its officers, its notes, the title
of its task — one wording for the task sheet, the 现场检查文书 and the terminal."""

from __future__ import annotations

from collections.abc import Mapping

from shuangsuiji.inputs.plan import JointTask, Plan
from shuangsuiji.rules.clock import local_time
from shuangsuiji.rules.records import Group


def group_unit(group: Group, units: Mapping[str, str], blank: str) -> str:
    """The unit whose pages print a group: where most of its enterprises are (the first
    enterprise's unit on a tie), so that each group and its documents print exactly once."""
    found = [units.get(e.uscc) or blank for e in group.enterprises]
    return max(dict.fromkeys(found), key=found.count)


def group_label(number: int) -> str:
    return f"第{number}组"


def officer_names(group: Group, agency: str, uscc: str | None = None) -> str:
    """ "张伟、李娜（区市场监督管理局）": partner officers marked with their department; with
    ``uscc``, those who inspect (or, before a 递补, inspected) that enterprise."""
    officers = group.officers if uscc is None else group.officers_of(uscc)
    names = [o.name if o.department == agency else f"{o.name}（{o.department}）" for o in officers]
    return "、".join([*names, *([group.placeholder] if group.placeholder else [])])


def signature_line(group: Group, agency: str, uscc: str | None = None) -> str:
    """A blank to sign for every officer of the group (both departments of a joint group), each
    under the name it is for."""
    officers = group.officers if uscc is None else group.officers_of(uscc)
    names = [o.name if o.department == agency else f"{o.name}（{o.department}）" for o in officers]
    names += [group.placeholder] if group.placeholder else []
    return "检查人员签字：" + "　".join(f"{name}＿＿＿＿＿" for name in names)


def group_notes(group: Group, zone: str) -> str:
    """The group's warnings and 递补, each 递补 dated in the plan's time zone ``zone``."""
    notes = list(group.warnings)
    notes += [
        f"递补：{s.out_name}→{s.in_name}（{s.reason}，{local_time(s.at, zone)[:10]}）"
        for s in group.substitutions
    ]
    return "；".join(notes)


def task_title(plan: Plan, task_id: str) -> str:
    """抽查事项 as the task sheet shows it; a joint task names the partner and its items."""
    task = plan.task(task_id)
    assert task is not None
    item = plan.base_item(task)
    if not isinstance(task, JointTask):
        return item.name
    extra = f"：{'；'.join(task.partner_items)}" if task.partner_items else ""
    return f"部门联合抽查：{item.name}（会同{task.partner}{extra}）"
