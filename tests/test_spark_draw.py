"""docs/sql-draw.md's Spark SQL form of SSJ-DRAW-1, run on a real engine past one machine's
reach: pyspark in local mode (Java from the system's packages). It selects exactly what the
records hold — the example year's draws, with exclusions — and what ``rules.draw`` selects
from a generated roster, flat and stratified, also when drawn in shards and merged.

Slow (a JVM starts): run by .ci/run with ``-m slow``, which installs pyspark (the ``spark``
extra) and sets SSJ_REQUIRE_SPARK so that a missing engine fails instead of skipping.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.rules.draw import Stratum, draw_strata
from shuangsuiji.rules.ratio import parse_rate
from shuangsuiji.rules.records import DrawRecord

from .conftest import ROOT

pytestmark = pytest.mark.slow

DOC = (ROOT / "docs" / "sql-draw.md").read_text(encoding="utf-8")


def _block(tag: str) -> str:
    found = re.search(rf"```sql {tag}\n(.*?)```", DOC, re.S)
    assert found is not None, tag
    return found.group(1)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    # Checked here, not at import: the default run deselects these tests without a word.
    if not os.environ.get("SSJ_REQUIRE_SPARK"):
        pytest.importorskip("pyspark", reason='pip install -e ".[spark]" (and Java 17)')
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("ssj-draw")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def spark_draw(
    spark: Any,
    seed: str,
    scope: str,
    strata: list[tuple[str, str, list[str]]],
    excluded: list[str],
    shards: int = 0,
) -> list[tuple[int, str, str]]:
    """The documented query on Spark (``shards``: the shard-and-merge form, the population
    split round-robin into that many shards)."""
    rows = [
        (key, value, n % shards if shards else 0)
        for value, _, keys in strata
        for n, key in enumerate(keys)
    ]
    spark.createDataFrame(rows, "key string, stratum string, shard int").createOrReplaceTempView(
        "population"
    )
    spark.createDataFrame([(k,) for k in excluded], "key string").createOrReplaceTempView(
        "excluded"
    )
    spark.createDataFrame(
        [(value, rate) for value, rate, _ in strata], "stratum string, rate string"
    ).createOrReplaceTempView("rates")
    query = _block("spark-shards" if shards else "spark")
    found = spark.sql(query, args={"seed": seed, "scope": scope}).collect()
    return [(int(r["rank"]), str(r["key"]), str(r["ticket"])) for r in found]


def _record_strata(record: DrawRecord) -> list[tuple[str, str, list[str]]]:
    if record.strata:
        return [(s.value, str(parse_rate(s.rate)), s.keys) for s in record.strata]
    assert isinstance(record.ratio, str)
    return [("", str(parse_rate(record.ratio)), record.population.keys)]


def test_the_example_year_by_spark_sql(spark: Any, workspace: Path) -> None:
    excluding = 0
    for month in ("2025-03", "2025-05", "2025-08", "2025-10"):
        for record in draw_month(workspace, month).records:
            assert isinstance(record, DrawRecord)
            wanted = [(s.rank, s.uscc, s.ticket) for s in record.selected]
            strata = _record_strata(record)
            found = spark_draw(spark, record.seed, record.scope, strata, record.excluded)
            assert found == wanted, record.scope
            sharded = spark_draw(spark, record.seed, record.scope, strata, record.excluded, 3)
            assert sharded == wanted, record.scope
            assert record.k - len(found) == record.shortfall
            excluding += bool(record.excluded)
    assert excluding  # later months exclude earlier selections: Spark saw exclusions


@pytest.mark.parametrize(
    "rates",
    [
        {"": "0.03"},  # a flat ratio
        {"A": "0.03", "B": "0.05", "C": "0.1", "D": "0.3333"},  # stratified
    ],
)
def test_a_generated_roster_by_spark_sql_whole_and_in_shards(
    spark: Any, rates: dict[str, str]
) -> None:
    # 40,000 codes of a district's shape, spread over the strata, every 7th excluded.
    keys = [f"91410311MA{n:07X}{n % 10}" for n in range(40_000)]
    strata = [
        Stratum(value, Decimal(rate), sorted(keys[i :: len(rates)]))
        for i, (value, rate) in enumerate(rates.items())
    ]
    excluded = sorted(keys[::7])
    chosen, shortfall = draw_strata("计划种子/本月秘密", "AJ-01/2025-03", strata, set(excluded))
    wanted = [(rank, key, tk) for rank, (tk, key) in enumerate(chosen, start=1)]
    shape = [(s.value, str(s.rate), s.keys) for s in strata]
    whole = spark_draw(spark, "计划种子/本月秘密", "AJ-01/2025-03", shape, excluded)
    assert whole == wanted and shortfall == 0 and len(wanted) > 1000
    shards = spark_draw(spark, "计划种子/本月秘密", "AJ-01/2025-03", shape, excluded, 8)
    assert shards == wanted
