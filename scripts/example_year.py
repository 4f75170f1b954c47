"""Run the example year through the ``ssj`` command line and list what it produced.

Every command a bureau uses over 2025 runs in a fresh copy of examples/: the four months'
draws and assignments, a 递补, results filled in the task sheet and imported, a 公示表, its
publication marked, deadlines, verification, the audit, and ``ssj run`` day by day in a second
workspace. The script prints one line per output — every file written, each command's
standard output and exit code, every ledger row — with its SHA-256, so two versions of ssj
can be compared byte for byte:

    export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1   # apt-get install faketime
    FAKETIME="2025-11-20 10:00:00" python scripts/example_year.py /tmp/year > before.txt
    (change the code)
    FAKETIME="2025-11-20 10:00:00" python scripts/example_year.py /tmp/year > after.txt
    diff before.txt after.txt

libfaketime stops the clock, so the time stamps in records and events are the same in both runs.
It drives the command line only, never the library, so it runs unchanged on any version.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MONTHS = ("2025-03", "2025-05", "2025-08", "2025-10")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Year:
    """One workspace, the commands run in it, and a line per output."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.plan = folder / "2025.yaml"
        self.lines: list[str] = []
        for name in ("2025.yaml", "enterprises.xlsx", "officers.xlsx", "ssj-secret.txt"):
            if (EXAMPLES / name).exists():  # the sealed secret came with 0.2
                shutil.copy(EXAMPLES / name, folder / name)
        # Outside examples/ ssj refuses a secret marked example-only (0.4): the copy is the
        # secret alone, still on the example's public chain (and every verifier says so).
        secret = folder / "ssj-secret.txt"
        if secret.exists():
            lines = secret.read_text(encoding="utf-8").splitlines()
            secret.write_text("".join(f"{x}\n" for x in lines if not x.startswith("#")))

    def ssj(self, *args: str) -> str:
        """Run one command in the workspace; note its exit code and outputs."""
        done = subprocess.run(
            ["ssj", *args], cwd=self.folder, capture_output=True, text=True, check=False
        )
        label = " ".join(args)
        self.lines.append(f"exit {done.returncode}  ssj {label}")
        self.lines.append(f"stdout {sha(done.stdout.encode())}  ssj {label}")
        self.lines.append(f"stderr {sha(done.stderr.encode())}  ssj {label}")
        return done.stdout

    def fill(self, month: str, rows: dict[int, tuple[object, str]], target: Path) -> None:
        """Fill rows of a month's task sheet as an officer would: (检查日期, 检查结果)."""
        book = openpyxl.load_workbook(self.folder / "输出" / month / f"检查任务单-{month}.xlsx")
        sheet = book["检查任务单"]
        # Columns by their header (row 2), so that a version that moves them still fills them.
        header = [c.value for c in sheet[2]]
        cells = [r for r in sheet.iter_rows(min_row=3) if r[0].value and r[2].value]
        for index, (inspected, result) in rows.items():
            cells[index][header.index("检查日期")].value = inspected
            cells[index][header.index("检查结果")].value = result
        target.parent.mkdir(parents=True, exist_ok=True)
        book.save(target)

    def inventory(self) -> list[str]:
        """Every file ssj wrote (输出/, 日志/, the imported plan) and every ledger row, hashed."""
        lines = list(self.lines)
        imported = self.folder / "导入" / "计划.yaml"
        if imported.exists():
            lines.append(f"file {sha(imported.read_bytes())}  {imported.name}")
        for folder in ("输出", "日志"):
            for path in sorted((self.folder / folder).rglob("*")):
                if path.is_file():
                    lines.append(f"file {sha(path.read_bytes())}  {path.relative_to(self.folder)}")
        with sqlite3.connect(self.folder / "ssj.db") as db:
            for table in ("draws", "selections", "assignments", "events"):
                for row in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                    lines.append(f"row {sha(repr(row).encode())}  {table} {row[0]}")
        return lines


def manual(folder: Path) -> list[str]:
    """The year by hand: each command once, then again to show nothing changes."""
    year = Year(folder)
    plan = str(year.plan)
    shutil.copy(
        EXAMPLES.parent / "tests" / "fixtures" / "luolong-2025-notice.txt", folder / "通知.txt"
    )
    (folder / "导入").mkdir()
    # --no-seal: a seal draws a fresh random secret, and this listing must repeat run to run.
    year.ssj(
        "plan", "import", "通知.txt", "-o", "导入/计划.yaml", "--seed", "导入种子", "--no-seal"
    )
    year.ssj("plan", "import", "通知.txt", "-o", "导入/计划.yaml")  # refuses to overwrite
    year.ssj("validate", "--plan", plan)
    for month in MONTHS:
        year.ssj("draw", "--plan", plan, "--month", month, "--json")
        year.ssj("draw", "--plan", plan, "--month", month)
        year.ssj("assign", "--plan", plan, "--month", month, "--json")
    shown = json.loads(year.ssj("assign", "--plan", plan, "--month", "2025-05", "--json"))
    groups = shown["groups"] if isinstance(shown, dict) else shown  # an object since 0.3
    year.ssj("assign", "--plan", plan, "--month", "2025-03")
    leaving = groups[0]["officers"][0]["id"]
    year.ssj(
        "assign", "--plan", plan, "--month", "2025-05", "--replace", leaving, "--reason", "病假"
    )
    for month in MONTHS:
        year.ssj("assign", "--plan", plan, "--month", month, "--verify")
    filled = {i: (dt.date(2025, 3, 10 + i), "未发现问题") for i in range(6)}
    filled[6] = (dt.date(2025, 3, 18), "发现问题经责令已改正；发现问题待后续处理")
    sheet = folder / "填好-2025-03.xlsx"
    year.fill("2025-03", filled, sheet)
    year.ssj("results", "import", str(sheet), "--plan", plan, "--today", "2025-03-20")
    year.ssj("results", "import", str(sheet), "--plan", plan, "--today", "2025-03-20")
    year.ssj("publish", "--plan", plan, "--today", "2025-03-21")
    year.ssj("publish", "--plan", plan, "--mark-published", "2025-03-24", "--today", "2025-03-25")
    later = {7: (dt.date(2025, 3, 28), "未发现问题")}
    year.fill("2025-03", filled | later, sheet)
    year.ssj("results", "import", str(sheet), "--plan", plan, "--today", "2025-04-01")
    year.ssj("publish", "--plan", plan, "--month", "2025-03", "--today", "2025-04-02")
    for today in ("2025-03-25", "2025-04-15", "2025-12-31"):
        year.ssj("deadline-check", "--plan", plan, "--today", today, "--json")
        year.ssj("deadline-check", "--plan", plan, "--today", today)
    for month in MONTHS:
        for record in sorted((folder / "输出" / month).glob("抽取记录-*.json")):
            year.ssj("verify", str(record), "--enterprises", str(folder / "enterprises.xlsx"))
    year.ssj("audit", "verify", "--plan", plan)
    year.ssj("audit", "log", "--plan", plan, "--json")
    year.ssj("audit", "log", "--plan", plan)
    year.ssj("workdays", "2025-09-30", "5")
    return year.inventory()


def daily(folder: Path) -> list[str]:
    """``ssj run`` each day of the four draw windows, with a filled sheet dropped in 结果/."""
    year = Year(folder)
    plan = str(year.plan)
    start = dt.date(2025, 2, 27)
    for offset in range(0, 240, 3):
        today = start + dt.timedelta(days=offset)
        year.ssj("run", "--plan", plan, "--today", today.isoformat())
        if today == dt.date(2025, 3, 5):
            rows = {i: (dt.date(2025, 3, 4), "未发现问题") for i in range(4)}
            year.fill("2025-03", rows, folder / "结果" / "三月.xlsx")
    return year.inventory()


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Run the example year through ssj and print one line per output."
    )
    # A fixed folder by default: paths appear in messages, so a random name would differ.
    parser.add_argument("folder", nargs="?", default="/tmp/ssj-example-year", type=Path)
    root = parser.parse_args().folder
    # Only a folder this script made (or an empty one) is cleared: never a user's own files.
    if root.exists() and any(p.name not in ("manual", "daily") for p in root.iterdir()):
        parser.error(f"{root} holds other files; give an empty or new folder")
    shutil.rmtree(root, ignore_errors=True)
    (root / "manual").mkdir(parents=True)
    (root / "daily").mkdir()
    lines = [f"manual {line}" for line in manual(root / "manual")]
    lines += [f"daily {line}" for line in daily(root / "daily")]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
