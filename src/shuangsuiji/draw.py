"""SSJ-DRAW-1, the normative draw (DESIGN.md §4): population, quota, tickets, selection.

Everything that decides which enterprises are drawn lives in this one file.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

import numpy as np
import pandas as pd

from shuangsuiji import rfc3797
from shuangsuiji.exceptions import InputError
from shuangsuiji.plan import Item, JointTask, Plan
from shuangsuiji.ratio import format_rate
from shuangsuiji.rosters import (
    KEY,
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
    mask = eligible_mask(roster, base_item(plan, task).targets).to_numpy()
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


SPEC = "SSJ-DRAW-1"
SEPARATOR = "\x1f"
# The order in which a record's fields are published (DESIGN.md §4).
RECORD_FIELDS = (
    "spec", "scope", "item_id", "month", "seed", "key_string", "ratio", "targets", "population",
    "strata", "excluded", "k", "selected", "shortfall", "created_at", "tool_version",
)  # fmt: skip


def _compact(value: object) -> str:
    # Without indent the json module uses its C encoder: a million keys in a blink.
    return json.dumps(value, ensure_ascii=False)


def _selected_line(entry: Mapping[str, Any]) -> str:
    # Written out by hand: json.dumps per entry costs more than the draw for 10⁴ entries.
    return (
        f'    {{"rank": {int(entry["rank"])}, "uscc": {_compact(entry["uscc"])}, '
        f'"name": {_compact(entry["name"])}, "ticket": {_compact(entry["ticket"])}}}'
    )


def _keys_json(keys: Sequence[str]) -> str:
    """A list of codes as JSON; valid codes are ASCII letters and digits, so a join will do."""
    joined = "".join(keys)
    if joined.isascii() and joined.isalnum():
        return '["' + '", "'.join(keys) + '"]' if keys else "[]"
    return _compact(list(keys))


def record_json(record: Mapping[str, Any]) -> str:
    """The published text of a record: one field per line in spec order, one selected
    enterprise per line. The ledger stores and hashes exactly this text."""
    lines = []
    for key, value in ordered(record).items():
        if key == "selected" and value:
            text = "[\n" + ",\n".join(map(_selected_line, value)) + "\n  ]"
        elif key == "population":
            keys = _keys_json(value["keys"])
            text = f'{{"size": {int(value["size"])}, "digest": {_compact(value["digest"])}, "keys": {keys}}}'
        else:
            text = _compact(value)
        lines.append(f"  {_compact(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def records_json(texts: Sequence[str]) -> str:
    """Record texts as the JSON array ``ssj draw --json`` prints."""
    if not texts:
        return "[]\n"
    return "[\n" + ",\n".join(t.rstrip("\n") for t in texts) + "\n]\n"


def ordered(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record with its fields, and those of its parts, in publication order.

    The ledger stores records with sorted keys; this gives back the published layout, so a
    record reads the same whether it was just drawn or read back.
    """
    out = {f: record[f] for f in RECORD_FIELDS if f in record}
    out |= {f: v for f, v in record.items() if f not in out}
    population = out["population"]
    out["population"] = {k: population[k] for k in ("size", "digest", "keys")}
    out["targets"] = dict(sorted(out.get("targets", {}).items()))
    if isinstance(out["ratio"], dict):
        ratio = dict(out["ratio"])
        head = {"by": ratio.pop("by")}
        tail = {"default": ratio.pop("default")} if "default" in ratio else {}
        out["ratio"] = head | dict(sorted(ratio.items())) | tail
    if "strata" in out:
        out["strata"] = [
            {k: s[k] for k in ("value", "rate", "size", "k", "keys")} for s in out["strata"]
        ]
    out["selected"] = [
        {k: s[k] for k in ("rank", "uscc", "name", "ticket")} for s in out["selected"]
    ]
    return out


def scope_of(task_id: str, year: int, month: int) -> str:
    """The draw scope "{task}/{YYYY-MM}", e.g. "AJ-01/2025-03"."""
    return f"{task_id}/{year:04d}-{month:02d}"


def effective_seed(plan_seed: str, extra: str | None = None) -> str:
    """The seed a draw uses: the plan seed, or "{plan seed}/{extra}" with public randomness."""
    seed = unicodedata.normalize("NFC", plan_seed).strip()
    if extra is not None and extra.strip():
        seed = f"{seed}/{unicodedata.normalize('NFC', extra).strip()}"
    return seed


def ticket(seed: str, scope: str, key: str) -> str:
    """SHA-256 hex of ``seed ‖ 0x1F ‖ scope ‖ 0x1F ‖ key`` (UTF-8)."""
    return hashlib.sha256(f"{seed}{SEPARATOR}{scope}{SEPARATOR}{key}".encode()).hexdigest()


def _digests(seed: str, scope: str, keys: Iterable[str]) -> list[bytes]:
    """Raw SHA-256 digests of the tickets; bytes order is the hex order, and cheaper."""
    copy = hashlib.sha256(f"{seed}{SEPARATOR}{scope}{SEPARATOR}".encode()).copy
    result = []
    for key in keys:
        h = copy()
        h.update(key.encode())
        result.append(h.digest())
    return result


def tickets(seed: str, scope: str, keys: Iterable[str]) -> list[str]:
    """:func:`ticket` for many keys, hashing the shared prefix once."""
    return [d.hex() for d in _digests(seed, scope, keys)]


def population_digest(sorted_keys: Sequence[str]) -> str:
    """SHA-256 hex of the sorted keys joined by newlines."""
    return hashlib.sha256("\n".join(sorted_keys).encode()).hexdigest()


@dataclass(frozen=True)
class Stratum:
    """One stratum of a draw: its value of the ``by`` column, rate, keys and quota."""

    value: str
    rate: Decimal
    keys: list[str]  # sorted

    @property
    def k(self) -> int:
        return quota(len(self.keys), self.rate)


def smallest_tickets(
    seed: str, scope: str, candidates: Sequence[str], k: int
) -> list[tuple[str, str]]:
    """The ``k`` candidates with the smallest tickets, as (ticket, key), by ticket ascending."""
    digests = _digests(seed, scope, candidates)
    if 0 < k < len(digests):
        # Byte order refines the order of the first 8 bytes, so the k smallest tickets are
        # among those whose 8-byte prefix is at most the k-th smallest prefix: a numpy
        # partition narrows a million candidates to about k before the exact comparison.
        prefixes = np.frombuffer(b"".join(digests), dtype=">u8")[::4]
        kth = np.partition(prefixes, k - 1)[k - 1]
        shortlist = np.flatnonzero(prefixes <= kth).tolist()
        pairs = [(digests[i], candidates[i]) for i in shortlist]
    else:
        pairs = list(zip(digests, candidates, strict=True))
    return [(digest.hex(), key) for digest, key in heapq.nsmallest(k, pairs)]


def draw_strata(
    seed: str, scope: str, strata: Sequence[Stratum], excluded: set[str]
) -> tuple[list[tuple[str, str]], int]:
    """SSJ-DRAW-1 selection: per stratum the k_s smallest tickets among candidates.

    Returns the selection as (ticket, key) by ticket ascending, and the shortfall (how many
    fewer than the quota could be drawn because exclusions left too few candidates).
    """
    chosen: list[tuple[str, str]] = []
    shortfall = 0
    for stratum in strata:
        candidates = [key for key in stratum.keys if key not in excluded]
        picked = smallest_tickets(seed, scope, candidates, stratum.k)
        shortfall += stratum.k - len(picked)
        chosen += picked
    return sorted(chosen), shortfall


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


def select_rfc3797(
    key_string: str, strata: Sequence[Stratum], excluded: set[str]
) -> tuple[list[tuple[str, str]], int]:
    """RFC 3797 selection over the candidates ordered by key: (MD5 hex, key) in draw order."""
    if len(strata) != 1:
        raise InputError("RFC 3797 方式不支持分层比例；请用默认的 SSJ-DRAW-1 方式抽取")
    [stratum] = strata
    pool = [key for key in stratum.keys if key not in excluded]
    picked = rfc3797.select(key_string, len(pool), stratum.k)
    return [(digest, pool[index]) for index, digest in picked], stratum.k - len(picked)


def make_record(
    *,
    task: Item | JointTask,
    plan: Plan,
    year: int,
    month: int,
    seed: str,
    strata: Sequence[Stratum],
    excluded: set[str],
    names: Callable[[list[str]], Mapping[str, str]],
    created_at: str,
    tool_version: str,
    key_string: str | None = None,
) -> dict[str, Any]:
    """Draw one task and return its self-contained record.

    SSJ-DRAW-1 by default; RFC 3797 when ``key_string`` (from public sources) is given.
    ``names`` looks up the enterprise names of the selected keys.
    """
    scope = scope_of(task.id, year, month)
    if key_string is None:
        chosen, shortfall = draw_strata(seed, scope, strata, excluded)
    else:
        chosen, shortfall = select_rfc3797(key_string, strata, excluded)
    keys = sorted(k for s in strata for k in s.keys)
    name_of = names([key for _, key in chosen])
    record: dict[str, Any] = {
        "spec": SPEC if key_string is None else rfc3797.SPEC,
        "scope": scope,
        "item_id": task.id,
        "month": f"{year:04d}-{month:02d}",
        "seed": seed,
        "ratio": task.ratio.to_plain(),
        "targets": base_item(plan, task).targets,
        "population": {"size": len(keys), "digest": population_digest(keys), "keys": keys},
        "excluded": sorted(excluded.intersection(keys)),
        "k": sum(s.k for s in strata),
        "selected": [
            {"rank": rank, "uscc": key, "name": name_of.get(key, ""), "ticket": tk}
            for rank, (tk, key) in enumerate(chosen, start=1)
        ],
        "shortfall": shortfall,
        "created_at": created_at,
        "tool_version": tool_version,
    }
    if task.ratio.stratified:
        record["strata"] = [
            {
                "value": s.value,
                "rate": format_rate(s.rate),
                "size": len(s.keys),
                "k": s.k,
                "keys": s.keys,
            }
            for s in strata
        ]
    if key_string is not None:
        record["key_string"] = key_string
    return ordered(record)
