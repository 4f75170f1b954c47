"""Several ssj processes on one workspace at once: each scope is drawn once, nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shuangsuiji.ledger import Ledger

from ..conftest import invoke

WRITERS = 4


def test_concurrent_draws_record_each_scope_once(workspace: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "shuangsuiji",
        "draw",
        "--plan",
        str(workspace),
        "--wait",
        "120",
    ]
    env = os.environ | {"COLUMNS": "200"}
    months = ["2025-03", "2025-03", "2025-05", "2025-03"][:WRITERS]
    # May needs March first: a writer that gets the lock before March is drawn is told so (exit 2).
    processes = [
        subprocess.Popen(
            [*command, "--month", m], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for m in months
    ]
    codes = [p.wait(timeout=180) for p in processes]
    assert all(code in (0, 2) for code in codes) and codes.count(0) >= 3
    with Ledger.at(workspace.parent) as ledger:
        scopes = [p["scope"] for _, _, kind, p in ledger.events() if kind == "draw"]
    assert len(scopes) == len(set(scopes)) and {"AJ-01/2025-03", "AJ-02/2025-03"} <= set(scopes)
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 0
