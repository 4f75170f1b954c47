"""The insider catalogue (docs/spec.md §4.3): the bureau itself, which holds the secret from
January, tries to choose who is drawn. Each tactic is refused by ssj, or flagged by
``ssj verify --published 承诺书`` (the page runs the same checks: tests/test_verify_page.py).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from shuangsuiji.commands.seal import seal
from shuangsuiji.rules.seal import canonical_number, commitment_of

from ..conftest import EXAMPLES, copy_examples, files_in, invoke, lock_held_elsewhere

CEREMONY = """ceremony:
  source: 中国福利彩票“3D”抽取日前一天晚上的开奖号码
  pattern: '\\d \\d \\d'
"""


def _pledged(folder: Path) -> Path:
    """A workspace of its own: the example plan with a ceremony block, sealed afresh, its
    承诺书 published (copied to 公开/ beside it, as the public and 纪检 keep it)."""
    plan = copy_examples(folder)
    text = plan.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("commitment:"))
    plan.write_text(text + "\n" + CEREMONY, encoding="utf-8")
    (folder / "ssj-secret.txt").unlink()
    seal(plan)
    public = folder / "公开"
    public.mkdir()
    shutil.copy(folder / "承诺书-2025.json", public)
    return plan


def _draw(plan: Path, month: str, number: str, *more: str) -> dict[str, dict[str, object]]:
    result = invoke(
        "draw", "--plan", plan, "--month", month, "--seed-extra", number, "--json", *more
    )
    assert result.exit_code == 0, result.output
    return {r["scope"]: r for r in json.loads(result.stdout)}


def _verify(plan: Path, pledge: Path | None = None) -> tuple[int, str]:
    pledge = pledge or plan.parent / "公开" / "承诺书-2025.json"
    result = invoke("verify", plan.parent / "输出", "--published", pledge)
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def pledged(tmp_path: Path) -> Path:
    return _pledged(tmp_path / "ws")


def test_an_honest_year_verifies_against_its_pledge(pledged: Path) -> None:
    _draw(pledged, "2025-03", "3 1 5")
    _draw(pledged, "2025-05", "0 9 2")
    code, out = _verify(pledged)
    assert code == 0 and "没有漏抽或多抽" in out, out


def test_grinding_the_seal_after_the_pledge_is_flagged(pledged: Path) -> None:
    # Re-sealing until a friend falls out (or writing a secret and commitment by hand): the
    # records are under a commitment the published 承诺书 does not hold.
    for _ in range(3):
        seal(pledged, replace=True, reason="秘密文件丢失")
    _draw(pledged, "2025-03", "3 1 5")
    code, out = _verify(pledged)
    assert code == 1 and "不是 2025-03 时有效的承诺" in out, out
    # Done offline, leaving no trace in the ledger: the same.
    secret = "ab" * 32
    (pledged.parent / "ssj-secret.txt").write_text(secret + "\n", encoding="utf-8")
    text = pledged.read_text(encoding="utf-8")
    old = json.loads((pledged.parent / "承诺书-2025-第4版.json").read_text())["commitment"]
    pledged.write_text(text.replace(old, commitment_of(secret)), encoding="utf-8")
    _draw(pledged, "2025-05", "1 1 1")
    code, out = _verify(pledged)
    assert code == 1 and "不是 2025-05 时有效的承诺" in out, out


def test_a_mid_year_reseal_shows_in_the_pledge_it_issues(pledged: Path) -> None:
    _draw(pledged, "2025-03", "3 1 5")
    _draw(pledged, "2025-05", "0 9 2")
    replaced = seal(pledged, replace=True, reason="秘密文件泄露")
    assert replaced.pledge.applies_from == "2025-06"
    _draw(pledged, "2025-08", "4 4 4")
    # Against what was published in January, August is drawn on another chain.
    code, out = _verify(pledged)
    assert code == 1 and "AJ-01/2025-08" in out and "不是 2025-08 时有效的承诺" in out, out
    # The new 承诺书 explains it, and says so to every reader.
    code, out = _verify(pledged, pledged.parent / "承诺书-2025-第2版.json")
    assert code == 0, out
    assert "自 2025-06 起更换了种子承诺（原因：秘密文件泄露" in out
    text = (pledged.parent / "承诺书-2025-第2版.txt").read_text(encoding="utf-8")
    assert "自 2025-06 起适用" in text and "秘密文件泄露" in text


SPELLINGS = ["3 5 2", "03 05 02", "3,5,2", "03，5，02", "第3 5 2", " 3  5  2 ", "３ ５ ２", "3-5-2"]


def test_spelling_the_public_number_does_not_choose_the_draw(tmp_path: Path) -> None:
    assert {canonical_number(s) for s in SPELLINGS} == {"3 5 2"}
    drawn = []
    for index, spelling in enumerate(SPELLINGS[:3]):
        plan = _pledged(tmp_path / f"ws{index}")
        if index:  # one secret for all: only the spelling differs
            shutil.copy(tmp_path / "ws0" / "ssj-secret.txt", plan.parent / "ssj-secret.txt")
            shutil.copy(tmp_path / "ws0" / "2025.yaml", plan)
        records = _draw(plan, "2025-03", spelling)
        drawn.append({scope: r["selected"] for scope, r in records.items()})
        assert {r["extra"] for r in records.values()} == {"3 5 2"}
    assert drawn[0] == drawn[1] == drawn[2]
    # A number of another form is refused, nothing written.
    plan = tmp_path / "ws0" / "2025.yaml"
    before = files_in(plan.parent)
    wrong = invoke(
        "draw", "--plan", plan, "--month", "2025-05", "--seed-extra", "第2025030期 3 1 5"
    )
    assert wrong.exit_code == 2 and "不符合计划公布的格式" in wrong.stderr
    assert files_in(plan.parent) == before


def test_a_public_number_spelled_by_hand_in_a_record_is_flagged(pledged: Path) -> None:
    _draw(pledged, "2025-03", "3 1 5")
    path = pledged.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["public_number"]["typed"] = "03 1 5"  # what it says was typed …
    record["extra"] = "03 1 5"  # … and the spelling that went into the seed
    record["seed"] = f"{record['plan_seed']}/{record['secret']}/03 1 5"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    code, out = _verify(pledged)
    assert code == 1 and "规范写法" in out, out


def test_rfc3797_with_sources_chosen_on_the_day_is_refused(pledged: Path) -> None:
    before = files_in(pledged.parent)
    result = invoke(
        "draw", "--plan", pledged, "--month", "2025-03", "--method", "rfc3797",
        "--sources", "9319 / 2 5 12 8 10",
    )  # fmt: skip
    assert result.exit_code == 2 and "没有事先公布用 RFC 3797 方式抽取" in result.stderr
    assert files_in(pledged.parent) == before


def test_hand_picked_imports_are_refused(pledged: Path) -> None:
    export = pledged.parent / "名单.csv"
    export.write_text("统一社会信用代码\n91410311MA44XXXXXX\n", encoding="utf-8")
    before = files_in(pledged.parent)
    # After sealing: nothing is imported, for a month due or not.
    for task, month in (("AJ-01", "2025-03"), ("AJ-02", "2025-04")):
        result = invoke("draw", "import", export, "-p", pledged, "-t", task, "-m", month)
        assert result.exit_code == 2, result.output
    assert files_in(pledged.parent) == before


def test_an_import_not_in_the_pledge_is_flagged(pledged: Path) -> None:
    _draw(pledged, "2025-03", "3 1 5")
    folder = pledged.parent / "输出" / "2025-03"
    path = folder / "抽取记录-AJ-01-2025-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    forged = {
        "spec": "EXTERNAL", "scope": "AJ-01/2025-03", "item_id": "AJ-01", "month": "2025-03",
        "source": "平台导出.xlsx", "source_sha256": "0" * 64,
        "selected": record["selected"], "created_at": record["created_at"],
        "tool_version": record["tool_version"],
    }  # fmt: skip
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    code, out = _verify(pledged)
    assert code == 1 and "导入的名单没有在承诺书中事先公布" in out, out


def test_a_ratio_lowered_for_one_draw_is_flagged(pledged: Path) -> None:
    text = pledged.read_text(encoding="utf-8")
    pledged.write_text(text.replace("ratio: 5%", "ratio: 1%", 1), encoding="utf-8")
    _draw(pledged, "2025-03", "3 1 5")
    pledged.write_text(text, encoding="utf-8")  # and restored
    code, out = _verify(pledged)
    assert code == 1 and "比例与承诺书不符" in out, out
    by_plan = invoke("verify", pledged.parent / "输出", "--plan", pledged)
    assert by_plan.exit_code == 1 and "比例与计划不符" in by_plan.stdout


def test_a_draw_missing_or_made_twice_is_flagged(pledged: Path) -> None:
    _draw(pledged, "2025-03", "3 1 5")
    _draw(pledged, "2025-05", "0 9 2")
    record = pledged.parent / "输出" / "2025-03" / "抽取记录-AJ-02-2025-03.json"
    record.unlink()  # a March draw nobody is shown
    code, out = _verify(pledged)
    assert code == 1 and "缺少 AJ-02/2025-03 的抽取记录" in out, out


def test_a_month_before_its_draw_day_is_refused(pledged: Path) -> None:
    before = files_in(pledged.parent)
    for month, today in (("2025-10", "2025-04-01"), ("2025-03", "2025-02-28")):
        result = invoke(
            "draw", "-p", pledged, "-m", month, "--seed-extra", "1 2 3", "--today", today
        )
        assert result.exit_code == 2 and "抽取日之前不能抽取" in result.stderr
    assert files_in(pledged.parent) == before
    on_the_day = _draw(pledged, "2025-03", "1 2 3", "--today", "2025-03-03")
    assert {r["draw_day"] for r in on_the_day.values()} == {"2025-03-03"}


def test_a_record_made_before_its_draw_day_is_flagged(pledged: Path) -> None:
    _draw(pledged, "2025-03", "3 1 5")
    path = pledged.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["created_at"] = "2025-02-20T10:00:00+08:00"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    code, out = _verify(pledged)
    assert code == 1 and "早于承诺书规定的抽取日 2025-03-03" in out, out


def _published_year(folder: Path) -> Path:
    """The example workspace with March drawn and grouped and May drawn: files in 输出/."""
    plan = copy_examples(folder)
    for month in ("2025-03", "2025-05"):
        assert invoke("draw", "--plan", plan, "--month", month).exit_code == 0
    assert invoke("assign", "--plan", plan, "--month", "2025-03").exit_code == 0
    return plan


@pytest.mark.parametrize("beside", [True, False])
def test_healing_over_a_restored_backup_is_refused(
    tmp_path: Path, beside: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The audit runs beside the roster read, or after it for a ledger too big for that.
    if not beside:
        monkeypatch.setattr("shuangsuiji.commands.heal.AUDIT_BESIDE_MAX", 0)
    plan = copy_examples(tmp_path / "ws")
    assert invoke("draw", "--plan", plan, "--month", "2025-03").exit_code == 0
    shutil.copy(plan.parent / "ssj.db", tmp_path / "备份.db")
    for month in ("2025-05", "2025-08"):
        assert invoke("draw", "--plan", plan, "--month", month).exit_code == 0
    shutil.copy(tmp_path / "备份.db", plan.parent / "ssj.db")  # the backup copied back
    outputs = files_in(plan.parent / "输出")
    for args in (
        ["run", "--plan", plan, "--today", "2025-08-20"],
        ["draw", "--plan", plan, "--month", "2025-05"],
        ["assign", "--plan", plan, "--month", "2025-03"],
        ["pages", "--plan", plan, "--month", "2025-03"],
        ["publish", "--plan", plan],
    ):
        result = invoke(*args)
        assert result.exit_code == 1 and "台账比已公开的文件旧" in result.output, result.output
    assert files_in(plan.parent / "输出") == outputs
    audited = invoke("audit", "verify", "--plan", plan)
    assert audited.exit_code == 1 and "此后的历史被删减了" in audited.stdout


@pytest.mark.parametrize("how", ["emptied", "zero bytes", "corrupt"])
def test_an_emptied_or_damaged_ledger_stops_everything(tmp_path: Path, how: str) -> None:
    plan = _published_year(tmp_path / "ws")
    db = plan.parent / "ssj.db"
    if how == "emptied":
        with sqlite3.connect(db) as conn:
            for table in ("events", "draws", "selections", "assignments", "key_parts"):
                conn.execute(f"DELETE FROM {table}")
    elif how == "zero bytes":
        db.write_bytes(b"")
    else:
        db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    outputs = files_in(plan.parent / "输出")
    run = invoke("run", "--plan", plan, "--today", "2025-08-20")
    assert run.exit_code == 1, run.output
    assert files_in(plan.parent / "输出") == outputs
    audited = invoke("audit", "verify", "--plan", plan)
    assert audited.exit_code == 1 and "✓ 台账完整" not in audited.output, audited.output


def test_a_back_dated_event_is_an_audit_finding(tmp_path: Path) -> None:
    from shuangsuiji.ledger.store import event_hash

    plan = _published_year(tmp_path / "ws")
    with sqlite3.connect(plan.parent / "ssj.db") as conn:
        rows = conn.execute("SELECT seq, at, kind, payload, prev_hash FROM events ORDER BY seq")
        events = rows.fetchall()
        # The last event moved to a day before the first, and the chain rehashed after it.
        prev = (
            events[-2][0]
            and conn.execute("SELECT hash FROM events WHERE seq = ?", (events[-2][0],)).fetchone()[
                0
            ]
        )
        seq, _, kind, payload, _ = events[-1]
        at = "2025-01-01T08:00:00+08:00"
        conn.execute(
            "UPDATE events SET at = ?, hash = ? WHERE seq = ?",
            (at, event_hash(prev, seq, at, kind, payload), seq),
        )
    audited = invoke("audit", "verify", "--plan", plan)
    assert audited.exit_code == 1 and "事件时间不能倒流" in audited.stdout, audited.stdout


def test_draw_assign_and_seal_take_the_lock_before_reading(tmp_path: Path) -> None:
    plan = copy_examples(tmp_path / "ws")
    with lock_held_elsewhere(plan.parent):
        # What they would read is being changed by the holder: they wait, then give up (3),
        # rather than act on a plan or secret read before the lock.
        plan.write_text("agency: [", encoding="utf-8")
        for args in (
            ["draw", "--plan", plan, "--month", "2025-03", "--wait", "0"],
            ["assign", "--plan", plan, "--month", "2025-03", "--wait", "0"],
            ["seal", "--plan", plan, "--replace", "--reason", "x", "--wait", "0"],
        ):
            assert invoke(*args).exit_code == 3


def test_the_example_secret_stays_an_example(tmp_path: Path) -> None:
    plan = copy_examples(tmp_path / "ws")
    shutil.copy(EXAMPLES / "ssj-secret.txt", plan.parent)  # with its example-only mark
    before = files_in(plan.parent)
    result = invoke("draw", "--plan", plan, "--month", "2025-03")
    assert result.exit_code == 2 and "示例专用的公开秘密" in result.stderr
    assert "ssj init" in result.stderr and "ssj seal" in result.stderr
    assert files_in(plan.parent) == before
    # Stripped of its mark, the records are still on the example's public chain: said.
    (plan.parent / "ssj-secret.txt").write_text(
        (EXAMPLES / "ssj-secret.txt").read_text(encoding="utf-8").splitlines()[-1] + "\n"
    )
    assert invoke("draw", "--plan", plan, "--month", "2025-03").exit_code == 0
    verified = invoke("verify", plan.parent / "输出")
    assert verified.exit_code == 0 and "示例的公开承诺" in verified.stderr


def test_a_chain_of_replacements_is_public_and_re_run(tmp_path: Path) -> None:
    plan = copy_examples(tmp_path / "ws")
    assert invoke("draw", "--plan", plan, "--month", "2025-03").exit_code == 0
    assert invoke("assign", "--plan", plan, "--month", "2025-03").exit_code == 0
    path = plan.parent / "输出" / "2025-03" / "人员分组记录-2025-03.json"
    for reason in ("病假", "外出学习"):
        published = json.loads(path.read_text(encoding="utf-8"))
        groups = published["assignment"]["groups"]
        current = {s["out"]["id"] for s in published["substitutions"]}
        leaving = next(o["id"] for o in groups[0]["officers"] if o["id"] not in current)
        replaced = invoke(
            "assign", "-p", plan, "-m", "2025-03", "--replace", leaving, "--reason", reason
        )
        assert replaced.exit_code == 0, replaced.output
    published = json.loads(path.read_text(encoding="utf-8"))
    reasons = list(dict.fromkeys(s["reason"] for s in published["substitutions"]))
    assert reasons == ["病假", "外出学习"]
    verified = invoke("verify", plan.parent / "输出")
    assert verified.exit_code == 0, verified.output
    assert "人员分组 2025-03 复核一致" in verified.stdout
    assert "递补" in verified.stderr and "病假" in verified.stderr and "外出学习" in verified.stderr
    # Checked against a 承诺书 as well, the chain of replacements is still listed.
    seal(plan, replace=True, reason="演示")
    pledged = invoke(
        "verify", plan.parent / "输出", "--published", plan.parent / "承诺书-2025.json"
    )
    assert "病假" in pledged.stderr and "外出学习" in pledged.stderr
    # A replacement edited into the published file to favour someone does not re-run.
    favoured = published["assignment"]["officers"][-1]
    published["substitutions"][0]["in"] = {k: favoured[k] for k in ("id", "name", "department")}
    path.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    forged = invoke("verify", plan.parent / "输出")
    assert forged.exit_code == 1 and "人员分组 2025-03 复核不一致" in forged.stdout


def test_without_a_pledge_or_a_public_number_verifiers_say_what_is_not_proven(
    tmp_path: Path,
) -> None:
    plan = copy_examples(tmp_path / "ws")  # a workspace as 0.3 made it: no ceremony block
    assert invoke("draw", "--plan", plan, "--month", "2025-03").exit_code == 0
    verified = invoke("verify", plan.parent / "输出")
    assert verified.exit_code == 0
    assert "没有对照承诺书" in verified.stderr
    assert (
        verified.stderr.count("持有秘密的工作区事先就能算出抽取结果") == 1
    )  # once, not per record
