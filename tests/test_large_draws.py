"""Draws that scale. Past ``INLINE_KEYS`` a record's key lists live in files beside it (a big
month's lists as columns: tests/test_big_months.py).

The limit is lowered here so the example roster crosses it; everything else is as a city with
a million-row roster would see it: the record names ``抽取对象-….txt``, ``sha256sum`` of that
file is ``population.digest``, ``ssj verify`` reads it, the ledger keeps each list once and
writes it again when it is lost.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.rules import draw as draw_rule

from .conftest import copy_examples, invoke

MONTH = Path("输出") / "2025-03"


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draw_rule, "INLINE_KEYS", 10)


def _stratify(plan: Path) -> None:
    """AJ-01 drawn by 信用风险分类, one key file a stratum."""
    text = plan.read_text(encoding="utf-8")
    stratified = "ratio: {by: 信用风险分类, A: 3%, B: 5%, C: 10%, D: 20%}"
    plan.write_text(text.replace("ratio: 5%", stratified, 1), encoding="utf-8")


def _record(workspace: Path, task: str = "AJ-01") -> dict[str, object]:
    path = workspace.parent / MONTH / f"抽取记录-{task}-2025-03.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_a_long_population_goes_to_a_file_whose_sha256_is_the_digest(
    workspace: Path, small_limit: None
) -> None:
    outcome = draw_month(workspace, "2025-03")
    record = _record(workspace)
    population = record["population"]
    assert isinstance(population, dict)
    assert "keys" not in population
    assert population["keys_file"] == "抽取对象-AJ-01-2025-03.txt"
    data = (workspace.parent / MONTH / population["keys_file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == population["digest"]  # `sha256sum` agrees
    keys = data.decode().split("\n")
    assert keys == sorted(keys) and len(keys) == population["size"] > 10
    # What --json prints is the record text: no key list in it either.
    assert all('"keys":' not in text for text in outcome.texts)
    assert invoke("verify", workspace.parent / "输出").exit_code == 0


def test_short_populations_stay_inline(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    population = _record(workspace)["population"]
    assert isinstance(population, dict) and "keys_file" not in population
    assert not list((workspace.parent / MONTH).glob("抽取对象-*"))


def test_verify_names_a_changed_or_missing_key_file(workspace: Path, small_limit: None) -> None:
    draw_month(workspace, "2025-03")
    keys_file = workspace.parent / MONTH / "抽取对象-AJ-01-2025-03.txt"
    record_file = workspace.parent / MONTH / "抽取记录-AJ-01-2025-03.json"
    keys = keys_file.read_text(encoding="utf-8").split("\n")
    keys_file.write_text("\n".join(keys[1:]), encoding="utf-8")  # one enterprise left out
    result = invoke("verify", record_file)
    assert result.exit_code == 1
    assert "population.digest 与 抽取对象-AJ-01-2025-03.txt 不符" in result.stdout
    keys_file.unlink()
    result = invoke("verify", record_file)
    assert result.exit_code == 1
    assert "找不到对象名单文件 抽取对象-AJ-01-2025-03.txt" in result.stdout


def test_verify_against_the_workspace_takes_the_record_as_its_file_holds_it(
    workspace: Path, small_limit: None
) -> None:
    # The lists read from the files a record names are not part of its text: the published
    # record is still exactly the ledger's copy (a false "被改动过" would accuse the bureau).
    _stratify(workspace)
    draw_month(workspace, "2025-03")
    result = invoke("verify", workspace.parent / "输出", "--plan", workspace)
    assert result.exit_code == 0, result.stdout
    assert "与台账中的记录不同" not in result.stdout
    record_file = workspace.parent / MONTH / "抽取记录-AJ-02-2025-03.json"
    record = record_file.read_text(encoding="utf-8")
    record_file.write_text(record.replace('"created_at": "', '"created_at": "1', 1), "utf-8")
    result = invoke("verify", workspace.parent / "输出", "--plan", workspace)
    assert result.exit_code == 1
    assert "与台账中的记录不同：公开的文件被改动过" in result.stdout


def test_the_ledger_keeps_each_list_once_and_writes_a_lost_file_again(
    workspace: Path, small_limit: None
) -> None:
    draw_month(workspace, "2025-03")
    folder = workspace.parent
    with sqlite3.connect(folder / "ssj.db") as db:
        records = [text for (text,) in db.execute("SELECT record FROM draws")]
        lists = db.execute(
            "SELECT digest, group_concat(keys, char(10)) FROM"
            " (SELECT * FROM key_parts ORDER BY digest, part) GROUP BY digest"
        ).fetchall()
    assert all('"keys_file"' in text and '"keys":' not in text for text in records)
    for task in ("AJ-01", "AJ-02"):
        population = _record(workspace, task)["population"]
        assert isinstance(population, dict)
        assert (population["digest"], (folder / MONTH / population["keys_file"]).read_text()) in [
            (digest, keys) for digest, keys in lists
        ]
    keys_file = folder / MONTH / "抽取对象-AJ-02-2025-03.txt"
    kept = keys_file.read_bytes()
    keys_file.unlink()
    draw_month(workspace, "2025-03")  # a later command heals the outputs from the ledger
    assert keys_file.read_bytes() == kept
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 0


def test_a_long_list_is_kept_in_parts_and_an_older_ledgers_whole_list_still_read(
    workspace: Path, small_limit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A province's list is stored a few million keys a row (SQLite holds at most 1 GB in one
    # value); here a part is 7 keys.
    monkeypatch.setattr(draw_rule, "PART_KEYS", 7)
    draw_month(workspace, "2025-03")
    folder = workspace.parent
    population = _record(workspace)["population"]
    assert isinstance(population, dict)
    keys_file = folder / MONTH / population["keys_file"]
    keys = keys_file.read_text().split("\n")
    with sqlite3.connect(folder / "ssj.db") as db:
        parts = db.execute(
            "SELECT part, keys FROM key_parts WHERE digest = ? ORDER BY part",
            (population["digest"],),
        ).fetchall()
    assert [n for n, _ in parts] == list(range(-(-len(keys) // 7)))
    assert [p.split("\n") for _, p in parts] == [keys[i : i + 7] for i in range(0, len(keys), 7)]
    keys_file.unlink()
    draw_month(workspace, "2025-03")  # healed from the parts
    assert keys_file.read_text().split("\n") == keys
    # A ledger written before lists were kept in parts holds each whole: still read, still
    # audited, never stored a second time.
    with sqlite3.connect(folder / "ssj.db") as db:
        db.execute(
            "INSERT INTO key_lists SELECT digest, group_concat(keys, char(10)) FROM"
            " (SELECT * FROM key_parts ORDER BY digest, part) GROUP BY digest"
        )
        db.execute("DELETE FROM key_parts")
    keys_file.unlink()
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 0
    draw_month(workspace, "2025-03")
    assert keys_file.read_text().split("\n") == keys
    later = draw_month(workspace, "2025-05").records  # the same populations drawn again
    assert population["digest"] in {r["population"]["digest"] for r in later}
    # March's selections excluded from May's population, which the audit reads in parts.
    assert any(r["excluded"] and r["population"].get("keys_file") for r in later)
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 0
    with sqlite3.connect(folder / "ssj.db") as db:
        kept = {d for (d,) in db.execute("SELECT digest FROM key_parts")}
        whole = {d for (d,) in db.execute("SELECT digest FROM key_lists")}
    assert population["digest"] in whole and not kept & whole
    with sqlite3.connect(folder / "ssj.db") as db:
        db.execute("UPDATE key_lists SET keys = substr(keys, 20)")
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 1


@pytest.mark.parametrize(
    "edit", ["UPDATE key_parts SET keys = substr(keys, 20)", "DELETE FROM key_parts"]
)
def test_audit_catches_a_changed_or_lost_list_in_the_ledger(
    workspace: Path, small_limit: None, edit: str
) -> None:
    draw_month(workspace, "2025-03")
    with sqlite3.connect(workspace.parent / "ssj.db") as db:
        db.execute(edit)
    result = invoke("audit", "verify", "--plan", workspace)
    assert result.exit_code == 1
    assert (
        "AJ-01/2025-03 的对象名单（抽取对象-AJ-01-2025-03.txt）缺失或与记录中的摘要不符"
        "：名单被改动过" in result.stdout
    )


def test_a_stratified_draw_keeps_each_stratum_in_its_own_file(
    workspace: Path, small_limit: None
) -> None:
    _stratify(workspace)
    draw_month(workspace, "2025-03")
    record = _record(workspace)
    strata = record["strata"]
    assert isinstance(strata, list)
    union = []
    for index, stratum in enumerate(strata, start=1):
        assert "keys" not in stratum
        assert stratum["keys_file"] == f"抽取对象-AJ-01-2025-03-第{index}层.txt"
        data = (workspace.parent / MONTH / stratum["keys_file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == stratum["digest"]
        union += data.decode().split("\n") if data else []
    population = record["population"]
    assert isinstance(population, dict)
    assert sorted(union) == (workspace.parent / MONTH / population["keys_file"]).read_text(
        encoding="utf-8"
    ).split("\n")
    assert invoke("verify", workspace.parent / "输出").exit_code == 0
    first = workspace.parent / MONTH / strata[0]["keys_file"]
    first.write_text(first.read_text(encoding="utf-8")[19:], encoding="utf-8")
    result = invoke("verify", workspace.parent / MONTH / "抽取记录-AJ-01-2025-03.json")
    assert result.exit_code == 1 and "“A”层的对象名单与其摘要不符" in result.stdout


def test_a_key_column_reads_and_joins_as_the_list_it_stands_for() -> None:
    import pyarrow as pa

    from shuangsuiji.inputs.population import KeyColumn
    from shuangsuiji.rules.draw import joined_parts, population_digest

    def joined(keys: Sequence[str]) -> list[bytes]:
        # In parts of every size: joined by newlines, always the whole list's bytes.
        found = [b"\n".join(joined_parts(keys, size)) for size in (1, 2, 3, 100)]
        assert len(set(found)) == 1
        return found[:1]

    keys = ["91330100609167206N", "91410311MA7278159A", "中文代码", "Ａ全角", "x"]
    for array in (pa.array(keys), pa.array(["skip", *keys]).slice(1)):  # an offset too
        column = KeyColumn(array)
        assert list(column) == keys and len(column) == len(keys)
        assert column[0] == keys[0] and column[-1] == keys[-1] and column[1:3] == keys[1:3]
        assert joined(column) == joined(keys) == ["\n".join(keys).encode()]
        assert population_digest(column) == population_digest(keys)
    assert joined(KeyColumn(pa.array([], pa.string()))) == joined([]) == [b""]
    assert population_digest([]) == hashlib.sha256(b"").hexdigest()
    with pytest.raises(IndexError):
        KeyColumn(pa.array(keys))[len(keys)]
    # Some rows of a roster's keys (a population): taken when used, joined from the keys'
    # bytes when they are ASCII of one width, as the list of those keys would be.
    roster = [
        "91330100609167206N",
        "91410311MA7278159A",
        "914403001922038216",
        "91512081MA62K0260E",
    ]
    rows = np.array([3, 0, 2], dtype=np.int32)
    wanted = [roster[i] for i in rows]
    fixed = np.array(roster, dtype="S18")
    for column in (KeyColumn(pa.array(roster), rows), KeyColumn(pa.array(roster), rows, fixed)):
        assert list(column) == wanted and column[1] == wanted[1] and column[1:] == wanted[1:]
        assert joined(column) == ["\n".join(wanted).encode()]
        assert column.among({roster[2], roster[1]}) == [roster[2]]


def test_the_years_earlier_selections_are_found_in_a_key_column_as_in_the_list() -> None:
    import pyarrow as pa

    from shuangsuiji.inputs.population import KeyColumn
    from shuangsuiji.rules.draw import present

    roster = ["91330100609167206N", "91410311MA7278159A", "914403001922038216"]
    column = KeyColumn(pa.array(roster), np.array([2, 0], dtype=np.int32))
    earlier = {roster[2], roster[1], "91410311MA00000000"}  # one in the population
    assert present(earlier, column) == present(earlier, [roster[0], roster[2]]) == [roster[2]]
    assert present(set(), column) == []


def test_a_population_kept_as_a_column_is_recorded_as_the_list_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past INLINE_KEYS the roster's population stays Arrow (no Python string a key): the
    # record, its key files and the ledger's copy are what the list gave, byte for byte.
    from shuangsuiji.commands import draw as draw_command
    from shuangsuiji.inputs import population

    found = {}
    runs = (("list", 10**9, 10**9), ("column", 10, 10**9), ("engine", 10, 0))
    for kind, limit, engine in runs:  # the engine (DuckDB) takes the column's Arrow as it is
        monkeypatch.setattr(draw_rule, "INLINE_KEYS", 10)
        monkeypatch.setattr(population, "COLUMN_KEYS", limit)
        monkeypatch.setattr(draw_command, "ENGINE_MIN_KEYS", engine)
        plan = copy_examples(tmp_path / kind)
        _stratify(plan)  # AJ-01 by strata; AJ-02 flat
        record_texts = [r.to_json() for r in draw_month(plan, "2025-03").records]
        folder = plan.parent / MONTH
        files = {p.name: p.read_bytes() for p in sorted(folder.glob("抽取对象-*.txt"))}
        with sqlite3.connect(plan.parent / "ssj.db") as db:
            stored = sorted(db.execute("SELECT digest, part, keys FROM key_parts").fetchall())
        found[kind] = (
            [re.sub(r'"created_at": "[^"]*"', "", t) for t in record_texts],
            files,
            stored,
        )
    assert found["column"] == found["list"] == found["engine"]
    assert len(found["list"][1]) >= 3  # AJ-01's strata and population, AJ-02's population
    assert invoke("verify", tmp_path / "column" / "输出").exit_code == 0
