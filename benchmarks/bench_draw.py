"""Benchmark: `ssj draw` against the SQL draw of the same roster (docs/sql-draw.md on DuckDB:
read the file, filter, hash every candidate, keep the smallest — the physical floor of a draw),
on generated csv rosters of 1M and 5M rows by default.

Both are fresh processes (starting Python and importing counts), alternating within each
repetition so that a busy moment hits both alike; the medians of --repeat runs are printed
with the ratio and each side's peak memory, and the selections are compared entry by entry.
Rosters are generated on the fly into a temporary folder (never committed):

    python benchmarks/bench_draw.py                          # 1M and 5M rows, 3 runs each
    python benchmarks/bench_draw.py --rows 1000000 --repeat 5
    python benchmarks/national.py                            # 20M rows as parquet

Exits 1 if a selection differs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from measure import run
from sql_draw import TASKS, recorded, same

from shuangsuiji.rules.seal import compose_seed, month_secret
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
""" + "".join(
    f"  - id: {task}\n    name: {task}\n    targets:\n      行业类别: [{', '.join(targets)}]\n"
    f"    ratio: {ratio}\n    months: [3]\n"
    for task, ratio, targets in TASKS
)


def roster_table(rows: int, start: int = 0, seed: int = 20250301) -> pa.Table:
    """``rows`` enterprises numbered from ``start``, with valid, unique USCCs, as an Arrow table
    (vectorised: a national roster is generated in chunks of millions)."""
    rng = np.random.default_rng([seed, start])
    # Unique organisation codes: a running number in base 31 after a random prefix, then
    # the code's GB 11714 check character.
    numbers = np.arange(start, start + rows, dtype=np.int64)
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
    alphabet = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    code_bytes = alphabet[np.concatenate([values, check[:, None]], axis=1)].astype(np.uint8)
    offsets = np.arange(0, 18 * rows + 1, 18, dtype=np.int32)
    keys = pa.StringArray.from_buffers(
        rows, pa.py_buffer(offsets.tobytes()), pa.py_buffer(code_bytes.tobytes())
    )
    names = pc.binary_join_element_wise(
        "洛阳测试", pc.cast(pa.array(numbers), pa.string()), "有限公司", ""
    )
    industry = pa.array(INDUSTRIES).take(rng.integers(0, len(INDUSTRIES), rows))
    status = pa.array(np.where(rng.random(rows) < 0.93, "存续", "注销"))
    risk = pa.array(list("ABCD")).take(rng.integers(0, 4, rows))
    street = pa.array(["关林街道"]).take(np.zeros(rows, dtype=np.int64))
    return pa.table(
        {
            "统一社会信用代码": keys,
            "企业名称": names,
            "行业类别": industry,
            "经营状态": status,
            "信用风险分类": risk,
            "所属街道": street,
        }
    )


def make_roster(path: Path, rows: int) -> None:
    """A csv roster of ``rows`` enterprises (UTF-8, no quotes: as a registry exports it)."""
    table = roster_table(rows)
    with path.open("wb") as out:
        out.write((",".join(table.column_names) + "\n").encode())
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        pacsv.write_csv(table, out, write_options=options)


def month_seed(folder: Path) -> str:
    """The seed ssj draws March with: the plan's seed and the month's secret of the sealed
    chain (docs/spec.md §4.1), for the SQL draw to use the same."""
    secret = (folder / "ssj-secret.txt").read_text(encoding="utf-8").strip()
    return compose_seed("benchmark seed 2025", month_secret(secret, 3))


def fresh(folder: Path) -> None:
    """A workspace as before its first draw: the sealed ledger, no outputs."""
    for leftover in ("ssj.db", "ssj.lock", "输出"):
        target = folder / leftover
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    shutil.copy(folder / "sealed.db", folder / "ssj.db")


def workspace(folder: Path, roster: str) -> None:
    """The benchmark plan, sealed, over ``roster`` (already in ``folder``)."""
    (folder / "officers.csv").write_text(
        "姓名,执法证号,执法证有效期至\n张三,A001,2030-12-31\n李四,A002,2030-12-31\n",
        encoding="utf-8",
    )
    (folder / "plan.yaml").write_text(PLAN.replace("enterprises.csv", roster), encoding="utf-8")
    seal = [sys.executable, "-m", "shuangsuiji", "seal", "--plan", "plan.yaml"]
    subprocess.run(seal, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    shutil.copy(folder / "ssj.db", folder / "sealed.db")


def side_by_side(folder: Path, roster: str, repeat: int) -> tuple[str, bool]:
    """``ssj draw`` and the SQL draw of the same roster, alternating as fresh processes:
    medians, peaks, the ratio, and whether the selections are equal."""
    draw = [sys.executable, "-m", "shuangsuiji", "draw", "--plan", "plan.yaml"]
    draw += ["--month", "2025-03", "--json"]
    sql = [sys.executable, str(Path(__file__).with_name("sql_draw.py")), roster]
    sql += [month_seed(folder), "sql.json"]
    ours: list[tuple[float, int]] = []
    theirs: list[tuple[float, int]] = []
    for _ in range(repeat):
        fresh(folder)
        ours.append(run(draw, folder))
        theirs.append(run(sql, folder))
    reference = json.loads((folder / "sql.json").read_text(encoding="utf-8"))
    equal = same(recorded(folder / "输出" / "2025-03"), reference)
    mine = statistics.median(t for t, _ in ours)
    floor = statistics.median(t for t, _ in theirs)
    peak = max(m for _, m in ours) / 1024
    sql_peak = max(m for _, m in theirs) / 1024
    return (
        f"ssj draw {mine:.2f} 秒（峰值内存 {peak:,.0f} MB）；SQL 抽取 {floor:.2f} 秒"
        f"（峰值内存 {sql_peak:,.0f} MB）；比值 {mine / floor:.1f}；"
        + ("抽中结果与 SQL 逐条一致" if equal else "抽中结果与 SQL 不一致！")
    ), equal


def bench(rows: int, repeat: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_roster(folder / "enterprises.csv", rows)
        workspace(folder, "enterprises.csv")
        line, equal = side_by_side(folder, "enterprises.csv", repeat)
        print(f"{rows:>11,} 行 csv：{line}", flush=True)
        return equal


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", default="1000000,5000000", help="comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"新进程，{args.repeat} 次交替运行的中位数；峰值内存为各次中最高的")
    if not all([bench(int(n), args.repeat) for n in args.rows.split(",")]):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
