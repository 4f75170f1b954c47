"""A task's population from the enterprise roster: the rows SSJ-DRAW-1 draws from.

The eligibility rule itself (normalised values, operating statuses) is in ``rules.keys``; this
module applies it to a whole roster at once and hands the draw plain sorted keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property, partial
from typing import overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.plan import Item, JointTask, Plan
from shuangsuiji.inputs.rosters import (
    NAME,
    STATUS,
    EnterpriseRoster,
    category_counts,
    category_mask,
    sorted_lookup,
    sorted_repeats,
)
from shuangsuiji.inputs.tables import WORKERS, Positions, in_threads, text_offsets
from shuangsuiji.rules.draw import PART_KEYS, Stratum, quota
from shuangsuiji.rules.keys import is_operating, normalize_value
from shuangsuiji.rules.records import INLINE_KEYS, Accounting

BLANK = "（空）"


def eligible_mask(
    roster: EnterpriseRoster, targets: Mapping[str, Sequence[str]]
) -> npt.NDArray[np.bool_]:
    """Rows whose every target column holds an allowed value and whose 经营状态 is operating
    (computed once per roster and targets: the workspace check and the draw share it)."""
    return roster.memo(("eligible", _targets_key(targets)), lambda: _eligible_mask(roster, targets))


def _targets_key(targets: Mapping[str, Sequence[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Targets as a key of :meth:`EnterpriseRoster.memo`."""
    return tuple((c, tuple(v)) for c, v in sorted(targets.items()))


def _eligible_mask(
    roster: EnterpriseRoster, targets: Mapping[str, Sequence[str]]
) -> npt.NDArray[np.bool_]:
    mask = np.ones(len(roster), dtype=bool)
    conditions = {c: {normalize_value(v) for v in allowed} for c, allowed in targets.items()}
    if STATUS in roster.columns:
        statuses = roster.values(STATUS).dictionary.to_pylist()
        conditions[STATUS] = {s for s in statuses if is_operating(s)}
    for column, wanted in conditions.items():
        mask &= category_mask(roster.values(column), wanted)
    mask.flags.writeable = False  # shared by every caller
    return mask


@dataclass(frozen=True)
class Eligible:
    """A task's eligible rows of the roster, in key order."""

    roster: EnterpriseRoster
    rows: Positions  # positions in the roster, sorted by key

    def __len__(self) -> int:
        return len(self.rows)

    @cached_property
    def keys(self) -> pa.Array:
        """The eligible keys, sorted."""
        return self.values_of(self.roster.keys)

    def values(self, column: str) -> pa.DictionaryArray:
        """A column of the eligible rows, normalised for matching (categories)."""
        taken: pa.DictionaryArray = self.values_of(self.roster.values(column))
        return taken

    def values_of(self, column: pa.Array) -> pa.Array:
        taken: pa.Array = column.take(pa.array(self.rows))
        return taken


def population(plan: Plan, task: Item | JointTask, roster: EnterpriseRoster) -> Eligible:
    """The roster rows eligible for a task (a joint task uses the targets of the item it covers)."""
    targets = plan.base_item(task).targets
    mask = eligible_mask(roster, targets)
    # Rows in key order, so the population's keys come out sorted without sorting them; once
    # per roster and targets (the workspace check and the draw ask alike).
    rows = roster.memo(
        ("population", _targets_key(targets)), lambda: _in_key_order(roster.key_order, mask)
    )
    return Eligible(roster, rows)


def _in_key_order(order: Positions, mask: npt.NDArray[np.bool_]) -> Positions:
    """The rows under ``mask`` in key order (``order``): a piece of the order on each core (a
    province's is twenty million gathers from the mask), the pieces end to end."""
    step = max(1 << 20, -(-len(order) // WORKERS))

    def piece(start: int) -> Positions:
        rows = order[start : start + step]
        found: Positions = rows[mask[rows]]
        return found

    return np.concatenate(in_threads(piece, range(0, len(order), step)) or [order[:0]])


def strata_sizes(task: Item | JointTask, eligible: Eligible) -> dict[str, int]:
    """Population size per stratum of a stratified ratio (one stratum "" for a flat ratio)."""
    by = task.ratio.by
    if by is None:
        return {"": len(eligible)}
    return dict(sorted(category_counts(eligible.values(by)).items()))


def task_quota(task: Item | JointTask, eligible: Eligible) -> int:
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


class KeyColumn(Sequence[str]):
    """A long sorted key list kept as an Arrow column: it reads as a list of str, and joins
    itself for its file and digest in Arrow, so a province's population (millions of keys) is
    never a Python string a key. Made with ``rows``, it is those rows of ``array`` and holds
    only their numbers: the keys are taken from the roster each time they are used (a few
    times a draw), not kept beside it for every task of the month."""

    _BATCH = 65_536  # keys made into Python strings at a time when iterated

    def __init__(
        self,
        array: pa.Array | pa.ChunkedArray,
        rows: Positions | None = None,
        fixed: npt.NDArray[np.bytes_] | None = None,
    ) -> None:
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        self._source: pa.Array = array
        self._rows = rows
        self._fixed = fixed  # ``array`` as ASCII keys of one width, when they are
        # A list of one part is joined for its digest, the ledger and its file: joined once
        # (a few MB). A longer one is joined each time, never held whole.
        self._joined: dict[tuple[int, int | None], bytes] | None = (
            {} if len(self) <= PART_KEYS else None
        )

    @classmethod
    def of_parts(cls, parts: Iterable[bytes]) -> KeyColumn:
        """A kept key list from its text a part at a time, as the ledger keeps it (keys joined
        by "\n"): one Arrow array with 64-bit offsets, never a Python string a key."""
        chunks = [
            pc.split_pattern(
                pa.array([part], pa.large_binary()).cast(pa.large_string()), "\n"
            ).flatten()
            for part in parts
            if part
        ]
        return cls(pa.chunked_array(chunks, pa.large_string()))

    @property
    def arrow(self) -> pa.Array:
        """The keys as one Arrow array."""
        if self._rows is None:
            return self._source
        taken: pa.Array = self._source.take(pa.array(self._rows))
        return taken

    def rows_of(self) -> tuple[pa.Array, Positions] | None:
        """(the array, the rows of it this column is), when made with rows: an engine can
        take the whole array as it is and pick the rows itself."""
        return None if self._rows is None else (self._source, self._rows)

    def __len__(self) -> int:
        return len(self._source) if self._rows is None else len(self._rows)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            found: list[str] = self._part(index).to_pylist()
            return found
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        at = index if self._rows is None else int(self._rows[index])
        text: str = self._source[at].as_py()
        return text

    def _part(self, index: slice) -> pa.Array:
        if self._rows is None:
            return self._source[index]
        return self._source.take(pa.array(self._rows[index]))

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self), self._BATCH):
            yield from self._part(slice(start, start + self._BATCH)).to_pylist()

    def among(self, keys: AbstractSet[str]) -> list[str]:
        """Those of ``keys`` in the column, sorted."""
        column = self.arrow
        found = column.filter(pc.is_in(column, value_set=pa.array(sorted(keys), column.type)))
        return sorted(found.to_pylist())

    def joined(self, start: int = 0, end: int | None = None) -> bytes:
        """Keys ``start`` to ``end`` joined by "\n" (UTF-8), from Arrow's buffers: each key
        with a newline after it, end to end, less the last newline."""
        if self._joined is None:
            return self._join(start, end)
        if (start, end) not in self._joined:
            self._joined[start, end] = self._join(start, end)
        return self._joined[start, end]

    def _join(self, start: int, end: int | None) -> bytes:
        part = slice(start, end)
        if not len(range(len(self))[part]):
            return b""
        if self._fixed is not None and self._rows is not None:
            # Keys of one width: rows of a byte matrix with a newline column, no Arrow copy.
            rows = self._rows[part]
            width = self._fixed.dtype.itemsize
            matrix = np.empty((len(rows), width + 1), dtype=np.uint8)
            keys = self._fixed.view(np.uint8).reshape(-1, width)
            np.take(keys, rows, axis=0, out=matrix[:, :width], mode="clip")
            matrix[:, width] = ord("\n")
            return matrix.reshape(-1)[:-1].tobytes()
        keys = self._part(part)
        lines = pc.binary_join_element_wise(
            keys, pa.scalar("", keys.type), pa.scalar("\n", keys.type)
        )
        offsets = text_offsets(lines)
        return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1] - 1].tobytes()


COLUMN_KEYS = INLINE_KEYS  # longer populations go to a key file: they stay Arrow


def _key_list(eligible: Eligible, members: npt.NDArray[np.bool_] | None = None) -> Sequence[str]:
    """Keys of the population (``members`` of it) as the draw takes them: a list, or past
    COLUMN_KEYS a column of their rows in the roster."""
    rows = eligible.rows if members is None else eligible.rows[members]
    if len(rows) > COLUMN_KEYS:
        roster = eligible.roster
        return KeyColumn(roster.keys, rows, roster.fixed if roster.uniform else None)
    keys = eligible.keys if members is None else eligible.keys.filter(pa.array(members))
    found: list[str] = keys.to_pylist()
    return found


def build_strata(task: Item | JointTask, eligible: Eligible) -> list[Stratum]:
    """The task's strata over its eligible population (one stratum for a flat ratio)."""
    ratio = task.ratio
    if ratio.rate is not None:
        return [Stratum("", ratio.rate, _key_list(eligible))]
    assert ratio.by is not None
    values = eligible.values(ratio.by)
    strata = []
    for value in sorted(category_counts(values)):
        rate = ratio.rate_for(value)
        if rate is None:
            raise InputError(
                f"{task.id} 的分层比例没有给出“{value}”层的比例；请补上该层或 default",
            )
        strata.append(Stratum(value, rate, _key_list(eligible, category_mask(values, [value]))))
    return strata


def names_lookup(eligible: Eligible) -> Callable[[list[str]], Mapping[str, str]]:
    """Names of the selected enterprises, looked up only once the selection is known."""

    def names(keys: list[str]) -> Mapping[str, str]:
        return eligible.roster.details_at(*selected_rows([(eligible, keys)]), [NAME])[NAME]

    return names


def selected_rows(picks: Sequence[tuple[Eligible, list[str]]]) -> tuple[list[str], Positions]:
    """(the codes each population picked, found; their roster rows), each looked up among its
    own population's rows (in key order: its keys are not copied out of the roster), so that
    a column is then taken for all of them at once — a province's names are read from its
    file once for the month, not once a task."""
    keys: list[str] = []
    rows: list[Positions] = []
    for eligible, wanted in picks:
        found, at = sorted_lookup(eligible.roster.fixed, wanted, eligible.rows)
        keys += found
        rows.append(eligible.rows[at])
    return keys, np.concatenate(rows) if rows else np.array([], dtype=np.intp)


def _counts(
    values: pa.DictionaryArray, mask: npt.NDArray[np.bool_], label: str = ""
) -> dict[str, int]:
    """How many rows under ``mask`` hold each value (blank as （空）), keyed "{label}{value}"."""
    if not mask.any():
        return {}
    return {f"{label}{v or BLANK}": n for v, n in category_counts(values, mask).items()}


def _code_masks(
    roster: EnterpriseRoster,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Rows without a code, and rows whose code is on several rows (the same for every task)."""
    rows = len(roster)
    keys = roster.keys
    invalid = pc.equal(pc.binary_length(keys), 0).to_numpy(zero_copy_only=False)
    repeats = roster.memo("repeats", lambda: sorted_repeats(roster.fixed, roster.key_order))
    duplicate = np.zeros(rows, dtype=bool)
    duplicate[roster.key_order[repeats]] = True  # each repeat and the key it repeats
    duplicate[roster.key_order[repeats - 1]] = True
    duplicate &= ~invalid
    invalid.flags.writeable = duplicate.flags.writeable = False  # shared by every task
    return invalid, duplicate


def _reasons(values: pa.DictionaryArray, before: str, after: str = "") -> pa.Array:
    """A reason text per row, made once per category."""
    texts = pc.binary_join_element_wise(before, values.dictionary, after, "")
    return texts.take(values.indices)


def account(plan: Plan, task: Item | JointTask, roster: EnterpriseRoster) -> Accounting:
    """Every roster row counted once for a task (docs/spec.md §4.2), in this order: a blank
    code, a code on several rows, a blank target cell, a value not among the targets (which
    column and value), a 经营状态 not eligible (which), or eligible."""
    rows = len(roster)
    keys = roster.keys
    invalid, duplicate = roster.memo("codes", lambda: _code_masks(roster))
    remaining = ~invalid & ~duplicate
    listed = rows <= INLINE_KEYS
    outside: dict[str, str] = {}

    def why(mask: npt.NDArray[np.bool_], reasons: Callable[[], pa.Array] | str) -> None:
        # Each enterprise outside the population, by code, with the reason people read (the
        # reasons, a column of texts, made only for a roster short enough to list).
        if not listed or not mask.any():
            return
        taken = pa.array(mask)
        codes = keys.filter(taken).to_pylist()
        texts = [reasons] * len(codes) if isinstance(reasons, str) else reasons().filter(taken)
        outside.update(
            zip(codes, texts if isinstance(texts, list) else texts.to_pylist(), strict=True)
        )

    blank_target = 0
    not_target: dict[str, int] = {}
    for column, allowed in plan.base_item(task).targets.items():
        values = roster.values(column)
        blank = category_mask(values, [""]) & remaining
        blank_target += int(blank.sum())
        why(blank, f"名录库中其{column}为空")
        remaining &= ~blank
        fits = category_mask(values, {normalize_value(v) for v in allowed})
        for value, count in _counts(values, remaining & ~fits, f"{column}：").items():
            not_target[value] = not_target.get(value, 0) + count
        why(
            remaining & ~fits,
            partial(_reasons, values, f"名录库中其{column}为", "，不在本事项的抽查范围"),
        )
        remaining &= fits
    status: dict[str, int] = {}
    if STATUS in roster.columns:
        values = roster.values(STATUS)
        operating = {s for s in values.dictionary.to_pylist() if is_operating(s)}
        fits = category_mask(values, operating)
        status = _counts(values, remaining & ~fits)
        why(remaining & ~fits, partial(_reasons, values, "名录库中其经营状态为"))
        remaining &= fits
    return Accounting(
        rows=rows,
        invalid_code=int(invalid.sum()),
        duplicate=int(duplicate.sum()),
        blank_target=blank_target,
        not_target=dict(sorted(not_target.items(), key=lambda kv: (-kv[1], kv[0]))),
        status=dict(sorted(status.items(), key=lambda kv: (-kv[1], kv[0]))),
        eligible=int(remaining.sum()),
        outside=dict(sorted(outside.items())),
    )
