"""What only SSJ-ASSIGN-2 does: load balanced over the year, experts chosen by load, a cap on
groups a month, the ticket deciding among equals, the partner's placeholder, merging lone
enterprises by 所属街道, and the fairness figures."""

from __future__ import annotations

from typing import Any

from shuangsuiji.rules.assign import assign, officer_loads, split_groups, spread
from shuangsuiji.rules.records import AssignInput, Group

from .test_assign import AGENCY, PARTNER, enterprises, inputs, members, officer, task


def _v2(
    officers: list[dict[str, Any]], tasks: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return inputs(officers, tasks, spec="SSJ-ASSIGN-2", **extra)


def test_the_year_so_far_decides_before_this_month() -> None:
    officers = [officer(c) for c in "ABCD"]
    [group] = assign(_v2(officers, [task(enterprises(1))], year_groups={"A": 3, "B": 3}))
    assert members(group) == {"C", "D"}
    # Enterprises served break a tie in groups.
    [group] = assign(
        _v2(officers, [task(enterprises(1))], year_enterprises={"A": 9, "C": 9, "D": 1})
    )
    assert members(group) == {"B", "D"}


def test_an_expert_is_chosen_by_load_and_one_expert_does_not_take_every_group() -> None:
    officers = [officer(c) for c in "ABCD"] + [
        officer("X", fields=["冶金"]),
        officer("Y", fields=["冶金"]),
    ]
    [group] = assign(_v2(officers, [task(enterprises(1))], year_groups={"X": 4}))
    assert "Y" in members(group) and "X" not in members(group)
    # Three 冶金 groups, six officers, so one group each: the two experts take one each.
    groups = assign(_v2(officers, [task(enterprises(3))], group_max=1))
    assert [len(members(g) & {"X", "Y"}) for g in groups] == [1, 1, 0]
    assert "没有专业领域为“冶金”的可用人员" in groups[2]["warnings"]
    # SSJ-ASSIGN-1 gave the best-ranked expert every group.
    old = assign(inputs(officers, [task(enterprises(3))], spec="SSJ-ASSIGN-1", group_max=1))
    assert all(members(g) & {"X", "Y"} for g in old)


def test_the_cap_is_places_over_eligible_and_the_plan_may_set_it() -> None:
    officers = [officer(c) for c in "ABCD"]
    ten = [task(enterprises(10))]
    groups = assign(_v2(officers, ten, group_max=1))  # 20 places, 4 officers: 5 each
    loads = {o["id"]: sum(o["id"] in members(g) for g in groups) for o in officers}
    assert set(loads.values()) == {5}
    assert not any("上限" in w for g in groups for w in g["warnings"])
    capped = assign(_v2(officers, ten, group_max=1, max_groups_per_officer=3))
    over = [w for g in capped for w in g["warnings"] if "超过每人 3 组的上限" in w]
    assert len(over) == 8  # 20 places, 12 within the cap: the roster cannot meet it, and says so
    figures = officer_loads(AssignInput.from_dict(_v2(officers, ten, group_max=1)), groups)
    assert {o.cap for o in figures} == {5}


def test_among_equally_loaded_officers_the_ticket_decides() -> None:
    officers = [officer(c) for c in "ABCDEFGHIJ"]
    picks = {
        frozenset(members(assign(_v2(officers, [task(enterprises(1))], seed=f"种子{n}"))[0]))
        for n in range(8)
    }
    assert len(picks) > 1  # a draw, not a fixed order


def test_a_partner_missing_from_the_roster_leaves_a_placeholder() -> None:
    officers = [officer(c) for c in "ABCD"]
    joint = [task(enterprises(6), "LH-01/2025-05", PARTNER)]
    groups = assign(_v2(officers, joint, month="2025-05"))
    assert len(groups) == 2
    for group in groups:
        assert {o["department"] for o in group["officers"]} == {AGENCY}
        assert group["partner_officers"] == "pending"
        assert group["placeholder"] == f"{PARTNER}选派 2 名"
        assert f"名录库中没有{PARTNER}的人员：{PARTNER}选派 2 名" in group["warnings"]
    present = officers + [officer(c, department=PARTNER) for c in "PQ"]
    for group in assign(_v2(present, joint, month="2025-05")):
        assert "partner_officers" not in group and len(group["officers"]) == 4


def test_a_lone_enterprise_joins_a_group_in_its_street() -> None:
    rows = [
        {"uscc": "A1", "name": "甲1", "industry": "冶金", "street": "关林镇"},
        {"uscc": "A2", "name": "甲2", "industry": "冶金", "street": "关林镇"},
        {"uscc": "B1", "name": "乙1", "industry": "机械", "street": "关林镇"},
        {"uscc": "C1", "name": "丙1", "industry": "纺织", "street": "龙门镇"},
        {"uscc": "D1", "name": "丁1", "industry": "轻工", "street": "龙门镇"},
    ]
    merged = split_groups(rows, 5, merge_by_street=True)
    assert [(i, [e.uscc for e in m]) for i, m in merged] == [
        ("冶金、机械", ["A1", "A2", "B1"]),
        ("纺织、轻工", ["C1", "D1"]),
    ]
    assert len(split_groups(rows, 5)) == 4
    assert len(split_groups(rows, 2, merge_by_street=True)) == 3  # a full group takes no one
    officers = [officer(c) for c in "ABC"] + [officer("M", fields=["机械"])]
    groups = assign(_v2(officers, [task(rows)], merge_by_street=True))
    assert "M" in members(groups[0])  # an expert of any of the group's industries


def test_fairness_figures() -> None:
    officers = [officer(c) for c in "ABCDE"] + [officer("Z", on_duty=False, duty="病休")]
    data = _v2(officers, [task(enterprises(4), "AJ-01/2025-03"), task(enterprises(2, "机械", "M"), "AJ-02/2025-03")],
               group_max=2, year_groups={"A": 2}, year_enterprises={"A": 6})  # fmt: skip
    groups = assign(data)
    figures = {o.id: o for o in officer_loads(AssignInput.from_dict(data), groups)}
    assert sum(o.month_groups for o in figures.values()) == 6  # 3 groups × 2
    # Each enterprise counts once for each officer of its group: 6 enterprises × 2.
    for o in figures.values():
        mine = [g for g in groups if o.id in members(g)]
        assert o.month_enterprises == sum(len(g["enterprises"]) for g in mine), o.id
    assert sum(o.month_enterprises for o in figures.values()) == 12
    assert figures["A"].year_groups == 2 + figures["A"].month_groups
    assert figures["A"].year_enterprises == 6 + figures["A"].month_enterprises
    # An officer the year so far does not name starts the year at nothing.
    for o in figures.values():
        if o.id != "A":
            assert (o.year_groups, o.year_enterprises) == (o.month_groups, o.month_enterprises)
    assert not figures["Z"].eligible and figures["Z"].month_groups == 0
    found = spread(list(figures.values()), AGENCY)
    # A, with two groups earlier in the year, sits this month out: the year is what is even.
    assert (
        found is not None and found.year[1] - found.year[0] <= 1 and figures["A"].month_groups == 0
    )


def test_loads_count_who_inspected_and_order_by_the_year() -> None:
    officers = [officer(c) for c in "ABCD"]
    data = _v2(officers, [task(enterprises(2))], group_max=2, year_groups={"D": 3, "C": 1},
               year_enterprises={c: 5 for c in "ABCD"})  # fmt: skip
    [group] = assign(data)
    inspected = group["enterprises"][0]["uscc"]
    first = list(group["officers"])
    # A 递补 after the first enterprise was inspected: it stays with those who inspected it.
    replaced = dict(group, officers=[first[0], {**first[1], "id": "X", "name": "人员X"}],
                    inspected_by={inspected: first})  # fmt: skip
    loads = officer_loads(AssignInput.from_dict(data), [Group.from_dict(replaced)])
    by_id = {o.id: o for o in loads}
    assert by_id[first[0]["id"]].month_enterprises == 2
    assert by_id[first[1]["id"]].month_enterprises == 1  # only the one they inspected
    for o in loads:  # the year so far plus this month
        assert o.year_enterprises == 5 + o.month_enterprises
        assert o.year_groups == {"D": 3, "C": 1}.get(o.id, 0) + o.month_groups
    # Most groups this year first, then this month, then by 执法证号.
    assert [(o.year_groups, o.month_groups) for o in loads] == sorted(
        ((o.year_groups, o.month_groups) for o in loads), key=lambda g: (-g[0], -g[1])
    )
    assert loads[0].id == "D"
