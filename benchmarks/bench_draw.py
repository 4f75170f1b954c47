"""Benchmark: `ssj draw` on generated csv rosters (10k, 100k and 1M rows by default) against
plain reads of the same file: pandas read_csv, pyarrow's csv reader and DuckDB's.

Every command is a fresh process (starting Python and importing its library counts), the
commands alternate within each repetition so that a busy moment hits all alike, and the
medians of --repeat runs are printed with the ratios and ssj's peak memory. After the runs of
each size the records' selections are checked against DuckDB's independent query of the same
csv (docs/sql-draw.md). Rosters are generated on the fly into a temporary folder (never
committed):

    pip install -e ".[bench]"                              # pandas, for the pandas column
    python benchmarks/bench_draw.py                        # 10k, 100k, 1M rows, 3 runs each
    python benchmarks/bench_draw.py --rows 5000000 --repeat 3
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
from sql_check import duckdb_selection

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


READERS = {
    "pandas": "import pandas as pd; pd.read_csv('enterprises.csv')",
    "pyarrow": "import pyarrow.csv as c; c.read_csv('enterprises.csv')",
    "duckdb": (
        "import duckdb; duckdb.connect().execute("
        "\"CREATE TABLE t AS SELECT * FROM read_csv('enterprises.csv')\")"
    ),
}


def available(module: str) -> bool:
    found = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return found.returncode == 0


def fresh(folder: Path) -> None:
    """A workspace as before its first draw: no ledger, no outputs."""
    for leftover in ("ssj.db", "ssj.lock", "输出"):
        target = folder / leftover
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def bench(rows: int, repeat: int, readers: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_roster(folder / "enterprises.csv", rows)
        (folder / "officers.csv").write_text(
            "姓名,执法证号,执法证有效期至\n张三,A001,2030-12-31\n李四,A002,2030-12-31\n",
            encoding="utf-8",
        )
        (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
        seal = [sys.executable, "-m", "shuangsuiji", "seal", "--plan", "plan.yaml"]
        subprocess.run(seal, cwd=folder, check=True, stdout=subprocess.DEVNULL)
        draw = [sys.executable, "-m", "shuangsuiji", "draw", "--plan", "plan.yaml"]
        draw += ["--month", "2025-03", "--json"]
        times: dict[str, list[float]] = {name: [] for name in ["ssj draw", *readers]}
        memory: list[int] = []
        for _ in range(repeat):
            fresh(folder)
            took, peak = run(draw, folder)
            times["ssj draw"].append(took)
            memory.append(peak)
            for name, code in readers.items():
                times[name].append(run([sys.executable, "-c", code], folder)[0])
        parity = _parity(folder) if "duckdb" in readers else "未安装 duckdb，未核对"
        median = {name: statistics.median(found) for name, found in times.items()}
        ssj = median["ssj draw"]
        peaks = "、".join(f"{m / 1024:.0f}" for m in memory)
        cells = [f"ssj draw {ssj:.2f} 秒（各次峰值内存 {peaks} MB）"]
        cells += [
            f"{name} 读取 {t:.2f} 秒（比值 {ssj / t:.1f}）"
            for name, t in median.items()
            if name != "ssj draw"
        ]
        print(f"{rows:>11,} 行：" + "；".join(cells) + f"；{parity}")


def _parity(folder: Path) -> str:
    """Whether the last draw's records select what DuckDB selects from the same file."""
    roster = f"read_csv('{folder / 'enterprises.csv'}', all_varchar = true)"
    for path in sorted((folder / "输出" / "2025-03").glob("抽取记录-*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        found = [(s["rank"], s["uscc"], s["ticket"]) for s in record["selected"]]
        if found != duckdb_selection(roster, record):
            raise SystemExit(f"{record['scope']}：与 DuckDB 独立查询的结果不一致")
    return "抽中结果与 DuckDB 独立查询一致"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", default="10000,100000,1000000", help="comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    readers = {name: code for name, code in READERS.items() if available(name)}
    missing = sorted(set(READERS) - set(readers))
    print(
        f"新进程，{args.repeat} 次交替运行的中位数"
        + (f"（未安装：{'、'.join(missing)}）" if missing else "")
    )
    for rows in (int(n) for n in args.rows.split(",")):
        bench(rows, args.repeat, readers)


if __name__ == "__main__":
    main()
