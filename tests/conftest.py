"""Shared helpers: a CLI runner with a wide terminal, example workspaces, fixture paths."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from shuangsuiji.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_NOTICE = ROOT.parent / "shared" / "seeds" / "luolong-2025-shuangsuiji-notice.txt"
NOTICE_COPY = FIXTURES / "luolong-2025-notice.txt"


def invoke(*args: str | Path) -> Result:
    """Run ``ssj`` in-process, wide enough that Rich does not wrap table cells."""
    runner = CliRunner(env={"COLUMNS": "400"})
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of examples/ in a temporary folder; returns the plan file's path."""
    for name in ("2025.yaml", "enterprises.xlsx", "officers.xlsx"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path / "2025.yaml"


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
    """Every file under ``folder`` with its bytes, to prove a failed command wrote nothing."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
