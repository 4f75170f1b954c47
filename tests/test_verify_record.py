"""``ssj verify`` on one record: every field a reader relies on is recomputed, and a record
changed in any one of them is named for that field (docs/spec.md §4)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from shuangsuiji.rules import rfc3797
from shuangsuiji.rules.draw import DrawInput, Stratum, draw
from shuangsuiji.rules.ratio import Ratio
from shuangsuiji.rules.records import Accounting, DrawRecord, ExternalDraw, PublicNumber, Selected
from shuangsuiji.rules.seal import PUBLIC_COMMITMENTS, commitment_of, month_secret
from shuangsuiji.rules.verify import (
    EXAMPLE_CHAIN,
    NO_PUBLIC_NUMBER,
    record_differences,
    record_warnings,
    year_differences,
)

A_KEYS = [f"91410311MAA{i:07d}" for i in range(30)]
B_KEYS = [f"91410311MAB{i:07d}" for i in range(10)]


def _record(**changes: Any) -> DrawRecord:
    """A stratified draw (A 10%, B 50%) whose earlier selections leave B one short."""
    task = DrawInput(
        task_id="AJ-01",
        covers=None,
        year=2025,
        month=5,
        plan_seed="洛龙区应急管理局2025年度双随机抽查",
        secret=None,
        commitment=None,
        extra="3 1 5",
        ratio=Ratio.model_validate({"by": "信用风险分类", "A": "10%", "B": "50%"}),
        targets={"行业": ["冶金"]},
        strata=[
            Stratum("A", Decimal("0.1"), A_KEYS),
            Stratum("B", Decimal("0.5"), B_KEYS),
        ],
        excluded=frozenset(B_KEYS[:6]),
        names=lambda keys: {k: f"企业{k[-3:]}" for k in keys},
        created_at="2025-05-06T09:00:00+08:00",
        tool_version="0.6.0",
    )
    return draw(replace(task, **changes))


def _edited(record: DrawRecord, edit: Any) -> DrawRecord:
    data = json.loads(record.to_json())
    edit(data)
    return DrawRecord.from_dict(data)


def test_records_drawn_by_the_rule_reproduce() -> None:
    for record in (_record(), _flat(), _flat(**SEALED), _flat(public_number=NUMBER, **SEALED)):
        assert record_differences(record) == []


def test_the_shortfall_is_recomputed() -> None:
    record = _record()
    assert record.shortfall == 1  # B: 5 to draw, 4 left after the earlier selections
    found = record_differences(_edited(record, lambda d: d.update(shortfall=0)))
    assert found == ["shortfall 应为 1，记录为 0"]


def test_the_scope_must_be_the_item_and_month() -> None:
    record = _record()
    found = record_differences(_edited(record, lambda d: d.update(scope="AJ-01/2025-04")))
    assert "scope 应为 AJ-01/2025-05，记录为 AJ-01/2025-04" in found


def test_each_stratums_quota_is_recomputed() -> None:
    record = _record()
    assert record.strata is not None and [s.k for s in record.strata] == [3, 5]

    def lower(data: dict[str, Any]) -> None:
        data["strata"][0]["k"] = 2  # the record's total k and selection left as drawn

    found = record_differences(_edited(record, lower))
    assert found == ["“A”层：对象 30 家按 10% 应抽 3 家，记录为 2"]


def test_exclusions_outside_the_population_are_not_listed() -> None:
    # An earlier selection over the item that is not in this population excludes nothing.
    outside = "91410311MAC0000001"
    record = _record(excluded=frozenset({*B_KEYS[:6], outside}))
    assert record.excluded == sorted(B_KEYS[:6])
    found = record_differences(_edited(record, lambda d: d["excluded"].append(outside)))
    assert found == ["excluded 中有 1 个代码不在对象名单中"]


@pytest.mark.parametrize("field", ["seed", "k"])
def test_a_changed_seed_or_total_is_named(field: str) -> None:
    record = _record()
    found = record_differences(_edited(record, lambda d: d.update({field: d[field] * 2})))
    assert found and (
        found[0].startswith("seed 应为") if field == "seed" else "应抽 8 家" in found[0]
    )


ZEROS = "0" * 64
SEALED = {"secret": month_secret(ZEROS, 5), "commitment": commitment_of(ZEROS)}
NUMBER = PublicNumber("中国福利彩票“3D”开奖号码", "\\d \\d \\d", "3，1，5")


def _flat(**changes: Any) -> DrawRecord:
    """A flat 10% draw over 30 enterprises."""
    flat = {"ratio": Ratio.model_validate("10%"), "excluded": frozenset(),
            "strata": [Stratum("", Decimal("0.1"), A_KEYS)]}  # fmt: skip
    return _record(**(flat | changes))


EDITS: list[tuple[str, Any, list[str]]] = [
    ("unknown method", lambda d: d.update(spec="SSJ-DRAW-9"),
     ["未知的抽取方法“SSJ-DRAW-9”（应为 SSJ-DRAW-1 或 RFC3797）"]),
    ("keys unsorted", lambda d: d["population"]["keys"].reverse(),
     ["population.keys 未排序或有重复"]),
    ("size", lambda d: d["population"].update(size=31),
     ["population.size 为 31，但 keys 有 30 个"]),
    ("digest", lambda d: d["population"].update(digest="0" * 64),
     ["population.digest 与 keys 不符：对象名单被改动过"]),
    ("ratio unreadable", lambda d: d.update(ratio="五成"), ["无法识别的比例 '五成'"]),
    ("strata on a flat ratio", lambda d: d.update(strata=[]),
     ["比例不分层，但记录中有分层（strata）"]),
    ("ranks", lambda d: d["selected"][0].update(rank=2), ["selected 的 rank 不是从 1 起的连续序号"]),
    ("one fewer", lambda d: d["selected"].pop(), ["应抽中 3 家，记录列出 2 家"]),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "found"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_each_edit_is_named_in_its_own_words(edit: Any, found: list[str]) -> None:
    assert record_differences(_edited(_flat(), edit)) == found


def test_a_swapped_winner_is_named_by_rank() -> None:
    record = _flat()
    loser = next(k for k in A_KEYS if k not in record.selected_keys)
    found = record_differences(_edited(record, lambda d: d["selected"][1].update(uscc=loser)))
    want = record.selected[1]
    assert found == [
        f"第 2 名应为 {want.uscc}（抽取号 {want.ticket[:16]}…），记录为 {loser}（{want.ticket[:16]}…）"
    ]


def test_the_strata_are_checked_against_the_ratio_and_each_other() -> None:
    record = _record()
    found = record_differences(_edited(record, lambda d: d["strata"][1].update(rate="40%")))
    assert found[0] == "“B”层的比例 40% 与 ratio 不符"
    moved = _edited(record, lambda d: d["strata"][0]["keys"].pop())
    assert "各层对象合起来与 population.keys 不一致" in record_differences(moved)
    unknown = _edited(record, lambda d: d["strata"][1].update(value="C"))
    assert record_differences(unknown)[0] == "“C”层的比例 50% 与 ratio 不符"


def test_the_accounting_must_add_up() -> None:
    accounting = Accounting(40, 5, 3, 0, {"行业类别：餐饮": 2}, {"注销": 0}, 30)
    record = _flat(accounting=accounting)
    assert record_differences(record) == []
    wrong = _edited(record, lambda d: d["accounting"].update(eligible=29))
    assert record_differences(wrong) == [
        "名录库行数的去向（accounting）不对：40 行应等于各类之和 39，符合条件的 29 家应等于对象数 30"
    ]
    outside = _edited(
        record, lambda d: d["accounting"].update(outside={A_KEYS[0]: "经营状态为注销"})
    )
    assert record_differences(outside) == [
        "accounting.outside 列出 1 家未列入的企业，其中 1 家在对象名单中：未列入的原因被改动过"
    ]


def test_the_seal_of_a_record() -> None:
    sealed = _flat(**SEALED)
    assert record_differences(sealed) == []
    assert record_differences(_edited(sealed, lambda d: d.update(secret=ZEROS))) == [
        "secret 按 2025-05 哈希 5 次不等于 commitment：不是事先承诺的那条哈希链上本月的值",
        f"seed 应为 plan_seed/secret/extra 的组合“洛龙区应急管理局2025年度双随机抽查/{ZEROS}/3 1 5”，"
        f"记录为“{sealed.seed}”",
    ]
    assert record_differences(_edited(sealed, lambda d: d.update(commitment=None)))[0] == (
        "记录有 secret 却没有 commitment，无法核对"
    )
    bare = _flat(extra=None)
    assert record_differences(bare) == [
        "既没有种子承诺（commitment）也没有当天公开的随机数（extra）：抽取结果事先可以算出"
    ]


def test_the_public_number_of_a_record() -> None:
    numbered = _flat(public_number=NUMBER, **SEALED)
    assert numbered.extra == "3 1 5" and record_differences(numbered) == []
    spelled = _edited(numbered, lambda d: d.update(extra="03 1 5"))
    assert (
        record_differences(spelled)[0]
        == "extra 应为公开随机数“3，1，5”的规范写法“3 1 5”，记录为“03 1 5”"
    )
    other_form = _edited(numbered, lambda d: d["public_number"].update(pattern="\\d{4}"))
    assert record_differences(other_form) == ["公开随机数“3 1 5”不符合公布的格式 \\d{4}"]


def test_what_a_reproducing_record_does_not_prove() -> None:
    assert record_warnings(_flat(**SEALED)) == [NO_PUBLIC_NUMBER]
    assert record_warnings(_flat(public_number=NUMBER, secret=month_secret(ZEROS, 5),
                                 commitment=sorted(PUBLIC_COMMITMENTS)[0])) == [EXAMPLE_CHAIN]  # fmt: skip
    rfc = _edited(_flat(), lambda d: d.update(spec="RFC3797"))
    assert record_warnings(rfc) == []


def test_a_years_exclusions_are_recomputed_from_its_records() -> None:
    march = _flat(month=3)
    earlier = march.selected_keys
    may = _flat(month=5, excluded=frozenset(earlier), excluded_from=[march.scope])
    assert sorted(may.excluded) == sorted(earlier) and year_differences([march, may]) == {}
    first = sorted(earlier)[0]
    assert year_differences([march, _flat(month=5)]) == {
        "AJ-01/2025-05": [f"没有排除此前已抽中的 3 家（如 {first}，AJ-01/2025-03 抽中）"]
    }
    extra = next(k for k in A_KEYS if k not in earlier)
    more = _flat(month=5, excluded=frozenset({*earlier, extra}), excluded_from=[march.scope])
    assert year_differences([march, more]) == {
        "AJ-01/2025-05": [
            f"排除名单中有 1 家不是所给记录中此前对 AJ-01 抽中的企业（如 {extra}）："
            "排除名单被改动过，或缺少更早的抽取记录（所给记录中更早的：AJ-01/2025-03）"
        ]
    }
    assert year_differences([may]) == {
        "AJ-01/2025-05": [
            "缺少 AJ-01/2025-03 的抽取记录：本记录按它排除了企业，所给记录中却没有它",
            f"排除名单中有 3 家不是所给记录中此前对 AJ-01 抽中的企业（如 {first}）："
            "排除名单被改动过，或缺少更早的抽取记录（所给记录中更早的：无）",
        ]
    }
    # A record made before 0.2 counts as an earlier selection but is not itself checked.
    assert year_differences([march, _flat(month=5, tool_version="0.1.0")]) == {}


def test_key_lists_in_files_are_read_back_where_they_belong(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shuangsuiji.rules.draw.INLINE_KEYS", 10)  # both strata go to files
    drawn = _record()
    published = DrawRecord.from_json(drawn.to_json())  # as read from 输出/: lists not yet read
    assert published.strata is not None and [list(s.keys) for s in published.strata] == [[], []]
    files = {e.keys_file: list(e.keys) for e in drawn.key_lists() if e.keys_file}
    assert len(files) == 3  # the population and each stratum
    read = published.with_keys(lambda name, digest: files[name])
    assert read.strata is not None and drawn.strata is not None
    assert [list(s.keys) for s in read.strata] == [list(s.keys) for s in drawn.strata]
    assert list(read.population.keys) == list(drawn.population.keys)
    assert record_differences(read) == []
    # A stratum's file not found: its list stays empty, and verification names the file.
    lost = drawn.strata[1].keys_file
    partly = published.with_keys(lambda name, digest: None if name == lost else files[name])
    assert partly.strata is not None and list(partly.strata[1].keys) == []
    assert list(partly.strata[0].keys) == list(drawn.strata[0].keys)
    assert record_differences(partly) == [
        f"找不到对象名单文件 {lost}（应与抽取记录文件放在同一文件夹）"
    ]
    assert published.with_keys(lambda name, digest: None) is published
    assert read.with_keys(lambda name, digest: files[name]) is read  # nothing left to read


def test_a_joint_task_comes_first_within_its_month_and_each_earlier_record_is_named() -> None:
    march = _flat(month=3)
    joint = _flat(month=5, task_id="LH-01", covers="AJ-01", excluded=frozenset(march.selected_keys),
                  excluded_from=[march.scope])  # fmt: skip
    earlier = {*march.selected_keys, *joint.selected_keys}
    stray = next(k for k in A_KEYS if k not in earlier)
    own = _flat(month=5, excluded=frozenset({*earlier, stray}),
                excluded_from=[march.scope, joint.scope])  # fmt: skip
    assert year_differences([march, joint, own]) == {
        own.scope: [
            f"排除名单中有 1 家不是所给记录中此前对 AJ-01 抽中的企业（如 {stray}）："
            "排除名单被改动过，或缺少更早的抽取记录（所给记录中更早的：AJ-01/2025-03、LH-01/2025-05）"
        ]
    }
    # A record of 0.2 (the first to say which item a joint task covers) is checked too.
    checked = _flat(month=5, tool_version="0.2")
    assert list(year_differences([march, checked])) == [checked.scope]


def test_an_old_joint_record_is_filed_under_the_item_its_targets_name() -> None:
    # Before 0.2 a record did not say which item a joint task covers: the newer records with
    # the same targets tell, when they name one item; otherwise it stands under its own id.
    old = _flat(month=3, task_id="LH-01", tool_version="0.1.0")
    newer = _flat(month=5, excluded=frozenset(old.selected_keys), excluded_from=[old.scope])
    assert year_differences([old, newer]) == {}  # its selections excluded under AJ-01
    assert year_differences([old, _flat(month=5)]) == {
        "AJ-01/2025-05": [
            f"没有排除此前已抽中的 3 家（如 {sorted(old.selected_keys)[0]}，LH-01/2025-03 抽中）"
        ]
    }
    other = _flat(month=5, task_id="AJ-02")  # a second item with the same targets: ambiguous
    assert year_differences([old, newer, other]) == {
        newer.scope: [
            f"排除名单中有 3 家不是所给记录中此前对 AJ-01 抽中的企业（如 {sorted(old.selected_keys)[0]}）："
            "排除名单被改动过，或缺少更早的抽取记录（所给记录中更早的：无）"
        ]
    }
    also_old = _flat(month=4, task_id="LH-02", tool_version="0.1.0")  # old records do not tell
    assert year_differences([old, also_old]) == {}
    # Imported selections say their item themselves, whatever made them.
    imported = ExternalDraw("EXTERNAL", "AJ-01/2025-02", "AJ-01", None, "2025-02", "省平台.xlsx",
                            "ab" * 32, [Selected(1, A_KEYS[0], "", "")], "", "0.1.0", None)  # fmt: skip
    assert year_differences([imported, _flat(month=5)]) == {
        "AJ-01/2025-05": [f"没有排除此前已抽中的 1 家（如 {A_KEYS[0]}，AJ-01/2025-02 抽中）"]
    }


def test_records_of_0_2_tell_the_item_of_a_joint_task() -> None:
    # 0.2 is the first version whose records say which item a joint task covers: such a
    # record is filed by what it says, and it tells an older record's item.
    joint = _flat(month=3, task_id="LH-01", covers="AJ-01", tool_version="0.2")
    ambiguous = _flat(month=5, task_id="AJ-02")  # another item with the same targets
    own = _flat(month=5, excluded=frozenset(joint.selected_keys), excluded_from=[joint.scope])
    assert year_differences([joint, ambiguous, own]) == {}
    old = _flat(month=3, task_id="LH-01", tool_version="0.1.0")
    told = _flat(month=5, tool_version="0.2", excluded=frozenset(old.selected_keys),
                 excluded_from=[old.scope])  # fmt: skip
    assert year_differences([old, told]) == {}


@pytest.mark.parametrize("month", ["2025/05", "2025-a5", "2025-051", "2025-05x"])
def test_a_malformed_month_is_read_only_where_it_is_well_formed(month: str) -> None:
    # The month a secret is hashed for comes from "YYYY-" and two digits; anything else is
    # month 0, which opens nothing.
    record = _edited(_flat(**SEALED), lambda d: d.update(month=month))
    opened = month[4] == "-" and month[5:7].isdigit()
    assert record_differences(record)[:2] == [
        f"scope 应为 AJ-01/{month}，记录为 AJ-01/2025-05",
        *([] if opened else [
            f"secret 按 {month} 哈希 0 次不等于 commitment：不是事先承诺的那条哈希链上本月的值"
        ]),
    ][:2]  # fmt: skip


def test_more_checks_add_to_the_findings_and_every_missing_file_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = _edited(_flat(), lambda d: d["population"].update(size=31))
    assert record_differences(record, also=lambda r: ["名称与名录库不符"]) == [
        "population.size 为 31，但 keys 有 30 个",
        "名称与名录库不符",
    ]
    monkeypatch.setattr("shuangsuiji.rules.draw.INLINE_KEYS", 10)
    published = DrawRecord.from_json(_record().to_json())  # no key file read
    files = [e.keys_file for e in published.key_lists() if e.keys_file]
    assert record_differences(published) == [
        f"找不到对象名单文件 {'、'.join(files)}（应与抽取记录文件放在同一文件夹）"
    ]


def test_what_accounting_may_list_as_outside() -> None:
    accounting = Accounting(40, 5, 3, 0, {"行业类别：餐饮": 2}, {"注销": 0}, 30)
    left_out = {f"91410311MAZ{i:07d}": "经营状态为注销" for i in range(10)}
    fits = _flat(accounting=replace(accounting, outside=left_out))
    assert record_differences(fits) == []  # ten left out, ten listed
    one_more = {**left_out, "91410311MAZ9999999": "经营状态为注销"}
    assert record_differences(_flat(accounting=replace(accounting, outside=one_more))) == [
        "accounting.outside 列出 11 家未列入的企业，其中 0 家在对象名单中：未列入的原因被改动过"
    ]


def test_a_population_drawn_out_entirely_before() -> None:
    # Every enterprise already selected earlier this year: all excluded, nothing to draw.
    record = _flat(excluded=frozenset(A_KEYS))
    assert (record.selected, record.shortfall) == ([], 3)
    assert record_differences(record) == []


def test_a_key_column_is_the_records_population_as_it_stands() -> None:
    # A province's keys stay one Arrow column in the record (written from its buffers), not
    # copied into a sorted list of Python strings; the record is the one the list gives.
    import pyarrow as pa

    from shuangsuiji.inputs.population import KeyColumn

    column = KeyColumn(pa.array(A_KEYS))
    record = _flat(strata=[Stratum("", Decimal("0.1"), column)])
    assert record.population.keys is column
    assert record.to_json() == _flat().to_json()


def test_the_published_text_lists_one_selected_enterprise_a_line() -> None:
    # What a reader scrolls and a diff shows: one enterprise a line, in rank order, the same
    # entries json would give; an empty selection stays "[]".
    record = _record()
    lines = record.to_json().splitlines()
    start = lines.index('  "selected": [')
    entries = lines[start + 1 : start + 1 + len(record.selected)]
    assert [json.loads(line.strip().rstrip(",")) for line in entries] == [
        dict(entry) for entry in record.selected
    ]
    assert lines[start + 1 + len(record.selected)] == "  ],"
    assert '  "selected": [],' in replace(record, selected=[]).to_json().splitlines()


def test_key_lists_stay_in_the_record_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 40 keys in all (A 30, B 10): at a limit of 40 every list is in the record itself, no
    # digest or file beside it; one under, the population and both strata go to files.
    monkeypatch.setattr("shuangsuiji.rules.draw.INLINE_KEYS", 40)
    inline = _record()
    assert inline.population.keys_file is None and inline.strata is not None
    assert all(s.digest is None and s.keys_file is None for s in inline.strata)
    monkeypatch.setattr("shuangsuiji.rules.draw.INLINE_KEYS", 39)
    filed = _record()
    assert filed.population.keys_file is not None and filed.strata is not None
    assert all(s.digest is not None and s.keys_file is not None for s in filed.strata)


def test_an_rfc3797_draw_carries_no_commitment_even_from_a_sealed_plan() -> None:
    # Its randomness is the public sources fixed in advance (§4.1): a sealed plan's secret
    # and commitment stay out of the record, as do the plan seed and the extra.
    key = rfc3797.key_string([[3, 1, 5]])
    record = _flat(key_string=key, public_number=NUMBER, **SEALED)
    assert record.spec == rfc3797.SPEC and record.key_string == key
    assert (record.plan_seed, record.secret, record.commitment) == (None, None, None)
    assert (record.extra, record.public_number) == (None, None)
    assert record_differences(record) == []
