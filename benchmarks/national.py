"""National scale: generate an N-row parquet roster (20 million by default, so that it runs in
minutes; ``--rows 190000000`` is the country's registered market entities), draw a month with
``ssj draw`` as a fresh process, and check its selections against an independent DuckDB query of
the same roster (docs/sql-draw.md, with the eligibility filter written in SQL).

    python benchmarks/national.py                      # 20M rows
    python benchmarks/national.py --rows 190000000     # needs ≈ 4 GB of disk for the roster
    pip install duckdb                                 # for the independent check

Prints the generation time, ssj's wall time and peak memory, DuckDB's time, and whether the
selections (keys, ranks and tickets) agree. Where ``ssj draw`` would need more memory than the
machine has (it keeps the population's keys as Python strings: about 250 bytes a row), the
script says so and times what a province or the country would run instead: the SQL of
docs/sql-draw.md on DuckDB, straight from the parquet file, with the same seed. The roster is
written into a temporary folder (``--keep DIR`` keeps it) and never committed.
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
from measure import run
from sql_check import duckdb_selection

from shuangsuiji.rules.draw import scope_of
from shuangsuiji.rules.seal import compose_seed, month_secret

CHUNK = 5_000_000
SSJ_BYTES_PER_ROW = 250  # ssj draw's peak memory a roster row (5.0 GB at 20M rows)
TASKS = {"AJ-01": ("5%", ["危险化学品经营", "危险化学品使用", "烟花爆竹经营"]),
         "AJ-02": ("3%", ["冶金", "机械", "商贸", "纺织"])}  # fmt: skip


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


def sql_draw(folder: Path) -> None:
    """The month's draws by SQL alone, as the machine that cannot run ``ssj draw`` would."""
    secret = (folder / "ssj-secret.txt").read_text(encoding="utf-8").strip()
    seed = compose_seed("benchmark seed 2025", month_secret(secret, 3))
    roster = f"read_parquet('{folder / 'enterprises.parquet'}')"
    for task, (ratio, industries) in TASKS.items():
        scope = scope_of(task, 2025, 3)
        record = {"targets": {"行业类别": industries}, "ratio": ratio, "seed": seed, "scope": scope}
        started = time.perf_counter()
        chosen = duckdb_selection(roster, record)
        print(f"{scope}：抽中 {len(chosen):,} 家，{time.perf_counter() - started:.0f} 秒")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--sql-draw", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.sql_draw is not None:
        sql_draw(args.sql_draw)
        return
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
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        if args.rows * SSJ_BYTES_PER_ROW > 0.8 * memory:
            print(
                f"ssj draw 约需 {args.rows * SSJ_BYTES_PER_ROW / 1e9:.0f} GB 内存，本机 "
                f"{memory / 1e9:.0f} GB：不运行；改为 docs/sql-draw.md 的 SQL 直接从 parquet 抽取（同一种子）"
            )
            took, peak = run([sys.executable, __file__, "--sql-draw", str(folder)], folder, True)
            print(
                f"DuckDB SQL 抽取（一个月的两项任务）：{took:.0f} 秒，峰值内存 {peak / 1024**2:.1f} GB"
            )
            return
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
