"""Benchmark: the officer draw (SSJ-ASSIGN-2, ``rules.assign.assign``) on a generated month of
50,000 drawn enterprises in 10 tasks and 2,000 officers, in process (the rule only: no rosters
read, no task sheet written). Inputs are generated on the fly with a fixed seed. ``--plain``
also times, on the same input in the same run, the rule written plainly officer by officer
(tests/reference_assign.py, what 0.3.0 first shipped) and checks both give the same groups.

``--command`` times the whole ``ssj assign`` instead, as a bureau runs it, beside the
``ssj draw`` of the same month: a generated 1,000,000-row csv roster and 2,000 officers, a
month drawn at 8% (about 52,000 enterprises), each repetition drawing and then assigning a
fresh copy of the sealed workspace as fresh processes (medians of --repeat); and, in the same
run, its parts in process: reading the rosters, the rule on the recorded input, the record's
JSON, and writing the big month's task sheet (csv, parquet and the summary workbook):

    python benchmarks/bench_assign.py
    python benchmarks/bench_assign.py --enterprises 10000 --plain
    python benchmarks/bench_assign.py --command
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from measure import run

from shuangsuiji.rules.assign import SPEC, assign
from shuangsuiji.rules.records import AssignInput, AssignmentRecord

INDUSTRIES = [
    "冶金",
    "机械",
    "建材",
    "纺织",
    "轻工",
    "商贸",
    "危险化学品经营",
    "烟花爆竹经营",
    "有色",
]


def month(enterprises: int, officers: int) -> AssignInput:
    rng = np.random.default_rng(20250301)
    people = [
        {
            "id": f"O{i:05d}",
            "name": f"人员{i}",
            "department": "局",
            "fields": [
                INDUSTRIES[k]
                for k in rng.choice(len(INDUSTRIES), rng.integers(0, 3), replace=False)
            ],
            "on_duty": bool(rng.random() > 0.05),
            "cert_until": "2030-12-31",
            "recusals": [f"E{k:06d}" for k in rng.integers(0, enterprises, rng.integers(0, 3))],
        }
        for i in range(officers)
    ]
    per = enterprises // 10
    tasks = [
        {
            "scope": f"T{t:02d}/2025-03",
            "enterprises": [
                {
                    "uscc": f"E{t * per + j:06d}",
                    "name": f"企业{t * per + j}",
                    "industry": INDUSTRIES[int(rng.integers(0, len(INDUSTRIES)))],
                    "street": f"街道{int(rng.integers(0, 30))}",
                }
                for j in range(per)
            ],
        }
        for t in range(10)
    ]
    return AssignInput.from_dict(
        {
            "spec": SPEC,
            "month": "2025-03",
            "seed": "benchmark seed",
            "agency": "局",
            "group_max": 5,
            "group_size": 2,
            "partner_group_size": 2,
            "officers": people,
            "tasks": tasks,
            "year_groups": {},
            "year_enterprises": {},
            "merge_by_street": True,
        }
    )


def _ssj(folder: Path, *args: str) -> tuple[float, int]:
    """Wall time and peak memory (KB) of one fresh ``ssj`` process in ``folder``."""
    return run([sys.executable, "-m", "shuangsuiji", *args, "--plan", "plan.yaml"], folder)


def _timed(what: object) -> float:
    start = time.perf_counter()
    assert callable(what)
    what()
    return time.perf_counter() - start


def command(rows: int, officers: int, repeat: int) -> None:
    """The whole ``ssj assign`` of a drawn month, and its parts side by side."""
    from bench_draw import PLAN, make_roster

    from shuangsuiji.inputs.workspace import load_workspace
    from shuangsuiji.ledger import Ledger
    from shuangsuiji.outputs.tasksheet import write_sheet_files

    with tempfile.TemporaryDirectory() as tmp:
        drawn = Path(tmp) / "drawn"
        drawn.mkdir()
        make_roster(drawn / "enterprises.csv", rows)
        rng = np.random.default_rng(20250301)
        lines = ["姓名,执法证号,执法证有效期至,股室,专业领域"]
        lines += [
            f"人员{i:04d},A{i:05d},2030-12-31,第{i % 10}股室,{INDUSTRIES[rng.integers(0, 9)]}"
            for i in range(officers)
        ]
        (drawn / "officers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        # bench_draw's two tasks, both at 8%: about 52,000 enterprises from a million rows.
        plan = PLAN.replace("ratio: 5%", "ratio: 8%").replace("ratio: 3%", "ratio: 8%")
        (drawn / "plan.yaml").write_text(plan, encoding="utf-8")
        _ssj(drawn, "seal")
        draws, took, peaks = [], [], []
        for n in range(repeat):
            fresh = Path(tmp) / f"run{n}"
            shutil.copytree(drawn, fresh)
            draws.append(_ssj(fresh, "draw", "--month", "2025-03")[0])
            seconds, peak = _ssj(fresh, "assign", "--month", "2025-03")
            took.append(seconds)
            peaks.append(peak)
        text, _ = Ledger.existing_assignment(fresh, "2025-03") or ("", [])
        record = AssignmentRecord.from_json(text)
        enterprises = sum(len(g.enterprises) for g in record.groups)
        workspace = load_workspace(fresh / "plan.yaml")
        parts = {
            "读入并校验名录库": _timed(lambda: load_workspace(fresh / "plan.yaml")),
            "分组规则": _timed(lambda: assign(record.inputs)),
            "分组记录 JSON": _timed(record.to_json),
            "检查任务单（csv、parquet 和汇总表）": _timed(
                lambda: write_sheet_files(
                    workspace,
                    Path(tmp) / "检查任务单.xlsx",
                    "2025-03",
                    record.groups,
                    None,
                    big=True,
                )
            ),
        }
        print(
            f"{rows:,} 行名录库，抽中 {enterprises:,} 家、{officers:,} 名人员、"
            f"{len(record.groups):,} 个检查组（{os.cpu_count()} 核）"
        )
        draw, whole = statistics.median(draws), statistics.median(took)
        print(
            f"  同一个月的 ssj draw：{draw:.2f} 秒；整条 ssj assign：{whole:.2f} 秒"
            f"（{repeat} 次的中位数，比值 {whole / draw:.2f}），峰值内存 "
            f"{statistics.median(peaks) / 1024:.0f} MB"
        )
        for name, seconds in parts.items():
            print(f"  其中{name}：{seconds:.2f} 秒")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--officers", type=int, default=2_000)
    parser.add_argument("--plain", action="store_true", help="also time the plain reference")
    parser.add_argument("--command", action="store_true", help="time the whole ssj assign")
    parser.add_argument("--rows", type=int, default=1_000_000, help="roster rows (--command)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ssj assign (--command)")
    args = parser.parse_args()
    if args.command:
        command(args.rows, args.officers, args.repeat)
        return
    inputs = month(args.enterprises, args.officers)
    start = time.perf_counter()
    groups = assign(inputs)
    took = time.perf_counter() - start
    print(f"{args.enterprises:,} 家企业、{args.officers:,} 名人员：{len(groups):,} 个检查组")
    print(f"  按任务队列取人（ssj）：{took:.2f} 秒")
    if args.plain:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests import reference_assign

        start = time.perf_counter()
        plain = reference_assign.assign(inputs)
        took = time.perf_counter() - start
        print(f"  逐人排序（参照实现）：{took:.2f} 秒，分组相同：{plain == groups}")


if __name__ == "__main__":
    main()
