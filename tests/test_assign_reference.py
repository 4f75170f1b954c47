"""The array-based officer draw agrees with the rules written plainly (tests/reference_assign.py),
group for group and message for message, on many random months under both rules."""

from __future__ import annotations

import datetime as dt
import heapq
import json
import random
from typing import Any

import pytest

from shuangsuiji.exceptions import InputError
from shuangsuiji.rules.assign import SPECS, assign, substitute

from . import reference_assign

INDUSTRIES = ["冶金", "机械", "建材", "纺织", "轻工"]
STREETS = ["关林镇", "龙门镇", "安乐镇"]


def _month(seed: int, spec: str) -> dict[str, Any]:
    rnd = random.Random(seed)
    enterprises = [f"E{i:03d}" for i in range(rnd.randint(1, 40))]
    departments = ["局", "市场局"]
    officers = [
        {
            "id": f"O{i:03d}",
            "name": f"人员{i}",
            "department": departments[rnd.random() < 0.25],
            "section": "",
            "fields": rnd.sample(INDUSTRIES, rnd.randint(0, 2)),
            "duty": "在岗",
            "on_duty": rnd.random() > 0.1,
            "cert_until": rnd.choice(["2030-12-31", "2030-12-31", "2025-03-15"]),
            "recusals": rnd.sample(enterprises, min(len(enterprises), rnd.randint(0, 2))),
        }
        for i in range(rnd.randint(3, 30))
    ]
    ids = [o["id"] for o in officers]
    tasks, start = [], 0
    for t in range(rnd.randint(1, 3)):
        take = enterprises[start : start + rnd.randint(1, 15)]
        start += len(take)
        tasks.append(
            {
                "scope": f"T{t}/2025-03",
                "partner": "市场局" if rnd.random() < 0.3 else None,
                "enterprises": [
                    {
                        "uscc": e,
                        "name": f"企业{e}",
                        "industry": rnd.choice(INDUSTRIES),
                        "street": rnd.choice(STREETS),
                    }
                    for e in take
                ],
            }
        )
    return {
        "spec": spec,
        "month": "2025-03",
        "seed": f"种子{seed}",
        "agency": "局",
        "group_max": rnd.randint(1, 5),
        "group_size": 2,
        "partner_group_size": rnd.randint(1, 2),
        "officers": officers,
        "history": {
            i: rnd.sample(enterprises, min(len(enterprises), rnd.randint(0, 3)))
            for i in rnd.sample(ids, len(ids) // 3)
        },
        "tasks": tasks,
        "year_groups": {i: rnd.randint(0, 4) for i in ids if rnd.random() < 0.5},
        "year_enterprises": {i: rnd.randint(0, 12) for i in ids if rnd.random() < 0.5},
        "max_groups_per_officer": rnd.choice([None, None, 1, 2]),
        "merge_by_street": rnd.random() < 0.5,
    }


def _outcome(run: Any, data: dict[str, Any], *more: Any) -> str:
    try:
        return json.dumps(
            run(data, *more, *([set()] if more else [])), ensure_ascii=False, sort_keys=True
        )
    except InputError as exc:
        return f"InputError: {exc.message}"


@pytest.mark.parametrize("spec", SPECS)
def test_the_fast_draw_is_the_rule(spec: str) -> None:
    staffed = 0
    for seed in range(400):
        data = _month(seed, spec)
        fast, plain = _outcome(assign, data), _outcome(reference_assign.assign, data)
        assert fast == plain, seed
        if fast.startswith("InputError"):
            continue
        staffed += 1
        groups = json.loads(fast)
        leaving = groups[0]["officers"][0]["id"]
        replaced = [
            _outcome(run, data, groups, leaving)
            for run in (substitute, reference_assign.substitute)
        ]
        assert replaced[0] == replaced[1], seed
    assert staffed > 100  # most random months could be staffed: the comparison saw real groups


def test_every_group_has_an_expert_wherever_one_can_go() -> None:
    """SSJ-ASSIGN-3, expertise before load: a group lacks an officer of its 专业领域 only when
    no officer who has it may serve the group (department, 在岗, certificate, recusal) — never
    because those who have it reached the month's cap. SSJ-ASSIGN-2 let the cap win."""
    from shuangsuiji.rules.assign import SPEC, covers, ineligibility
    from shuangsuiji.rules.records import AssignInput

    lacking = {spec: 0 for spec in ("SSJ-ASSIGN-2", SPEC)}
    for seed in range(400):
        for spec in lacking:
            data = AssignInput.from_dict(_month(seed, spec))
            try:
                groups = assign(data)
            except InputError:
                continue
            for group in groups:
                if any(
                    covers(o, group.industry) for o in data.officers if o.id in group.officer_ids
                ):
                    continue
                could = [
                    o
                    for o in data.officers
                    if covers(o, group.industry)
                    and any(
                        ineligibility(o, d, dt.date(2025, 3, 31), group.usccs) is None
                        for d in {o.department}
                        if d in {p.department for p in group.officers}
                    )
                ]
                lacking[spec] += bool(could)
    assert lacking[SPEC] == 0
    assert lacking["SSJ-ASSIGN-2"] > 0  # the random months do put the cap in an expert's way


def _officer(code: str, fields: list[str] | None = None) -> dict[str, Any]:
    """An officer free to serve any group of 局 all month."""
    return {"id": code, "name": code, "department": "局", "section": "", "fields": fields or [],
            "duty": "在岗", "on_duty": True, "cert_until": "2030-12-31", "recusals": []}  # fmt: skip


def _count_pops(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The officer slots read off the task's queues from now on, in order."""
    popped: list[int] = []
    real_pop = heapq.heappop

    def counting_pop(queue: list[Any]) -> Any:
        popped.append(queue[0][2])
        return real_pop(queue)

    monkeypatch.setattr(heapq, "heappop", counting_pop)
    return popped


def test_a_group_reads_the_queue_only_as_far_as_it_must(monkeypatch: pytest.MonkeyPatch) -> None:
    # What makes a city's month take a second: a group takes its officers from the head of the
    # task's queue and stops there — it does not read the rest of a level, or the next level,
    # once the picks are known. Officers A, B below the cap; C, D at it (C, D one group each
    # already); B and C inspected the group's enterprise last time (placed last in their level).
    from shuangsuiji.rules.assign import _Ranking
    from shuangsuiji.rules.records import AssignInput

    officers = [_officer(c) for c in "ABCD"]
    data = {
        "spec": SPECS[-1], "month": "2025-03", "seed": "测试种子", "agency": "局",
        "group_max": 5, "group_size": 2, "partner_group_size": 2, "officers": officers,
        "history": {"B": ["U"], "C": ["U"]}, "tasks": [],
        "year_groups": {"B": 1, "D": 1},
    }  # fmt: skip
    ranking = _Ranking(AssignInput.from_dict(data))
    ranking.set_caps({"局": 1})
    ranking.add(ranking.index["C"], 1)
    ranking.add(ranking.index["D"], 1)
    popped = _count_pops(monkeypatch)
    names = "ABCD"

    def best(count: int, usccs: set[str]) -> tuple[str, str]:
        popped.clear()
        chosen = ranking.best("T/2025-03", "局", usccs, count)
        return "".join(names[i] for i in chosen), "".join(names[i] for i in popped)

    assert best(0, {"U"}) == ("", "")
    assert best(2, {"V"}) == ("AB", "AB")  # two picks, two read
    assert best(3, {"V"}) == ("ABC", "ABC")
    # B inspected U: A is taken first, B only when the level ends (C read to see it end).
    assert best(2, {"U"}) == ("AB", "ABC")
    assert best(3, {"U"}) == ("ABD", "ABCD")  # C, at the cap and a repeat, after D


def test_a_group_reads_one_entry_for_its_expert_and_two_for_its_partner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four officers of the group's 专业领域, none bound by anything: the expert is the head of
    # the task's queue for the field (one read); the second officer the next of the whole
    # department's (two read: the expert, passed over, then the pick).
    officers = [_officer(c, ["冶金"]) for c in "ABCD"]
    enterprise = {"uscc": "U", "name": "企业U", "industry": "冶金", "street": "关林镇"}
    data = {
        "spec": SPECS[-1], "month": "2025-03", "seed": "测试种子", "agency": "局",
        "group_max": 5, "group_size": 2, "partner_group_size": 2, "officers": officers,
        "history": {}, "tasks": [{"scope": "T/2025-03", "partner": None,
                                  "enterprises": [enterprise]}],
    }  # fmt: skip
    expected = assign(data)
    popped = _count_pops(monkeypatch)
    (group,) = assign(data)
    assert group == expected[0]
    expert, second = (o["id"] for o in group.officers)
    assert ["ABCD"[i] for i in popped] == [expert, expert, second]


def test_an_unknown_rule_is_named_with_those_this_version_knows() -> None:
    data = _month(1, SPECS[-1]) | {"spec": "SSJ-ASSIGN-9"}
    with pytest.raises(InputError) as raised:
        assign(data)
    assert str(raised.value) == (
        "不认识的分组规则“SSJ-ASSIGN-9”；本版本支持 SSJ-ASSIGN-1、SSJ-ASSIGN-2、SSJ-ASSIGN-3"
    )
