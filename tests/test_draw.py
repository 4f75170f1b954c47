"""SSJ-DRAW-1 and RFC 3797 as the library computes them (docs/spec.md §4)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.inputs.rosters import load_enterprises
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules import rfc3797
from shuangsuiji.rules.draw import Stratum, draw_strata, quota, ticket, tickets
from shuangsuiji.rules.seal import compose_seed

SEED = "洛龙区应急管理局2025年度双随机抽查 3819-2207-5541"
MONTHS = ("2025-03", "2025-05", "2025-08", "2025-10")


def test_ticket_is_sha256_of_seed_scope_key() -> None:
    expected = hashlib.sha256(f"{SEED}\x1fAJ-01/2025-03\x1f91330100609167206N".encode()).hexdigest()
    assert ticket(SEED, "AJ-01/2025-03", "91330100609167206N") == expected
    keys = ["91330100609167206N", "91512081MA62K0260E"]
    assert tickets(SEED, "AJ-01/2025-03", keys) == [ticket(SEED, "AJ-01/2025-03", k) for k in keys]


def test_ticket_matches_the_shell_one_liner() -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum not available")
    command = "printf '%s\\037%s\\037%s' \"$SEED\" AJ-01/2025-03 91330100609167206N | sha256sum"
    out = subprocess.run(
        ["bash", "-c", command], env={"SEED": SEED}, capture_output=True, text=True, check=True
    ).stdout
    assert out.split()[0] == ticket(SEED, "AJ-01/2025-03", "91330100609167206N")


def test_effective_seed_with_month_secret_and_public_randomness() -> None:
    secret = "a" * 64
    assert compose_seed(" 种子 ") == "种子"
    assert compose_seed("种子", secret) == f"种子/{secret}"
    assert compose_seed("种子", secret, " 03 15 22 ") == f"种子/{secret}/03 15 22"
    assert compose_seed("种子", None, "03 15 22") == "种子/03 15 22"
    assert compose_seed("种子", secret, "  ") == f"种子/{secret}"
    # An empty plan seed is still the first part: the formula, not a default, decides.
    assert compose_seed(" ", secret) == f"/{secret}" and compose_seed("") == ""


def test_selection_is_smallest_tickets_in_ticket_order() -> None:
    keys = [f"K{i:03d}" for i in range(50)]
    stratum = Stratum("", Decimal("0.1"), keys)
    chosen, shortfall = draw_strata(SEED, "AJ-01/2025-03", [stratum], set())
    expected = sorted((ticket(SEED, "AJ-01/2025-03", k), k) for k in keys)[:5]
    assert chosen == expected and shortfall == 0


def test_only_a_shortlist_is_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    # What makes a million-row draw fast: the k smallest 8-byte prefixes (one numpy
    # partition) narrow the exact comparison to k candidates (here no two prefixes are
    # equal); with nothing to narrow (k the whole) there is no partition, and k = 0 hashes
    # nothing. Same picks either way.
    import heapq

    import numpy as np

    from shuangsuiji.rules import draw

    keys = [f"K{i:04d}" for i in range(1000)]
    full = sorted((ticket(SEED, "X/2025-03", k), k) for k in keys)
    seen: dict[str, int] = {}
    real_partition, real_nsmallest = np.partition, heapq.nsmallest

    def partition(a: object, kth: int) -> object:
        seen["partitions"] = seen.get("partitions", 0) + 1
        return real_partition(a, kth)

    def nsmallest(n: int, pairs: list[object]) -> object:
        seen["compared"] = len(pairs)
        return real_nsmallest(n, pairs)

    monkeypatch.setattr(draw.np, "partition", partition)
    monkeypatch.setattr(draw.heapq, "nsmallest", nsmallest)
    for k, partitions, compared in [(0, 0, None), (1, 1, 1), (5, 1, 5), (50, 1, 50),
                                    (999, 1, 999), (1000, 0, 1000), (1001, 0, 1000)]:  # fmt: skip
        seen.clear()
        assert draw.smallest_tickets(SEED, "X/2025-03", keys, k) == full[:k]
        assert (seen.get("partitions", 0), seen.get("compared")) == (partitions, compared), k


def test_exclusions_and_shortfall() -> None:
    keys = ["A", "B", "C"]
    stratum = Stratum("", Decimal("1"), keys)
    chosen, shortfall = draw_strata(SEED, "X/2025-03", [stratum], {"A", "B"})
    assert [k for _, k in chosen] == ["C"] and shortfall == 2


def test_stratified_quota_per_stratum() -> None:
    strata = [
        Stratum("A", Decimal("0.03"), [f"A{i}" for i in range(100)]),
        Stratum("D", Decimal("0.2"), [f"D{i}" for i in range(11)]),
    ]
    chosen, _ = draw_strata(SEED, "X/2025-03", strata, set())
    assert sum(k.startswith("A") for _, k in chosen) == 3
    assert sum(k.startswith("D") for _, k in chosen) == 3  # ⌈11 × 0.2⌉ = 3
    assert chosen == sorted(chosen)


@settings(max_examples=60, deadline=None)
@given(
    st.sets(st.text(alphabet="0123456789ABCDEF", min_size=6, max_size=6), min_size=1, max_size=120),
    st.text(alphabet="0123456789ABCDEF", min_size=7, max_size=7),
    st.sampled_from(["0.05", "0.1", "0.35"]),
)
def test_adding_one_enterprise_changes_at_most_one_selected(
    keys: set[str], newcomer: str, rate: str
) -> None:
    before_keys = sorted(keys)
    after_keys = sorted(keys | {newcomer})
    before, _ = draw_strata(SEED, "AJ-01/2025-03", [Stratum("", Decimal(rate), before_keys)], set())
    after, _ = draw_strata(SEED, "AJ-01/2025-03", [Stratum("", Decimal(rate), after_keys)], set())
    assert len({k for _, k in after} - {k for _, k in before}) <= 1


def test_rfc3797_published_example() -> None:
    key = rfc3797.key_string(rfc3797.parse_sources("9319 / 2 5 12 8 10 / 9 18 26 34 41 45"))
    assert key == "9319./2.5.8.10.12./9.18.26.34.41.45./"
    assert [i + 1 for i, _ in rfc3797.select(key, 25, 10)] == [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]


def test_quota_never_uses_binary_floats() -> None:
    assert quota(100, Decimal("0.07")) == 7
    assert 100 * 0.07 > 7  # what a float implementation would round up to 8


def _selected(outcome_records: list[dict[str, object]]) -> dict[str, list[str]]:
    return {r["scope"]: [s["uscc"] for s in r["selected"]] for r in outcome_records}  # type: ignore[index, union-attr]


def test_roster_row_order_does_not_change_the_draw(workspace: Path, tmp_path: Path) -> None:
    roster, _ = load_enterprises(workspace.parent / "enterprises.xlsx")
    assert roster is not None
    shuffled_ws = tmp_path / "shuffled"
    shuffled_ws.mkdir()
    rows = roster.data.drop_columns(["_row"])
    # Any fixed permutation that moves every row will do (a reversed, interleaved order).
    order = [*range(len(rows) - 1, -1, -2), *range(len(rows) - 2, -1, -2)]
    pacsv.write_csv(rows.take(order), shuffled_ws / "enterprises.csv")
    for name in ("officers.xlsx", "ssj-secret.txt"):
        shutil.copy(workspace.parent / name, shuffled_ws / name)
    text = workspace.read_text(encoding="utf-8").replace("enterprises.xlsx", "enterprises.csv")
    (shuffled_ws / "2025.yaml").write_text(text, encoding="utf-8")
    original = draw_month(workspace, "2025-03")
    shuffled = draw_month(shuffled_ws / "2025.yaml", "2025-03")
    assert _selected(original.records) == _selected(shuffled.records)


def test_a_parquet_roster_draws_as_its_workbook(workspace: Path, tmp_path: Path) -> None:
    # A national or provincial export comes as parquet: typed columns, missing values as null.
    roster, _ = load_enterprises(workspace.parent / "enterprises.xlsx")
    assert roster is not None
    rows = roster.data.drop_columns(["_row"])
    numbers = pa.array(range(1, len(rows) + 1), pa.int64())
    streets = pa.array([None if i % 3 else "关林街道" for i in range(len(rows))], pa.string())
    rows = rows.drop_columns(["所属街道"]).append_column("所属街道", streets)
    rows = rows.add_column(0, "序号", numbers)
    folder = tmp_path / "parquet"
    folder.mkdir()
    pq.write_table(rows, folder / "enterprises.parquet")
    for name in ("officers.xlsx", "ssj-secret.txt"):
        shutil.copy(workspace.parent / name, folder / name)
    text = workspace.read_text(encoding="utf-8").replace("enterprises.xlsx", "enterprises.parquet")
    (folder / "2025.yaml").write_text(text, encoding="utf-8")
    parquet, problems = load_enterprises(folder / "enterprises.parquet")
    assert parquet is not None and problems == []
    assert parquet.table.column("序号").to_pylist()[:2] == ["1", "2"]
    assert parquet.data["_row"].to_pylist()[:2] == [2, 3]
    assert set(parquet.table.column("所属街道").to_pylist()) == {"", "关林街道"}
    original = draw_month(workspace, "2025-03")
    again = draw_month(folder / "2025.yaml", "2025-03")
    assert original.texts[0].split('"created_at"')[0] == again.texts[0].split('"created_at"')[0]


def test_the_year_draws_no_enterprise_twice_per_item(workspace: Path) -> None:
    for month in MONTHS:
        draw_month(workspace, month)
    with Ledger.at(workspace.parent) as ledger:
        draws = ledger.draws(2025)
    assert [d.scope for d in draws] == [
        "AJ-01/2025-03", "AJ-02/2025-03",
        "LH-01/2025-05", "AJ-01/2025-05", "AJ-02/2025-05",
        "AJ-01/2025-08", "AJ-02/2025-08",
        "LH-02/2025-10", "AJ-01/2025-10", "AJ-02/2025-10",
    ]  # fmt: skip
    for base in ("AJ-01", "AJ-02"):
        chosen = [s["uscc"] for d in draws if d.base_item == base for s in d.record["selected"]]
        assert len(chosen) == len(set(chosen)) > 0
    lh01 = next(d for d in draws if d.scope == "LH-01/2025-05").record
    aj01_march = next(d for d in draws if d.scope == "AJ-01/2025-03").record
    assert lh01["excluded"] == sorted(s["uscc"] for s in aj01_march["selected"])
