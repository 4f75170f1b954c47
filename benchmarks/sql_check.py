"""The independent check of the benchmarks: a draw recomputed by DuckDB from the roster file
alone — the eligibility filter and the query of docs/sql-draw.md — to compare with ssj's
record (selected keys, ranks and tickets)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPERATING = ("在业", "存续", "开业")


def duckdb_selection(roster: str, record: dict[str, object]) -> list[tuple[int, str, str]]:
    """``record``'s selection recomputed by DuckDB from ``roster``, a table expression such
    as ``read_parquet('enterprises.parquet')``; the benchmark rosters' flat ratios only."""
    import duckdb

    query = re.search(
        r"```sql\n(.*?)```", (ROOT / "docs" / "sql-draw.md").read_text(encoding="utf-8"), re.S
    )
    assert query is not None
    targets = record["targets"]
    assert isinstance(targets, dict)
    industries = ", ".join(f"'{v}'" for v in targets["行业类别"])
    statuses = ", ".join(f"'{s}'" for s in OPERATING)
    ratio = str(record["ratio"]).rstrip("%")
    db = duckdb.connect()
    # Within 16 GB on a machine that has more: DuckDB spills its sorts to disk past the limit.
    db.execute("SET memory_limit = '12GB'; SET preserve_insertion_order = false")
    db.execute(
        f"""
        CREATE TABLE population AS
        SELECT upper(trim(统一社会信用代码)) AS key, '' AS stratum
        FROM {roster}
        WHERE trim(行业类别) IN ({industries}) AND trim(经营状态) IN ({statuses});
        CREATE TABLE excluded (key VARCHAR);
        CREATE TABLE rates AS SELECT '' AS stratum, {ratio} / 100 AS rate;
        """
    )
    rows = db.execute(query.group(1), {"seed": record["seed"], "scope": record["scope"]})
    return [(int(rank), str(key), str(ticket)) for rank, key, ticket in rows.fetchall()]
