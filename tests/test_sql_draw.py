"""The SQL form of SSJ-DRAW-1 (docs/sql-draw.md), run with DuckDB, selects exactly what the
records hold: the example year's draws (with exclusions), stratified draws and shortfalls."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.rules.draw import Stratum, draw_strata
from shuangsuiji.rules.ratio import parse_rate
from shuangsuiji.rules.records import DrawRecord

from .conftest import ROOT

QUERY = re.search(
    r"```sql\n(.*?)```", (ROOT / "docs" / "sql-draw.md").read_text(encoding="utf-8"), re.S
)
assert QUERY is not None
SQL = QUERY.group(1)


def sql_draw(
    seed: str, scope: str, strata: list[tuple[str, str, list[str]]], excluded: list[str]
) -> list[tuple[int, str, str]]:
    """Run the documented query: ``strata`` as (value, rate, keys)."""
    db = duckdb.connect()
    db.execute("CREATE TABLE population (key VARCHAR, stratum VARCHAR)")
    db.execute("CREATE TABLE excluded (key VARCHAR)")
    db.execute("CREATE TABLE rates (stratum VARCHAR, rate VARCHAR)")
    for value, rate, keys in strata:
        if keys:
            db.executemany("INSERT INTO population VALUES (?, ?)", [(k, value) for k in keys])
        db.execute("INSERT INTO rates VALUES (?, ?)", (value, rate))
    if excluded:
        db.executemany("INSERT INTO excluded VALUES (?)", [(k,) for k in excluded])
    rows = db.execute(SQL, {"seed": seed, "scope": scope}).fetchall()
    return [(int(rank), str(key), str(ticket)) for rank, key, ticket in rows]


def _record_strata(record: DrawRecord) -> list[tuple[str, str, list[str]]]:
    if record.strata:
        return [(s.value, str(parse_rate(s.rate)), s.keys) for s in record.strata]
    assert isinstance(record.ratio, str)
    return [("", str(parse_rate(record.ratio)), record.population.keys)]


def test_the_example_year_by_sql(workspace: Path) -> None:
    checked = 0
    for month in ("2025-03", "2025-05", "2025-08", "2025-10"):
        for record in draw_month(workspace, month).records:
            assert isinstance(record, DrawRecord)
            found = sql_draw(record.seed, record.scope, _record_strata(record), record.excluded)
            assert found == [(s.rank, s.uscc, s.ticket) for s in record.selected], record.scope
            assert record.k - len(found) == record.shortfall
            checked += bool(record.excluded)
    assert checked  # later months exclude earlier selections: the query saw exclusions


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", "D"]),
            st.sampled_from(["0.03", "0.1", "0.25", "1", "0.333"]),
            st.integers(0, 60),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda s: s[0],
    ),
    st.integers(0, 30),
)
def test_stratified_draws_and_shortfalls_by_sql(
    shape: list[tuple[str, str, int]], excluded_count: int
) -> None:
    strata = [
        Stratum(value, Decimal(rate), sorted(f"{value}{i:04d}" for i in range(n)))
        for value, rate, n in shape
    ]
    every = [k for s in strata for k in s.keys]
    excluded = sorted(every[::3][:excluded_count])
    chosen, shortfall = draw_strata("种子/秘密", "AJ-01/2025-03", strata, set(excluded))
    found = sql_draw(
        "种子/秘密",
        "AJ-01/2025-03",
        [(s.value, str(s.rate), s.keys) for s in strata],
        excluded,
    )
    assert [(key, tk) for _, key, tk in found] == [(key, tk) for tk, key in chosen]
    assert sum(s.k for s in strata) - len(found) == shortfall


@pytest.mark.parametrize("rate", ["0.07", "0.3333"])
def test_the_quota_is_exact_decimal_in_sql_too(rate: str) -> None:
    keys = [f"K{i:03d}" for i in range(100)]
    chosen, _ = draw_strata("s", "X/2025-03", [Stratum("", Decimal(rate), keys)], set())
    assert len(sql_draw("s", "X/2025-03", [("", rate, keys)], [])) == len(chosen)
