"""A province's parquet roster is read lean: the key and the columns every draw matches
(行业类别, 经营状态, 信用风险分类, as categories) up front, every other column — names and
addresses, most of the bytes — only where it is used, for the rows that need it. What the user
sees does not change: the same problems named by row, the same names in the files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.population import account, population
from shuangsuiji.inputs.rosters import (
    INDUSTRY,
    KEY,
    NAME,
    STATUS,
    load_enterprises,
    normalize_column,
)
from shuangsuiji.inputs.tables import ROW
from shuangsuiji.inputs.workspace import load_workspace

from .conftest import copy_examples


def _as_parquet(workspace: Path, row_group_size: int = 7) -> Path:
    """The example workspace with its roster as a parquet file of small row groups (so that
    a lookup crosses several), returning the new plan."""
    roster, _ = load_enterprises(workspace.parent / "enterprises.xlsx")
    assert roster is not None
    rows = roster.data.drop_columns([ROW])
    names = pa.array(roster.table.column(NAME).to_pylist())
    table = rows.set_column(rows.column_names.index(NAME), NAME, names)
    for column in (INDUSTRY, STATUS):  # the file holds text, as an export would
        table = table.set_column(
            table.column_names.index(column), column, table.column(column).cast(pa.string())
        )
    pq.write_table(table, workspace.parent / "enterprises.parquet", row_group_size=row_group_size)
    plan = workspace.parent / "parquet.yaml"
    text = workspace.read_text(encoding="utf-8").replace("enterprises.xlsx", "enterprises.parquet")
    plan.write_text(text, encoding="utf-8")
    return plan


def test_only_what_every_draw_matches_is_read_up_front(workspace: Path) -> None:
    _as_parquet(workspace)
    roster, problems = load_enterprises(workspace.parent / "enterprises.parquet")
    assert roster is not None and problems == []
    read = set(roster.data.column_names)
    assert read == {KEY, INDUSTRY, STATUS, "信用风险分类", ROW}
    assert pa.types.is_dictionary(roster.data.column(INDUSTRY).type)
    # Yet every column is the roster's, read when asked for.
    assert {NAME, "所属街道", "注册地址"} <= set(roster.columns)
    keys = roster.keys.to_pylist()
    wanted = [keys[-1], keys[0], keys[9], "91000000000000000X"]
    names = roster.details(wanted, NAME)
    source = pq.read_table(workspace.parent / "enterprises.parquet").to_pylist()
    by_key = {row[KEY]: row[NAME].strip() for row in source}
    assert names == {k: by_key[k] for k in wanted[:3]}


def test_a_blank_name_or_row_in_a_column_not_read_is_still_found(workspace: Path) -> None:
    plan = _as_parquet(workspace)
    path = workspace.parent / "enterprises.parquet"
    table = pq.read_table(path)
    names = table.column(NAME).to_pylist()
    names[12] = "　 "  # full-width space: blank as far as anyone reading it is concerned
    rows = table.set_column(table.column_names.index(NAME), NAME, pa.array(names)).to_pylist()
    # A row blank in the columns read up front but not in its name: an enterprise missing its
    # code, not a blank line to skip.
    rows[20] = {c: ("某某有限公司" if c == NAME else None) for c in rows[20]}
    # A row with nothing in it at all is skipped, as in a workbook.
    rows[30] = dict.fromkeys(rows[30])
    pq.write_table(pa.Table.from_pylist(rows, table.schema), path, row_group_size=7)
    roster, problems = load_enterprises(path)
    assert roster is not None and 32 not in roster.data.column(ROW).to_pylist()
    found = {(p.row, p.column, p.message) for p in problems}
    assert found == {
        (14, NAME, "企业名称为空"),
        (22, KEY, "统一社会信用代码为空"),
    }
    # The draw stops on them, naming the parquet rows (file rows 2, 3, …).
    with pytest.raises(InputError) as stopped:
        draw_month(plan, "2025-03")
    assert {(p.row, p.column) for p in stopped.value.problems} >= {(14, NAME), (22, KEY)}
    assert not (plan.parent / "输出").exists()


def test_a_parquet_roster_draws_and_names_as_its_workbook(workspace: Path, tmp_path: Path) -> None:
    plan = _as_parquet(workspace)
    parquet_ws = plan.parent
    original = copy_examples(tmp_path / "workbook").parent
    by_workbook = draw_month(original / "2025.yaml", "2025-03")
    by_parquet = draw_month(plan, "2025-03")
    for ours, theirs in zip(by_parquet.records, by_workbook.records, strict=True):
        assert [(s.uscc, s.name, s.ticket) for s in ours.selected] == [
            (s.uscc, s.name, s.ticket) for s in theirs.selected
        ]
    assert (parquet_ws / "输出" / "2025-03" / "抽取结果-2025-03.xlsx").is_file()


def test_codes_past_two_gigabytes_of_text_draw_the_same(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuangsuiji.inputs import population as population_module
    from shuangsuiji.inputs import tables
    from shuangsuiji.rules import draw as draw_rule

    # The country's codes are more text than one Arrow string array holds (2 GB with 32-bit
    # offsets): they are read as one array with 64-bit offsets. Here the limit is 10 bytes,
    # and the populations are key columns written to files, as a province's are.
    monkeypatch.setattr(draw_rule, "INLINE_KEYS", 10)
    monkeypatch.setattr(population_module, "COLUMN_KEYS", 10)
    plan = _as_parquet(workspace)
    expected = draw_month(plan, "2025-03")
    shutil.copytree(
        plan.parent, tmp_path / "wide", ignore=shutil.ignore_patterns("输出", "ssj.db*")
    )
    monkeypatch.setattr(tables, "TEXT_LIMIT", 10)
    roster, problems = load_enterprises(tmp_path / "wide" / "enterprises.parquet")
    assert roster is not None and problems == []
    assert roster.keys.type == pa.large_string() and roster.uniform
    drawn = draw_month(tmp_path / "wide" / plan.name, "2025-03")
    for ours, theirs in zip(drawn.records, expected.records, strict=True):
        assert ours.to_json().split('"created_at"')[0] == theirs.to_json().split('"created_at"')[0]
    for name in ("抽取对象-AJ-01-2025-03.txt", "抽取对象-AJ-02-2025-03.txt"):
        wide = (tmp_path / "wide" / "输出" / "2025-03" / name).read_bytes()
        assert wide == (plan.parent / "输出" / "2025-03" / name).read_bytes()


def test_categories_written_two_ways_are_one(workspace: Path) -> None:
    # " 冶金" and "冶金" normalise alike: one category, counted together.
    values = normalize_column(pa.array([" 冶金", "冶金", "机械", "冶金 ", ""]))
    assert values.dictionary.to_pylist() == ["冶金", "机械", ""]
    assert values.to_pylist() == ["冶金", "冶金", "机械", "冶金", ""]
    workspace_ = load_workspace(_as_parquet(workspace))
    roster, plan = workspace_.enterprises, workspace_.plan
    assert roster is not None
    task = plan.tasks[0]
    counted = account(plan, task, roster)
    assert counted.eligible == len(population(plan, task, roster))
    assert counted.rows == len(roster)
