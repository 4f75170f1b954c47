"""The DuckDB engine selects exactly what the reference rule selects (rules.draw.draw_strata):
same tickets, same order, same shortfall, with strata, exclusions and quotas of every size."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.commands import draw as draw_command
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.engine import draw as engine
from shuangsuiji.rules import draw as rule
from shuangsuiji.rules.draw import Stratum

from .conftest import copy_examples

KEYS = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=1, max_size=18)


@settings(max_examples=60, deadline=None)
@given(
    strata=st.lists(
        st.tuples(st.sets(KEYS, max_size=60), st.sampled_from(["0.01", "0.3", "0.5", "1"])),
        min_size=1,
        max_size=4,
    ),
    excluded_share=st.integers(0, 100),
    seed=st.text(min_size=1, max_size=20),
)
def test_the_engine_draws_what_the_rule_draws(
    strata: list[tuple[set[str], str]], excluded_share: int, seed: str
) -> None:
    built = [
        Stratum(f"层{i}", Decimal(rate), sorted(keys)) for i, (keys, rate) in enumerate(strata)
    ]
    everyone = sorted({k for s in built for k in s.keys})
    excluded = set(everyone[: len(everyone) * excluded_share // 100])
    scope = "AJ-01/2025-03"
    assert engine.draw_strata(seed, scope, built, excluded) == rule.draw_strata(
        seed, scope, built, excluded
    )


@pytest.mark.parametrize("bound", [None, "0000000000000000", "0800000000000000"])
def test_a_bound_on_the_tickets_never_changes_what_is_drawn(
    bound: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Big strata: only tickets below a bound are ranked. Its own bound (None), one nothing is
    # below, and one about 3% of tickets are below (fewer than the 5% drawn): the strata drawn
    # again without it, the same selection as the rule's.
    if bound is not None:
        monkeypatch.setattr(engine, "_bound", lambda k, candidates: bound)
    roster = [f"91410311{i:010d}" for i in range(6000)]
    built = [
        Stratum("A", Decimal("0.05"), roster[:4000]),
        Stratum("B", Decimal("0.01"), roster[4000:]),
    ]
    excluded = set(roster[::7])
    found = engine.draw_strata("种子", "AJ-01/2025-03", built, excluded)
    assert found == rule.draw_strata("种子", "AJ-01/2025-03", built, excluded)
    assert engine._bound(200, 4000) < engine.UNBOUNDED  # the real bound is used here


def test_a_large_population_is_drawn_by_the_engine_with_the_same_record(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ssj draw switches to the engine by population size; the records must be identical.
    other = copy_examples(tmp_path / "engine")
    expected = draw_month(workspace, "2025-03").texts
    monkeypatch.setattr(draw_command, "ENGINE_MIN_KEYS", 1)
    found = draw_month(other, "2025-03").texts
    assert [_without_time(t) for t in found] == [_without_time(t) for t in expected]


def _without_time(text: str) -> str:
    return re.sub(r'"created_at": "[^"]*"', "", text)


@pytest.mark.parametrize("kind", ["string", "large_string"])
def test_strata_of_a_rosters_rows_and_lists_together(kind: str) -> None:
    import numpy as np
    import pyarrow as pa

    from shuangsuiji.inputs.population import KeyColumn

    # A stratified province: big strata are rows of the roster's key column (64-bit offsets
    # past 2 GB of codes), a small one a plain list; the engine takes them together.
    roster = sorted(f"9141{i:014d}" for i in range(300))
    keys = pa.array(roster, getattr(pa, kind)())
    rows = np.arange(0, 200, dtype=np.int32)
    built = [
        Stratum("A", Decimal("0.1"), KeyColumn(keys, rows)),
        Stratum("B", Decimal("0.5"), roster[200:230]),
        Stratum("C", Decimal("0.2"), KeyColumn(keys, np.arange(230, 300, dtype=np.int32))),
    ]
    plain = [Stratum(s.value, s.rate, list(s.keys)) for s in built]
    excluded = {roster[3], roster[201]}
    found = engine.draw_strata("种子", "AJ-01/2025-03", built, excluded)
    assert found == rule.draw_strata("种子", "AJ-01/2025-03", plain, excluded)
