"""National scale: generate an N-row parquet roster (20 million by default, so that it runs in
minutes; ``--rows 190000000`` is the country's registered market entities), draw a month with
``ssj draw`` as a fresh process, and check its selections against an independent DuckDB query of
the same roster (docs/sql-draw.md, with the eligibility filter written in SQL).

    python benchmarks/national.py                      # 20M rows
    python benchmarks/national.py --rows 190000000     # needs ≈ 4 GB of disk for the roster
    pip install duckdb                                 # for the independent check

Prints the generation time, ssj's wall time and peak memory, DuckDB's time, and whether the
selections (keys, ranks and tickets) agree. The roster is written into a temporary folder
(``--keep DIR`` keeps it) and never committed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from bench_draw import PLAN, roster_table
from sql_check import duckdb_selection

CHUNK = 5_000_000


def generate(path: Path, rows: int) -> None:
    """The roster in chunks, so that generating 190M rows needs memory for one chunk only."""
    writer = None
    for start in range(0, rows, CHUNK):
        table = roster_table(min(CHUNK, rows - start), start)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def run(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak resident memory (KB) of one fresh process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        sys.stderr.buffer.write(errors)
        raise SystemExit(f"{' '.join(command)} failed ({status})")
    return time.perf_counter() - start, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generate(folder / "enterprises.parquet", args.rows)
        size = (folder / "enterprises.parquet").stat().st_size
        print(
            f"{args.rows:,} 行 parquet 名录库：生成 {time.perf_counter() - started:.0f} 秒，"
            f"{size / 1e9:.1f} GB"
        )
        (folder / "officers.csv").write_text(
            "姓名,执法证号,执法证有效期至\n张三,A001,2030-12-31\n", encoding="utf-8"
        )
        plan = PLAN.replace("enterprises.csv", "enterprises.parquet")
        (folder / "plan.yaml").write_text(plan, encoding="utf-8")
        ssj = [sys.executable, "-m", "shuangsuiji"]
        subprocess.run([*ssj, "seal", "--plan", "plan.yaml"], cwd=folder, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        took, peak = run([*ssj, "draw", "--plan", "plan.yaml", "--month", "2025-03"], folder)
        print(f"ssj draw（一个月的两项任务）：{took:.0f} 秒，峰值内存 {peak / 1024**2:.1f} GB")
        try:
            import duckdb  # noqa: F401
        except ImportError:
            print("未安装 duckdb：跳过独立复核")
            return
        for path in sorted((folder / "输出" / "2025-03").glob("抽取记录-*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            started = time.perf_counter()
            roster = f"read_parquet('{folder / 'enterprises.parquet'}')"
            expected = duckdb_selection(roster, record)
            took = time.perf_counter() - started
            found = [(s["rank"], s["uscc"], s["ticket"]) for s in record["selected"]]
            verdict = "一致" if found == expected else "不一致"
            print(
                f"{record['scope']}：对象 {record['population']['size']:,} 家，抽中 "
                f"{len(found):,} 家；DuckDB 独立查询 {took:.0f} 秒，结果{verdict}"
            )
            if found != expected:
                raise SystemExit(1)


if __name__ == "__main__":
    main()
