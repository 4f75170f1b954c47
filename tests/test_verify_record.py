"""``ssj verify`` on one record: every field a reader relies on is recomputed, and a record
changed in any one of them is named for that field (docs/spec.md §4)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from shuangsuiji.rules.draw import DrawInput, Stratum, draw
from shuangsuiji.rules.ratio import Ratio
from shuangsuiji.rules.records import DrawRecord
from shuangsuiji.rules.verify import record_differences

A_KEYS = [f"91410311MAA{i:07d}" for i in range(30)]
B_KEYS = [f"91410311MAB{i:07d}" for i in range(10)]


def _record(**changes: Any) -> DrawRecord:
    """A stratified draw (A 10%, B 50%) whose earlier selections leave B one short."""
    task = DrawInput(
        task_id="AJ-01",
        covers=None,
        year=2025,
        month=5,
        plan_seed="洛龙区应急管理局2025年度双随机抽查",
        secret=None,
        commitment=None,
        extra="3 1 5",
        ratio=Ratio.model_validate({"by": "信用风险分类", "A": "10%", "B": "50%"}),
        targets={"行业": ["冶金"]},
        strata=[
            Stratum("A", Decimal("0.1"), A_KEYS),
            Stratum("B", Decimal("0.5"), B_KEYS),
        ],
        excluded=frozenset(B_KEYS[:6]),
        names=lambda keys: {k: f"企业{k[-3:]}" for k in keys},
        created_at="2025-05-06T09:00:00+08:00",
        tool_version="test",
    )
    record = draw(replace(task, **changes))
    assert record_differences(record) == []
    return record


def _edited(record: DrawRecord, edit: Any) -> DrawRecord:
    data = json.loads(record.to_json())
    edit(data)
    return DrawRecord.from_dict(data)


def test_the_shortfall_is_recomputed() -> None:
    record = _record()
    assert record.shortfall == 1  # B: 5 to draw, 4 left after the earlier selections
    found = record_differences(_edited(record, lambda d: d.update(shortfall=0)))
    assert found == ["shortfall 应为 1，记录为 0"]


def test_the_scope_must_be_the_item_and_month() -> None:
    record = _record()
    found = record_differences(_edited(record, lambda d: d.update(scope="AJ-01/2025-04")))
    assert "scope 应为 AJ-01/2025-05，记录为 AJ-01/2025-04" in found


def test_each_stratums_quota_is_recomputed() -> None:
    record = _record()
    assert record.strata is not None and [s.k for s in record.strata] == [3, 5]

    def lower(data: dict[str, Any]) -> None:
        data["strata"][0]["k"] = 2  # the record's total k and selection left as drawn

    found = record_differences(_edited(record, lower))
    assert found == ["“A”层：对象 30 家按 10% 应抽 3 家，记录为 2"]


def test_exclusions_outside_the_population_are_not_listed() -> None:
    # An earlier selection over the item that is not in this population excludes nothing.
    outside = "91410311MAC0000001"
    record = _record(excluded=frozenset({*B_KEYS[:6], outside}))
    assert record.excluded == sorted(B_KEYS[:6])
    found = record_differences(_edited(record, lambda d: d["excluded"].append(outside)))
    assert found == ["excluded 中有 1 个代码不在对象名单中"]


@pytest.mark.parametrize("field", ["seed", "k"])
def test_a_changed_seed_or_total_is_named(field: str) -> None:
    record = _record()
    found = record_differences(_edited(record, lambda d: d.update({field: d[field] * 2})))
    assert found and (
        found[0].startswith("seed 应为") if field == "seed" else "应抽 8 家" in found[0]
    )
