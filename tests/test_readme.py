"""The README as a new user follows it: the quick start runs as printed and writes nothing
into the repository, and every repository file the README names exists."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, files_in

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> str:
    section = README.split("## 快速开始", 1)[1]
    return re.findall(r"```bash\n(.*?)\n```", section, re.S)[0]


def test_the_quick_start_runs_as_printed_outside_the_repository(tmp_path: Path) -> None:
    first = _quick_start()
    assert first.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install . && ")
    # The part after the install, with this test's ssj and a home of its own.
    commands = first.split("pip install . && ", 1)[1]
    ssj = Path(sys.executable).with_name("ssj")
    commands = re.sub(r"(^|&& )ssj ", rf"\1{ssj} ", commands)
    examples = files_in(ROOT / "examples")
    done = subprocess.run(
        commands, shell=True, cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "HOME": str(tmp_path), "COLUMNS": "120"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    workspace = tmp_path / "ssj-试用"
    assert (workspace / "输出" / "2025-03" / "检查任务单-2025-03.xlsx").is_file()
    assert files_in(ROOT / "examples") == examples  # nothing written into the repository


def test_the_readme_names_only_files_in_the_repository() -> None:
    named = set(
        re.findall(r"`((?:docs|examples|scripts|benchmarks|tests|src|\.ci)/[^`\s:]*)`", README)
    )
    named |= set(re.findall(r"\]\(((?:docs|examples|scripts)/[^)#]+)\)", README))
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert named and not missing, missing
    assert "DESIGN.md" not in README and "../" not in README.replace("`../`", "")
