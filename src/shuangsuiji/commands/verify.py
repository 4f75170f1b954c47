"""``ssj verify``: re-run published draw records, from the records alone.

The recomputation is the rule in ``rules.verify``; given the roster, the record's population
is also checked against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.population import eligible_mask
from shuangsuiji.inputs.records import load_records
from shuangsuiji.inputs.rosters import KEY, EnterpriseRoster, load_enterprises
from shuangsuiji.rules.records import DrawRecord
from shuangsuiji.rules.verify import record_differences

_MAX_LISTED = 5


def verify_record(
    record: DrawRecord | Mapping[str, Any], roster: EnterpriseRoster | None = None
) -> list[str]:
    """Every way ``record`` (typed, or as read from JSON) fails to reproduce; empty if it does."""
    try:
        typed = record if isinstance(record, DrawRecord) else DrawRecord.from_dict(record)
        also = None if roster is None else partial(_against_roster, roster=roster)
        return record_differences(typed, also)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A hand-edited record can lose any part; that is a record that does not reproduce.
        return [f"记录结构不完整或类型不对（{exc.__class__.__name__}: {exc}），无法重算"]


def _against_roster(record: DrawRecord, roster: EnterpriseRoster) -> list[str]:
    frame = roster.frame
    absent = [c for c in record.targets if c not in frame.columns]
    if absent:
        return [f"名录库没有“{'、'.join(absent)}”列，无法核对对象名单"]
    eligible = set(frame.loc[eligible_mask(roster, record.targets), KEY])
    keys = set(record.population.keys)
    out = []
    for what, diff in (
        ("名录库中符合条件、记录中却没有", eligible - keys),
        ("记录中有、名录库中却不符合条件", keys - eligible),
    ):
        if diff:
            sample = "、".join(sorted(diff)[:_MAX_LISTED])
            out.append(
                f"{what}的企业 {len(diff)} 家：{sample}{' 等' if len(diff) > _MAX_LISTED else ''}"
            )
    return out


def verify_file(path: Path, enterprises: Path | None = None) -> list[tuple[str, list[str]]]:
    """Verify every record in a file: (scope, differences) per record."""
    records = load_records(path)
    roster = None
    if enterprises is not None:
        roster, problems = load_enterprises(enterprises, uscc_check="warning")
        if roster is None or any(p.is_error for p in problems):
            raise InputError("名录库有错误，无法用来核对", problems)
    return [(r["scope"], verify_record(r, roster)) for r in records]
