"""Killed at every write step of a day's run, the next run heals: the audit passes and every
output is byte-identical to what the ledger alone yields in a fresh copy of the workspace."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import copy_examples, files_in

DAY = "2025-03-05"  # March's draws and groups are due
# The day's run commits twice (draws, groups) and writes six files (two records, 抽取结果,
# 检查任务单, the log twice): every one of them is a kill point.
STEPS = [f"commit:{n}" for n in (1, 2)] + [f"write:{n}" for n in range(1, 7)]


def _ssj(plan: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SSJ_TEST_KILL_AT"}
    if kill_at:
        env["SSJ_TEST_KILL_AT"] = kill_at
    command = [sys.executable, "-m", "shuangsuiji", *args, "--plan", str(plan)]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS)
def test_a_run_killed_at_each_step_heals(tmp_path: Path, step: str) -> None:
    plan = copy_examples(tmp_path / "killed")
    killed = _ssj(plan, "run", "--today", DAY, kill_at=step)
    assert killed.returncode == 137, f"the run ended before reaching {step}"
    healed = _ssj(plan, "run", "--today", DAY)
    assert healed.returncode == 0, healed.stdout + healed.stderr
    assert _ssj(plan, "audit", "verify").returncode == 0
    assert not list(plan.parent.rglob("*.ssj-tmp"))
    # The same ledger in a fresh copy of the workspace, outputs derived from it alone.
    fresh = copy_examples(tmp_path / "fresh", plan.parent)
    shutil.copy(plan.parent / "ssj.db", fresh.parent / "ssj.db")
    assert _ssj(fresh, "run", "--today", DAY).returncode == 0
    assert files_in(plan.parent / "输出") == files_in(fresh.parent / "输出")
    # The log keeps what each run did; a step killed right after its commit is not in it, but
    # its result is (healed above), and the log itself is never lost.
    assert (plan.parent / "日志" / f"ssj-run-{DAY}.log").exists()


RESULTS_DAY = "2025-03-20"
# That day's run imports a filled sheet (one commit), writes the 公示表 after its event (one
# commit), and writes the sheet and the log: every one of them is a kill point.
RESULTS_STEPS = [f"commit:{n}" for n in (1, 2)] + [f"write:{n}" for n in (1, 2, 3)]


@pytest.mark.slow
@pytest.mark.parametrize("step", RESULTS_STEPS)
def test_a_run_importing_results_killed_at_each_step_heals(tmp_path: Path, step: str) -> None:
    import datetime as dt

    from ..conftest import fill_task_sheet

    plan = copy_examples(tmp_path / "killed")
    assert _ssj(plan, "run", "--today", DAY).returncode == 0
    fill_task_sheet(
        plan,
        "2025-03",
        {0: (dt.date(2025, 3, 18), "未发现问题", None)},
        plan.parent / "结果" / "三月.xlsx",
    )
    killed = _ssj(plan, "run", "--today", RESULTS_DAY, kill_at=step)
    assert killed.returncode == 137, f"the run ended before reaching {step}"
    healed = _ssj(plan, "run", "--today", RESULTS_DAY)
    assert healed.returncode == 0, healed.stdout + healed.stderr
    assert _ssj(plan, "audit", "verify").returncode == 0
    assert len(list((plan.parent / "输出" / "公示").glob("*.xlsx"))) == 1
    marked = _ssj(plan, "publish", "--mark-published", RESULTS_DAY, "--today", RESULTS_DAY)
    assert marked.returncode == 0 and "1 条登记" in marked.stdout
