"""A task's population from the enterprise roster: the rows SSJ-DRAW-1 draws from.

The eligibility rule itself (normalised values, operating statuses) is in ``rules.keys``; this
module applies it to a whole roster at once and hands the draw plain sorted keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.plan import Item, JointTask, Plan
from shuangsuiji.inputs.rosters import KEY, NAME, STATUS, EnterpriseRoster, normalize_column
from shuangsuiji.rules.draw import Stratum, quota
from shuangsuiji.rules.keys import is_operating, normalize_value


def eligible_mask(roster: EnterpriseRoster, targets: Mapping[str, Sequence[str]]) -> pd.Series:
    """Rows whose every target column holds an allowed value and whose 经营状态 is operating."""
    frame = roster.frame
    mask = pd.Series(True, index=frame.index)
    for column, allowed in targets.items():
        wanted = {normalize_value(v) for v in allowed}
        mask &= roster.values(column).isin(wanted)
    if STATUS in frame.columns:
        operating = {s for s in frame[STATUS].unique() if is_operating(s)}
        mask &= frame[STATUS].isin(operating)
    return mask


def population(plan: Plan, task: Item | JointTask, roster: EnterpriseRoster) -> pd.DataFrame:
    """The roster rows eligible for a task (a joint task uses the targets of the item it covers)."""
    mask = eligible_mask(roster, plan.base_item(task).targets).to_numpy()
    # Rows in key order, so the population's keys come out sorted without sorting them.
    return roster.frame.take(roster.key_order[mask[roster.key_order]])


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


def build_strata(task: Item | JointTask, eligible: pd.DataFrame) -> list[Stratum]:
    """The task's strata over its eligible population (one stratum for a flat ratio)."""
    keys = eligible[KEY]
    ratio = task.ratio
    if ratio.rate is not None:
        return [Stratum("", ratio.rate, sorted(keys.tolist()))]
    assert ratio.by is not None
    values = normalize_column(eligible[ratio.by])
    strata = []
    for value, group in keys.groupby(values, sort=True):
        rate = ratio.rate_for(str(value))
        if rate is None:
            raise InputError(
                f"{task.id} 的分层比例没有给出“{value}”层的比例；请补上该层或 default",
            )
        strata.append(Stratum(str(value), rate, sorted(group.tolist())))
    return strata


def names_lookup(eligible: pd.DataFrame) -> Callable[[list[str]], Mapping[str, str]]:
    """Names of the selected enterprises, looked up only once the selection is known."""

    def names(keys: list[str]) -> Mapping[str, str]:
        rows = eligible.loc[eligible[KEY].isin(keys), [KEY, NAME]]
        return {k: str(n).strip() for k, n in zip(rows[KEY], rows[NAME], strict=True)}

    return names
