"""The workspace ledger: an embedded SQLite database beside the plan.

It holds every draw record and an append-only event log in which each event carries the hash
of the one before, so any edit to the log or to a stored record is detectable
(``ssj audit verify``). Writes happen in one transaction: a crash leaves all or nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from shuangsuiji.exceptions import NeedsAttention
from shuangsuiji.ledger.files import checkpoint
from shuangsuiji.rules.draw import joined_parts, parts_digest
from shuangsuiji.rules.records import (
    EXTERNAL,
    DrawRecord,
    ExternalDraw,
    LedgerHead,
    Result,
    ResultConflict,
    Substitution,
    Waiver,
    read_draw,
)

LEDGER_NAME = "ssj.db"
T = TypeVar("T")
GENESIS = "0" * 64
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS draws (
    scope TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    base_item TEXT NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    record TEXT NOT NULL,
    record_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS selections (
    scope TEXT NOT NULL,
    base_item TEXT NOT NULL,
    year INTEGER NOT NULL,
    uscc TEXT NOT NULL,
    PRIMARY KEY (scope, uscc)
);
CREATE TABLE IF NOT EXISTS key_lists (
    digest TEXT PRIMARY KEY,
    keys TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS key_parts (
    digest TEXT NOT NULL,
    part INTEGER NOT NULL,
    keys TEXT NOT NULL,
    PRIMARY KEY (digest, part)
);
CREATE TABLE IF NOT EXISTS assignments (
    month TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    record TEXT NOT NULL,
    record_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""


def canonical_json(value: Any) -> str:
    """The one JSON spelling hashed by the ledger: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def event_hash(prev_hash: str, seq: int, at: str, kind: str, payload: str) -> str:
    """Hash of one event, chained to the previous event's hash."""
    return sha256_text(canonical_json([prev_hash, seq, at, kind, payload]))


def now_text() -> str:
    """The current local time with its UTC offset, to the second."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class DrawInfo:
    """What identifies a stored draw, without its (possibly large) record."""

    scope: str
    task_id: str
    base_item: str
    year: int
    month: int

    @staticmethod
    def of_record(record: DrawRecord | ExternalDraw) -> DrawInfo:
        """The index columns a record implies: the only way they are made."""
        year, month = record.month.split("-")
        return DrawInfo(
            record.scope, record.scope.split("/")[0], record.base_item, int(year), int(month)
        )


@dataclass(frozen=True)
class StoredDraw(DrawInfo):
    """A draw as the ledger holds it: the record's published text, hashed as it is, and the
    key lists the record keeps in files (digest, keys), when it is being recorded."""

    text: str
    key_lists: tuple[tuple[str, Sequence[str]], ...] = ()

    @classmethod
    def of(cls, text: str, record: DrawRecord | ExternalDraw | None = None) -> StoredDraw:
        """A record's text with the index columns it implies: the only way they are made.
        ``record``, the text's record with its keys, gives the key lists to store."""
        # The record a text was just made from implies the same columns; only a text alone
        # (an import) is parsed for them.
        info = DrawInfo.of_record(record if record is not None else read_draw(text))
        key_lists: tuple[tuple[str, Sequence[str]], ...] = ()
        if isinstance(record, DrawRecord):
            key_lists = tuple(
                (e.digest, e.keys) for e in record.key_lists() if e.keys_file and e.digest
            )
        return cls(**vars(info), text=text, key_lists=key_lists)

    @property
    def record(self) -> DrawRecord | ExternalDraw:
        return read_draw(self.text)

    @property
    def info(self) -> DrawInfo:
        """What identifies the draw: the ledger's index columns."""
        return DrawInfo(self.scope, self.task_id, self.base_item, self.year, self.month)


@dataclass(frozen=True)
class AuditReport:
    """Result of checking the event chain and stored records."""

    events: int
    draws: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


class Ledger:
    """Access to one workspace's ledger database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.conn = sqlite3.connect(path, isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.executescript(SCHEMA)
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', '1')")
        except sqlite3.DatabaseError as exc:
            raise ledger_failure(path, exc) from None

    @staticmethod
    def exists(folder: Path) -> bool:
        """Whether the workspace has a ledger yet (read-only commands must not create one)."""
        return (folder / LEDGER_NAME).exists()

    @classmethod
    def at(cls, folder: Path) -> Ledger:
        return cls(folder / LEDGER_NAME)

    @staticmethod
    def _read(folder: Path, read: Callable[[Ledger], T], default: T) -> T:
        """``read`` the workspace's ledger, or ``default`` when there is none — never creating one."""
        if not Ledger.exists(folder):
            return default
        with Ledger.at(folder) as ledger:
            return read(ledger)

    @staticmethod
    def existing_draws(folder: Path, year: int) -> list[DrawInfo]:
        """The draws of a year (empty if the workspace has no ledger yet)."""
        return Ledger._read(folder, lambda ledger: ledger.drawn(year), [])

    @staticmethod
    def existing_recorded_scopes(folder: Path, year: int) -> set[str]:
        """Scopes of a year with a draw event (none if the workspace has no ledger yet)."""
        return Ledger._read(folder, lambda ledger: ledger.recorded_scopes(year), set())

    @staticmethod
    def existing_previous_population(
        folder: Path, base_item: str, year: int, month: int
    ) -> tuple[str, int] | None:
        """:meth:`previous_population`, or None if the workspace has no ledger yet."""
        return Ledger._read(
            folder, lambda ledger: ledger.previous_population(base_item, year, month), None
        )

    @staticmethod
    def existing_external(folder: Path, year: int) -> set[str]:
        """The imported scopes of a year (none if the workspace has no ledger yet)."""
        return Ledger._read(folder, lambda ledger: ledger.external_scopes(year), set())

    @staticmethod
    def existing_assigned_months(folder: Path) -> set[str]:
        """Months with an assignment event (none if the workspace has no ledger yet)."""
        return Ledger._read(folder, lambda ledger: ledger.assigned_months(), set())

    @staticmethod
    def existing_assignment(folder: Path, month: str) -> tuple[str, list[Substitution]] | None:
        """A month's assignment text and its 递补 events, if assigned."""

        def read(ledger: Ledger) -> tuple[str, list[Substitution]] | None:
            text = ledger.assignment(month)
            return None if text is None else (text, ledger.substitutions(month))

        return Ledger._read(folder, read, None)

    @staticmethod
    def existing_events(folder: Path) -> list[tuple[int, str, str, dict[str, Any]]]:
        """The event log (empty if the workspace has no ledger yet)."""
        return Ledger._read(folder, lambda ledger: list(ledger.events()), [])

    def _rollback(self) -> None:
        # SQLite has already rolled back after a full disk or an I/O error: "no transaction is
        # active" then, and the error that matters is the one that caused it.
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")

    def unusable(self, exc: sqlite3.DatabaseError) -> NeedsAttention:
        """What a failed read or write of the ledger means for a person: which file, why, what
        to do. Nothing of the failed transaction was kept."""
        return ledger_failure(self.path, exc)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def draw(self, scope: str) -> StoredDraw | None:
        row = self.conn.execute(
            "SELECT scope, task_id, base_item, year, month, record FROM draws WHERE scope = ?",
            (scope,),
        ).fetchone()
        return None if row is None else _stored(row)

    def key_texts(self, digest: str | None) -> Iterator[bytes] | None:
        """A kept key list as its UTF-8 text a part at a time (the parts joined by "\n" are
        the list's file), or None when no list with this digest is kept. A ledger of 0.5.0 or
        before keeps a list whole: one part."""
        if digest is None or not self.key_list_kept(digest):
            return None
        whole = self.conn.execute(
            "SELECT CAST(keys AS BLOB) FROM key_lists WHERE digest = ?", (digest,)
        ).fetchone()
        if whole is not None:
            return iter([whole[0]])
        cursor = self.conn.execute(
            "SELECT CAST(keys AS BLOB) FROM key_parts WHERE digest = ? ORDER BY part", (digest,)
        )
        return (part for (part,) in cursor)

    def key_list(
        self, digest: str, column: Callable[[Iterator[bytes]], Sequence[str]]
    ) -> Sequence[str] | None:
        """A kept key list by its digest, as ``column`` makes it of the list's parts (an
        Arrow column: a province's list is never a Python string a key), or None."""
        parts = self.key_texts(digest)
        return None if parts is None else column(parts)

    def key_list_kept(self, digest: str) -> bool:
        """Whether a key list with this digest is already kept."""
        query = (
            "SELECT EXISTS (SELECT 1 FROM key_lists WHERE digest = ?1)"
            " OR EXISTS (SELECT 1 FROM key_parts WHERE digest = ?1)"
        )
        return bool(self.conn.execute(query, (digest,)).fetchone()[0])

    def full_record(
        self, stored: StoredDraw, column: Callable[[Iterator[bytes]], Sequence[str]]
    ) -> DrawRecord | ExternalDraw:
        """A stored record with the key lists it keeps in files read back in (as ``column``
        makes them, see :meth:`key_list`)."""
        record = stored.record
        if isinstance(record, DrawRecord):
            return record.with_keys(lambda _file, digest: self.key_list(digest, column))
        return record

    def month_draws(
        self,
        year: int,
        month: int,
        column: Callable[[Iterator[bytes]], Sequence[str]] | None = None,
    ) -> list[tuple[DrawRecord | ExternalDraw, str]]:
        """A month's records with their texts, in draw order: with ``column``, the key lists
        kept here read back in (see :meth:`key_list`); without, left out (empty)."""
        found = []
        for info in self.drawn(year):
            stored = self.draw(info.scope) if info.month == month else None
            if stored is not None:
                record = stored.record if column is None else self.full_record(stored, column)
                found.append((record, stored.text))
        return found

    def drawn(self, year: int) -> list[DrawInfo]:
        """The draws of a year, records left out, in the order they were made."""
        rows = self.conn.execute(
            "SELECT scope, task_id, base_item, year, month FROM draws WHERE year = ? ORDER BY rowid",
            (year,),
        )
        return [DrawInfo(s, t, b, int(y), int(m)) for s, t, b, y, m in rows]

    def draws(self, year: int | None = None) -> list[StoredDraw]:
        """All draws (of one year), in the order they were made."""
        query = "SELECT scope, task_id, base_item, year, month, record FROM draws"
        args: tuple[int, ...] = ()
        if year is not None:
            query += " WHERE year = ?"
            args = (year,)
        rows = self.conn.execute(query + " ORDER BY rowid", args).fetchall()
        return [_stored(row) for row in rows]

    def texts_before(self, year: int, month: int) -> list[str]:
        """The record texts of a year's draws before ``month``, in the order they were made."""
        rows = self.conn.execute(
            "SELECT record FROM draws WHERE year = ? AND month < ? ORDER BY rowid", (year, month)
        )
        return [str(text) for (text,) in rows]

    def external_scopes(self, year: int) -> set[str]:
        """The scopes of a year whose selections were imported, not drawn here."""
        rows = self.conn.execute(
            "SELECT scope FROM draws WHERE year = ? AND json_extract(record, '$.spec') = ?",
            (year, EXTERNAL),
        )
        return {scope for (scope,) in rows}

    def previous_population(self, base_item: str, year: int, month: int) -> tuple[str, int] | None:
        """(scope, population size) of the latest draw made here over ``base_item`` before
        ``month``, if any (imported selections have no population)."""
        row = self.conn.execute(
            "SELECT scope, json_extract(record, '$.population.size') FROM draws"
            " WHERE base_item = ? AND year = ? AND month < ?"
            " AND json_extract(record, '$.spec') != ? ORDER BY month DESC, rowid DESC LIMIT 1",
            (base_item, year, month, EXTERNAL),
        ).fetchone()
        return None if row is None or row[1] is None else (str(row[0]), int(row[1]))

    def selected_over(self, base_item: str, year: int) -> set[str]:
        """Every enterprise selected in ``year`` by a draw over ``base_item``."""
        rows = self.conn.execute(
            "SELECT uscc FROM selections WHERE base_item = ? AND year = ?", (base_item, year)
        )
        return {uscc for (uscc,) in rows}

    def events(self) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
        for seq, at, kind, payload in self.conn.execute(
            "SELECT seq, at, kind, payload FROM events ORDER BY seq"
        ):
            yield seq, at, kind, json.loads(payload)

    def head(self) -> str:
        """The hash of the latest event (the chain head), or the genesis hash."""
        row = self.conn.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return str(row[0]) if row else GENESIS

    def head_anchor(self) -> LedgerHead:
        """The chain head as (event number, hash); (0, genesis) for an empty log."""
        row = self.conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return LedgerHead(int(row[0]), str(row[1])) if row else LedgerHead(0, GENESIS)

    def last_event(
        self, kinds: Sequence[str], accept: Callable[[dict[str, Any]], bool]
    ) -> LedgerHead | None:
        """The latest event of one of ``kinds`` whose payload ``accept`` takes, as an anchor:
        where a published file stands in the chain."""
        found = None
        for seq, hash_, kind, payload in self.conn.execute(
            "SELECT seq, hash, kind, payload FROM events ORDER BY seq"
        ):
            if kind in kinds and accept(json.loads(payload)):
                found = LedgerHead(int(seq), str(hash_))
        return found

    def chain(self) -> dict[int, str]:
        """Every event's hash by number: today's chain, to check published anchors against."""
        return {int(seq): str(h) for seq, h in self.conn.execute("SELECT seq, hash FROM events")}

    # -- writing ---------------------------------------------------------------------------

    def record_draws(
        self, draws: Sequence[tuple[StoredDraw, Sequence[str]]], *, external: bool = False
    ) -> None:
        """Store new draws (each with its selected keys) and their events in one transaction;
        ``external`` marks selections imported from elsewhere."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for draw, selected in draws:
                # The text's UTF-8 bytes, stored as TEXT by SQLite: given the str, the sqlite3
                # module would keep a UTF-8 copy inside it for as long as it lives (a
                # province's record is hundreds of MB).
                data = draw.text.encode()
                digest = hashlib.sha256(data).hexdigest()
                self.conn.execute(
                    "INSERT INTO draws VALUES (?, ?, ?, ?, ?, CAST(? AS TEXT), ?)",
                    (
                        draw.scope,
                        draw.task_id,
                        draw.base_item,
                        draw.year,
                        draw.month,
                        data,
                        digest,
                    ),
                )
                del data
                # In key order, the index's order: half the time of a province's month in rank
                # order (what is stored, and read back by key, is the same). Handed over as
                # one JSON array that SQLite walks itself: a third of the time of a row bound
                # at a time (JSON is already what the ledger's queries read records with).
                self.conn.execute(
                    "INSERT INTO selections SELECT ?, ?, ?, value FROM json_each(?)",
                    (draw.scope, draw.base_item, draw.year, json.dumps(sorted(selected))),
                )
                # A key list too long for the record is kept once, by its digest (which the
                # record, and so the event's hash, binds): a population drawn each month is
                # stored once. In parts of a million keys, joined by "\n" when read: a
                # province's list is never one bytes object here, nor one SQLite value (at
                # most 1 GB). The UTF-8 bytes stored as TEXT by SQLite itself: the same value
                # as the decoded text, without a Python copy.
                for list_digest, keys in draw.key_lists:
                    if self.key_list_kept(list_digest):
                        continue
                    self.conn.executemany(
                        "INSERT INTO key_parts VALUES (?, ?, CAST(? AS TEXT))",
                        ((list_digest, n, part) for n, part in enumerate(joined_parts(keys))),
                    )
                event = {"scope": draw.scope, "record_sha256": digest, "selected": len(selected)}
                self._append("draw", event | ({"external": True} if external else {}))
            self.conn.execute("COMMIT")
            checkpoint("commit")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.DatabaseError):
                raise self.unusable(exc) from None
            raise

    def assignment(self, month: str) -> str | None:
        """The assignment record text of a month ("YYYY-MM"), if assigned."""
        row = self.conn.execute(
            "SELECT record FROM assignments WHERE month = ?", (month,)
        ).fetchone()
        return None if row is None else str(row[0])

    def assignments(self, year: int) -> list[tuple[str, str]]:
        """(month, record text) of every assignment in a year, by month."""
        rows = self.conn.execute(
            "SELECT month, record FROM assignments WHERE year = ? ORDER BY month", (year,)
        )
        return [(str(m), str(r)) for m, r in rows]

    def substitutions(self, month: str) -> list[Substitution]:
        """The 递补 events of a month, in the order they were made (with their time)."""
        return [
            Substitution.from_dict(payload | {"at": at})
            for _, at, kind, payload in self.events()
            if kind == "substitute" and payload["month"] == month
        ]

    def results(self) -> dict[tuple[str, str], Result]:
        """The current result of each inspected enterprise: its latest "result" event, with the
        date a later "publish" event marked it published when the result itself has none."""
        current: dict[tuple[str, str], Result] = {}
        for _, _, kind, payload in self.events():
            if kind == "result":
                current[(payload["scope"], payload["uscc"])] = Result.from_dict(payload)
            elif kind == "publish":
                for scope, uscc in payload["items"]:
                    entry = current.get((scope, uscc))
                    if entry is not None and not entry.published_on:
                        current[(scope, uscc)] = replace(entry, published_on=payload["date"])
        return current

    def waivers(self) -> dict[tuple[str, str], Waiver]:
        """Each drawn enterprise recorded as not inspectable, by (scope, uscc): its latest
        "waive" event (a result recorded for it is kept beside it and takes precedence)."""
        return {
            (p["scope"], p["uscc"]): Waiver.from_dict(p)
            for _, _, kind, p in self.events()
            if kind == "waive"
        }

    def imported_files(self) -> set[tuple[str, str]]:
        """(file name, SHA-256) of every results file version imported so far: a file's
        conflicts are its own, so a copy under another name is read once too."""
        return {
            (str(p["file"]), str(p["sha256"]))
            for _, _, kind, p in self.events()
            if kind == "results_file"
        }

    def open_conflicts(self) -> list[ResultConflict]:
        """Conflicts still waiting for a person: those the latest import of each file found,
        for enterprises with no result recorded since."""
        latest: dict[str, list[ResultConflict]] = {}
        for _, _, kind, payload in self.events():
            if kind == "results_file":
                latest[payload["file"]] = [
                    ResultConflict.from_dict(c) for c in payload["conflicts"]
                ]
            elif kind == "result":
                for file, conflicts in latest.items():
                    latest[file] = [
                        c
                        for c in conflicts
                        if (c.scope, c.uscc) != (payload["scope"], payload["uscc"])
                    ]
        return [c for conflicts in latest.values() for c in conflicts]

    def record_assignment(self, month: str, year: int, text: str) -> None:
        """Store a month's assignment record and its event in one transaction."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            digest = sha256_text(text)
            self.conn.execute(
                "INSERT INTO assignments VALUES (?, ?, ?, ?)", (month, year, text, digest)
            )
            self._append("assign", {"month": month, "record_sha256": digest})
            self.conn.execute("COMMIT")
            checkpoint("commit")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.DatabaseError):
                raise self.unusable(exc) from None
            raise

    def record_events(self, kind: str, payloads: Sequence[Mapping[str, Any]]) -> None:
        """Append events of one kind (递补, results, publications) in one transaction."""
        self.record([(kind, payload) for payload in payloads])

    def record(self, events: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Append (kind, payload) events in one transaction."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for kind, payload in events:
                self._append(kind, payload)
            self.conn.execute("COMMIT")
            checkpoint("commit")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.DatabaseError):
                raise self.unusable(exc) from None
            raise

    def _missing_rows(
        self, draw_events: Mapping[str, str], assign_events: Mapping[str, str]
    ) -> list[str]:
        """Events whose record is no longer in its table: a deleted draw or assignment."""
        drawn = {scope for (scope,) in self.conn.execute("SELECT scope FROM draws")}
        assigned = {month for (month,) in self.conn.execute("SELECT month FROM assignments")}
        missing = [f"{s} 的抽取记录" for s in draw_events if s not in drawn]
        missing += [f"{m} 的人员分组记录" for m in assign_events if m not in assigned]
        return [f"事件日志中有{missing[0]}，表中却没有：记录被删除过"] if missing else []

    def recorded_scopes(self, year: int) -> set[str]:
        """Scopes with a draw event in ``year``, whatever the draws table holds."""
        return {
            scope
            for _, _, kind, payload in self.events()
            if kind == "draw"
            and (scope := str(payload["scope"])).split("/")[1].startswith(f"{year:04d}-")
        }

    def assigned_months(self) -> set[str]:
        """Months with an assignment event, whatever the assignments table holds."""
        return {str(p["month"]) for _, _, kind, p in self.events() if kind == "assign"}

    def _audit_draws(self, draw_events: dict[str, str]) -> tuple[int, list[str]]:
        """Check each stored draw against its event, the selections index and the exclusions
        its earlier draws imply; (draws checked, the first problem if any)."""
        earlier: dict[tuple[str, int], set[str]] = {}  # (item, year) -> selected so far
        count = 0
        for row in self.conn.execute(
            "SELECT scope, task_id, base_item, year, month, record, record_sha256 FROM draws"
            " ORDER BY rowid"
        ).fetchall():
            count += 1
            stored, digest = _stored(row[:6]), row[6]
            scope = stored.scope
            if scope not in draw_events:
                return count, [f"抽取记录 {scope} 在事件日志中没有对应的事件：记录是后来加进去的"]
            if sha256_text(stored.text) != digest or draw_events[scope] != digest:
                return count, [f"抽取记录 {scope} 与事件日志中的哈希不符：记录被改动过"]
            body = stored.record  # key lists kept here are read a part at a time
            if stored.info != DrawInfo.of_record(body):
                # Later draws find exclusions and scopes through these columns, not the record.
                return count, [
                    f"抽取记录 {scope} 的索引列（事项、年份、月份）与记录不符：索引被改动过"
                ]
            rows = self.conn.execute(
                "SELECT base_item, year, uscc FROM selections WHERE scope = ?", (scope,)
            )
            before = earlier.setdefault((stored.base_item, stored.year), set())
            listed = {(b, int(y), u) for b, y, u in rows}
            found = _draw_problems(stored, body, listed, before, self.key_texts)
            if found:
                return count, found
            before.update(body.selected_keys)
        return count, []

    def _append(self, kind: str, payload: Mapping[str, Any]) -> None:
        """Append one event; must run inside a transaction."""
        last = self.conn.execute(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = now_text()
        text = canonical_json(payload)
        self.conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
            (seq, at, kind, text, prev, event_hash(prev, seq, at, kind, text)),
        )

    # -- auditing --------------------------------------------------------------------------

    def audit(self) -> AuditReport:
        """Check the hash chain and that every stored record matches its event."""
        problems: list[str] = []
        prev = GENESIS
        prev_at: dt.datetime | None = None
        expected_seq = 1
        draw_events: dict[str, str] = {}
        assign_events: dict[str, str] = {}
        count = 0
        for seq, at, kind, payload, prev_hash, hash_ in self.conn.execute(
            "SELECT seq, at, kind, payload, prev_hash, hash FROM events ORDER BY seq"
        ):
            count += 1
            if seq != expected_seq:
                problems.append(f"事件 {expected_seq} 缺失（下一条是 {seq}）")
            if prev_hash != prev:
                problems.append(f"事件 {seq} 的前一哈希与事件 {seq - 1} 不符：链条在此断开")
            if event_hash(prev_hash, seq, at, kind, payload) != hash_:
                problems.append(f"事件 {seq}（{kind}）的内容与其哈希不符：该事件被改动过")
            if kind in ("draw", "assign"):
                body = json.loads(payload)
                key, seen = (
                    (body["scope"], draw_events)
                    if kind == "draw"
                    else (body["month"], assign_events)
                )
                if key in seen:
                    # A scope is drawn once and a month assigned once: a second event means a
                    # record was removed from its table and made again.
                    what = "抽取" if kind == "draw" else "人员分组"
                    problems.append(
                        f"{key} 有两次{what}事件（第二次是事件 {seq}）：记录曾被删除后重做，"
                        "原结果已被替换"
                    )
                seen[key] = body["record_sha256"]
            moment = _moment(at)
            if moment is None:
                problems.append(
                    f"事件 {seq}（{kind}）的时间“{at}”不是带时区的时间（ssj 写的是 "
                    "2025-03-02T09:00:00+08:00 这样的形式）：台账被改写"
                )
            elif prev_at is not None and moment < prev_at:
                problems.append(
                    f"事件 {seq}（{kind}）的时间 {at} 早于前一事件：事件时间不能倒流，"
                    "记录被倒填日期或台账被改写"
                )
            prev_at = moment or prev_at
            prev, expected_seq = hash_, seq + 1
            if problems:
                break
        if not problems:
            problems = self._missing_rows(draw_events, assign_events)
        # Draws are counted only on a chain that holds: the count is shown only when all does.
        draws = 0  # pragma: no mutate
        if not problems:
            draws, problems = self._audit_draws(draw_events)
        for month, record, digest in self.conn.execute(
            "SELECT month, record, record_sha256 FROM assignments ORDER BY month"
        ):
            if problems:
                break
            if month not in assign_events:
                problems.append(
                    f"{month} 的人员分组记录在事件日志中没有对应的事件：记录是后来加进去的"
                )
            elif sha256_text(record) != digest or assign_events[month] != digest:
                problems.append(f"{month} 的人员分组记录与事件日志中的哈希不符：记录被改动过")
        return AuditReport(count, draws, problems[:1])


def _draw_problems(
    stored: StoredDraw,
    body: DrawRecord | ExternalDraw,
    listed: set[tuple[str, int, str]],
    before: set[str],
    kept: Callable[[str | None], Iterator[bytes] | None],
) -> list[str]:
    """What is wrong with one stored draw given its index rows (item, year, enterprise), the
    earlier selections and the key lists kept in the ledger (``kept``: a list's parts by
    digest). A kept list is read a part at a time: the country's population is never a list
    of Python strings here."""
    scope = stored.scope
    if listed != {(stored.base_item, stored.year, uscc) for uscc in body.selected_keys}:
        # The selections index drives later exclusions: it must be the record's selection.
        return [f"{scope} 的已抽中企业索引与抽取记录不符：索引被改动过"]
    if isinstance(body, ExternalDraw):  # imported selections exclude nothing themselves
        return []
    inside = before.intersection(body.population.keys)  # when the keys are inline

    def seen(parts: Iterator[bytes]) -> Iterator[bytes]:
        # The earlier selections in the population found as its parts go by (an item's first
        # draw has none to find: its parts are not even decoded).
        for part in parts:
            if before:
                # Keys are codes of letters and digits (a code with a space is refused on
                # input): splitting at any whitespace would give the same keys.
                keys = part.decode().split("\n")  # pragma: no mutate
                inside.update(before.intersection(keys))
            yield part

    for entry in [e for e in body.key_lists() if e.keys_file is not None]:
        parts = kept(entry.digest)
        if parts is not None and entry is body.population:
            parts = seen(parts)
        if parts is None or entry.digest != parts_digest(parts):
            return [
                f"{scope} 的对象名单（{entry.keys_file}）缺失或与记录中的摘要不符：名单被改动过"
            ]
    if set(body.excluded) != inside:
        return [f"{scope} 的排除名单与此前对同一事项的抽取结果不符"]
    return []


def ledger_failure(path: Path, exc: sqlite3.DatabaseError) -> NeedsAttention:
    """A ledger that cannot be read or written, in words: full disk, size limit, damage, rights."""
    text = str(exc).lower()
    if "full" in text or "too large" in text or "disk i/o" in text:
        why = "写不进去：磁盘已满、超出文件大小限制或磁盘出错"
        fix = "腾出磁盘空间（或放宽文件大小限制）后再运行同一命令；这次没写成的内容没有记入，什么都没有丢"
    elif "malformed" in text or "not a database" in text or "corrupt" in text:
        why = "已损坏，无法读取"
        fix = "从备份恢复 ssj.db，用 ssj audit verify --against 输出 核对通过后再运行"
    elif "readonly" in text or "read-only" in text or "unable to open" in text:
        why = "没有写入权限或无法打开"
        fix = "确认对工作区有读写权限、文件没有被别的程序占用，再运行同一命令"
    else:
        why = "无法读写"
        fix = "确认磁盘空间和读写权限后再运行同一命令；仍不行请从备份恢复 ssj.db"
    return NeedsAttention(f"台账文件 {path} {why}（{exc}）。{fix}")


def _moment(at: str) -> dt.datetime | None:
    """An event's time as an aware instant (None if it is not a time with an offset)."""
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _stored(row: Iterable[Any]) -> StoredDraw:
    scope, task_id, base_item, year, month, text = row
    return StoredDraw(scope, task_id, base_item, int(year), int(month), text)
