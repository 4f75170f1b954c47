"""A workspace made by ssj 0.3 (before the 承诺书): its records still verify, with the warnings
of what they cannot prove, and the daily batch goes on over its ledger."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import FIXTURES, copy_examples, invoke

OLD = FIXTURES / "workspace-0.3"  # the example drawn for March and May, March grouped, by 0.3.0


def _old_workspace(folder: Path) -> Path:
    plan = copy_examples(folder)
    shutil.copy(OLD / "ssj.db", folder / "ssj.db")
    shutil.copytree(OLD / "输出", folder / "输出")
    return plan


def test_records_of_0_3_verify_with_the_warnings(tmp_path: Path) -> None:
    verified = invoke("verify", OLD / "输出")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.count("复核一致") == 5
    assert "没有对照承诺书" in verified.stderr
    assert "持有秘密的工作区事先就能算出抽取结果" in verified.stderr


def test_a_0_3_workspace_goes_on(tmp_path: Path) -> None:
    plan = _old_workspace(tmp_path / "ws")
    assert invoke("audit", "verify", "--plan", plan).exit_code == 0
    run = invoke("run", "--plan", plan, "--today", "2025-05-20")
    assert run.exit_code == 1, run.output  # results are due, nothing else
    assert "台账" not in run.stdout.split("需要处理")[0]
    outputs = tmp_path / "ws" / "输出"
    # What 0.3 did not publish is derived now: the officer draw, and pages of this version.
    assert (outputs / "2025-03" / "人员分组记录-2025-03.json").is_file()
    assert (outputs / "2025-05" / "人员分组记录-2025-05.json").is_file()
    assert "ssj-template" in (outputs / "2025-05" / "抽取复核-2025-05.html").read_text("utf-8")
    drawn = invoke("draw", "--plan", plan, "--month", "2025-08")
    assert drawn.exit_code == 0, drawn.output
    verified = invoke("verify", outputs)
    assert verified.exit_code == 0, verified.output
    assert "人员分组 2025-03 复核一致" in verified.stdout
