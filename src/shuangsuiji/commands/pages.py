"""``ssj pages``: a big month's print-ready files, one set a unit.

A city's month is not printed as one list of thirty thousand enterprises (``ssj draw`` and
``ssj assign`` write its lists as columns beside a summary); each unit — a 街道, a 乡镇, any
roster column — prints its own: the 抽取结果 of its enterprises and, once the month is
assigned, the task sheet and 现场检查文书 of its groups (a group belongs to the unit of most of
its enterprises). The pages are derived from the ledger and the roster's unit column; nothing
is drawn or recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shuangsuiji.commands.draw import parse_draw_month
from shuangsuiji.commands.heal import load_audited, month_anchor, sheet_anchor
from shuangsuiji.exceptions import InputError
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.lock import DEFAULT_WAIT, plan_lock
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.anchor import anchor_sheet
from shuangsuiji.outputs.draws import BLANK_UNIT, result_sheets
from shuangsuiji.outputs.excel import write_workbook
from shuangsuiji.outputs.groups import group_unit
from shuangsuiji.outputs.tasksheet import write_sheet_files
from shuangsuiji.rules.assign import current_groups
from shuangsuiji.rules.records import AssignmentRecord

UNITS_DIR = "分单位"
# Characters no file name may hold on Windows or Linux, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


@dataclass
class PagesOutcome:
    """The units of a month and the workbooks written for them."""

    month: str
    column: str  # the roster column the units come from
    units: list[tuple[str, int]] = field(default_factory=list)  # (unit, enterprises listed)
    files: list[Path] = field(default_factory=list)  # written (unchanged files are not)


def folder_names(units: Iterable[str]) -> dict[str, str]:
    """Each unit's name as a folder and file name: characters no file name may hold become
    "_", and units that would then share a name are told apart by "-2", "-3" … in the order
    of their names (so one unit alone gets the name it gets among all)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for unit in sorted(units):
        base = _UNSAFE.sub("_", unit).strip(" .") or "_"
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        names[unit] = name
    return names


def unit_file(folder: Path, month: str, name: str, kind: str = "抽取结果") -> Path:
    """输出/2025-03/分单位/关林街道/抽取结果-2025-03-关林街道.xlsx for a unit's folder name
    (:func:`folder_names`); ``kind``: 检查任务单, 现场检查文书 for the unit's others."""
    return folder / OUTPUT_DIR / month / UNITS_DIR / name / f"{kind}-{month}-{name}.xlsx"


def unit_pages(
    plan_path: str | Path,
    month: str,
    *,
    by: str | None = None,
    unit: str | None = None,
    wait: float = DEFAULT_WAIT,
) -> PagesOutcome:
    """Write the print-ready 抽取结果 of ``month`` for each unit of the roster's ``by`` column
    (the plan's ``print_unit`` by default), or for ``unit`` alone."""
    with plan_lock(plan_path, wait):
        workspace, audited = load_audited(plan_path)
        workspace.require_valid()
        plan, roster = workspace.plan, workspace.enterprises
        assert roster is not None
        year, mon = parse_draw_month(month, plan)
        label = f"{year:04d}-{mon:02d}"
        column = by or plan.print_unit
        if column not in roster.columns:
            raise InputError(
                f"企业名录库 {roster.file} 没有“{column}”列，无法按单位分页；"
                f"用 --by 指定名录库中的一列（现有：{'、'.join(roster.columns)}）"
            )
        if not any(d.month == mon for d in Ledger.existing_draws(plan.folder, year)):
            raise InputError(f"{label} 还没有抽取，没有可打印的抽取结果；先运行 ssj draw")
        audited()
        with Ledger.at(plan.folder) as ledger:
            records = [record for record, _ in ledger.month_draws(year, mon)]
            anchor = month_anchor(ledger, label)
            assigned = ledger.assignment(label)
            groups = (
                []
                if assigned is None
                else current_groups(
                    AssignmentRecord.from_json(assigned), ledger.substitutions(label)
                )
            )
            group_anchor = sheet_anchor(ledger, label)
        of = roster.details({s.uscc for r in records for s in r.selected}, column)
        members: dict[str, set[str]] = {}
        for r in records:
            for s in r.selected:
                members.setdefault(of.get(s.uscc) or BLANK_UNIT, set()).add(s.uscc)
        names = folder_names(members)
        if unit is not None:
            if unit not in members:
                shown = "、".join(sorted(members)[:20]) + ("等" if len(members) > 20 else "")
                raise InputError(
                    f"{label} 抽中的企业中没有“{column}”为“{unit}”的；现有单位：{shown}"
                )
            members = {unit: members[unit]}
        outcome = PagesOutcome(label, column)
        # The month's place of each enterprise: a unit's 文书 carry the month's 文号.
        numbers = {
            (g.scope, e.uscc): n
            for n, (g, e) in enumerate((g, e) for g in groups for e in g.enterprises)
        }
        for name, keys in sorted(members.items()):
            sheets = result_sheets(plan, label, records, (f"{column}：{name}", keys.__contains__))
            if anchor is not None:
                sheets.append(anchor_sheet(anchor))
            path = unit_file(plan.folder, label, names[name])
            path.parent.mkdir(parents=True, exist_ok=True)
            if write_workbook(path, sheets):
                outcome.files.append(path)
            outcome.units.append((name, len(keys)))
            mine = [g for g in groups if group_unit(g, of, BLANK_UNIT) == name]
            if mine:
                outcome.files += write_sheet_files(
                    workspace,
                    unit_file(plan.folder, label, names[name], "检查任务单"),
                    label,
                    mine,
                    group_anchor,
                    documents=unit_file(plan.folder, label, names[name], "现场检查文书"),
                    numbers=numbers,
                    unit=f"{column}：{name}",
                )
    return outcome
