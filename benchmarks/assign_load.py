"""How evenly the officer draw spreads the work over the example year, and how often a group
goes without an officer of its 专业领域: SSJ-ASSIGN-1, -2 and -3 side by side, in one run, on the
same drawn tasks and the same roster.

The example workspace is copied to a temporary folder; every month with tasks is drawn and
assigned there with ``ssj`` (SSJ-ASSIGN-3, as a bureau would). Each month's recorded input
is then re-run under both rules, each carrying its own year so far (who served which groups
and enterprises in its earlier months), so each column is what that rule would have done all
year:

    python benchmarks/assign_load.py
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

from shuangsuiji.commands.assign import assign_month
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules.assign import SPECS, assign, covers, ineligibility, month_end
from shuangsuiji.rules.records import AssignInput, AssignmentRecord, Group

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def year_inputs() -> list[AssignInput]:
    """The example year's recorded assignment inputs, month by month."""
    folder = Path(tempfile.mkdtemp(prefix="ssj-assign-load-"))
    try:
        for name in ("2025.yaml", "enterprises.xlsx", "officers.xlsx"):
            shutil.copy(EXAMPLES / name, folder / name)
        # The example's secret without its example-only mark (refused outside examples/).
        lines = (EXAMPLES / "ssj-secret.txt").read_text(encoding="utf-8").splitlines()
        secret = "".join(f"{line}\n" for line in lines if not line.startswith("#"))
        (folder / "ssj-secret.txt").write_text(secret, encoding="utf-8")
        plan_path = folder / "2025.yaml"
        plan = load_plan(plan_path)
        months = [f"2025-{m:02d}" for m in range(1, 13) if plan.due(m)]
        for month in months:
            draw_month(plan_path, month)
            assign_month(plan_path, month)
        with Ledger.at(folder) as ledger:
            return [AssignmentRecord.from_json(text).inputs for _, text in ledger.assignments(2025)]
    finally:
        shutil.rmtree(folder)


def replay(months: list[AssignInput], spec: str) -> list[list[Group]]:
    """Each month's groups under ``spec``, the year so far carried by that rule's own groups."""
    history: dict[str, set[str]] = {}
    groups_so_far: Counter[str] = Counter()
    visits: Counter[str] = Counter()
    out = []
    for inputs in months:
        given = replace(
            inputs,
            spec=spec,
            history={k: sorted(v) for k, v in history.items()},
            year_groups=dict(groups_so_far),
            year_enterprises=dict(visits),
        )
        groups = assign(given)
        out.append(groups)
        for group in groups:
            for officer in group.officers:
                history.setdefault(officer.id, set()).update(group.usccs)
                groups_so_far[officer.id] += 1
                visits[officer.id] += len(group.enterprises)
    return out


def main() -> None:
    months = year_inputs()
    agency = months[0].agency
    officers = {o.id: o for m in months for o in m.officers if o.department == agency}
    runs = {spec: replay(months, spec) for spec in SPECS}
    # Eligible all year: the officers whose balance the rule is answerable for.
    always = [
        oid
        for oid, o in officers.items()
        if all(
            ineligibility(o, agency, month_end(*map(int, m.month.split("-"))), set()) is None
            for m in months
        )
    ]
    print("每月本局人员：可用人数；各规则下的名额、每人最多组数（⌈名额 ÷ 可用⌉）、没有分到的人数")
    for index, inputs in enumerate(months):
        last = month_end(*map(int, inputs.month.split("-")))
        eligible = [o for o in officers.values() if ineligibility(o, agency, last, set()) is None]
        cells = []
        for spec, groups in runs.items():
            load = Counter(
                o.id for g in groups[index] for o in g.officers if o.department == agency
            )
            places = sum(load.values())
            cap = -(-places // len(eligible))
            idle = sum(1 for o in eligible if load[o.id] == 0)
            cells.append(
                f"{spec} 名额 {places}，最多 {max(load.values())} 组（⌈⌉={cap}），{idle} 人空闲"
            )
        print(f"  {inputs.month} 可用 {len(eligible)} 人：" + "；".join(cells))
    print()
    print(f"全年（{len(always)} 名全年可用的本局人员）：组数 最少–最多，企业 最少–最多")
    year: dict[str, Counter[str]] = {}
    for spec, groups in runs.items():
        counts: Counter[str] = Counter()
        firms: Counter[str] = Counter()
        for month in groups:
            for group in month:
                for officer in group.officers:
                    counts[officer.id] += 1
                    firms[officer.id] += len(group.enterprises)
        year[spec] = counts
        g = [counts[o] for o in always]
        f = [firms[o] for o in always]
        print(f"  {spec}: 组数 {min(g)}–{max(g)}（相差 {max(g) - min(g)}），企业 {min(f)}–{max(f)}")
    print()
    print("全年没有专业领域人员的检查组（其中有能参加本组的同领域人员的）：")
    for spec, groups in runs.items():
        lacking = could = 0
        for inputs, month in zip(months, groups, strict=True):
            by_id = {o.id: o for o in inputs.officers}
            last = month_end(*map(int, inputs.month.split("-")))
            for group in month:
                if any(covers(by_id[o.id], group.industry) for o in group.officers):
                    continue
                lacking += 1
                could += any(
                    covers(o, group.industry)
                    and ineligibility(o, agency, last, group.usccs) is None
                    for o in inputs.officers
                )
        print(f"  {spec}: {lacking} 组（{could} 组本可以有）")
    print()
    print("每人全年组数（" + " / ".join(runs) + "）：")
    for oid in sorted(officers, key=lambda o: -year[SPECS[-1]][o]):
        mark = "" if oid in always else "（非全年可用）"
        shown = " / ".join(str(year[spec][oid]) for spec in runs)
        print(f"  {officers[oid].name}{mark}: {shown}")


if __name__ == "__main__":
    main()
