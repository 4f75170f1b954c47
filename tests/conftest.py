"""Shared helpers: a CLI runner with a wide terminal, example workspaces, fixture paths."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from shuangsuiji.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_rule_caches() -> None:
    """Under mutation testing (scripts/mutation.sh) each test starts with the rules' memo
    caches empty: mutmut forks every mutant's run from a process whose caches earlier tests
    filled, so a mutant of a cached function would never run and count as survived."""
    if "MUTANT_UNDER_TEST" in os.environ:
        from shuangsuiji.rules import records

        for cached in (records._layout, records._plain, records._keys, records._converter):
            cached.cache_clear()
        records.read_draw.cache_clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under mutation testing, a mutant's tests run the quickest module first: one failing
    test is enough, and it is most often a unit test of a few milliseconds. mutmut hands
    over its tests in no order, so a mutant could wait a minute of CLI runs for a unit test
    that fails at once. Modules are kept whole (their fixtures are made once); the time of
    each is what mutmut measured of its tests (mutmut-stats.json, in mutants/)."""
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    stats = Path("mutmut-stats.json")
    if not stats.is_file():
        return
    durations = json.loads(stats.read_text("utf-8"))["duration_by_test"]
    module_time: Counter[str] = Counter()
    for item in items:
        module_time[item.nodeid.split("::")[0]] += durations.get(item.nodeid, 0.0)
    items.sort(key=lambda item: module_time[item.nodeid.split("::")[0]])


EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTICE_COPY = FIXTURES / "luolong-2025-notice.txt"  # the real 2025 notice of 洛龙区应急管理局


def invoke(*args: str | Path) -> Result:
    """Run ``ssj`` in-process, wide enough that Rich does not wrap table cells."""
    runner = CliRunner(env={"COLUMNS": "400"})
    return runner.invoke(app, [str(a) for a in args])


EXAMPLE_FILES = ("2025.yaml", "enterprises.xlsx", "officers.xlsx", "ssj-secret.txt")


def copy_examples(folder: Path, source: Path = EXAMPLES) -> Path:
    """The example workspace (plan, rosters, sealed secret) copied into ``folder``; its plan.

    The secret is copied without its "example-only" mark, which ssj refuses outside the
    repository's examples/ (tests/reliability/test_insider.py): a test workspace draws the
    example's published records, under the example's (public) commitment."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        shutil.copy(source / name, folder / name)
    secret = folder / "ssj-secret.txt"
    lines = secret.read_text(encoding="utf-8").splitlines()
    secret.write_text("".join(f"{line}\n" for line in lines if not line.startswith("#")))
    return folder / "2025.yaml"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of examples/ in a temporary folder; returns the plan file's path."""
    return copy_examples(tmp_path)


def use_small_roster(plan: Path, roster: str) -> None:
    """Point the plan at a small enterprise roster; its items may then find none of their
    targets (allow_empty), which is not what such a test is about."""
    text = plan.read_text(encoding="utf-8").replace(
        "enterprises: enterprises.xlsx", f"enterprises: {roster}"
    )
    for item in ("AJ-01", "AJ-02"):
        text = text.replace(f"  - id: {item}\n", f"  - id: {item}\n    allow_empty: true\n")
    plan.write_text(text, encoding="utf-8")


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], title: str = "Sheet1") -> Path:
    """A plain workbook with ``rows`` from A1, as a user's Excel file would be."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to prove a failed command wrote nothing.
    The workspace lock's own file is left out: a writing command takes the lock before it
    reads anything (so before it can refuse), and the file holds only the holder's pid."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "ssj.lock"
    }


def group_page_rows(sheet: Any) -> list[tuple[Any, ...]]:
    """The enterprise rows of a task sheet's 分组检查单 (an openpyxl worksheet): the rows
    whose 任务编号 cell names a draw, not the pages' titles, headers and signature lines."""
    return [
        row
        for row in sheet.iter_rows(values_only=True)
        if isinstance(row[1], str) and "/" in row[1]
    ]


def fill_task_sheet(
    plan: Path,
    month: str,
    values: dict[int, tuple[object, object, object]],
    target: Path | None = None,
) -> Path:
    """Fill rows of a month's task sheet as an officer would: {row index: (检查日期, 检查结果, 公示日期)}."""
    source = plan.parent / "输出" / month / f"检查任务单-{month}.xlsx"
    book = openpyxl.load_workbook(source)
    sheet = book["检查任务单"]
    header = [c.value for c in sheet[2]]
    rows = list(sheet.iter_rows(min_row=3))
    for index, (inspected, result, published) in values.items():
        rows[index][header.index("检查日期")].value = inspected
        rows[index][header.index("检查结果")].value = result
        rows[index][header.index("公示日期")].value = published
    target = target or plan.parent / f"填好-{month}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


@contextlib.contextmanager
def lock_held_elsewhere(folder: Path) -> Iterator[None]:
    """Another process holding the workspace lock for the duration of the block."""
    code = (
        "import sys, time; from pathlib import Path; from shuangsuiji.ledger.lock import workspace_lock\n"
        "with workspace_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait()


def exclude_a_winner(record: dict[str, Any]) -> str:
    """Forge a record the way a careful forger would: move its first winner into ``excluded``
    and redraw honestly, so that the record alone still reproduces; the winner's code."""
    from shuangsuiji.rules.draw import Stratum, draw_strata
    from shuangsuiji.rules.ratio import parse_rate

    winner: str = record["selected"][0]["uscc"]
    excluded = sorted([*record["excluded"], winner])
    stratum = Stratum("", parse_rate(record["ratio"]), record["population"]["keys"])
    chosen, shortfall = draw_strata(record["seed"], record["scope"], [stratum], set(excluded))
    names = {s["uscc"]: s["name"] for s in record["selected"]}
    record |= {
        "excluded": excluded,
        "shortfall": shortfall,
        "selected": [
            {"rank": n, "uscc": key, "name": names.get(key, ""), "ticket": tk}
            for n, (tk, key) in enumerate(chosen, start=1)
        ],
    }
    return winner


def task_rows(sheet: Any) -> list[dict[str, Any]]:
    """The enterprise rows of a task sheet's overview (an openpyxl worksheet) by header; the
    notes under the table are left out."""
    header = [c.value for c in sheet[2]]
    return [
        dict(zip(header, row, strict=False))
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if row[2]
    ]


def header_row(sheet: Any, first: str = "序号") -> int:
    """The row number of a sheet's table header: the row whose first cell is ``first``."""
    return next(c.row for c in sheet["A"] if c.value == first)
