"""A redraw cannot be hidden: once the event log holds a draw or an assignment, deleting its row
neither lets ssj do it again nor passes the audit."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.ledger import Ledger

from .conftest import files_in, invoke


def _sql(workspace: Path, statement: str) -> None:
    with sqlite3.connect(workspace.parent / "ssj.db") as db:
        db.execute(statement)


def test_a_deleted_draw_is_not_redrawn_and_the_audit_names_it(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    _sql(workspace, "DELETE FROM draws WHERE scope = 'AJ-01/2025-03'")
    _sql(workspace, "DELETE FROM selections WHERE scope = 'AJ-01/2025-03'")
    audit = invoke("audit", "verify", "--plan", workspace)
    assert audit.exit_code == 1 and "AJ-01/2025-03 的抽取记录" in audit.stdout
    before = files_in(workspace.parent)
    again = invoke(
        "draw", "--plan", workspace, "--month", "2025-03", "--seed-extra", "换一个随机数"
    )
    assert (
        again.exit_code == 1 and "记录被删除过" in again.stderr and "AJ-01/2025-03" in again.stderr
    )
    assert files_in(workspace.parent) == before


@pytest.mark.parametrize(("kind", "what"), [("draw", "抽取"), ("assign", "人员分组")])
def test_a_second_draw_or_assignment_event_is_a_finding(
    workspace: Path, kind: str, what: str
) -> None:
    draw_month(workspace, "2025-03")
    assert invoke("assign", "--plan", workspace, "--month", "2025-03").exit_code == 0
    # As a redraw by an older ssj left it: the row deleted and drawn again, so the log holds two
    # draw events for one scope, whatever the tables say now; the same for a month's groups.
    with Ledger.at(workspace.parent) as ledger:
        first = next(p for _, _, k, p in ledger.events() if k == kind)
        ledger.record_events(kind, [first])
        count = len(list(ledger.events()))
    audit = invoke("audit", "verify", "--plan", workspace)
    key = first["scope"] if kind == "draw" else first["month"]
    assert audit.exit_code == 1
    assert (
        f"{key} 有两次{what}事件（第二次是事件 {count}）：记录曾被删除后重做，原结果已被替换"
        in (audit.stdout)
    )


def test_a_deleted_assignment_is_not_redone(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    assert invoke("assign", "--plan", workspace, "--month", "2025-03").exit_code == 0
    _sql(workspace, "DELETE FROM assignments WHERE month = '2025-03'")
    audit = invoke("audit", "verify", "--plan", workspace)
    assert audit.exit_code == 1 and "2025-03 的人员分组记录" in audit.stdout
    again = invoke("assign", "--plan", workspace, "--month", "2025-03")
    assert again.exit_code == 1 and "记录被删除过" in again.stderr
    check = invoke("assign", "--plan", workspace, "--month", "2025-03", "--verify")
    assert check.exit_code == 1 and "记录被删除过" in check.stdout


def test_a_deleted_ledger_is_found_and_nothing_is_redrawn(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    (workspace.parent / "ssj.db").unlink()
    audit = invoke("audit", "verify", "--plan", workspace)
    assert audit.exit_code == 1 and "台账被删除或移走了" in audit.stderr
    before = files_in(workspace.parent)
    for args in (["draw", "--month", "2025-03"], ["run", "--today", "2025-03-03"]):
        result = invoke(*args, "--plan", workspace)
        assert result.exit_code != 0 and "台账被删除或移走了" in result.output
    after = files_in(workspace.parent)
    # Only the day's log changed: it says that this run stopped, and why.
    log = after.pop("日志/ssj-run-2025-03-03.log").decode()
    assert "未能完成" in log and "台账被删除或移走了" in log and "退出码 1" in log
    assert after == before


def test_verify_checks_names_against_the_roster(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    path = workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    text = path.read_text(encoding="utf-8")
    record = json.loads(text)
    real = record["selected"][0]["name"]
    path.write_text(text.replace(real, "张冠李戴有限公司"), encoding="utf-8")
    result = invoke("verify", path, "--enterprises", workspace.parent / "enterprises.xlsx")
    assert result.exit_code == 1 and f"在名录库中是“{real}”" in result.stdout


def _rehash_from(workspace: Path, seq: int) -> None:
    """Rewrite event ``seq`` and every later hash so that the chain itself checks out again."""
    from shuangsuiji.ledger.store import GENESIS, event_hash

    with sqlite3.connect(workspace.parent / "ssj.db") as db:
        rows = db.execute("SELECT seq, at, kind, payload FROM events ORDER BY seq").fetchall()
        prev = GENESIS
        for number, at, kind, payload in rows:
            if number == seq:
                at = "2025-01-01T00:00:00+08:00"  # back-dated
            new = event_hash(prev, number, at, kind, payload)
            db.execute(
                "UPDATE events SET at = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (at, prev, new, number),
            )
            prev = new


def test_published_anchors_catch_a_cut_or_rewritten_history(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    assert invoke("assign", "--plan", workspace, "--month", "2025-03").exit_code == 0
    outputs = workspace.parent / "输出"
    record = json.loads(
        (outputs / "2025-03" / "抽取记录-AJ-01-2025-03.json").read_text(encoding="utf-8")
    )
    assert record["ledger_head"]["seq"] == 0  # the first draw: nothing before it
    clean = invoke("audit", "verify", "--plan", workspace, "--against", outputs)
    assert clean.exit_code == 0 and "个台账链头都在台账现在的哈希链上" in clean.stdout
    published = workspace.parent / "公开"
    shutil.copytree(outputs, published)
    _rehash_from(workspace, 1)
    # The workspace's own 输出/ carries anchors too: even without --against, a rewritten
    # history does not audit.
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 1
    rewritten = invoke("audit", "verify", "--plan", workspace, "--against", published)
    assert rewritten.exit_code == 1 and "历史被改写了" in rewritten.stdout
    _sql(workspace, "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")
    cut = invoke("audit", "verify", "--plan", workspace, "--against", published)
    assert cut.exit_code == 1 and "历史被删减了" in cut.stdout


def test_verify_with_the_plan_compares_records_with_the_plan_and_the_ledger(
    workspace: Path,
) -> None:
    draw_month(workspace, "2025-03")
    outputs = workspace.parent / "输出"
    assert invoke("verify", outputs, "--plan", workspace).exit_code == 0
    path = outputs / "2025-03" / "抽取记录-AJ-02-2025-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["targets"] = {"行业类别": ["冶金"]}  # a narrower population than the plan's
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = invoke("verify", outputs, "--plan", workspace)
    assert result.exit_code == 1
    assert "targets 与计划不符" in result.stdout and "与台账中的记录不同" in result.stdout
