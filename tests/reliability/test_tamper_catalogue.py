"""The tamper catalogue: every way of editing the workspace's ledger behind ssj's back that the
audit must find — with the chain alone, or against the files published before."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.ledger.store import GENESIS, event_hash

from ..conftest import copy_examples, fill_task_sheet, invoke

Tamper = Callable[[sqlite3.Connection], None]


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two months drawn and grouped, a 递补, a result and its 公示表; the outputs published."""
    # Its own folder: the published copy sits beside the workspace, and the fixture may be
    # made more than once in a session (tests taken out of order, as mutation testing runs them).
    plan = copy_examples(tmp_path_factory.mktemp("year") / "workspace")
    for month in ("2025-03", "2025-05"):
        draw_month(plan, month)
        assert invoke("assign", "--plan", plan, "--month", month).exit_code == 0
    groups = json.loads(invoke("assign", "--plan", plan, "--month", "2025-05", "--json").stdout)[
        "groups"
    ]
    leaving = groups[0]["officers"][0]["id"]
    assert (
        invoke(
            "assign", "--plan", plan, "--month", "2025-05", "--replace", leaving, "--reason", "病假"
        ).exit_code
        == 0
    )
    sheet = fill_task_sheet(plan, "2025-03", {0: (dt.date(2025, 3, 10), "未发现问题", None)})
    assert (
        invoke("results", "import", sheet, "--plan", plan, "--today", "2025-03-12").exit_code == 0
    )
    assert invoke("publish", "--plan", plan, "--today", "2025-03-12").exit_code == 0
    shutil.copytree(plan.parent / "输出", plan.parent.parent / "公开")
    return plan


def _rows(db: sqlite3.Connection, sql: str) -> list[tuple[object, ...]]:
    return db.execute(sql).fetchall()


def _edit_record(db: sqlite3.Connection) -> None:
    (text,) = _rows(db, "SELECT record FROM draws WHERE scope = 'AJ-01/2025-05'")[0]
    db.execute(
        "UPDATE draws SET record = ? WHERE scope = 'AJ-01/2025-05'",
        (str(text).replace('"rank": 1,', '"rank": 1 ,'),),
    )


def _edit_record_and_its_hash(db: sqlite3.Connection) -> None:
    _edit_record(db)
    (text,) = _rows(db, "SELECT record FROM draws WHERE scope = 'AJ-01/2025-05'")[0]
    import hashlib

    digest = hashlib.sha256(str(text).encode()).hexdigest()
    db.execute("UPDATE draws SET record_sha256 = ? WHERE scope = 'AJ-01/2025-05'", (digest,))


def _rehash(
    db: sqlite3.Connection, change: Callable[[int, str, str, str], tuple[str, str]]
) -> None:
    """Rewrite the events through ``change`` and recompute every hash, as a careful forger would."""
    prev = GENESIS
    for seq, at, kind, payload in _rows(
        db, "SELECT seq, at, kind, payload FROM events ORDER BY seq"
    ):
        at, payload = change(int(str(seq)), str(at), str(kind), str(payload))
        new = event_hash(prev, int(str(seq)), at, str(kind), payload)
        db.execute(
            "UPDATE events SET at = ?, payload = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (at, payload, prev, new, seq),
        )
        prev = new


def _drop_an_event_and_rehash(db: sqlite3.Connection) -> None:
    """Take out the third event (a draw's, its rows left in place) and rehash the chain around
    the gap: every hash agrees; only the numbering shows what is missing."""
    db.execute("DELETE FROM events WHERE seq = 3")
    _rehash(db, lambda seq, at, kind, payload: (at, payload))


def _backdate_first(db: sqlite3.Connection) -> None:
    _rehash(
        db,
        lambda seq, at, kind, payload: ("2025-01-01T00:00:00+08:00" if seq == 1 else at, payload),
    )


def _other_result(db: sqlite3.Connection) -> None:
    _rehash(
        db, lambda seq, at, kind, payload: (at, payload.replace("未发现问题", "发现问题待后续处理"))
    )


def _drop_newest(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")


def _duplicate_draw_event(db: sqlite3.Connection) -> None:
    seq, prev = _rows(db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")[0]
    first = _rows(db, "SELECT payload FROM events WHERE kind = 'draw' ORDER BY seq LIMIT 1")[0][0]
    at = "2025-05-07T09:00:00+08:00"
    number = int(str(seq)) + 1
    db.execute(
        "INSERT INTO events VALUES (?, ?, 'draw', ?, ?, ?)",
        (number, at, first, prev, event_hash(str(prev), number, at, "draw", str(first))),
    )


def _swap_two_events(db: sqlite3.Connection) -> None:
    """Reorder history (a 递补 before the assignment it replaces in) and rehash the chain."""
    rows = {
        seq: (at, kind, payload)
        for seq, at, kind, payload in _rows(
            db, "SELECT seq, at, kind, payload FROM events ORDER BY seq"
        )
    }
    first, second = 1, 2
    db.execute(
        "UPDATE events SET kind = ?, payload = ? WHERE seq = ?",
        (rows[second][1], rows[second][2], first),
    )
    db.execute(
        "UPDATE events SET kind = ?, payload = ? WHERE seq = ?",
        (rows[first][1], rows[first][2], second),
    )
    _rehash(db, lambda seq, at, kind, payload: (at, payload))


def _roll_back_to_march(db: sqlite3.Connection) -> None:
    """Put back an older state as a whole (a restored backup): May's draws, assignment and 递补
    are gone from the log and every table, so the chain and the index agree with each other."""
    (last,) = _rows(
        db, "SELECT max(seq) FROM events WHERE kind = 'assign' AND payload LIKE '%2025-03%'"
    )[0]
    db.execute("DELETE FROM events WHERE seq > ?", (last,))
    db.execute("DELETE FROM selections WHERE scope LIKE '%/2025-05'")
    db.execute("DELETE FROM draws WHERE month = 5")
    db.execute("DELETE FROM assignments WHERE month = '2025-05'")


def _forge_draw_row(db: sqlite3.Connection) -> None:
    """A draw row for a scope the log never drew, with a self-consistent stored hash."""
    db.execute(
        "INSERT INTO draws SELECT 'AJ-01/2025-06', task_id, base_item, year, 6, record,"
        " record_sha256 FROM draws WHERE scope = 'AJ-01/2025-05'"
    )


CATALOGUE: list[tuple[str, Tamper, str]] = [
    ("edit a stored record", _edit_record, "与事件日志中的哈希不符"),
    ("edit a record and its stored hash", _edit_record_and_its_hash, "与事件日志中的哈希不符"),
    (
        "drop a row of the selections index",
        lambda db: db.execute(
            "DELETE FROM selections WHERE rowid = (SELECT min(rowid) FROM selections)"
        ),
        "索引",
    ),
    (
        "add a row to the selections index",
        lambda db: db.execute(
            "INSERT INTO selections VALUES ('AJ-01/2025-03', 'AJ-01', 2025, '91410311MA0000000X')"
        ),
        "索引",
    ),
    (
        "delete a draw",
        lambda db: db.execute("DELETE FROM draws WHERE scope = 'AJ-02/2025-05'"),
        "记录被删除过",
    ),
    (
        "delete an assignment",
        lambda db: db.execute("DELETE FROM assignments WHERE month = '2025-03'"),
        "记录被删除过",
    ),
    (
        "edit an assignment",
        lambda db: db.execute(
            "UPDATE assignments SET record = replace(record, '\"group_max\": 5', '\"group_max\": 6')"
        ),
        "人员分组记录与事件日志中的哈希不符",
    ),
    (
        "edit an event",
        lambda db: db.execute("UPDATE events SET payload = replace(payload, '病假', '事假')"),
        "内容与其哈希不符",
    ),
    (
        "delete an event in the middle",
        lambda db: db.execute("DELETE FROM events WHERE seq = 3"),
        "第 3 条事件不见了",
    ),
    (
        "relink an event",
        lambda db: db.execute("UPDATE events SET prev_hash = ? WHERE seq = 4", ("0" * 64,)),
        "事件 4 的前一哈希与事件 3 不符：链条在此断开",
    ),
    ("a second draw event for a scope", _duplicate_draw_event, "两次抽取事件"),
    ("drop the newest event", _drop_newest, "历史被删减了"),
    ("back-date an event and rehash the chain", _backdate_first, "历史被改写了"),
    ("drop an event and rehash the chain", _drop_an_event_and_rehash, "第 3 条事件不见了"),
    ("change a result and rehash the chain", _other_result, "历史被改写了"),
    (
        "change the year of a selection in the index (hides it from later exclusions)",
        lambda db: db.execute(
            "UPDATE selections SET year = 2024 WHERE rowid = (SELECT min(rowid) FROM selections)"
        ),
        "索引",
    ),
    (
        "change the item of a selection in the index",
        lambda db: db.execute(
            "UPDATE selections SET base_item = 'ZZ-99'"
            " WHERE rowid = (SELECT min(rowid) FROM selections)"
        ),
        "索引",
    ),
    (
        "swap one enterprise of the index for another",
        lambda db: db.execute(
            "UPDATE selections SET uscc = '91410311MA0000000X'"
            " WHERE rowid = (SELECT min(rowid) FROM selections)"
        ),
        "索引",
    ),
    (
        "change the item a stored draw is filed under",
        lambda db: db.execute("UPDATE draws SET base_item = 'ZZ-99' WHERE scope = 'AJ-01/2025-05'"),
        "索引",
    ),
    (
        "move a stored draw to another month",
        lambda db: db.execute("UPDATE draws SET month = 6 WHERE scope = 'AJ-01/2025-05'"),
        "索引",
    ),
    (
        "rename a stored draw's scope",
        lambda db: db.execute(
            "UPDATE draws SET scope = 'AJ-01/2025-06' WHERE scope = 'AJ-01/2025-05'"
        ),
        "记录被删除过",
    ),
    ("add a draw the log never made", _forge_draw_row, "没有对应的事件"),
    (
        "add an assignment the log never made",
        lambda db: db.execute(
            "INSERT INTO assignments SELECT '2025-06', year, record, record_sha256"
            " FROM assignments WHERE month = '2025-05'"
        ),
        "没有对应的事件",
    ),
    (
        "drop the draws table",
        lambda db: db.execute("DROP TABLE draws"),
        "记录被删除过",
    ),
    (
        "change an event's time",
        lambda db: db.execute("UPDATE events SET at = '2025-01-01T00:00:00+08:00' WHERE seq = 2"),
        "内容与其哈希不符",
    ),
    ("empty the event log", lambda db: db.execute("DELETE FROM events"), "历史被删减了"),
    ("reorder two events and rehash the chain", _swap_two_events, "历史被改写了"),
    ("restore an older ledger as a whole", _roll_back_to_march, "历史被删减了"),
]


@pytest.mark.parametrize(
    ("tamper", "fragment"), [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE]
)
def test_every_tampering_is_found(
    year: Path, tmp_path: Path, tamper: Tamper, fragment: str
) -> None:
    plan = copy_examples(tmp_path / "copy", year.parent)
    shutil.copy(year.parent / "ssj.db", plan.parent / "ssj.db")
    with sqlite3.connect(plan.parent / "ssj.db") as db:
        tamper(db)
    result = invoke("audit", "verify", "--plan", plan, "--against", year.parent.parent / "公开")
    assert result.exit_code == 1, result.output
    assert fragment in result.output


def _time_without_offset(db: sqlite3.Connection) -> None:
    _rehash(db, lambda seq, at, kind, payload: (at[:19] if seq == 2 else at, payload))


def _time_going_back(db: sqlite3.Connection) -> None:
    _rehash(
        db,
        lambda seq, at, kind, payload: ("2020-01-01T00:00:00+08:00" if seq == 2 else at, payload),
    )


@pytest.mark.parametrize(
    ("tamper", "finding"),
    [
        (_drop_an_event_and_rehash, ("✗ 事件 3 缺失（下一条是 4）",)),
        # Event 4 then shows a gap and a broken link: the first is named, the second follows.
        (
            lambda db: db.execute("DELETE FROM events WHERE seq = 3"),
            ("✗ 事件 3 缺失（下一条是 4）",),
        ),
        (
            _time_without_offset,
            (
                "✗ 事件 2（draw）的时间“",
                "”不是带时区的时间（ssj 写的是 2025-03-02T09:00:00+08:00 这样的形式）：台账被改写",
            ),
        ),
        (
            _time_going_back,
            (
                "✗ 事件 2（draw）的时间 2020-01-01T00:00:00+08:00 早于前一事件：事件时间不能倒流，"
                "记录被倒填日期或台账被改写",
            ),
        ),
    ],
    ids=[
        "a gap in the numbering",
        "a gap and a broken link",
        "a time without its offset",
        "a time going back",
    ],
)
def test_the_audit_alone_names_what_a_rehashed_chain_hides(
    year: Path, tmp_path: Path, tamper: Tamper, finding: tuple[str, ...]
) -> None:
    # Nothing published to compare with: the audit alone names the missing event, or the
    # event whose time is not an instant (a time without its offset orders nothing) — and
    # only that.
    plan = copy_examples(tmp_path / "copy", year.parent)
    shutil.copy(year.parent / "ssj.db", plan.parent / "ssj.db")
    with sqlite3.connect(plan.parent / "ssj.db") as db:
        tamper(db)
    result = invoke("audit", "verify", "--plan", plan)
    assert result.exit_code == 1 and all(f in result.output for f in finding), result.output
    # One finding: what follows from the first break is not news.
    assert result.output.count("✗ 事件") == 1, result.output


def test_the_untouched_workspace_passes(year: Path) -> None:
    result = invoke("audit", "verify", "--plan", year, "--against", year.parent.parent / "公开")
    assert result.exit_code == 0, result.output


def test_a_deleted_ledger_is_found(year: Path, tmp_path: Path) -> None:
    plan = copy_examples(tmp_path / "copy", year.parent)
    shutil.copytree(year.parent / "输出", plan.parent / "输出")
    result = invoke("audit", "verify", "--plan", plan)
    assert result.exit_code == 1 and "台账被删除或移走了" in result.output
