"""The records the public relies on, typed: a draw record, an assignment and its groups, a 递补,
a result and its deadline status.

Each is a frozen dataclass that is also, read-only, the JSON object it publishes: code reads
typed attributes (``record.scope``), while ``record["scope"]`` and ``json.dumps(record)`` give
the published form, so a script written against the JSON works on the record unchanged.
``from_dict`` checks the shape of untrusted JSON (a hand-edited record, a ledger row) and raises
TypeError, KeyError or ValueError when it does not fit.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache, lru_cache
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any, ClassVar, Self, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


class Record(dict[str, Any]):
    """Base of every record: fields in publication order; optional ones left out when empty."""

    # No instance dict of its own: a record made by the hundred thousand (a big month's
    # selected enterprises) declares slots for its fields and holds them once beside the
    # published dict; the others keep theirs.
    __slots__ = ()

    _optional: ClassVar[tuple[str, ...]] = ()  # left out of the JSON while None, [] or {}
    _defaults: ClassVar[dict[str, Any]] = {}  # for keys a hand-made or older record may lack
    _names: ClassVar[dict[str, str]] = {}  # field -> published key, where they differ

    def __post_init__(self) -> None:
        plain = _plain(type(self))
        if plain is None:
            dict.update(self, self._published())
        else:  # every field published as it is: the values read at once (records by the 10⁵)
            keys, values = plain
            # The keys and the getter come from one layout: strict has nothing to catch.
            dict.update(self, zip(keys, values(self), strict=True))  # pragma: no mutate

    def _published(self) -> dict[str, Any]:
        # Run for every record object (a month's assignment makes 10⁵ of them): a plain loop
        # over the class's cached layout, the fields read straight from the instance's dict
        # (the one record with slots, Selected, publishes every field as it is: _plain).
        values = self.__dict__
        out: dict[str, Any] = {}
        for name, key, optional in _keys(type(self)):
            value = values[name]
            if not optional or not (value is None or value == [] or value == {}):
                out[key] = value
        return out

    def __setitem__(self, key: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is read-only; use dataclasses.replace")

    def __delitem__(self, key: str) -> None:
        raise TypeError(f"{type(self).__name__} is read-only")

    def to_json(self) -> str:
        """The JSON text (records published as files override this with their exact layout)."""
        return json.dumps(self, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Self:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """The record from its JSON object, every field checked against its declared type."""
        return cls._build(data, "")

    @classmethod
    def coerce(cls, data: Any) -> Self:
        """``data`` itself when it is this record already, else the record of its JSON object."""
        # A record is also its JSON object: reading it again gives the same record, only slower.
        return data if isinstance(data, cls) else cls.from_dict(data)  # pragma: no mutate

    @classmethod
    def _build(cls, data: Any, where: str) -> Self:
        data = _expect(data, dict, where.removesuffix(".") or cls.__name__)
        values = {}
        for name, key, _, convert in _layout(cls):
            if key in data:
                raw = data[key]
            elif name in cls._defaults:
                raw = cls._defaults[name]
            else:
                raise KeyError(f"{where}{key}")
            values[name] = convert(raw, f"{where}{key}")
        return cls(**values)


Converter = Callable[[Any, str], Any]


@cache
def _layout(cls: type[Record]) -> tuple[tuple[str, str, bool, Converter], ...]:
    """Per field: its name, published key, whether it is optional, and its converter."""
    hints = get_type_hints(cls)
    return tuple(
        (f.name, cls._names.get(f.name, f.name), f.name in cls._optional, _converter(hints[f.name]))
        for f in fields(cls)  # type: ignore[arg-type]
    )


@cache
def _plain(cls: type[Record]) -> tuple[tuple[str, ...], Callable[[Record], tuple[Any, ...]]] | None:
    """For a record that publishes every field as it is (none optional, ``_published`` not
    overridden): its keys and a getter of its values in that order; else None."""
    if cls._published is not Record._published or cls._optional:
        return None
    names = [name for name, _, _ in _keys(cls)]
    getter = attrgetter(*names)
    return tuple(key for _, key, _ in _keys(cls)), (
        getter if len(names) > 1 else lambda record: (getter(record),)
    )


@cache
def _keys(cls: type[Record]) -> tuple[tuple[str, str, bool], ...]:
    """Per field: its name, published key and whether it is optional."""
    return tuple((name, key, optional) for name, key, optional, _ in _layout(cls))


def _expect(value: Any, kind: type[T], where: str) -> T:
    """``value`` if it is of ``kind`` (bool is not an int here), else TypeError naming ``where``."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{where} 应为 {kind.__name__}，记录中为 {type(value).__name__}")
    return value


def _runtime(kind: Any) -> type:
    """The Python type a JSON value of the declared type arrives as (a record: a dict)."""
    if isinstance(kind, type) and issubclass(kind, Record):
        return dict
    runtime: type = get_origin(kind) or kind
    return runtime


@cache
def _converter(kind: Any) -> Converter:
    """How to check a JSON value against the declared type ``kind`` (worked out once per type)."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        members = [(_runtime(m), _converter(m)) for m in get_args(kind) if m is not type(None)]
        nullable = type(None) in get_args(kind)

        def union(value: Any, where: str) -> Any:
            if value is None and nullable:
                return None
            for runtime, convert in members:
                if isinstance(value, runtime):
                    return convert(value, where)
            raise TypeError(f"{where} 的类型不对（记录中为 {type(value).__name__}）")

        return union
    if origin in (list, Sequence):  # a JSON array either way
        (item,) = get_args(kind)
        if item is str:  # the long lists (population keys): one pass, no call per key

            def texts(value: Any, where: str) -> list[str]:
                items = _expect(value, list, where)
                if set(map(type, items)) - {str}:
                    raise TypeError(f"{where} 应为文本列表")
                return list(items)

            return texts
        convert_item = _converter(item)
        return lambda value, where: [convert_item(v, where) for v in _expect(value, list, where)]
    if origin is dict:
        convert_value = _converter(get_args(kind)[1])
        return lambda value, where: {
            _expect(k, str, where): convert_value(v, f"{where}.{k}")
            for k, v in _expect(value, dict, where).items()
        }
    if isinstance(kind, type) and issubclass(kind, Record):
        record: type[Record] = kind
        return lambda value, where: record._build(value, f"{where}.")
    return lambda value, where: _expect(value, kind, where)


# -- draw records (SSJ-DRAW-1 and RFC 3797) ---------------------------------------------------


class KeyList(Record):
    """A sorted list of keys a record relies on: inline as ``keys``, or, past
    :data:`INLINE_KEYS`, in the text file ``keys_file`` beside the record (the keys joined by
    "\\n", so that ``sha256sum`` of the file is the list's ``digest``). In memory ``keys`` is
    filled either way once the file is read (:meth:`DrawRecord.with_keys`)."""

    size: int
    # The published name; shadows dict.keys. A list, or for a long list a column that reads
    # as one (``inputs.population.KeyColumn``: Arrow, not a Python string a key).
    keys: Sequence[str]  # type: ignore[assignment]
    digest: str | None
    keys_file: str | None

    def _published(self) -> dict[str, Any]:
        out = super()._published()
        if self.keys_file is not None:
            del out["keys"]
        return out

    @classmethod
    def _build(cls, data: Any, where: str) -> Self:
        if isinstance(data, dict) and "keys_file" in data and "keys" not in data:
            data = {**data, "keys": []}  # in the file, not read yet: either is a key list
        return super()._build(data, where)


INLINE_KEYS = 200_000  # longer key lists go to a file beside the record


@dataclass(frozen=True, eq=False)
class Population(KeyList):
    """The draw's population: how many, the SHA-256 of the sorted keys joined by "\\n", the
    keys (or the file holding them)."""

    size: int
    digest: str
    keys: Sequence[str]
    keys_file: str | None = None

    _optional = ("keys_file",)
    _defaults: ClassVar[dict[str, Any]] = {"keys_file": None}


@dataclass(frozen=True, eq=False)
class StratumEntry(KeyList):
    """One stratum of a stratified draw as the record lists it; ``digest`` only when its keys
    are in a file."""

    value: str
    rate: str
    size: int
    k: int
    keys: Sequence[str]
    digest: str | None = None
    keys_file: str | None = None

    _optional = ("digest", "keys_file")
    _defaults: ClassVar[dict[str, Any]] = {"digest": None, "keys_file": None}


@dataclass(frozen=True, eq=False, slots=True)
class Selected(Record):
    """One drawn enterprise: its rank, code, name and ticket (MD5 hex for RFC 3797)."""

    rank: int
    uscc: str
    name: str
    ticket: str

    # A province's month lists millions of these, and every command's ledger audit reads
    # them: the usual shape is checked at once, not by the generic walk.
    @classmethod
    def _build(cls, data: Any, where: str) -> Self:
        try:
            rank, uscc, name, ticket = data["rank"], data["uscc"], data["name"], data["ticket"]
        except (TypeError, KeyError, IndexError):
            return super(Selected, cls)._build(data, where)  # names what is wrong
        if type(rank) is int and type(uscc) is str and type(name) is str and type(ticket) is str:
            return cls(rank, uscc, name, ticket)
        # (super() without arguments would name the class before slots=True remade it)
        return super(Selected, cls)._build(data, where)


def _ordered_ratio(ratio: str | Mapping[str, str]) -> str | dict[str, str]:
    """A stratified ratio as published: "by" first, strata by value, "default" last."""
    if isinstance(ratio, str):
        return ratio
    rest = dict(ratio)
    head = {"by": rest.pop("by")}
    tail = {"default": rest.pop("default")} if "default" in rest else {}
    return head | dict(sorted(rest.items())) | tail


def _compact(value: object) -> str:
    # Without indent the json module uses its C encoder: a million keys in a blink. A string
    # goes straight to the encoder's C function, as json.dumps would send it (without making
    # an encoder per call: a big month has a million of them).
    if isinstance(value, str):
        text: str = encode_basestring(value)
        return text
    return json.dumps(value, ensure_ascii=False)


def indented_json(value: object, indent: int = 1) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent)``, the same text, about twice as
    fast: with an indent the json module falls back to its pure-Python encoder, and a city's
    assignment record is a hundred thousand objects. Leaves still go through json's own C
    string encoder."""
    out: list[str] = []
    _indented(value, "", " " * indent, out)
    return "".join(out)


def _indented(value: object, pad: str, step: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif value is None:
        out.append("null")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = pad + step
        separator = "{\n" + inner
        for key, item in value.items():
            out.append(separator + _compact(_json_key(key)) + ": ")
            _indented(item, inner, step, out)
            separator = ",\n" + inner
        out.append("\n" + pad + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = pad + step
        separator = "[\n" + inner
        for item in value:
            out.append(separator)
            _indented(item, inner, step, out)
            separator = ",\n" + inner
        out.append("\n" + pad + "]")
    else:  # floats (ASCII), and anything json itself refuses with its own error
        out.append(json.dumps(value))


def _json_key(key: object) -> str:
    """A dict key as json.dumps writes it: text as is, numbers and constants as their JSON."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool | int | float):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _keys_json(keys: Sequence[str]) -> str:
    """A list of codes as JSON; valid codes are ASCII letters and digits, so a join will do."""
    # Only the test below reads it: joined by any ASCII letters, the verdict is the same.
    joined = "".join(keys)  # pragma: no mutate
    if joined.isascii() and joined.isalnum():  # (so there is a key)
        return '["' + '", "'.join(keys) + '"]'
    return _compact(list(keys))


def _selected_line(entry: Selected) -> str:
    # Written out by hand: json.dumps per entry costs more than the draw for 10⁴ entries.
    return (
        f'    {{"rank": {entry.rank}, "uscc": {_compact(entry.uscc)}, '
        f'"name": {_compact(entry.name)}, "ticket": {_compact(entry.ticket)}}}'
    )


@dataclass(frozen=True, eq=False)
class LedgerHead(Record):
    """Where the workspace's event chain stood when a record was made: event number and hash.
    Published, it lets anyone later check that the history before it was not rewritten."""

    seq: int
    hash: str


@dataclass(frozen=True, eq=False)
class Accounting(Record):
    """Every roster row counted in exactly one class for a draw's item (docs/spec.md §4.2):
    left out for its code, its target cell or its status, or eligible. ``status`` and
    ``not_target`` say which value, so a population that shrinks shows why."""

    rows: int  # the roster's rows
    invalid_code: int  # blank or failing its check character
    duplicate: int  # a code that appears on more than one row
    blank_target: int  # a target column left blank (with blank_targets: exclude)
    not_target: dict[str, int]  # "行业类别：餐饮" -> rows whose value is not a target
    status: dict[str, int]  # 经营状态 not 在业/存续/开业 -> rows
    eligible: int
    previous: int | None = None  # the item's previous draw's population, when this one shrank …
    accepted: str | None = None  # … by more than a tenth, and why a person accepted it
    # Why each enterprise of the roster is outside the population, by code ("经营状态为注销"),
    # so that anyone can answer "why was I not in the draw" (rosters up to INLINE_KEYS rows).
    outside: dict[str, str] = field(default_factory=dict)

    _optional = ("previous", "accepted", "outside")
    _defaults: ClassVar[dict[str, Any]] = {"previous": None, "accepted": None, "outside": {}}

    def left_out(self) -> str:
        """The rows not eligible, class by class with the values, as people read them."""
        parts = []
        if self.status:
            detail = "、".join(f"{k} {v}" for k, v in self.status.items())
            parts.append(f"经营状态不符 {sum(self.status.values())}（{detail}）")
        if self.not_target:
            shown = list(self.not_target.items())
            detail = "、".join(f"{k.split('：', 1)[-1]} {v}" for k, v in shown[:8])
            more = f" 等 {len(shown)} 种" if len(shown) > 8 else ""
            parts.append(f"不在抽查范围 {sum(self.not_target.values())}（{detail}{more}）")
        for count, what in (
            (self.blank_target, "目标列为空"),
            (self.duplicate, "代码重复"),
            (self.invalid_code, "代码为空"),
        ):
            if count:
                parts.append(f"{what} {count}")
        return "；".join(parts) or "无"

    @property
    def total(self) -> int:
        """The rows the classes account for: equal to ``rows`` when every row is counted once."""
        return (
            self.invalid_code
            + self.duplicate
            + self.blank_target
            + sum(self.not_target.values())
            + sum(self.status.values())
            + self.eligible
        )


@dataclass(frozen=True, eq=False)
class PublicNumber(Record):
    """The public number a draw added (docs/spec.md §4.3): the source and form the plan announced,
    and what the clerk typed; its canonical value is the record's ``extra``."""

    source: str
    pattern: str
    typed: str


class Drawn(Record):
    """What every drawn scope says, whether drawn here or imported: its task, the item it
    draws over, and whom it selected."""

    scope: str
    item_id: str
    covers: str | None
    month: str
    selected: list[Selected]
    tool_version: str

    @property
    def selected_keys(self) -> list[str]:
        return [s.uscc for s in self.selected]

    @property
    def base_item(self) -> str:
        """The item whose earlier selections this draw excludes (SSJ-DRAW-1 §4.2)."""
        return self.covers or self.item_id

    @property
    def version(self) -> tuple[int, ...]:
        """The tool version that made the record, as numbers ((0,) if unknown)."""
        parts = [int(p) for p in self.tool_version.split(".")[:3] if p.isdigit()]
        return tuple(parts) or (0,)


@dataclass(frozen=True, eq=False)
class DrawRecord(Drawn):
    """A self-contained draw record (docs/spec.md §4): anyone can re-run the draw from it alone."""

    spec: str
    scope: str
    item_id: str
    covers: str | None  # a joint task: the item it covers, whose earlier selections it excludes
    month: str
    draw_day: str | None  # §4.3: the month's draw day as the plan fixed it (ISO date)
    plan_seed: str | None  # §4.1: the plan's public label …
    secret: str | None  # … the month secret s(m) of the sealed chain, revealed by this draw …
    commitment: str | None  # … the commitment H^12(s12) published with the plan …
    extra: str | None  # … and public randomness of the day; None for a 0.1 or RFC 3797 record
    public_number: PublicNumber | None  # §4.3: the announced source and form ``extra`` has
    seed: str  # the effective seed: "{plan_seed}[/{secret}][/{extra}]"
    key_string: str | None  # RFC 3797 only
    ratio: str | dict[str, str]
    targets: dict[str, list[str]]
    population: Population
    accounting: Accounting | None  # where every roster row went (records from 0.4 on)
    strata: list[StratumEntry] | None  # stratified ratios only
    excluded: list[str]
    excluded_from: list[str]  # the earlier scopes over the item whose selections it excludes
    k: int
    selected: list[Selected]
    shortfall: int
    created_at: str
    tool_version: str
    ledger_head: LedgerHead | None  # the chain head before this draw was recorded

    _optional = (
        "covers",
        "draw_day",
        "public_number",
        "key_string",
        "accounting",
        "strata",
        "excluded_from",
        "ledger_head",
    )
    _defaults: ClassVar[dict[str, Any]] = {
        "covers": None,
        "accounting": None,
        "excluded_from": [],
        "draw_day": None,
        "public_number": None,
        "plan_seed": None,
        "secret": None,
        "commitment": None,
        "extra": None,
        "key_string": None,
        "strata": None,
        "targets": {},
        "shortfall": 0,
        "created_at": "",
        "tool_version": "",
        "ledger_head": None,
    }

    def __post_init__(self) -> None:
        # Published with targets by column name and a stratified ratio's strata by value.
        object.__setattr__(self, "ratio", _ordered_ratio(self.ratio))
        object.__setattr__(self, "targets", dict(sorted(self.targets.items())))
        super().__post_init__()

    def key_lists(self) -> list[KeyList]:
        """The population and the strata: every key list of the record."""
        return [self.population, *(self.strata or [])]

    def with_keys(self, lookup: Callable[[str, str], Sequence[str] | None]) -> DrawRecord:
        """The record with the key lists it keeps in files read in: ``lookup(file, digest)``
        gives the keys, or None when they cannot be found (the list stays empty, and
        verification says which file is missing)."""
        found: dict[int, Sequence[str]] = {}
        for index, entry in enumerate(self.key_lists()):
            if entry.keys_file is not None and entry.digest is not None and not entry.keys:
                keys = lookup(entry.keys_file, entry.digest)
                if keys is not None:
                    found[index] = keys
        if not found:
            return self
        population = self.population
        if 0 in found:
            population = replace(population, keys=found[0])
        strata = self.strata and [
            replace(entry, keys=found[index]) if index in found else entry
            for index, entry in enumerate(self.strata, start=1)
        ]
        return replace(self, population=population, strata=strata)

    def _published(self) -> dict[str, Any]:
        out = super()._published()
        if self.plan_seed is None:  # a 0.1 or RFC 3797 record: no commitment fields at all
            for name in ("plan_seed", "secret", "commitment", "extra"):
                del out[name]
        return out

    def to_json(self) -> str:
        """The published text: one field per line in spec order, one selected enterprise per
        line. The ledger stores and hashes exactly this text."""
        lines = []
        for key, value in self.items():
            if key == "selected" and value:
                text = "[\n" + ",\n".join(map(_selected_line, self.selected)) + "\n  ]"
            elif key == "population":
                population = self.population
                keys = (
                    f'"keys_file": {_compact(population.keys_file)}'
                    if population.keys_file is not None
                    else f'"keys": {_keys_json(population.keys)}'
                )
                text = (
                    f'{{"size": {population.size}, "digest": {_compact(population.digest)}, '
                    f"{keys}}}"
                )
            else:
                text = _compact(value)
            lines.append(f"  {_compact(key)}: {text}")
        return "{\n" + ",\n".join(lines) + "\n}\n"


EXTERNAL = "EXTERNAL"


@dataclass(frozen=True, eq=False)
class ExternalDraw(Drawn):
    """Selections made elsewhere this year (e.g. on the provincial platform before the bureau
    adopted ssj), brought in so that exclusion still holds. Never an SSJ-DRAW-1 draw: nothing
    in it can be recomputed, and it says where it came from."""

    spec: str  # always EXTERNAL
    scope: str
    item_id: str
    covers: str | None
    month: str
    source: str  # the imported file's name …
    source_sha256: str  # … and the SHA-256 of its bytes
    selected: list[Selected]  # tickets are "": there were none
    created_at: str
    tool_version: str
    ledger_head: LedgerHead | None

    _optional = ("covers", "ledger_head")
    _defaults: ClassVar[dict[str, Any]] = {"covers": None, "ledger_head": None}

    def to_json(self) -> str:
        return indented_json(self, 2) + "\n"


@lru_cache(maxsize=16)
def read_draw(text: str) -> DrawRecord | ExternalDraw:
    """A stored or published draw: an SSJ-DRAW-1 / RFC 3797 record, or imported selections.
    Records are immutable: a text read again in the same process (the audit, the heal and the
    command all read a month's records) is parsed once."""
    data = json.loads(text)
    if isinstance(data, dict) and data.get("spec") == EXTERNAL:
        return ExternalDraw.from_dict(data)
    return DrawRecord.from_dict(data)


def records_json(texts: Sequence[str]) -> Iterator[str]:
    """Record texts as the JSON array ``ssj draw --json`` prints, a piece at a time (a
    province's month is gigabytes of text: never joined into one string)."""
    if not texts:
        yield "[]\n"
        return
    for index, text in enumerate(texts):
        yield "[\n" if index == 0 else ",\n"
        end = len(text)
        while end and text[end - 1] == "\n":
            end -= 1
        for start in range(0, end, 1 << 20):  # a slice a time, not a copy of the text
            yield text[start : min(start + (1 << 20), end)]
    yield "\n]\n"


# -- officer assignment (SSJ-ASSIGN-1) ----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OfficerEntry(Record):
    """One officer of the roster snapshot an assignment record keeps."""

    id: str
    name: str
    department: str
    section: str
    fields: list[str]
    duty: str
    on_duty: bool
    cert_until: str  # ISO date
    recusals: list[str]

    _defaults: ClassVar[dict[str, Any]] = {"section": "", "fields": [], "duty": "", "recusals": []}

    def public(self) -> GroupOfficer:
        """The officer as groups and task sheets show them."""
        return GroupOfficer(self.id, self.name, self.department)


@dataclass(frozen=True, eq=False)
class TaskEnterprise(Record):
    """A drawn enterprise as the officer draw sees it: code, name and 行业类别."""

    uscc: str
    name: str
    industry: str
    street: str | None = None  # 所属街道, when the roster has it (SSJ-ASSIGN-2 merges by it)

    _optional = ("street",)
    _defaults: ClassVar[dict[str, Any]] = {"industry": "", "street": None}


@dataclass(frozen=True, eq=False)
class AssignTask(Record):
    """One drawn task of the month: its scope, the partner of a joint task, its enterprises."""

    scope: str
    partner: str | None
    enterprises: list[TaskEnterprise]

    _defaults: ClassVar[dict[str, Any]] = {"partner": None}


@dataclass(frozen=True, eq=False)
class AssignInput(Record):
    """Everything SSJ-ASSIGN-1/-2 needs for a month, so that anyone can re-run it."""

    spec: str
    month: str  # "YYYY-MM"
    seed: str
    agency: str
    group_max: int
    group_size: int
    partner_group_size: int
    officers: list[OfficerEntry]
    history: dict[str, list[str]]  # officer id -> enterprises inspected earlier in the year
    tasks: list[AssignTask]
    # SSJ-ASSIGN-2 only: groups and enterprises each officer served earlier in the year, the
    # plan's cap on groups per officer a month (None: places ÷ eligible, rounded up), and
    # whether a lone enterprise of its industry joins a group in the same 所属街道.
    year_groups: dict[str, int] | None
    year_enterprises: dict[str, int] | None
    max_groups_per_officer: int | None
    merge_by_street: bool | None

    _optional = ("year_groups", "year_enterprises", "max_groups_per_officer", "merge_by_street")
    _defaults: ClassVar[dict[str, Any]] = {
        "history": {},
        "year_groups": None,
        "year_enterprises": None,
        "max_groups_per_officer": None,
        "merge_by_street": None,
    }


@dataclass(frozen=True, eq=False)
class GroupOfficer(Record):
    """An officer as a group lists them (no roster details: the task sheet is shared)."""

    id: str
    name: str
    department: str


@dataclass(frozen=True, eq=False)
class GroupEnterprise(Record):
    uscc: str
    name: str


@dataclass(frozen=True, eq=False)
class SubstitutionNote(Record):
    """A 递补 as the group it changed shows it."""

    out_name: str
    in_name: str
    reason: str
    at: str


@dataclass(frozen=True, eq=False)
class Group(Record):
    """One inspection group: its task, number, industry, officers and enterprises."""

    scope: str
    group: int
    industry: str
    officers: list[GroupOfficer]
    enterprises: list[GroupEnterprise]
    warnings: list[str]
    substitutions: list[SubstitutionNote]  # 递补 applied since the assignment; [] at first
    # A joint group whose partner department is not in the roster: its officers are "pending",
    # drawn by that department itself; the placeholder says so ("区市场监督管理局选派 2 名").
    partner_officers: str | None = None
    placeholder: str | None = None
    # Enterprises inspected before a 递补, by code: the officers who inspected them, kept for
    # good wherever the enterprise's officers are shown or counted (docs/spec.md §5.1).
    inspected_by: dict[str, list[GroupOfficer]] = field(default_factory=dict)

    _optional = ("substitutions", "partner_officers", "placeholder", "inspected_by")
    _defaults: ClassVar[dict[str, Any]] = {
        "warnings": [],
        "substitutions": [],
        "partner_officers": None,
        "placeholder": None,
        "inspected_by": {},
    }

    def officers_of(self, uscc: str) -> list[GroupOfficer]:
        """Who inspects (or inspected) one enterprise of the group."""
        return self.inspected_by.get(uscc, self.officers)

    @property
    def everyone(self) -> list[GroupOfficer]:
        """The group's officers now and those who inspected an enterprise before a 递补."""
        found = {o.id: o for o in self.officers}
        for officers in self.inspected_by.values():
            found.update({o.id: o for o in officers if o.id not in found})
        return list(found.values())

    @property
    def industries(self) -> list[str]:
        """The group's 行业类别: one, or several when lone enterprises joined it (SSJ-ASSIGN-2)."""
        return self.industry.split("、")

    @property
    def usccs(self) -> set[str]:
        return {e.uscc for e in self.enterprises}

    @property
    def officer_ids(self) -> list[str]:
        return [o.id for o in self.officers]


@dataclass(frozen=True, eq=False)
class OfficerLoad(Record):
    """One officer's share of the work (``ssj assign`` fairness figures): groups and
    enterprises this month and this year so far (this month included)."""

    id: str
    name: str
    department: str
    eligible: bool  # could serve this month (在岗, certificate valid through it)
    month_groups: int
    month_enterprises: int
    year_groups: int
    year_enterprises: int
    cap: int | None  # groups a month this officer's department may give one officer


@dataclass(frozen=True, eq=False)
class AssignmentRecord(AssignInput):
    """A month's assignment as the ledger keeps it: the whole input, then the groups drawn."""

    groups: list[Group]
    created_at: str
    tool_version: str

    _defaults: ClassVar[dict[str, Any]] = AssignInput._defaults | {
        "created_at": "",
        "tool_version": "",
    }

    @classmethod
    def of(
        cls, inputs: AssignInput, groups: list[Group], created_at: str, tool_version: str
    ) -> Self:
        """The record of ``groups`` drawn from ``inputs``."""
        given = {f.name: getattr(inputs, f.name) for f in fields(AssignInput)}
        return cls(**given, groups=groups, created_at=created_at, tool_version=tool_version)

    def to_json(self) -> str:
        return indented_json(self) + "\n"

    @property
    def inputs(self) -> AssignInput:
        """The input the groups were drawn from."""
        return AssignInput(**{f.name: getattr(self, f.name) for f in fields(AssignInput)})


@dataclass(frozen=True, eq=False)
class Substitution(Record):
    """A 递补 event: in one group of a month's assignment, ``out`` leaves and ``in`` steps in."""

    month: str
    scope: str
    group: int
    out: GroupOfficer
    replacement: GroupOfficer  # published as "in"
    reason: str
    at: str | None  # the event's time; None until recorded
    on: str | None = None  # the day it took effect, when the clerk gave one (--today)
    # Enterprises of the group with a result recorded by then: their officers stay as they were.
    kept: list[str] = field(default_factory=list)
    single: bool | None = None  # True: for this one group only (--group), not every group
    # Officers of the snapshot the roster said by then may not serve this group (left, not
    # 在岗, certificate, a new recusal), with why: passed over, as the replay passes them over.
    unavailable: dict[str, str] = field(default_factory=dict)

    _optional = ("at", "on", "kept", "single", "unavailable")
    _defaults: ClassVar[dict[str, Any]] = {
        "at": None,
        "on": None,
        "kept": [],
        "single": None,
        "unavailable": {},
    }
    _names: ClassVar[dict[str, str]] = {"replacement": "in"}


ASSIGNMENT_FILE = "assignment"


@dataclass(frozen=True, eq=False)
class PublishedAssignment(Record):
    """A month's officer draw as published beside its draw records (docs/spec.md §4.3, §5): the
    whole assignment record (its input, the rule and the groups drawn) and every 递补 with
    its reason, so that anyone can re-run it and see each replacement."""

    record_type: str  # always ASSIGNMENT_FILE: what tells this file from a draw record
    month: str
    assignment: AssignmentRecord
    substitutions: list[Substitution]
    ledger_head: LedgerHead | None  # where the chain stood after the latest of them

    _optional = ("ledger_head",)
    _defaults: ClassVar[dict[str, Any]] = {"substitutions": [], "ledger_head": None}

    def to_json(self, assignment_text: str | None = None) -> str:
        """The published text; ``assignment_text``, the assignment's own ``to_json`` when the
        caller has it, is nested as it is instead of being encoded again (the same bytes:
        JSON strings hold no raw newline, so nesting one level indents every line by one)."""
        if assignment_text is None:
            return indented_json(self) + "\n"
        parts = [
            f" {_compact(key)}: "
            + (
                assignment_text.removesuffix("\n") if key == "assignment" else indented_json(value)
            ).replace("\n", "\n ")
            for key, value in self.items()
        ]
        return "{\n" + ",\n".join(parts) + "\n}\n"


# -- results and publication --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Corrected(Record):
    """What a 更正 replaces: the values published before, when, and the day they were corrected."""

    result: str
    inspected_on: str
    published_on: str
    corrected_on: str


@dataclass(frozen=True, eq=False)
class Result(Record):
    """One enterprise's inspection result, as imported from a filled task sheet. A result that
    changes one already published carries ``correction``: it must be published as a 更正."""

    scope: str
    uscc: str
    name: str
    result: str  # standard categories joined by "；"
    inspected_on: str  # ISO date
    published_on: str  # ISO date, or "" while not published
    note: str
    source: str  # the file it was imported from …
    cell: str  # … and where in it: "AJ-02第7组 第 5 行"
    correction: Corrected | None

    _optional: ClassVar[tuple[str, ...]] = ("correction",)
    _defaults: ClassVar[dict[str, Any]] = {
        "published_on": "",
        "note": "",
        "source": "",
        "cell": "",
        "correction": None,
    }

    @property
    def due_from(self) -> str:
        """The day the publication deadline counts from: the 检查日期, or the 更正 day."""
        return self.correction.corrected_on if self.correction else self.inspected_on

    def shown(self) -> str:
        """The values as a person compares them: result, 检查日期 (and 公示日期)."""
        published = f"，公示日期 {self.published_on}" if self.published_on else ""
        return f"{self.result}，检查日期 {self.inspected_on}{published}"


@dataclass(frozen=True, eq=False)
class Waiver(Record):
    """A drawn enterprise that could not be inspected, and why (``ssj results waive``): none of
    the standard 检查结果 fits. Its alarm ends; a later result for it ends the waiver."""

    scope: str
    uscc: str
    name: str
    reason: str
    on: str  # ISO date it was recorded as of


@dataclass(frozen=True, eq=False)
class ResultConflict(Record):
    """A value from one results file contradicting the one already imported from another:
    held back for a person to settle, never applied by file order."""

    scope: str
    uscc: str
    name: str
    file: str  # the file that disagrees, where, and what it says …
    cell: str
    value: str
    held_file: str  # … and what is recorded, from where
    held_cell: str
    held_value: str

    def render(self) -> str:
        return (
            f"{self.scope} {self.name}（{self.uscc}）：{self.file} {self.cell} 填的是“{self.value}”，"
            f"已导入的 {self.held_file} {self.held_cell} 是“{self.held_value}”"
        )


@dataclass(frozen=True, eq=False)
class Status(Record):
    """One enterprise's place on the way to publication (``ssj deadline-check --json``)."""

    scope: str
    uscc: str
    name: str
    result_date: str | None
    deadline: str | None
    published_on: str | None
    status: str  # overdue, due_today, pending, published, published_late, no_result
    workdays_left: int | None  # working days to the deadline; negative: this many days late
    corrected_on: str | None  # a 更正: the deadline counts from this day
    officers: list[str]  # the group's officers: whom to ask
    reason: str | None = None  # waived: why it could not be inspected

    _optional = ("reason",)
    _defaults: ClassVar[dict[str, Any]] = {"corrected_on": None, "officers": [], "reason": None}
