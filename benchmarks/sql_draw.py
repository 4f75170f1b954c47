"""The benchmarks' reference: a month's draws as SQL on DuckDB, from the roster file alone —
the eligibility filter and the query of docs/sql-draw.md. It is what the physical floor of a
draw looks like (read the file, hash every candidate, keep the smallest), and the independent
check of ssj's records (selected keys, ranks and tickets).

As a fresh process, timed beside ``ssj draw``:

    python benchmarks/sql_draw.py ROSTER SEED OUT.json

draws the benchmark plan's tasks (bench_draw.TASKS, March 2025) from ROSTER (csv or parquet)
with SEED and writes each scope's selection to OUT.json.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPERATING = ("在业", "存续", "开业")
# (task, ratio, 行业类别 targets) of the benchmark plan (bench_draw.PLAN), drawn in March 2025.
TASKS = (
    ("AJ-01", "5%", ("危险化学品经营", "危险化学品使用", "烟花爆竹经营")),
    ("AJ-02", "3%", ("冶金", "机械", "商贸", "纺织")),
)
Selection = list[tuple[int, str, str]]  # (rank, key, ticket)


def _query() -> str:
    found = re.search(
        r"```sql\n(.*?)```", (ROOT / "docs" / "sql-draw.md").read_text(encoding="utf-8"), re.S
    )
    assert found is not None
    return found.group(1)


def _quoted(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def sql_draw(
    roster: Path, seed: str, tasks: Sequence[tuple[str, str, Sequence[str]]], month: str
) -> dict[str, Selection]:
    """Each task's selection, by scope ("AJ-01/2025-03"), drawn by DuckDB from ``roster`` (a csv
    read once into a table, or a parquet file read where it lies) with ``seed``; flat ratios
    and no earlier draws, as in the benchmarks."""
    import duckdb

    db = duckdb.connect()
    # Within 16 GB on a machine that has more: DuckDB spills its sorts to disk past the limit.
    db.execute("SET memory_limit = '12GB'; SET preserve_insertion_order = false")
    source = (
        f"read_parquet('{roster}')"
        if roster.suffix == ".parquet"
        else f"read_csv('{roster}', all_varchar = true)"
    )
    kind = "VIEW" if roster.suffix == ".parquet" else "TABLE"
    db.execute(
        f"""
        CREATE {kind} roster AS
        SELECT upper(trim(统一社会信用代码)) AS key, trim(行业类别) AS industry,
               trim(经营状态) AS status
        FROM {source}
        """
    )
    query = _query()
    chosen: dict[str, Selection] = {}
    for task, ratio, industries in tasks:
        db.execute(
            f"""
            CREATE OR REPLACE TABLE population AS
            SELECT key, '' AS stratum FROM roster
            WHERE industry IN ({_quoted(industries)}) AND status IN ({_quoted(OPERATING)});
            CREATE OR REPLACE TABLE excluded (key VARCHAR);
            CREATE OR REPLACE TABLE rates AS SELECT '' AS stratum, {ratio.rstrip("%")} / 100 AS rate;
            """
        )
        scope = f"{task}/{month}"
        rows = db.execute(query, {"seed": seed, "scope": scope}).fetchall()
        chosen[scope] = [(int(rank), str(key), str(ticket)) for rank, key, ticket in rows]
    db.close()
    return chosen


def recorded(folder: Path) -> dict[str, Selection]:
    """The selections of the ssj records in ``folder``, by scope."""
    found = {}
    for path in sorted(folder.glob("抽取记录-*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        found[record["scope"]] = [(s["rank"], s["uscc"], s["ticket"]) for s in record["selected"]]
    return found


def same(ours: Mapping[str, Selection], reference: Mapping[str, Selection]) -> bool:
    return {k: list(map(tuple, v)) for k, v in ours.items()} == {
        k: list(map(tuple, v)) for k, v in reference.items()
    }


def main() -> None:
    roster, seed, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    chosen = sql_draw(roster, seed, TASKS, "2025-03")
    out.write_text(json.dumps(chosen, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
