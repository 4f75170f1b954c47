"""SSJ-DRAW-1, the normative draw (DESIGN.md §4): population, quota, tickets, selection.

Everything that decides which enterprises are drawn lives in this one file.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pandas as pd

from shuangsuiji.plan import Item, JointTask, Plan
from shuangsuiji.rosters import (
    STATUS,
    EnterpriseRoster,
    is_operating,
    normalize_column,
    normalize_value,
)


def quota(n: int, rate: Decimal) -> int:
    """k = ⌈n × rate⌉ computed exactly; at least 1 when n > 0, never more than n."""
    if n <= 0:
        return 0
    k = int((Decimal(n) * rate).to_integral_value(rounding=ROUND_CEILING))
    return min(max(k, 1), n)


def base_item(plan: Plan, task: Item | JointTask) -> Item:
    """The item whose targets define a task's population (a joint task uses the item it covers)."""
    return plan.item(task.covers) if isinstance(task, JointTask) else task


def population(plan: Plan, task: Item | JointTask, roster: EnterpriseRoster) -> pd.DataFrame:
    """The roster rows eligible for a task: every target matches and the enterprise operates."""
    frame = roster.frame
    mask = pd.Series(True, index=frame.index)
    for column, allowed in base_item(plan, task).targets.items():
        wanted = {normalize_value(v) for v in allowed}
        mask &= normalize_column(frame[column]).isin(wanted)
    if STATUS in frame.columns:
        statuses = frame[STATUS].unique()
        operating = {s for s in statuses if is_operating(s)}
        mask &= frame[STATUS].isin(operating)
    return frame.loc[mask]


def strata_sizes(task: Item | JointTask, eligible: pd.DataFrame) -> dict[str, int]:
    """Population size per stratum of a stratified ratio (one stratum "" for a flat ratio)."""
    by = task.ratio.by
    if by is None:
        return {"": len(eligible)}
    counts = normalize_column(eligible[by]).value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items())}


def task_quota(task: Item | JointTask, eligible: pd.DataFrame) -> int:
    """The total number to draw for a task (the sum over strata when stratified)."""
    ratio = task.ratio
    if ratio.rate is not None:
        return quota(len(eligible), ratio.rate)
    total = 0
    for stratum, size in strata_sizes(task, eligible).items():
        rate = ratio.rate_for(stratum)
        if rate is not None:
            total += quota(size, rate)
    return total
