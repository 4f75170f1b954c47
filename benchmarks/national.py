"""National scale: generate an N-row parquet roster (20 million by default, so that it runs in
minutes; ``--rows 190000000`` is the country's registered market entities), then time
``ssj draw`` and the SQL draw of the same file side by side (bench_draw.side_by_side: fresh
processes, peaks, ratio, selections compared entry by entry).

    python benchmarks/national.py                      # 20M rows
    python benchmarks/national.py --rows 190000000     # ≈ 16 GB of memory, 12 GB of disk

Where ``ssj draw`` would need more memory than the machine has, the script says so and times
the SQL draw alone. The roster is written into a temporary folder (``--keep DIR`` keeps it)
and never committed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from bench_draw import month_seed, roster_table, side_by_side, workspace
from measure import run

CHUNK = 5_000_000
SSJ_BYTES_PER_ROW = 85  # ssj draw's peak memory a roster row (2.1 GB at 20M rows, 15.1 GB at 190M)


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--repeat", type=int, default=1)
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
            f"{size / 1e9:.1f} GB",
            flush=True,
        )
        workspace(folder, "enterprises.parquet")
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        if args.rows * SSJ_BYTES_PER_ROW > 0.8 * memory:
            print(
                f"ssj draw 约需 {args.rows * SSJ_BYTES_PER_ROW / 1e9:.0f} GB 内存，本机 "
                f"{memory / 1e9:.0f} GB：不运行；只计时 SQL 抽取（同一种子）"
            )
            sql = [sys.executable, str(Path(__file__).with_name("sql_draw.py"))]
            sql += ["enterprises.parquet", month_seed(folder), "sql.json"]
            took, peak = run(sql, folder)
            print(f"SQL 抽取（一个月的两项任务）：{took:.0f} 秒，峰值内存 {peak / 1024**2:.1f} GB")
            return
        line, equal = side_by_side(folder, "enterprises.parquet", args.repeat)
        print(f"{args.rows:,} 行 parquet：{line}")
        if not equal:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
