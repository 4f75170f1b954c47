"""Benchmark: `ssj draw` on a generated 1,000,000-row csv roster vs pandas reading that csv.

Both are timed as fresh processes, side by side in one run (each includes starting Python and
importing pandas), best of --repeat runs. The roster is generated on the fly into a temporary
folder (never committed):

    python benchmarks/bench_draw.py            # 1,000,000 rows
    python benchmarks/bench_draw.py --rows 200000 --repeat 1
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from shuangsuiji.rules.uscc import USCC_ALPHABET

INDUSTRIES = [
    "危险化学品经营",
    "危险化学品使用",
    "烟花爆竹经营",
    "冶金",
    "机械",
    "商贸",
    "纺织",
    "餐饮服务",
    "软件和信息技术服务",
    "教育培训",
]
PLAN = """agency: 基准测试局
year: 2025
seed: "benchmark seed 2025"
rosters:
  enterprises: enterprises.csv
  officers: officers.csv
items:
  - id: AJ-01
    name: 危险化学品
    targets:
      行业类别: [危险化学品经营, 危险化学品使用, 烟花爆竹经营]
    ratio: 5%
    months: [3]
  - id: AJ-02
    name: 工贸
    targets:
      行业类别: [冶金, 机械, 商贸, 纺织]
    ratio: 3%
    months: [3]
"""


def make_roster(path: Path, rows: int) -> None:
    """A roster of ``rows`` enterprises with valid, unique USCCs (fixed seed, vectorised)."""
    rng = np.random.default_rng(20250301)
    alphabet = np.array(list(USCC_ALPHABET))
    # Unique organisation codes: a running number in base 31 after a random prefix, then
    # the code's GB 11714 check character.
    numbers = np.arange(rows, dtype=np.int64)
    digits = np.stack([(numbers // 31**p) % 31 for p in range(6)][::-1], axis=1)
    prefix = rng.integers(0, 31, size=(rows, 2))
    body = np.concatenate([prefix, digits], axis=1)
    gb11714 = np.array([int(c, 36) for c in USCC_ALPHABET])[body] @ np.array(
        [3, 7, 9, 10, 5, 8, 4, 2]
    )
    remainder = 11 - gb11714 % 11
    org_check = np.where(remainder == 10, USCC_ALPHABET.index("X"), remainder % 11)
    values = np.concatenate(
        [np.tile([9, 1, 4, 1, 0, 3, 1, 1], (rows, 1)), body, org_check[:, None]], axis=1
    )  # "91410311" + the 9-character 组织机构代码
    weights = np.array([pow(3, i, 31) for i in range(17)])
    check = (31 - (values @ weights) % 31) % 31
    codes = alphabet[np.concatenate([values, check[:, None]], axis=1)]
    keys = np.array(["".join(row) for row in codes])
    industry = np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), rows)]
    status = np.where(rng.random(rows) < 0.93, "存续", "注销")
    risk = np.array(list("ABCD"))[rng.integers(0, 4, rows)]
    with path.open("w", encoding="utf-8") as out:
        out.write("统一社会信用代码,企业名称,行业类别,经营状态,信用风险分类,所属街道\n")
        for i in range(rows):
            out.write(
                f"{keys[i]},洛阳测试{i}有限公司,{industry[i]},{status[i]},{risk[i]},关林街道\n"
            )


def best_time(command: list[str], cwd: Path, repeat: int, before: Path | None = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if before is not None:  # a fresh workspace: no ledger, no outputs
            for leftover in ("ssj.db", "ssj.lock", "输出"):
                target = before / leftover
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        make_roster(folder / "enterprises.csv", args.rows)
        (folder / "officers.csv").write_text(
            "姓名,执法证号,执法证有效期至\n张三,A001,2030-12-31\n李四,A002,2030-12-31\n",
            encoding="utf-8",
        )
        (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
        seal = [sys.executable, "-m", "shuangsuiji", "seal", "--plan", "plan.yaml"]
        subprocess.run(seal, cwd=folder, check=True, stdout=subprocess.DEVNULL)
        print(f"生成 {args.rows:,} 行名录库：{time.perf_counter() - started:.1f} 秒")
        read = best_time(
            [sys.executable, "-c", "import pandas as pd; pd.read_csv('enterprises.csv')"],
            folder,
            args.repeat,
        )
        ssj = [
            sys.executable,
            "-m",
            "shuangsuiji",
            "draw",
            "--plan",
            "plan.yaml",
            "--month",
            "2025-03",
            "--json",
        ]
        draw = best_time(ssj, folder, args.repeat, before=folder)
        print(f"pandas 读取该 csv（新进程）：{read:.2f} 秒")
        print(f"ssj draw 一个月（新进程）：  {draw:.2f} 秒")
        print(f"比值 ssj draw / pandas 读取：{draw / read:.2f}")


if __name__ == "__main__":
    main()
