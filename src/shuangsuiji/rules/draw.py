"""SSJ-DRAW-1, the normative draw (docs/spec.md §4): quota, tickets, exclusion and selection.

Everything that decides which enterprises are drawn lives here, apart from reading the roster:
:func:`draw` takes a task's complete input — its strata of eligible keys, the keys excluded by
earlier draws, the seed — and returns the self-contained record anyone can re-run.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Protocol, runtime_checkable

import numpy as np

from shuangsuiji.exceptions import InputError
from shuangsuiji.rules import rfc3797
from shuangsuiji.rules.ratio import Ratio, format_rate
from shuangsuiji.rules.records import (
    INLINE_KEYS,
    Accounting,
    DrawRecord,
    LedgerHead,
    Population,
    PublicNumber,
    Selected,
    StratumEntry,
)
from shuangsuiji.rules.seal import canonical_number, compose_seed, normalize_extra

SPEC = "SSJ-DRAW-1"
SEPARATOR = "\x1f"


def quota(n: int, rate: Decimal) -> int:
    """k = ⌈n × rate⌉ computed exactly; at least 1 when n > 0, never more than n."""
    k = int((Decimal(n) * rate).to_integral_value(rounding=ROUND_CEILING))
    # For a rate in (0, 1] (parse_rate admits no other) ⌈n·r⌉ is already ≥ 1 and ≤ n when
    # n > 0; the bounds are the spec's words, and they give 0 for an empty population.
    return min(max(k, 1), n)


def scope_of(task_id: str, year: int, month: int) -> str:
    """The draw scope "{task}/{YYYY-MM}", e.g. "AJ-01/2025-03"."""
    return f"{task_id}/{year:04d}-{month:02d}"


def ticket(seed: str, scope: str, key: str) -> str:
    """SHA-256 hex of ``seed ‖ 0x1F ‖ scope ‖ 0x1F ‖ key`` (UTF-8)."""
    return hashlib.sha256(f"{seed}{SEPARATOR}{scope}{SEPARATOR}{key}".encode()).hexdigest()


def _digests(seed: str, scope: str, keys: Iterable[str]) -> bytearray:
    """The tickets' raw SHA-256 digests, 32 bytes each, end to end in one buffer (bytes order
    is the hex order; one buffer, not an object per candidate, keeps a big draw small)."""
    copy = hashlib.sha256(f"{seed}{SEPARATOR}{scope}{SEPARATOR}".encode()).copy
    result = bytearray()
    for key in keys:
        h = copy()
        h.update(key.encode())
        result += h.digest()
    return result


def tickets(seed: str, scope: str, keys: Iterable[str]) -> list[str]:
    """:func:`ticket` for many keys, hashing the shared prefix once."""
    digests = _digests(seed, scope, keys)
    return [digests[i : i + 32].hex() for i in range(0, len(digests), 32)]


@runtime_checkable
class JoinedKeys(Protocol):
    """A sorted key list that joins itself, and finds which of some keys it holds, faster
    than Python would (an Arrow column)."""

    # A protocol's signature: its defaults never run (each implementation has its own).
    def joined(self, start: int = 0, end: int | None = None) -> bytes:  # pragma: no mutate
        """Keys ``start`` to ``end`` joined by "\n" (UTF-8)."""
        ...

    def among(self, keys: AbstractSet[str]) -> list[str]:
        """Those of ``keys`` in the list, sorted."""
        ...


def present(keys: AbstractSet[str], population: Sequence[str]) -> list[str]:
    """Those of ``keys`` (the year's earlier selections) in ``population``, sorted: a key
    column is not walked a key at a time."""
    if not keys:
        return []
    if isinstance(population, JoinedKeys):
        return population.among(keys)
    return sorted(key for key in population if key in keys)


PART_KEYS = 1 << 20  # keys joined at a time: a province's list is never one bytes object


def joined_parts(keys: Sequence[str], size: int | None = None) -> Iterator[bytes]:
    """The keys joined by "\n" (UTF-8) ``size`` (default PART_KEYS) keys at a time:
    ``b"\n".join`` of the parts is a key file's bytes, whose SHA-256 is the list's digest.
    An empty list is one empty part."""
    size = size or PART_KEYS
    for start in range(0, max(len(keys), 1), size):
        if isinstance(keys, JoinedKeys):
            yield keys.joined(start, start + size)
        else:
            yield "\n".join(keys[start : start + size]).encode()


def separated(parts: Iterable[bytes]) -> Iterator[bytes]:
    """A list's parts with the "\n" between them: its file's bytes a piece at a time, no
    part copied to add the newline."""
    for index, part in enumerate(parts):
        if index:
            yield b"\n"
        yield part


def parts_digest(parts: Iterable[bytes]) -> str:
    """SHA-256 hex of a key list given as its parts (:func:`joined_parts`)."""
    digest = hashlib.sha256()
    for piece in separated(parts):
        digest.update(piece)
    return digest.hexdigest()


def population_digest(sorted_keys: Sequence[str]) -> str:
    """SHA-256 hex of the sorted keys joined by newlines."""
    return parts_digest(joined_parts(sorted_keys))


def keys_file_name(scope: str, stratum: int | None = None) -> str:
    """The file beside the record that holds a key list too long to inline: the population's
    ("抽取对象-AJ-01-2025-03.txt") or that of the n-th stratum ("…-第2层.txt")."""
    part = "" if stratum is None else f"-第{stratum}层"
    return f"抽取对象-{scope.replace('/', '-')}{part}.txt"


@dataclass(frozen=True)
class Stratum:
    """One stratum of a draw: its value of the ``by`` column, rate, keys and quota."""

    value: str
    rate: Decimal
    keys: Sequence[str]  # sorted: a list, or a column that reads as one

    @property
    def k(self) -> int:
        return quota(len(self.keys), self.rate)


def smallest_tickets(
    seed: str, scope: str, candidates: Sequence[str], k: int
) -> list[tuple[str, str]]:
    """The ``k`` candidates with the smallest tickets, as (ticket, key), by ticket ascending."""
    if k <= 0:  # an empty stratum: nothing to hash
        return []
    digests = _digests(seed, scope, candidates)
    shortlist: Iterable[int] = range(len(candidates))
    if k < len(candidates):
        # Byte order refines the order of the first 8 bytes, so the k smallest tickets are
        # among those whose 8-byte prefix is at most the k-th smallest prefix: a numpy
        # partition narrows a million candidates to about k before the exact comparison.
        prefixes = np.frombuffer(digests, dtype=">u8")[::4]
        kth = np.partition(prefixes, k - 1)[k - 1]
        shortlist = np.flatnonzero(prefixes <= kth).tolist()
    pairs = [(bytes(digests[32 * i : 32 * i + 32]), candidates[i]) for i in shortlist]
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


Selector = Callable[[str, str, Sequence[Stratum], set[str]], tuple[list[tuple[str, str]], int]]


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


@dataclass(frozen=True)
class DrawInput:
    """Everything one task's draw depends on, gathered before the rule runs."""

    task_id: str
    covers: str | None  # a joint task's covered item
    year: int
    month: int
    plan_seed: str
    secret: str | None  # s(m) of the sealed chain (docs/spec.md §4.1); None without a commitment
    commitment: str | None
    extra: str | None  # public randomness of the day (--seed-extra)
    ratio: Ratio
    targets: Mapping[str, Sequence[str]]
    strata: Sequence[Stratum]  # the eligible population, one stratum for a flat ratio
    excluded: frozenset[str]  # selected earlier this year over the same item
    names: Callable[[list[str]], Mapping[str, str]]  # names of the selected keys, looked up last
    created_at: str
    tool_version: str
    key_string: str | None = None  # RFC 3797 with these public sources, instead of SSJ-DRAW-1
    ledger_head: LedgerHead | None = None  # where the workspace's chain stood before this draw
    draw_day: str | None = None  # the month's draw day the plan fixes (ISO date), §4.3
    # The announced public number as typed; its canonical value is the seed's extra (§4.3).
    public_number: PublicNumber | None = None
    accounting: Accounting | None = None  # where every roster row went
    excluded_from: Sequence[str] = ()  # the earlier scopes over the item that ``excluded`` is from
    # How the SSJ-DRAW-1 selection is computed: this module's, or the same rule run by an
    # engine for large populations (shuangsuiji.engine.draw); the record is the same.
    select: Selector = field(default=draw_strata)


@dataclass(frozen=True)
class Choice:
    """What a task's draw picks, before its record is written: the seed, the selection as
    (ticket, key) in draw order, and the shortfall."""

    seed: str
    extra: str | None
    chosen: list[tuple[str, str]]
    shortfall: int

    @property
    def keys(self) -> list[str]:
        return [key for _, key in self.chosen]


def draw(task: DrawInput) -> DrawRecord:
    """Draw one task and return its self-contained record.

    SSJ-DRAW-1 by default; RFC 3797 when ``key_string`` (from public sources) is given.
    """
    choice = choose(task)
    return record_of(task, choice, task.names(choice.keys))


def choose(task: DrawInput) -> Choice:
    """The selection of :func:`draw`, without the record (whose names are looked up once the
    selections of every task of the month are known)."""
    scope = scope_of(task.task_id, task.year, task.month)
    if task.public_number is not None:
        extra: str | None = canonical_number(task.public_number.typed)
    else:
        extra = normalize_extra(task.extra)
    seed = compose_seed(task.plan_seed, task.secret, extra)
    excluded = set(task.excluded)
    if task.key_string is None:
        chosen, shortfall = task.select(seed, scope, task.strata, excluded)
    else:
        chosen, shortfall = select_rfc3797(task.key_string, task.strata, excluded)
    return Choice(seed, extra, chosen, shortfall)


def record_of(task: DrawInput, choice: Choice, name_of: Mapping[str, str]) -> DrawRecord:
    """The record of ``task`` drawn as ``choice``, with the selected enterprises' names."""
    scope = scope_of(task.task_id, task.year, task.month)
    seed, extra, chosen, shortfall = choice.seed, choice.extra, choice.chosen, choice.shortfall
    # A long key column (sorted as it is made) is the population as it is, not copied into
    # Python strings; a list is sorted here, whoever made it.
    keys: Sequence[str] = (
        task.strata[0].keys
        if len(task.strata) == 1 and isinstance(task.strata[0].keys, JoinedKeys)
        else sorted(k for s in task.strata for k in s.keys)
    )
    in_file = len(keys) > INLINE_KEYS
    strata = None
    if task.ratio.stratified:
        strata = [
            StratumEntry(
                s.value,
                format_rate(s.rate),
                len(s.keys),
                s.k,
                s.keys,
                population_digest(s.keys) if in_file else None,
                keys_file_name(scope, index) if in_file else None,
            )
            for index, s in enumerate(task.strata, start=1)
        ]
    return DrawRecord(
        spec=SPEC if task.key_string is None else rfc3797.SPEC,
        scope=scope,
        item_id=task.task_id,
        covers=task.covers,
        month=f"{task.year:04d}-{task.month:02d}",
        draw_day=task.draw_day,
        # RFC 3797 draws from public sources fixed in advance: no commitment fields (§4.1).
        plan_seed=None if task.key_string else normalize_extra(task.plan_seed),
        secret=None if task.key_string else task.secret,
        commitment=None if task.key_string else task.commitment,
        extra=None if task.key_string else extra,
        public_number=None if task.key_string else task.public_number,
        seed=seed,
        key_string=task.key_string,
        ratio=task.ratio.to_plain(),
        targets={k: list(v) for k, v in task.targets.items()},
        population=Population(
            len(keys), population_digest(keys), keys, keys_file_name(scope) if in_file else None
        ),
        accounting=task.accounting,
        strata=strata,
        excluded=present(task.excluded, keys),
        excluded_from=list(task.excluded_from),
        k=sum(s.k for s in task.strata),
        selected=[
            Selected(rank, key, name_of[key], tk) for rank, (tk, key) in enumerate(chosen, start=1)
        ],
        shortfall=shortfall,
        created_at=task.created_at,
        tool_version=task.tool_version,
        ledger_head=task.ledger_head,
    )
