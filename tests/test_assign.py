"""SSJ-ASSIGN-1, -2 and -3: each officer rule on its own, with small hand-made inputs. Every
rule of docs/spec.md §5 is checked under each (a record keeps the rule it was made by); what
only the later rules do is tested at the end."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from shuangsuiji.exceptions import InputError
from shuangsuiji.rules.assign import (
    SPEC,
    SPECS,
    apply_substitutions,
    assign,
    officer_loads,
    split_groups,
    substitute,
    verify_assignment,
)
from shuangsuiji.rules.records import (
    AssignInput,
    AssignmentRecord,
    Group,
    GroupOfficer,
    Substitution,
)

AGENCY = "洛龙区应急管理局"
PARTNER = "区市场监督管理局"


def officer(code: str, **extra: Any) -> dict[str, Any]:
    base = {
        "id": code,
        "name": f"人员{code}",
        "department": AGENCY,
        "section": "",
        "fields": [],
        "duty": "在岗",
        "on_duty": True,
        "cert_until": "2030-12-31",
        "recusals": [],
    }
    return base | extra


def enterprises(count: int, industry: str = "冶金", prefix: str = "E") -> list[dict[str, str]]:
    return [
        {"uscc": f"{prefix}{i:03d}", "name": f"企业{prefix}{i}", "industry": industry}
        for i in range(count)
    ]


RULE = {"spec": SPEC}


@pytest.fixture(autouse=True, params=SPECS)
def rule(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs under each rule."""
    monkeypatch.setitem(RULE, "spec", request.param)
    return str(request.param)


def inputs(
    officers: list[dict[str, Any]], tasks: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    base = {
        "spec": RULE["spec"],
        "month": "2025-03",
        "seed": "测试种子",
        "agency": AGENCY,
        "group_max": 5,
        "group_size": 2,
        "partner_group_size": 2,
        "officers": officers,
        "history": {},
        "tasks": tasks,
    }
    return base | extra


def task(
    items: list[dict[str, str]], scope: str = "AJ-01/2025-03", partner: str | None = None
) -> dict[str, Any]:
    return {"scope": scope, "partner": partner, "enterprises": items}


def members(group: dict[str, Any]) -> set[str]:
    return {o["id"] for o in group["officers"]}


def test_groups_by_industry_split_evenly() -> None:
    mixed = enterprises(7, "冶金") + enterprises(2, "机械", "M")
    split = split_groups(mixed, 5)
    assert [(industry, len(group)) for industry, group in split] == [
        ("冶金", 4),
        ("冶金", 3),
        ("机械", 2),
    ]
    # As even as the cap allows, the larger groups first; every enterprise once, in order.
    for count, sizes in [(12, [4, 4, 4]), (13, [5, 4, 4]), (11, [4, 4, 3]), (10, [5, 5])]:
        rows = enterprises(count, "冶金")
        split = split_groups(rows, 5)
        assert [len(group) for _, group in split] == sizes, count
        assert [e.uscc for _, group in split for e in group] == [r["uscc"] for r in rows]


def test_expired_certificate_is_never_sent() -> None:
    officers = [
        officer("A", cert_until="2025-03-30"),
        officer("B"),
        officer("C", cert_until="2025-03-31"),
    ]
    [group] = assign(inputs(officers, [task(enterprises(1))]))
    assert members(group) == {"B", "C"}  # valid through the month's last day is enough


def test_officer_on_leave_is_never_sent() -> None:
    officers = [officer("A", duty="休假", on_duty=False), officer("B"), officer("C")]
    [group] = assign(inputs(officers, [task(enterprises(1))]))
    assert "A" not in members(group)


def test_recusal_keeps_officer_out_of_that_group_only() -> None:
    officers = [officer("A", recusals=["E000"]), officer("B"), officer("C"), officer("D")]
    groups = assign(inputs(officers, [task(enterprises(1) + enterprises(1, "机械", "M"))]))
    assert "A" not in members(groups[0])
    assert len(groups) == 2


def test_at_least_one_expert_when_one_exists() -> None:
    officers = [officer(c) for c in "ABCDEFG"] + [officer("Z", fields=["冶金"])]
    [group] = assign(inputs(officers, [task(enterprises(2))]))
    assert "Z" in members(group) and group["warnings"] == []


def test_no_expert_is_a_warning_not_an_error(rule: str) -> None:
    [group] = assign(inputs([officer("A"), officer("B")], [task(enterprises(1))]))
    # SSJ-ASSIGN-3 says which case it is: nobody has the field, or nobody who has it can go.
    said = "的人员（名录库中没有该专业领域的人员）" if rule == SPEC else "的可用人员"
    assert group["warnings"] == [f"没有专业领域为“冶金”{said}"]
    if rule == SPEC:
        away = officer("Z", fields=["冶金"], cert_until="2024-12-31")
        [group] = assign(inputs([officer("A"), officer("B"), away], [task(enterprises(1))]))
        assert "该专业领域的人员执法证到期、不在岗或需回避" in group["warnings"][0]


def test_group_size_is_respected() -> None:
    officers = [officer(c) for c in "ABCDEF"]
    groups = assign(inputs(officers, [task(enterprises(3))], group_size=3))
    assert all(len(g["officers"]) == 3 for g in groups)


def test_joint_groups_hold_both_departments() -> None:
    officers = [officer(c) for c in "ABCD"] + [officer(c, department=PARTNER) for c in "PQR"]
    groups = assign(
        inputs(officers, [task(enterprises(6), "LH-01/2025-05", PARTNER)], month="2025-05")
    )
    assert len(groups) == 2
    for group in groups:
        departments = [o["department"] for o in group["officers"]]
        assert departments.count(AGENCY) == 2 and departments.count(PARTNER) == 2
    # Each department's cap counts its own places: 4 for 4 of ours, 4 for 3 of the partner's.
    if RULE["spec"] != SPECS[0]:  # SSJ-ASSIGN-1 had no cap
        data = inputs(officers, [task(enterprises(6), "LH-01/2025-05", PARTNER)], month="2025-05")
        caps = {o.department: o.cap for o in officer_loads(AssignInput.from_dict(data), groups)}
        assert caps == {AGENCY: 1, PARTNER: 2}


def test_load_is_spread_evenly() -> None:
    officers = [officer(c) for c in "ABCDEFGHIJ"]
    tasks = [
        task(enterprises(2, industry, industry))
        for industry in ("冶金", "机械", "建材", "纺织", "轻工")
    ]
    tasks = [t | {"scope": f"AJ-0{i}/2025-03"} for i, t in enumerate(tasks, start=1)]
    groups = assign(inputs(officers, tasks, group_max=2))
    loads = {o["id"]: 0 for o in officers}
    for group in groups:
        for member in members(group):
            loads[member] += 1
    assert set(loads.values()) == {1}  # ten officers, five groups of two: nobody twice


def test_no_repeat_on_the_same_enterprise_when_avoidable() -> None:
    officers = [officer(c) for c in "ABCD"]
    history = {"A": ["E000"], "B": ["E000"]}
    [group] = assign(inputs(officers, [task(enterprises(1))], history=history))
    assert members(group) == {"C", "D"}
    [forced] = assign(inputs(officers[:3], [task(enterprises(1))], history=history))
    assert "人员A 本年度已检查过本组企业，因无其他可用人员仍被选派" in forced["warnings"]


def test_too_few_officers_names_the_group_and_reasons() -> None:
    officers = [
        officer("A"),
        officer("B", duty="借调", on_duty=False),
        officer("C", cert_until="2025-01-31"),
        officer("D", recusals=["E001", "E000", "E009"]),
    ]
    with pytest.raises(InputError) as caught:
        assign(inputs(officers, [task(enterprises(2))]))
    message = caught.value.message
    assert "AJ-01/2025-03 第1组（冶金）" in message
    assert "人员B：不在岗（借调）" in message and "人员C：执法证 2025-01-31 到期" in message
    assert "人员D：需回避 E000、E001。" in message  # the group's, in order


def test_same_inputs_same_groups() -> None:
    officers = [officer(c, fields=["冶金"] if c in "CF" else []) for c in "ABCDEFGH"]
    data = inputs(officers, [task(enterprises(12))])
    assert assign(data) == assign(dict(data))


@pytest.mark.parametrize(
    "unfit",
    [
        officer("U", duty="离职", on_duty=False),
        officer("U", cert_until="2025-03-30"),  # expires before the month's last day
        officer("U", recusals=["E000", "M000"]),  # each group has one of these
    ],
    ids=["left", "expired", "recused"],
)
def test_substitution_never_names_an_officer_who_may_not_serve(unfit: dict[str, Any]) -> None:
    # The unfit officer has no load, so the load order alone would put them first: only
    # eligibility keeps them out. The one eligible officer left already serves a group.
    officers = [officer(c) for c in "ABC"] + [unfit]
    data = inputs(officers, [task(enterprises(1) + enterprises(1, "机械", "M"))])
    groups = assign(data)
    assert "U" not in {i for g in groups for i in members(g)}
    for leaving in "ABC":
        for index, newcomer in substitute(data, groups, leaving, set()):
            assert leaving in members(groups[index])
            assert newcomer in set("ABC") - members(groups[index])


def test_substitution_takes_the_next_eligible_officer() -> None:
    officers = [officer(c) for c in "ABCDE"] + [officer("X", recusals=["E000"])]
    data = inputs(officers, [task(enterprises(1))])
    groups = assign(data)
    leaving = sorted(members(groups[0]))[0]
    [(index, newcomer)] = substitute(data, groups, leaving, set())
    assert index == 0 and newcomer not in members(groups[0]) and newcomer != "X"
    with pytest.raises(InputError):
        substitute(
            inputs(officers[:2], [task(enterprises(1))]),
            assign(inputs(officers[:2], [task(enterprises(1))])),
            "A",
            set(),
        )


def _recorded(data: dict[str, Any]) -> AssignmentRecord:
    inputs_ = AssignInput.from_dict(data)
    return AssignmentRecord.of(inputs_, assign(inputs_), "2025-03-05T09:00:00+08:00", "test")


def test_verify_names_each_way_a_record_departs_from_its_rule() -> None:
    officers = [officer(c) for c in "ABCDEF"]
    record = _recorded(inputs(officers, [task(enterprises(2) + enterprises(1, "机械", "M"))]))
    assert verify_assignment(record, []) == []
    first, second = record.groups
    where = f"{first.scope} 第{first.group}组"
    fewer = replace(record, groups=[first])
    assert verify_assignment(fewer, []) == ["应有 2 个检查组，记录中有 1 个"]
    moved = replace(first, enterprises=first.enterprises[:1])
    assert verify_assignment(replace(record, groups=[moved, second]), []) == [
        f"{where} 的企业与记录不符"
    ]
    others = [o for o in officers if o["id"] not in first.officer_ids][:2]
    swapped = replace(
        first,
        officers=[GroupOfficer(o["id"], o["name"], o["department"]) for o in others],
    )
    assert verify_assignment(replace(record, groups=[swapped, second]), []) == [
        f"{where} 应为 {'、'.join(o.name for o in first.officers)}，"
        f"记录为 {'、'.join(o['name'] for o in others)}"
    ]


def test_verify_replays_each_replacement() -> None:
    officers = [officer(c) for c in "ABCD"]
    record = _recorded(inputs(officers, [task(enterprises(1))]))
    [group] = record.groups
    leaving, staying = group.officers
    [(_, newcomer)] = substitute(record.inputs, record.groups, leaving.id, set())
    by_id = {o.id: o for o in record.officers}

    def replaced_by(new_id: str) -> Substitution:
        return Substitution(record.month, group.scope, group.group, leaving,
                            by_id[new_id].public(), "病假", None)  # fmt: skip

    assert verify_assignment(record, [replaced_by(newcomer)]) == []
    other = next(i for i in "ABCD" if i not in (leaving.id, staying.id, newcomer))
    assert verify_assignment(record, [replaced_by(other)]) == [
        f"递补 {leaving.name} 的结果与按规则重算的不符"
    ]
    # Too few left to replace anyone: named, not a crash.
    small = _recorded(inputs(officers[:2], [task(enterprises(1))]))
    out = small.groups[0].officers[0]
    lone = Substitution(small.month, small.groups[0].scope, 1, out, out, "病假", None)
    [found] = verify_assignment(small, [lone])
    assert found.startswith(
        f"递补 {out.name} 无法重算：{small.groups[0].scope} 第1组没有可以递补的"
    )


def test_too_few_officers_says_exactly_who_cannot_go_and_why() -> None:
    officers = [
        officer("A", duty="病休", on_duty=False),
        officer("B", cert_until="2025-03-30"),
        officer("C"),
        officer("P", department=PARTNER, duty="借调", on_duty=False),  # another department
    ]
    with pytest.raises(InputError) as raised:
        assign(inputs(officers, [task(enterprises(1))]))
    assert raised.value.message == (
        "AJ-01/2025-03 第1组（冶金）需要 2 名洛龙区应急管理局执法人员，可用的不足。"
        "不可用的人员：人员A：不在岗（病休）；人员B：执法证 2025-03-30 到期，不足以覆盖整月。"
        "请补充执法人员名录库，或调小计划中的 group_size / group_max"
    )
    with pytest.raises(InputError) as raised:
        assign(inputs([officer("P", department=PARTNER)], [task(enterprises(1))]))
    assert "不可用的人员：（名录库中没有该部门的人员）。" in raised.value.message


def test_an_officer_replaced_out_of_the_month_is_not_brought_back() -> None:
    # The first to leave has no group any more: by load alone they would be first in line,
    # every other officer having one.
    officers = [officer(c) for c in "ABCDE"]
    data = inputs(
        officers, [task(enterprises(1)), task(enterprises(1, "机械", "M"), "AJ-02/2025-03")]
    )
    groups = assign(data)
    first, second = sorted(members(groups[0]))
    [(_, newcomer)] = substitute(data, groups, first, set())
    swapped = [o if o["id"] != first else {**o, "id": newcomer} for o in groups[0]["officers"]]
    after = [dict(groups[0], officers=swapped), groups[1]]
    assert len({i for g in after for i in members(g)}) == 4  # everyone but ``first`` serves
    [(_, again)] = substitute(data, after, second, {first})
    assert again not in {first, newcomer, second}


def test_two_replacements_keep_who_inspected_and_each_note_its_day() -> None:
    officers = [officer(c) for c in "ABCDEF"]
    data = inputs(officers, [task(enterprises(2))])
    [group] = [Group.from_dict(g) for g in assign(data)]
    by_id = {o["id"]: GroupOfficer(o["id"], o["name"], o["department"]) for o in officers}
    first, second = group.officers
    done = group.enterprises[0].uscc
    subs = [
        Substitution(group.scope[-7:], group.scope, 1, first, by_id["E"], "病假", "2025-03-12T09:00:00+08:00", kept=[done]),
        Substitution(group.scope[-7:], group.scope, 1, second, by_id["F"], "借调", None, on="2025-03-14", kept=[done]),
    ]  # fmt: skip
    [after] = apply_substitutions([group], subs)
    assert after.officer_ids == ["E", "F"]
    assert after.officers_of(done) == [first, second]  # inspected before either 递补
    assert after.officers_of(group.enterprises[1].uscc) == [by_id["E"], by_id["F"]]
    assert [n.at for n in after.substitutions] == ["2025-03-12T09:00:00+08:00", "2025-03-14"]
    unrecorded = replace(subs[0], at=None)  # not yet in the ledger: no day to show
    assert apply_substitutions([group], [unrecorded])[0].substitutions[0].at == ""


def test_an_officer_passed_over_as_unable_and_then_named_is_a_finding() -> None:
    # Marking someone 离职 for one 递补 and 在岗 again for the next bends the roster: the
    # replay takes each event's word, so the contradiction between them is what shows.
    officers = [officer(c) for c in "ABCDE"]
    record = _recorded(inputs(officers, [task(enterprises(1))]))
    [group] = record.groups
    leaving, staying = group.officers
    others = [o for o in "ABCDE" if o not in group.officer_ids]
    passed = others[0]
    barred = {(group.scope, group.group): {passed}}
    [(_, newcomer)] = substitute(record.inputs, record.groups, leaving.id, set(), None, barred)
    by_id = {o.id: o.public() for o in record.officers}
    first = Substitution(record.month, group.scope, 1, leaving, by_id[newcomer], "病假", None,
                         unavailable={passed: "不在岗（离职）"})  # fmt: skip
    assert verify_assignment(record, [first]) == []
    second = Substitution(record.month, group.scope, 1, staying, by_id[passed], "借调", None)
    said = (
        f"递补 {staying.name} 选了 {by_id[passed].name}，而此前的递补称其不能派出（不在岗（离职））"
    )
    assert said in verify_assignment(record, [first, second])
    # A recusal is from one group only: no contradiction in serving elsewhere.
    recused = replace(first, unavailable={passed: f"需回避 {group.enterprises[0].uscc}"})
    assert not any("不能派出" in f for f in verify_assignment(record, [recused, second]))
