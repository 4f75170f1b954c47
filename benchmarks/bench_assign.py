"""Benchmark: the officer draw (SSJ-ASSIGN-2, ``rules.assign.assign``) on a generated month of
50,000 drawn enterprises in 10 tasks and 2,000 officers, in process (the rule only: no rosters
read, no task sheet written). Inputs are generated on the fly with a fixed seed. ``--plain``
also times, on the same input in the same run, the rule written plainly officer by officer
(tests/reference_assign.py, what 0.3.0 first shipped) and checks both give the same groups:

    python benchmarks/bench_assign.py
    python benchmarks/bench_assign.py --enterprises 10000 --plain
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from shuangsuiji.rules.assign import SPEC, assign
from shuangsuiji.rules.records import AssignInput

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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--officers", type=int, default=2_000)
    parser.add_argument("--plain", action="store_true", help="also time the plain reference")
    args = parser.parse_args()
    inputs = month(args.enterprises, args.officers)
    start = time.perf_counter()
    groups = assign(inputs)
    took = time.perf_counter() - start
    print(f"{args.enterprises:,} 家企业、{args.officers:,} 名人员：{len(groups):,} 个检查组")
    print(f"  按数组排序（ssj）：{took:.2f} 秒")
    if args.plain:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests import reference_assign

        start = time.perf_counter()
        plain = reference_assign.assign(inputs)
        took = time.perf_counter() - start
        print(f"  逐人排序（参照实现）：{took:.2f} 秒，分组相同：{plain == groups}")


if __name__ == "__main__":
    main()
