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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Self, TypeVar

T = TypeVar("T")


class Record(dict[str, Any]):
    """Base of every record: fields in publication order; optional ones left out when empty."""

    _optional: tuple[str, ...] = ()  # fields left out of the JSON while None or empty

    def __post_init__(self) -> None:
        dict.update(self, self._published())

    def _published(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name in self._optional and (value is None or value == []):
                continue
            out[f.name] = value
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
        raise NotImplementedError


def _expect(value: Any, kind: type[T], where: str) -> T:
    """``value`` if it is of ``kind`` (bool is not an int here), else TypeError naming ``where``."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{where} 应为 {kind.__name__}，记录中为 {type(value).__name__}")
    return value


def _texts(value: Any, where: str) -> list[str]:
    items = _expect(value, list, where)
    if not all(isinstance(v, str) for v in items):
        raise TypeError(f"{where} 应为文本列表")
    return items


def _list(value: Any, where: str, item: Callable[[Any], T]) -> list[T]:
    return [item(v) for v in _expect(value, list, where)]


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    return _expect(value, dict, where)


# -- draw records (SSJ-DRAW-1 and RFC 3797) ---------------------------------------------------


@dataclass(frozen=True, eq=False)
class Population(Record):
    """The draw's population: how many, the SHA-256 of the sorted keys joined by "\\n", the keys."""

    size: int
    digest: str
    keys: list[str]  # type: ignore[assignment]  # the published name; shadows dict.keys

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "population")
        return cls(
            _expect(data["size"], int, "population.size"),
            _expect(data["digest"], str, "population.digest"),
            _texts(data["keys"], "population.keys"),
        )


@dataclass(frozen=True, eq=False)
class StratumEntry(Record):
    """One stratum of a stratified draw as the record lists it."""

    value: str
    rate: str
    size: int
    k: int
    keys: list[str]  # type: ignore[assignment]  # the published name; shadows dict.keys

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "strata")
        return cls(
            _expect(data["value"], str, "strata.value"),
            _expect(data["rate"], str, "strata.rate"),
            _expect(data["size"], int, "strata.size"),
            _expect(data["k"], int, "strata.k"),
            _texts(data["keys"], "strata.keys"),
        )


@dataclass(frozen=True, eq=False)
class Selected(Record):
    """One drawn enterprise: its rank, code, name and ticket (MD5 hex for RFC 3797)."""

    rank: int
    uscc: str
    name: str
    ticket: str

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "selected")
        return cls(
            _expect(data["rank"], int, "selected.rank"),
            _expect(data["uscc"], str, "selected.uscc"),
            _expect(data["name"], str, "selected.name"),
            _expect(data["ticket"], str, "selected.ticket"),
        )


def _ordered_ratio(ratio: str | Mapping[str, str]) -> str | dict[str, str]:
    """A stratified ratio as published: "by" first, strata by value, "default" last."""
    if isinstance(ratio, str):
        return ratio
    rest = dict(ratio)
    head = {"by": rest.pop("by")}
    tail = {"default": rest.pop("default")} if "default" in rest else {}
    return head | dict(sorted(rest.items())) | tail


def _compact(value: object) -> str:
    # Without indent the json module uses its C encoder: a million keys in a blink.
    return json.dumps(value, ensure_ascii=False)


def _keys_json(keys: Sequence[str]) -> str:
    """A list of codes as JSON; valid codes are ASCII letters and digits, so a join will do."""
    joined = "".join(keys)
    if joined.isascii() and joined.isalnum():
        return '["' + '", "'.join(keys) + '"]' if keys else "[]"
    return _compact(list(keys))


def _selected_line(entry: Selected) -> str:
    # Written out by hand: json.dumps per entry costs more than the draw for 10⁴ entries.
    return (
        f'    {{"rank": {entry.rank}, "uscc": {_compact(entry.uscc)}, '
        f'"name": {_compact(entry.name)}, "ticket": {_compact(entry.ticket)}}}'
    )


@dataclass(frozen=True, eq=False)
class DrawRecord(Record):
    """A self-contained draw record (DESIGN.md §4): anyone can re-run the draw from it alone."""

    spec: str
    scope: str
    item_id: str
    month: str
    seed: str
    key_string: str | None  # RFC 3797 only
    ratio: str | dict[str, str]
    targets: dict[str, list[str]]
    population: Population
    strata: list[StratumEntry] | None  # stratified ratios only
    excluded: list[str]
    k: int
    selected: list[Selected]
    shortfall: int
    created_at: str
    tool_version: str

    _optional = ("key_string", "strata")

    def __post_init__(self) -> None:
        # Published with targets by column name and a stratified ratio's strata by value.
        object.__setattr__(self, "ratio", _ordered_ratio(self.ratio))
        object.__setattr__(self, "targets", dict(sorted(self.targets.items())))
        super().__post_init__()

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "记录")
        ratio = data["ratio"]
        if not isinstance(ratio, str):
            ratio = {
                str(k): _expect(v, str, f"ratio.{k}") for k, v in _mapping(ratio, "ratio").items()
            }
        targets = _mapping(data.get("targets", {}), "targets")
        strata = data.get("strata")
        key_string = data.get("key_string")
        return cls(
            spec=_expect(data["spec"], str, "spec"),
            scope=_expect(data["scope"], str, "scope"),
            item_id=_expect(data["item_id"], str, "item_id"),
            month=_expect(data["month"], str, "month"),
            seed=_expect(data["seed"], str, "seed"),
            key_string=None if key_string is None else _expect(key_string, str, "key_string"),
            ratio=ratio,
            targets={k: _texts(v, f"targets.{k}") for k, v in targets.items()},
            population=Population.from_dict(data["population"]),
            strata=None if strata is None else _list(strata, "strata", StratumEntry.from_dict),
            excluded=_texts(data["excluded"], "excluded"),
            k=_expect(data["k"], int, "k"),
            selected=_list(data["selected"], "selected", Selected.from_dict),
            shortfall=_expect(data.get("shortfall", 0), int, "shortfall"),
            created_at=_expect(data.get("created_at", ""), str, "created_at"),
            tool_version=_expect(data.get("tool_version", ""), str, "tool_version"),
        )

    def to_json(self) -> str:
        """The published text: one field per line in spec order, one selected enterprise per
        line. The ledger stores and hashes exactly this text."""
        lines = []
        for key, value in self.items():
            if key == "selected" and value:
                text = "[\n" + ",\n".join(map(_selected_line, self.selected)) + "\n  ]"
            elif key == "population":
                population = self.population
                text = (
                    f'{{"size": {population.size}, "digest": {_compact(population.digest)}, '
                    f'"keys": {_keys_json(population.keys)}}}'
                )
            else:
                text = _compact(value)
            lines.append(f"  {_compact(key)}: {text}")
        return "{\n" + ",\n".join(lines) + "\n}\n"

    @property
    def selected_keys(self) -> list[str]:
        return [s.uscc for s in self.selected]


def records_json(texts: Sequence[str]) -> str:
    """Record texts as the JSON array ``ssj draw --json`` prints."""
    if not texts:
        return "[]\n"
    return "[\n" + ",\n".join(t.rstrip("\n") for t in texts) + "\n]\n"


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

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "officers")
        return cls(
            id=_expect(data["id"], str, "officers.id"),
            name=_expect(data["name"], str, "officers.name"),
            department=_expect(data["department"], str, "officers.department"),
            section=_expect(data.get("section", ""), str, "officers.section"),
            fields=_texts(data.get("fields", []), "officers.fields"),
            duty=_expect(data.get("duty", ""), str, "officers.duty"),
            on_duty=_expect(data["on_duty"], bool, "officers.on_duty"),
            cert_until=_expect(data["cert_until"], str, "officers.cert_until"),
            recusals=_texts(data.get("recusals", []), "officers.recusals"),
        )

    def public(self) -> GroupOfficer:
        """The officer as groups and task sheets show them."""
        return GroupOfficer(self.id, self.name, self.department)


@dataclass(frozen=True, eq=False)
class TaskEnterprise(Record):
    """A drawn enterprise as the officer draw sees it: code, name and 行业类别."""

    uscc: str
    name: str
    industry: str

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "enterprises")
        return cls(
            _expect(data["uscc"], str, "enterprises.uscc"),
            _expect(data["name"], str, "enterprises.name"),
            _expect(data.get("industry", ""), str, "enterprises.industry"),
        )


@dataclass(frozen=True, eq=False)
class AssignTask(Record):
    """One drawn task of the month: its scope, the partner of a joint task, its enterprises."""

    scope: str
    partner: str | None
    enterprises: list[TaskEnterprise]

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "tasks")
        partner = data.get("partner")
        return cls(
            _expect(data["scope"], str, "tasks.scope"),
            None if partner is None else _expect(partner, str, "tasks.partner"),
            _list(data["enterprises"], "tasks.enterprises", TaskEnterprise.from_dict),
        )


@dataclass(frozen=True, eq=False)
class AssignInput(Record):
    """Everything SSJ-ASSIGN-1 needs for a month, so that anyone can re-run it."""

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

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "分组记录")
        return cls(**cls._input_fields(data))

    @staticmethod
    def _input_fields(data: Mapping[str, Any]) -> dict[str, Any]:
        history = _mapping(data.get("history", {}), "history")
        return {
            "spec": _expect(data["spec"], str, "spec"),
            "month": _expect(data["month"], str, "month"),
            "seed": _expect(data["seed"], str, "seed"),
            "agency": _expect(data["agency"], str, "agency"),
            "group_max": _expect(data["group_max"], int, "group_max"),
            "group_size": _expect(data["group_size"], int, "group_size"),
            "partner_group_size": _expect(data["partner_group_size"], int, "partner_group_size"),
            "officers": _list(data["officers"], "officers", OfficerEntry.from_dict),
            "history": {k: _texts(v, f"history.{k}") for k, v in history.items()},
            "tasks": _list(data["tasks"], "tasks", AssignTask.from_dict),
        }


@dataclass(frozen=True, eq=False)
class GroupOfficer(Record):
    """An officer as a group lists them (no roster details: the task sheet is shared)."""

    id: str
    name: str
    department: str

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "officers")
        return cls(
            _expect(data["id"], str, "officers.id"),
            _expect(data["name"], str, "officers.name"),
            _expect(data["department"], str, "officers.department"),
        )


@dataclass(frozen=True, eq=False)
class GroupEnterprise(Record):
    uscc: str
    name: str

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "enterprises")
        return cls(
            _expect(data["uscc"], str, "enterprises.uscc"),
            _expect(data["name"], str, "enterprises.name"),
        )


@dataclass(frozen=True, eq=False)
class SubstitutionNote(Record):
    """A 递补 as the group it changed shows it."""

    out_name: str
    in_name: str
    reason: str
    at: str

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "substitutions")
        return cls(
            _expect(data["out_name"], str, "substitutions.out_name"),
            _expect(data["in_name"], str, "substitutions.in_name"),
            _expect(data["reason"], str, "substitutions.reason"),
            _expect(data["at"], str, "substitutions.at"),
        )


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

    _optional = ("substitutions",)

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "groups")
        return cls(
            scope=_expect(data["scope"], str, "groups.scope"),
            group=_expect(data["group"], int, "groups.group"),
            industry=_expect(data["industry"], str, "groups.industry"),
            officers=_list(data["officers"], "groups.officers", GroupOfficer.from_dict),
            enterprises=_list(data["enterprises"], "groups.enterprises", GroupEnterprise.from_dict),
            warnings=_texts(data.get("warnings", []), "groups.warnings"),
            substitutions=_list(
                data.get("substitutions", []), "groups.substitutions", SubstitutionNote.from_dict
            ),
        )

    @property
    def usccs(self) -> set[str]:
        return {e.uscc for e in self.enterprises}

    @property
    def officer_ids(self) -> list[str]:
        return [o.id for o in self.officers]


@dataclass(frozen=True, eq=False)
class AssignmentRecord(AssignInput):
    """A month's assignment as the ledger keeps it: the whole input, then the groups drawn."""

    groups: list[Group]
    created_at: str
    tool_version: str

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "分组记录")
        return cls(
            **cls._input_fields(data),
            groups=_list(data["groups"], "groups", Group.from_dict),
            created_at=_expect(data.get("created_at", ""), str, "created_at"),
            tool_version=_expect(data.get("tool_version", ""), str, "tool_version"),
        )

    @classmethod
    def of(
        cls, inputs: AssignInput, groups: list[Group], created_at: str, tool_version: str
    ) -> Self:
        """The record of ``groups`` drawn from ``inputs``."""
        given = {f.name: getattr(inputs, f.name) for f in fields(AssignInput)}
        return cls(**given, groups=groups, created_at=created_at, tool_version=tool_version)

    def to_json(self) -> str:
        return json.dumps(self, ensure_ascii=False, indent=1) + "\n"

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

    _optional = ("at",)

    def _published(self) -> dict[str, Any]:
        out = super()._published()
        return {("in" if k == "replacement" else k): v for k, v in out.items()}

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "递补")
        at = data.get("at")
        return cls(
            month=_expect(data["month"], str, "month"),
            scope=_expect(data["scope"], str, "scope"),
            group=_expect(data["group"], int, "group"),
            out=GroupOfficer.from_dict(data["out"]),
            replacement=GroupOfficer.from_dict(data["in"]),
            reason=_expect(data["reason"], str, "reason"),
            at=None if at is None else _expect(at, str, "at"),
        )


# -- results and publication --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Result(Record):
    """One enterprise's inspection result, as imported from a filled task sheet."""

    scope: str
    uscc: str
    name: str
    result: str  # standard categories joined by "；"
    inspected_on: str  # ISO date
    published_on: str  # ISO date, or "" while not published
    note: str
    source: str  # the file it was imported from

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "result")
        return cls(
            scope=_expect(data["scope"], str, "scope"),
            uscc=_expect(data["uscc"], str, "uscc"),
            name=_expect(data["name"], str, "name"),
            result=_expect(data["result"], str, "result"),
            inspected_on=_expect(data["inspected_on"], str, "inspected_on"),
            published_on=_expect(data.get("published_on", ""), str, "published_on"),
            note=_expect(data.get("note", ""), str, "note"),
            source=_expect(data.get("source", ""), str, "source"),
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
    workdays_left: int | None

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        data = _mapping(data, "status")
        return cls(**{f.name: data[f.name] for f in fields(cls)})
