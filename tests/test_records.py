"""The typed records publish exactly today's JSON: every record of an example year round-trips
byte for byte, and a broken record is refused by shape, not by a crash later."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.commands.assign import assign_month, replace_officer
from shuangsuiji.commands.deadlines import check_deadlines
from shuangsuiji.commands.draw import draw_month
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules import records
from shuangsuiji.rules.records import (
    ASSIGNMENT_FILE,
    Accounting,
    AssignmentRecord,
    DrawRecord,
    ExternalDraw,
    Group,
    PublishedAssignment,
    Result,
    Selected,
    Status,
    Substitution,
    Waiver,
    indented_json,
    read_draw,
)
from shuangsuiji.rules.seal import month_secret

from .conftest import copy_examples, fill_task_sheet, invoke

D = dt.date
MONTHS = ("2025-03", "2025-05", "2025-08", "2025-10")


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example year: every draw and assignment, a 递补, results, a 公示表 and its marking."""
    plan = copy_examples(tmp_path_factory.mktemp("year"))
    for month in MONTHS:
        draw_month(plan, month)
        assign_month(plan, month)
    leaving = assign_month(plan, "2025-05").groups[0].officers[0].id
    replace_officer(plan, "2025-05", leaving, "病假")
    sheet = fill_task_sheet(
        plan,
        "2025-03",
        {0: (D(2025, 3, 10), "未发现问题", None), 1: (D(2025, 3, 12), "发现问题待后续处理", None)},
    )
    assert (
        invoke("results", "import", sheet, "--plan", plan, "--today", "2025-03-14").exit_code == 0
    )
    assert invoke("publish", "--plan", plan, "--today", "2025-03-14").exit_code == 0
    marked = invoke(
        "publish", "--plan", plan, "--mark-published", "2025-03-17", "--today", "2025-03-18"
    )
    assert marked.exit_code == 0
    invoke("run", "--plan", plan, "--today", "2025-11-03")  # the daily batch writes its log
    return plan


def test_every_draw_record_round_trips_byte_for_byte(year: Path) -> None:
    with Ledger.at(year.parent) as ledger:
        stored = ledger.draws(2025)
    assert len(stored) == 10
    for draw in stored:
        record = DrawRecord.from_json(draw.text)
        assert record.to_json() == draw.text
        assert json.loads(draw.text) == record  # the record is the JSON object it publishes
        assert record.scope == draw.scope and record["scope"] == draw.scope
        published = (
            year.parent / "输出" / record.month / f"抽取记录-{record.item_id}-{record.month}.json"
        )
        assert published.read_text(encoding="utf-8") == draw.text


def test_a_stratified_ratio_and_targets_are_published_in_order(
    year: Path,
) -> None:
    with Ledger.at(year.parent) as ledger:
        record = DrawRecord.from_json(ledger.draws(2025)[0].text)
    # Stratum values may sort after "default" (CJK, lower case): it stays last all the same.
    ratio = {"default": "5%", "高": "10%", "by": "信用风险分类", "低": "3%", "a": "2%"}
    published = replace(
        record, ratio=ratio, targets={"行业类别": ["危险化学品"], "所属街道": ["关林"]}
    )
    assert list(published.ratio) == ["by", "a", "低", "高", "default"]
    assert list(json.loads(published.to_json())["ratio"]) == ["by", "a", "低", "高", "default"]
    assert list(published.targets) == ["所属街道", "行业类别"]  # by column name too


def test_every_assignment_record_round_trips_byte_for_byte(year: Path) -> None:
    with Ledger.at(year.parent) as ledger:
        stored = ledger.assignments(2025)
    assert [month for month, _ in stored] == list(MONTHS)
    for _, text in stored:
        record = AssignmentRecord.from_json(text)
        assert record.to_json() == text
        assert all(isinstance(g, Group) for g in record.groups)
        assert (
            AssignmentRecord.of(
                record.inputs, record.groups, record.created_at, record.tool_version
            ).to_json()
            == text
        )


def _recording(encoded: list[object]) -> Callable[..., str]:
    def encode(value: object, indent: int = 1) -> str:
        encoded.append(value)
        return indented_json(value, indent)

    return encode


def test_a_published_assignment_nests_its_records_text_byte_for_byte(
    year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ssj assign writes 人员分组记录 from the record's text it has just made, not encoding the
    # record again: the bytes must be json.dumps's, with and without 递补 and a chain head.
    with Ledger.at(year.parent) as ledger:
        for month, text in ledger.assignments(2025):
            record = AssignmentRecord.from_json(text)
            for substitutions in ([], ledger.substitutions(month)):
                for head in (None, ledger.head_anchor()):
                    published = PublishedAssignment(
                        ASSIGNMENT_FILE, month, record, list(substitutions), head
                    )
                    assert published.to_json(text) == published.to_json()
                    # … and a city's assignment is encoded once: its text is nested as given.
                    encoded: list[object] = []
                    with monkeypatch.context() as patched:
                        patched.setattr(records, "indented_json", _recording(encoded))
                        published.to_json(text)
                    assert encoded and all(v is not record for v in encoded)
            assert ledger.substitutions(month) or month != "2025-05"


def test_every_event_payload_round_trips(year: Path) -> None:
    with sqlite3.connect(year.parent / "ssj.db") as db:
        events = [
            (kind, json.loads(p)) for kind, p in db.execute("SELECT kind, payload FROM events")
        ]
    substitutions = [p for kind, p in events if kind == "substitute"]
    results = [p for kind, p in events if kind == "result"]
    assert substitutions and results
    for payload in substitutions:
        assert Substitution.from_dict(payload) == payload
    for payload in results:
        assert Result.from_dict(payload) == payload


def test_json_outputs_round_trip(year: Path) -> None:
    groups = json.loads(invoke("assign", "--plan", year, "--month", "2025-05", "--json").stdout)[
        "groups"
    ]
    assert any("substitutions" in g for g in groups)
    assert [Group.from_dict(g) for g in groups] == groups
    statuses = json.loads(
        invoke("deadline-check", "--plan", year, "--today", "2025-11-01", "--json").stdout
    )
    assert [Status.from_dict(s) for s in statuses] == statuses
    assert check_deadlines(year, D(2025, 11, 1)) == statuses


def test_records_are_read_only(year: Path) -> None:
    with Ledger.at(year.parent) as ledger:
        record = ledger.draws(2025)[0].record
    with pytest.raises(TypeError):
        record["seed"] = "changed"
    with pytest.raises(AttributeError):
        record.seed = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda r: r["population"].pop("keys"), "keys"),
        (lambda r: r.update(k="8"), "k 应为 int"),
        (lambda r: r["selected"][0].update(rank=True), "selected.rank 应为 int"),
        (lambda r: r.update(excluded=[1]), "excluded 应为文本列表"),
    ],
)
def test_a_record_of_the_wrong_shape_is_refused(year: Path, change: object, complaint: str) -> None:
    with Ledger.at(year.parent) as ledger:
        data = json.loads(ledger.draws(2025)[0].text)
    change(data)  # type: ignore[operator]
    with pytest.raises((KeyError, TypeError)) as caught:
        DrawRecord.from_dict(data)
    assert complaint in str(caught.value)


def test_a_part_that_is_not_an_object_is_named_exactly(year: Path) -> None:
    with Ledger.at(year.parent) as ledger:
        data = json.loads(ledger.draws(2025)[0].text)
    with pytest.raises(TypeError, match=r"^population 应为 dict，记录中为 list$"):
        DrawRecord.from_dict({**data, "population": []})
    with pytest.raises(TypeError, match=r"^selected 应为 dict，记录中为 str$"):
        DrawRecord.from_dict({**data, "selected": ["91410311MA00000000"]})
    with pytest.raises(TypeError, match=r"^DrawRecord 应为 dict，记录中为 list$"):
        DrawRecord.from_dict([data])


def test_no_secret_is_revealed_beyond_the_months_drawn(year: Path) -> None:
    lines = (year.parent / "ssj-secret.txt").read_text(encoding="utf-8").splitlines()
    [secret] = [line for line in lines if not line.startswith("#")]
    # October's draw reveals s(10), hence s(1)…s(10); s(11), s(12) = the file's value never leave.
    hidden = [month_secret(secret, m).encode() for m in (11, 12)]
    files = [p for d in ("输出", "日志") for p in (year.parent / d).rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files) and len(files) >= 20
    assert not [p for p in files if any(h in p.read_bytes() for h in hidden)]
    assert not any(h in (year.parent / "ssj.db").read_bytes() for h in hidden)


_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # control characters, quotes, backslashes, CJK, U+2028 …
)
# Every kind of key json.dumps accepts: it writes numbers and constants as their JSON text.
_KEYS = (
    st.text(max_size=5)
    | st.integers(0, 9)
    | st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=30,
)


@given(_JSON, st.sampled_from([1, 2]))
@settings(max_examples=400, deadline=None)
def test_records_are_indented_exactly_as_json_would(value: object, indent: int) -> None:
    # Assignment and imported-draw records are written with an indent; json's encoder falls
    # back to pure Python for that, so ssj has its own — the stored, hashed text must not move.
    assert indented_json(value, indent) == json.dumps(value, ensure_ascii=False, indent=indent)


def test_what_json_refuses_is_refused_alike() -> None:
    for value in ({(1, 2): "tuple key"}, {"amount": Decimal("1.5")}, [b"bytes"]):
        with pytest.raises(TypeError) as ours:
            indented_json(value)
        with pytest.raises(TypeError) as theirs:
            json.dumps(value, indent=1)
        assert str(ours.value) == str(theirs.value)


def test_a_city_assignment_record_is_written_as_before(workspace: Path) -> None:
    draw_month(workspace, "2025-03")
    outcome = assign_month(workspace, "2025-03")
    with Ledger.at(workspace.parent) as ledger:
        text = ledger.assignment("2025-03")
    assert text is not None
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"
    assert outcome.record.to_json() == text


def test_the_json_array_of_records_is_written_a_piece_at_a_time() -> None:
    from shuangsuiji.rules.records import records_json

    # A province's record is gigabytes: the array is pieces, never one joined string, and
    # reads as the array of the records.
    long = '{"scope": "AJ-01/2025-03", "name": "' + "洛阳" * 700_000 + '"}\n'
    texts = [long, '{"scope": "AJ-02/2025-03"}\n']
    pieces = list(records_json(texts))
    assert max(map(len, pieces)) <= 1 << 20
    joined = "".join(pieces)
    assert joined.startswith("[\n{") and joined.endswith("}\n]\n") and "}\n,\n" not in joined
    assert [r["scope"] for r in json.loads(joined)] == ["AJ-01/2025-03", "AJ-02/2025-03"]
    assert "".join(records_json([])) == "[]\n"


def test_a_record_is_its_json_and_stays_as_made() -> None:
    waiver = Waiver("AJ-01/2025-03", "U1", "甲公司", "已注销", "2025-03-12")
    assert json.loads(waiver.to_json()) == {
        "scope": "AJ-01/2025-03", "uscc": "U1", "name": "甲公司", "reason": "已注销",
        "on": "2025-03-12",
    }  # fmt: skip
    with pytest.raises(TypeError, match=r"Waiver is read-only; use dataclasses.replace"):
        waiver["reason"] = "x"
    with pytest.raises(TypeError, match=r"^Waiver is read-only$"):
        del waiver["reason"]
    assert waiver["reason"] == "已注销"
    assert waiver.to_json() == json.dumps(waiver, ensure_ascii=False)  # as written, not \u escapes
    assert "甲公司" in waiver.to_json()


def test_an_imported_list_is_written_as_json_writes_it() -> None:
    imported = ExternalDraw(
        "EXTERNAL", "AJ-01/2025-02", "AJ-01", None, "2025-02", "省平台导出.xlsx", "ab" * 32,
        [Selected(1, "91410311MA00000000", "甲公司", "")], "2025-03-01T09:00:00+08:00", "test",
        None,
    )  # fmt: skip
    assert imported.to_json() == json.dumps(imported, ensure_ascii=False, indent=2) + "\n"
    assert read_draw(imported.to_json()).to_json() == imported.to_json()


def test_optional_fields_of_each_type_are_checked() -> None:
    status = {"scope": "S", "uscc": "U", "name": "N", "result_date": None, "deadline": "2025-03-17",
              "published_on": None, "status": "pending", "workdays_left": 2, "officers": []}  # fmt: skip
    assert Status.from_dict(status).workdays_left == 2
    assert Status.from_dict(status | {"workdays_left": None}).workdays_left is None
    with pytest.raises(TypeError, match=r"^deadline 的类型不对（记录中为 int）$"):
        Status.from_dict(status | {"deadline": 17})
    with pytest.raises(TypeError, match=r"^workdays_left 的类型不对（记录中为 str）$"):
        Status.from_dict(status | {"workdays_left": "2"})
    # A record nested in an optional field arrives as an object.
    result = {"scope": "S", "uscc": "U", "name": "N", "result": "未发现问题",
              "inspected_on": "2025-03-10"}  # fmt: skip
    corrected = {"result": "发现问题待后续处理", "inspected_on": "2025-03-10",
                 "published_on": "2025-03-14", "corrected_on": "2025-03-17"}  # fmt: skip
    read = Result.from_dict(result | {"correction": corrected})
    assert read.correction is not None and read.correction.corrected_on == "2025-03-17"
    assert read.shown() == "未发现问题，检查日期 2025-03-10"
    assert replace(read, published_on="2025-03-14").shown() == (
        "未发现问题，检查日期 2025-03-10，公示日期 2025-03-14"
    )
    with pytest.raises(TypeError, match=r"^correction 的类型不对（记录中为 list）$"):
        Result.from_dict(result | {"correction": [corrected]})


def test_where_the_rows_left_out_went_in_words() -> None:
    kinds = ["餐饮", "零售", "住宿", "教育", "金融", "软件", "物流", "医疗", "农业"]
    not_target = {f"行业类别：{k}": i + 1 for i, k in enumerate(kinds)}
    accounting = Accounting(100, 3, 2, 1, not_target, {"注销": 2, "吊销，未注销": 1}, 46)
    assert accounting.left_out() == (
        "经营状态不符 3（注销 2、吊销，未注销 1）；"
        "不在抽查范围 45（餐饮 1、零售 2、住宿 3、教育 4、金融 5、软件 6、物流 7、医疗 8 等 9 种）；"
        "目标列为空 1；代码重复 2；代码为空 3"
    )
    assert accounting.total == 100
    few = Accounting(10, 0, 0, 0, {"行业类别：餐饮：外卖": 2}, {}, 8)
    assert few.left_out() == "不在抽查范围 2（餐饮：外卖 2）"
    assert Accounting(5, 0, 0, 0, {}, {}, 5).left_out() == "无"
    plain = Accounting(10, 0, 0, 0, {"餐饮": 2}, {}, 8)  # a value without its column's name
    assert plain.left_out() == "不在抽查范围 2（餐饮 2）"
    eight = Accounting(50, 0, 0, 0, dict(list(not_target.items())[:8]), {}, 14)
    assert eight.left_out().endswith("医疗 8）")  # all eight shown: nothing "等"


def test_a_usual_selected_entry_is_read_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # A province's month has millions of selected entries, read by every audit: one of the
    # usual shape is made directly; anything else takes the generic walk, which names it.
    walked: list[str] = []
    generic = records.Record.__dict__["_build"].__func__

    def counting(cls: type[records.Record], data: object, where: str) -> records.Record:
        walked.append(cls.__name__)
        return generic(cls, data, where)  # type: ignore[no-any-return]

    monkeypatch.setattr(records.Record, "_build", classmethod(counting))
    entry = {"rank": 1, "uscc": "91410311MA00000000", "name": "甲公司", "ticket": "ab"}
    assert Selected.from_dict(entry) == Selected(1, "91410311MA00000000", "甲公司", "ab")
    assert walked == []
    for bad, message in [
        (entry | {"rank": "1"}, "rank 应为 int，记录中为 str"),
        (entry | {"name": None}, "name 应为 str，记录中为 NoneType"),
        ({k: v for k, v in entry.items() if k != "ticket"}, "'ticket'"),
        ([entry], "Selected 应为 dict，记录中为 list"),
    ]:
        walked.clear()
        with pytest.raises((TypeError, KeyError)) as raised:
            Selected.from_dict(bad)
        assert str(raised.value) == message and walked == ["Selected"]


def test_a_key_list_is_written_as_json_would() -> None:
    # Codes of ASCII letters and digits are joined by hand (a million in a blink); any other
    # list goes through the JSON encoder, quotes and backslashes escaped.
    for keys in ([], ["91330100609167206N"], ["A1", "B2", "C3"], ['a"b', "c"], ["a\\b"],
                 ["9133-01"], ["中文代码"], [""], ["A", ""], ["A B"]):  # fmt: skip
        assert records._keys_json(keys) == json.dumps(keys, ensure_ascii=False), keys
