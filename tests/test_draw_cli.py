"""``ssj draw``, ``ssj verify`` and ``ssj audit verify`` as a user runs them."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.commands.verify import verify_record
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules import draw as draw_rule

from .conftest import copy_examples, files_in, header_row, invoke, lock_held_elsewhere


def _draw_json(plan: Path, *args: str) -> list[dict[str, Any]]:
    result = invoke("draw", "--plan", plan, "--json", *args)
    assert result.exit_code == 0, result.output
    records: list[dict[str, Any]] = json.loads(result.stdout)  # stdout holds the JSON alone
    return records


def test_draw_json_then_again_prints_the_same_and_writes_nothing(workspace: Path) -> None:
    first = _draw_json(workspace, "--month", "2025-03")
    assert [r["scope"] for r in first] == ["AJ-01/2025-03", "AJ-02/2025-03"]
    assert [r["k"] for r in first] == [8, 11]
    assert all(len(r["selected"]) == r["k"] for r in first)
    before = files_in(workspace.parent)
    second = _draw_json(workspace, "--month", "2025-03")
    assert second == first
    assert files_in(workspace.parent) == before


def test_a_workbook_open_in_excel_is_named_and_written_by_the_next_run(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Excel on Windows locks a workbook it has open: replacing the file fails. The draw stays
    # in the ledger, the message names the file and what to do, and the next run writes it.
    locked = "抽取结果-2025-03.xlsx"
    replace = os.replace

    def refused(source: str, target: str) -> None:
        if Path(target).name == locked:
            raise PermissionError(13, "Permission denied", source, None, target)
        replace(source, target)

    monkeypatch.setattr(os, "replace", refused)
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 1
    assert locked in result.output and "关闭正在使用它的程序" in result.output
    assert "内部错误" not in result.output and "Traceback" not in result.output
    folder = workspace.parent / "输出" / "2025-03"
    record = (folder / "抽取记录-AJ-01-2025-03.json").read_text(encoding="utf-8")
    assert not (folder / locked).exists() and not list(folder.glob("*.ssj-tmp"))

    monkeypatch.setattr(os, "replace", replace)  # the workbook is closed
    again = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert again.exit_code == 0, again.output
    assert (folder / locked).exists()
    assert (folder / "抽取记录-AJ-01-2025-03.json").read_text(encoding="utf-8") == record


def test_outputs_record_files_and_result_workbook(workspace: Path) -> None:
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 0, result.output
    folder = workspace.parent / "输出" / "2025-03"
    record = json.loads((folder / "抽取记录-AJ-01-2025-03.json").read_text(encoding="utf-8"))
    assert list(record)[:4] == ["spec", "scope", "item_id", "month"]
    book = openpyxl.load_workbook(folder / "抽取结果-2025-03.xlsx")
    sheet = book["抽取结果"]
    # The items' names are a legend above the list (not a column of every row).
    top = header_row(sheet)
    legend = [sheet.cell(r, 1).value for r in range(2, top)]
    assert legend == [
        "AJ-01：对危险化学品生产、储存、经营、使用单位和烟花爆竹经营单位安全生产的随机抽查"
        "（对象 151 家，抽中 8 家）",
        "AJ-02：金属冶炼等工矿商贸单位安全生产的随机抽查（对象 212 家，抽中 11 家）",
    ]
    assert [c.value for c in sheet[top]] == [
        "序号",
        "任务编号",
        "统一社会信用代码",
        "企业名称",
        "抽取号",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=top + 1)]
    assert len(rows) == 19
    assert (
        rows[0][2] == record["selected"][0]["uscc"]
        and rows[0][4] == record["selected"][0]["ticket"]
    )
    params = [list(row) for row in book["抽取参数"].iter_rows(min_row=3, values_only=True)]
    assert params[0] == ["抽取范围", "AJ-01/2025-03"]  # a block of rows a draw
    first = {row[0]: row[1] for row in params[:16]}  # a row a parameter
    assert first["对象总数"] == 151 and params[16] == ["抽取范围", "AJ-02/2025-03"]
    assert first["种子承诺(commitment)"] == record["commitment"]
    assert first["本月秘密(secret)"] == record["secret"]
    assert first["种子/随机源"] == record["seed"]


def test_months_must_be_drawn_in_order(workspace: Path) -> None:
    before = files_in(workspace.parent)
    result = invoke("draw", "--plan", workspace, "--month", "2025-05")
    assert result.exit_code == 2
    assert "必须先抽取 AJ-01/2025-03" in result.stderr
    assert files_in(workspace.parent) == before


def test_month_without_tasks_and_bad_month(workspace: Path) -> None:
    result = invoke("draw", "--plan", workspace, "--month", "2025-04")
    assert result.exit_code == 0 and "没有到期的抽取任务" in result.stderr
    assert invoke("draw", "--plan", workspace, "--month", "2025-13").exit_code == 2
    result = invoke("draw", "--plan", workspace, "--month", "2024-03")
    assert result.exit_code == 2 and "计划年度 2025" in result.stderr
    result = invoke("draw", "--plan", workspace, "--month", "2025-03", "--item", "AJ-09")
    assert result.exit_code == 2 and "AJ-01" in result.stderr


def test_single_item_and_seed_extra(workspace: Path) -> None:
    [record] = _draw_json(
        workspace, "--month", "2025-03", "--item", "AJ-02", "--seed-extra", "03 15 22 27 31"
    )
    assert record["extra"] == "03 15 22 27 31"
    assert record["seed"] == f"{record['plan_seed']}/{record['secret']}/03 15 22 27 31"
    assert verify_record(record) == []
    # The other item is still due and uses the month secret, plus public randomness only if given.
    [other] = _draw_json(workspace, "--month", "2025-03", "--item", "AJ-01")
    assert other["extra"] is None and other["seed"] == f"{other['plan_seed']}/{other['secret']}"


def test_changed_roster_is_reported_not_redrawn(workspace: Path) -> None:
    first = _draw_json(workspace, "--month", "2025-03")
    book = openpyxl.load_workbook(workspace.parent / "enterprises.xlsx")
    sheet = book.active
    assert sheet is not None
    sheet.delete_rows(3)  # remove the first enterprise
    book.save(workspace.parent / "enterprises.xlsx")
    result = invoke("draw", "--plan", workspace, "--month", "2025-03", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == first
    assert "企业名录库有变化" in result.stderr


def test_rfc3797_ceremony_draw_verifies(workspace: Path) -> None:
    sources = "9319 / 2 5 12 8 10 / 9 18 26 34 41 45"
    # RFC 3797 only where the plan announced it, with its sources, before sealing (§4.3).
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(
        text.replace(
            "    methods: [计划检查, 随机抽查]\n",
            "    methods: [计划检查, 随机抽查]\n    draw_method: RFC3797\n"
            "    draw_sources: 抽取日前一天的三组公开开奖号码\n",
            1,
        ),
        encoding="utf-8",
    )
    [record] = _draw_json(
        workspace,
        "--month",
        "2025-03",
        "--item",
        "AJ-01",
        "--method",
        "rfc3797",
        "--sources",
        sources,
    )
    assert (
        record["spec"] == "RFC3797"
        and record["key_string"] == "9319./2.5.8.10.12./9.18.26.34.41.45./"
    )
    assert len(record["selected"]) == 8
    path = workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    result = invoke("verify", path)
    assert result.exit_code == 0 and "复核一致" in result.stdout
    assert invoke("draw", "--plan", workspace, "--method", "rfc3797").exit_code == 2


def test_verify_accepts_every_record_of_the_year(workspace: Path) -> None:
    for month in ("2025-03", "2025-05", "2025-08", "2025-10"):
        assert invoke("draw", "--plan", workspace, "--month", month).exit_code == 0
    paths = sorted((workspace.parent / "输出").rglob("抽取记录-*.json"))
    assert len(paths) == 10
    for path in paths:
        result = invoke("verify", path, "--enterprises", workspace.parent / "enterprises.xlsx")
        assert result.exit_code == 0, result.output
        assert "复核一致" in result.stdout


def _tamper(record: dict[str, Any], how: str) -> dict[str, Any]:
    changed = json.loads(json.dumps(record))
    if how == "seed":
        changed["seed"] += "x"
    elif how == "swap":
        outsider = next(
            k
            for k in changed["population"]["keys"]
            if k not in {s["uscc"] for s in changed["selected"]}
        )
        changed["selected"][2]["uscc"] = outsider
    elif how == "population":
        changed["population"]["keys"].pop(0)
    elif how == "ratio":
        changed["ratio"] = "10%"
    elif how == "order":
        changed["selected"][0], changed["selected"][1] = (
            changed["selected"][1],
            changed["selected"][0],
        )
    return changed


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("seed", "第 1 名应为"),
        ("swap", "第 3 名应为"),
        ("population", "population.digest"),
        ("ratio", "应抽 16 家，记录为 8 家"),
        ("order", "rank"),
    ],
)
def test_verify_rejects_tampered_records(workspace: Path, how: str, message: str) -> None:
    [record, _] = _draw_json(workspace, "--month", "2025-03")
    path = workspace.parent / "tampered.json"
    path.write_text(json.dumps(_tamper(record, how), ensure_ascii=False), encoding="utf-8")
    result = invoke("verify", path)
    assert result.exit_code == 1, result.output
    assert "复核不一致" in result.stdout and message in result.stdout


def test_verify_against_roster_finds_a_hidden_enterprise(workspace: Path) -> None:
    [record, _] = _draw_json(workspace, "--month", "2025-03")
    hidden = record["population"]["keys"][5]
    record["population"]["keys"].remove(hidden)  # a record whose population left someone out,
    record["population"]["size"] -= 1  # with its digest recomputed to look consistent
    import hashlib

    record["population"]["digest"] = hashlib.sha256(
        "\n".join(record["population"]["keys"]).encode()
    ).hexdigest()
    path = workspace.parent / "r.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = invoke("verify", path, "--enterprises", workspace.parent / "enterprises.xlsx")
    assert result.exit_code == 1
    assert hidden in result.stdout


def test_verify_bad_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    assert invoke("verify", tmp_path / "x.json").exit_code == 2
    (tmp_path / "y.json").write_text('{"spec": "SSJ-DRAW-1"}', encoding="utf-8")
    result = invoke("verify", tmp_path / "y.json")
    assert result.exit_code == 2 and "缺少字段" in result.stderr
    assert invoke("verify", tmp_path / "none.json").exit_code == 2


def test_audit_chain_catches_edits(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    result = invoke("audit", "verify", "--plan", workspace)
    assert result.exit_code == 0 and "哈希链无断点" in result.stdout
    db = workspace.parent / "ssj.db"
    with sqlite3.connect(db) as conn:
        record = conn.execute("SELECT record FROM draws WHERE scope = 'AJ-02/2025-03'").fetchone()[
            0
        ]
        conn.execute(
            "UPDATE draws SET record = ? WHERE scope = 'AJ-02/2025-03'",
            (record.replace('"k": 11', '"k": 10'),),
        )
    result = invoke("audit", "verify", "--plan", workspace)
    assert result.exit_code == 1 and "AJ-02/2025-03" in result.stdout
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE draws SET record = ? WHERE scope = 'AJ-02/2025-03'", (record,))
        conn.execute(
            "UPDATE events SET payload = replace(payload, '\"selected\":8', '\"selected\":9') WHERE seq = 1"
        )
    result = invoke("audit", "verify", "--plan", workspace)
    assert result.exit_code == 1 and "事件 1" in result.stdout
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE events SET payload = replace(payload, '\"selected\":9', '\"selected\":8') WHERE seq = 1"
        )
        conn.execute("DELETE FROM selections WHERE rowid = (SELECT MIN(rowid) FROM selections)")
    result = invoke("audit", "verify", "--plan", workspace)
    assert result.exit_code == 1 and "索引被改动过" in result.stdout


def test_crash_midway_records_nothing(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    original = Ledger._append

    def crash_on_second(self: Ledger, kind: str, payload: dict[str, Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash")
        original(self, kind, payload)

    monkeypatch.setattr(Ledger, "_append", crash_on_second)
    with pytest.raises(RuntimeError):
        draw_month(workspace, "2025-03")
    with Ledger.at(workspace.parent) as ledger:
        assert ledger.draws() == [] and list(ledger.events()) == []
    assert not (workspace.parent / "输出").exists()
    monkeypatch.undo()
    assert len(draw_month(workspace, "2025-03").new_scopes) == 2


def test_second_writer_waits_then_exits_3(workspace: Path) -> None:
    with lock_held_elsewhere(workspace.parent):
        started = time.monotonic()
        result = invoke("draw", "--plan", workspace, "--month", "2025-03", "--wait", "0.5")
        assert result.exit_code == 3, result.output
        assert time.monotonic() - started >= 0.5
        assert "正在使用工作区" in result.stderr
        with Ledger.at(workspace.parent) as ledger:
            assert ledger.draws() == []
    assert invoke("draw", "--plan", workspace, "--month", "2025-03").exit_code == 0


def test_bad_roster_draws_nothing(workspace: Path) -> None:
    (workspace.parent / "e.csv").write_text(
        "统一社会信用代码,企业名称,行业类别\n91512081MA62K0260F,某公司,冶金\n", encoding="utf-8"
    )
    workspace.write_text(
        workspace.read_text(encoding="utf-8").replace("enterprises.xlsx", "e.csv"), encoding="utf-8"
    )
    before = files_in(workspace.parent)
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 2 and "校验位错误" in result.stderr
    assert files_in(workspace.parent) == before


def test_stratified_draw_records_strata_and_verifies(workspace: Path) -> None:
    text = workspace.read_text(encoding="utf-8")
    stratified = "ratio: {by: 信用风险分类, A: 3%, B: 5%, C: 10%, D: 20%}"
    workspace.write_text(text.replace("ratio: 5%", stratified, 1), encoding="utf-8")
    [record, _] = _draw_json(workspace, "--month", "2025-03")
    assert [s["value"] for s in record["strata"]] == ["A", "B", "C", "D"]
    assert record["k"] == sum(s["k"] for s in record["strata"])
    for stratum in record["strata"]:
        chosen = [s for s in record["selected"] if s["uscc"] in set(stratum["keys"])]
        assert (
            len(chosen)
            == stratum["k"]
            == -(-stratum["size"] * {"A": 3, "B": 5, "C": 10, "D": 20}[stratum["value"]] // 100)
        )
    assert _draw_json(workspace, "--month", "2025-03")[0] == record
    path = workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    assert invoke("verify", path).exit_code == 0
    record["strata"][3]["rate"] = "5%"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = invoke("verify", path)
    assert result.exit_code == 1 and "“D”层的比例 5% 与 ratio 不符" in result.stdout


def test_output_files_are_readable_by_others(workspace: Path) -> None:
    import os
    import stat

    draw_month(workspace, "2025-03")
    mask = os.umask(0)
    os.umask(mask)
    for path in (workspace.parent / "输出" / "2025-03").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_cli_and_library_agree(workspace: Path, tmp_path: Path) -> None:
    from shuangsuiji.rules.records import records_json

    other = copy_examples(tmp_path / "library", workspace.parent)
    via_cli = invoke("draw", "--plan", workspace, "--month", "2025-03", "--json").stdout
    via_library = draw_month(other, "2025-03")
    cli_records = json.loads(via_cli)
    library_records = json.loads("".join(records_json(via_library.texts)))
    for record in (*cli_records, *library_records):
        record.pop("created_at")
    assert cli_records == library_records
    # The --json array itself verifies.
    (tmp_path / "all.json").write_text(via_cli, encoding="utf-8")
    result = invoke("verify", tmp_path / "all.json")
    assert result.exit_code == 0 and result.stdout.count("复核一致") == 2


def test_read_only_commands_create_nothing(workspace: Path) -> None:
    before = files_in(workspace.parent)
    assert invoke("audit", "verify", "--plan", workspace).exit_code == 0
    assert invoke("audit", "log", "--plan", workspace).exit_code == 0
    assert invoke("deadline-check", "--plan", workspace, "--today", "2025-03-03").exit_code == 0
    assert files_in(workspace.parent) == before


def test_structurally_broken_record_does_not_verify(tmp_path: Path) -> None:
    record = {
        "spec": "SSJ-DRAW-1", "scope": "AJ-01/2025-03", "item_id": "AJ-01", "month": "2025-03", "seed": "s",
        "ratio": "5%", "population": {"size": 1}, "excluded": [], "k": 1, "selected": [],
    }  # fmt: skip
    (tmp_path / "r.json").write_text(json.dumps(record), encoding="utf-8")
    result = invoke("verify", tmp_path / "r.json")
    assert result.exit_code == 1 and "记录结构不完整" in result.stdout


@pytest.mark.parametrize("kept", ["inline", "in parts"])
def test_audit_catches_exclusions_skewed_by_an_edited_index(
    workspace: Path, kept: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kept == "in parts":  # the population in the ledger a few keys a row, as a city's is
        monkeypatch.setattr(draw_rule, "INLINE_KEYS", 10)
        monkeypatch.setattr(draw_rule, "PART_KEYS", 7)
    draw_month(workspace, "2025-03")
    db = workspace.parent / "ssj.db"
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT rowid, * FROM selections WHERE scope = 'AJ-01/2025-03' LIMIT 1"
        ).fetchone()
        conn.execute("DELETE FROM selections WHERE rowid = ?", (row[0],))
    # Drawing while the index is short of one enterprise would skew May's exclusions: the
    # ledger is audited first, and nothing is drawn.
    refused = invoke("draw", "--plan", workspace, "--month", "2025-05")
    assert refused.exit_code == 1 and "已抽中企业索引与抽取记录不符" in refused.stderr
    assert not (workspace.parent / "输出" / "2025-05").exists()
    # Made behind ssj's back (a draw written by hand while the index was short), it is
    # still found by the audit.
    draw_month(workspace, "2025-05", heal=False)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO selections VALUES (?, ?, ?, ?)", row[1:])  # and put back
    result = invoke("audit", "verify", "--plan", workspace)
    assert (
        result.exit_code == 1
        and "LH-01/2025-05 的排除名单与此前对同一事项的抽取结果不符" in result.stdout
    )


def test_exclusions_are_per_item_and_the_audit_counts_each_items_own(workspace: Path) -> None:
    # AJ-02 given AJ-01's targets: March's AJ-01 enterprises are in May's AJ-02 population,
    # and only AJ-02's own earlier selections are excluded from it (SSJ-DRAW-1 §4.4).
    text = workspace.read_text(encoding="utf-8")
    targets = (
        "行业类别: [危险化学品生产, 危险化学品储存, 危险化学品经营, 危险化学品使用, 烟花爆竹经营]"
    )
    workspace.write_text(
        text.replace("行业类别: [冶金, 有色, 建材, 机械, 轻工, 纺织, 商贸]", targets),
        encoding="utf-8",
    )
    march = {r["scope"]: r for r in draw_month(workspace, "2025-03").records}
    may = {r["scope"]: r for r in draw_month(workspace, "2025-05").records}
    aj01 = {s["uscc"] for s in march["AJ-01/2025-03"]["selected"]}
    aj02 = {s["uscc"] for s in march["AJ-02/2025-03"]["selected"]}
    population = set(may["AJ-02/2025-05"]["population"]["keys"])
    assert aj01 - aj02 and (aj01 - aj02) <= population
    assert set(may["AJ-02/2025-05"]["excluded"]) == aj02
    audit = invoke("audit", "verify", "--plan", workspace)
    with Ledger.at(workspace.parent) as ledger:
        events = len(list(ledger.events()))
    drawn = len(list((workspace.parent / "输出").glob("*/抽取记录-*.json")))
    assert audit.exit_code == 0, audit.stdout
    assert f"台账完整：{events} 个事件、{drawn} 条抽取记录" in audit.stdout
