"""``ssj verify`` over a year's records: each record's exclusions recomputed from the earlier
records over the same item (docs/spec.md §4.2), so a forged exclusion or a missing record shows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shuangsuiji.commands.draw import draw_month

from .conftest import copy_examples, exclude_a_winner, invoke

MONTHS = ("2025-03", "2025-05", "2025-08", "2025-10")


@pytest.fixture(scope="module")
def drawn_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    plan = copy_examples(tmp_path_factory.mktemp("year"))
    for month in MONTHS:
        draw_month(plan, month)
    return plan.parent / "输出"


@pytest.fixture
def published(drawn_year: Path, tmp_path: Path) -> Path:
    """A copy of the year's published records, to tamper with."""
    return Path(shutil.copytree(drawn_year, tmp_path / "输出"))


def _path(folder: Path, scope: str) -> Path:
    item, month = scope.split("/")
    return folder / month / f"抽取记录-{item}-{month}.json"


def test_the_whole_year_verifies(published: Path) -> None:
    result = invoke("verify", published)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("复核一致") == 10 and "提示" not in result.stderr
    alone = invoke("verify", _path(published, "AJ-01/2025-08"))
    assert alone.exit_code == 0 and "单独一份记录无法证明排除名单" in alone.stderr


def test_a_winner_moved_into_excluded_is_caught_by_the_year(published: Path) -> None:
    path = _path(published, "AJ-01/2025-08")
    record = json.loads(path.read_text(encoding="utf-8"))
    winner = exclude_a_winner(record)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert invoke("verify", path).exit_code == 0  # one record cannot prove its exclusions
    result = invoke("verify", published)
    assert result.exit_code == 1
    failed = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("✗")}
    # The forged record, and October's, which does not exclude the forger's substitute.
    assert failed == {"AJ-01/2025-08", "AJ-01/2025-10"} and winner in result.stdout


def test_a_missing_earlier_record_is_named(published: Path) -> None:
    _path(published, "AJ-01/2025-03").unlink()
    result = invoke("verify", published)
    assert result.exit_code == 1
    assert "✗ LH-01/2025-05 复核不一致" in result.stdout and "缺少更早的抽取记录" in result.stdout


def test_an_exclusion_left_out_is_caught(published: Path) -> None:
    path = _path(published, "LH-01/2025-05")
    record = json.loads(path.read_text(encoding="utf-8"))
    record["excluded"] = record["excluded"][1:]
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = invoke("verify", published)
    assert result.exit_code == 1 and "没有排除此前已抽中的 1 家" in result.stdout
    assert "AJ-01/2025-03 抽中" in result.stdout


def test_files_and_json_arrays_together(published: Path, tmp_path: Path) -> None:
    march = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((published / "2025-03").glob("*.json"))
    ]
    array = tmp_path / "march.json"
    array.write_text(json.dumps(march, ensure_ascii=False), encoding="utf-8")
    # The same draws as a file and inside an array are one draw each, not a conflict.
    result = invoke("verify", array, published / "2025-03", published / "2025-05")
    assert result.exit_code == 0 and result.stdout.count("复核一致") == 5
    march[0]["created_at"] = "changed"
    array.write_text(json.dumps(march, ensure_ascii=False), encoding="utf-8")
    result = invoke("verify", array, published / "2025-03")
    assert result.exit_code == 1 and "两份内容不同的记录" in result.stdout


def test_a_record_of_0_1_still_verifies(published: Path) -> None:
    path = _path(published, "AJ-02/2025-03")
    record = json.loads(path.read_text(encoding="utf-8"))
    for field in ("plan_seed", "secret", "commitment", "extra"):
        record.pop(field)
    record["tool_version"] = "0.1.0"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert invoke("verify", path).exit_code == 0
    assert invoke("verify", published).exit_code == 0


def test_an_empty_folder_is_bad_input(tmp_path: Path) -> None:
    result = invoke("verify", tmp_path)
    assert result.exit_code == 2 and "没有找到抽取记录" in result.stderr


def test_a_missing_record_is_named_by_its_scope(published: Path) -> None:
    _path(published, "AJ-01/2025-03").unlink()
    result = invoke("verify", published)
    assert result.exit_code == 1
    assert "缺少 AJ-01/2025-03 的抽取记录：本记录按它排除了企业" in result.stdout
    record = json.loads(_path(published, "AJ-01/2025-05").read_text(encoding="utf-8"))
    assert record["excluded_from"] == ["AJ-01/2025-03", "LH-01/2025-05"]
