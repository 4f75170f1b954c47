"""``ssj verify``: re-run a published draw record from the record alone.

Everything is recomputed — population digest, exclusions, quota, tickets and order — and
each difference is named. Given the roster, the record's population is checked against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shuangsuiji import rfc3797
from shuangsuiji.assign import assign, substitute
from shuangsuiji.draw import (
    SPEC,
    Stratum,
    draw_strata,
    eligible_mask,
    population_digest,
    select_rfc3797,
)
from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.ratio import Ratio, format_rate, parse_rate
from shuangsuiji.rosters import (
    KEY,
    EnterpriseRoster,
    load_enterprises,
)

_MAX_LISTED = 5


def _strata(record: dict[str, Any], ratio: Ratio, keys: list[str], out: list[str]) -> list[Stratum]:
    if ratio.rate is not None:
        if "strata" in record:
            out.append("比例不分层，但记录中有分层（strata）")
        return [Stratum("", ratio.rate, keys)]
    strata = []
    union: list[str] = []
    for entry in record.get("strata", []):
        rate = ratio.rate_for(entry["value"])
        if rate is None or parse_rate(entry["rate"]) != rate:
            out.append(f"“{entry['value']}”层的比例 {entry['rate']} 与 ratio 不符")
        stratum = Stratum(entry["value"], rate or parse_rate(entry["rate"]), sorted(entry["keys"]))
        if entry["size"] != len(stratum.keys) or entry["k"] != stratum.k:
            out.append(
                f"“{entry['value']}”层：对象 {len(stratum.keys)} 家按 {format_rate(stratum.rate)} 应抽 {stratum.k} 家，记录为 {entry['k']}"
            )
        strata.append(stratum)
        union += stratum.keys
    if sorted(union) != keys:
        out.append("各层对象合起来与 population.keys 不一致")
    return strata


def verify_record(record: dict[str, Any], roster: EnterpriseRoster | None = None) -> list[str]:
    """Every way ``record`` fails to reproduce (an empty list means it reproduces exactly)."""
    try:
        return _differences(record, roster)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A hand-edited record can lose any part; that is a record that does not reproduce.
        return [f"记录结构不完整或类型不对（{exc.__class__.__name__}: {exc}），无法重算"]


def _differences(record: dict[str, Any], roster: EnterpriseRoster | None) -> list[str]:
    out: list[str] = []
    spec = record.get("spec")
    if spec not in (SPEC, rfc3797.SPEC):
        return [f"未知的抽取方法“{spec}”（应为 {SPEC} 或 {rfc3797.SPEC}）"]
    scope = f"{record['item_id']}/{record['month']}"
    if record["scope"] != scope:
        out.append(f"scope 应为 {scope}，记录为 {record['scope']}")
    population = record["population"]
    keys = list(population["keys"])
    if keys != sorted(set(keys)):
        out.append("population.keys 未排序或有重复")
        keys = sorted(set(keys))
    if population["size"] != len(keys):
        out.append(f"population.size 为 {population['size']}，但 keys 有 {len(keys)} 个")
    if population_digest(keys) != population["digest"]:
        out.append("population.digest 与 keys 不符：对象名单被改动过")
    excluded = set(record["excluded"])
    if not excluded <= set(keys):
        out.append(f"excluded 中有 {len(excluded - set(keys))} 个代码不在对象名单中")
    try:
        ratio = Ratio.model_validate(record["ratio"])
    except ValidationError:
        return [*out, f"无法识别的比例 {record['ratio']!r}"]
    strata = _strata(record, ratio, keys, out)
    k = sum(s.k for s in strata)
    if record["k"] != k:
        out.append(
            f"对象 {len(keys)} 家按比例 {ratio.describe()} 应抽 {k} 家，记录为 {record['k']} 家"
        )
    if spec == SPEC:
        chosen, shortfall = draw_strata(record["seed"], record["scope"], strata, excluded)
    else:
        chosen, shortfall = select_rfc3797(record.get("key_string", ""), strata, excluded)
    if record.get("shortfall", 0) != shortfall:
        out.append(f"shortfall 应为 {shortfall}，记录为 {record.get('shortfall')}")
    listed = [(s["ticket"], s["uscc"]) for s in record["selected"]]
    if [s["rank"] for s in record["selected"]] != list(range(1, len(listed) + 1)):
        out.append("selected 的 rank 不是从 1 起的连续序号")
    for rank, (want, got) in enumerate(zip(chosen, listed, strict=False), start=1):
        if want != got:
            out.append(
                f"第 {rank} 名应为 {want[1]}（抽取号 {want[0][:16]}…），记录为 {got[1]}（{got[0][:16]}…）"
            )
    if len(chosen) != len(listed):
        out.append(f"应抽中 {len(chosen)} 家，记录列出 {len(listed)} 家")
    if roster is not None:
        out += _against_roster(record, roster, set(keys))
    return out


def _against_roster(record: dict[str, Any], roster: EnterpriseRoster, keys: set[str]) -> list[str]:
    frame = roster.frame
    targets = record.get("targets", {})
    absent = [c for c in targets if c not in frame.columns]
    if absent:
        return [f"名录库没有“{'、'.join(absent)}”列，无法核对对象名单"]
    mask = eligible_mask(roster, targets)
    eligible = set(frame.loc[mask, KEY])
    out = []
    for what, diff in (
        ("名录库中符合条件、记录中却没有", eligible - keys),
        ("记录中有、名录库中却不符合条件", keys - eligible),
    ):
        if diff:
            sample = "、".join(sorted(diff)[:_MAX_LISTED])
            out.append(
                f"{what}的企业 {len(diff)} 家：{sample}{' 等' if len(diff) > _MAX_LISTED else ''}"
            )
    return out


def load_records(path: Path) -> list[dict[str, Any]]:
    """Draw records from a JSON file: one record, or an array as ``ssj draw --json`` prints."""
    file = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(
            "找不到抽取记录文件", [Problem(file, None, None, "文件不存在", "检查路径")]
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        row = getattr(exc, "lineno", None)
        raise InputError(
            "抽取记录不是有效的 JSON",
            [Problem(file, row, None, f"JSON 格式错误：{exc}", "使用 ssj draw 写出的原始记录文件")],
        ) from None
    records = data if isinstance(data, list) else [data]
    required = (
        "spec",
        "scope",
        "item_id",
        "month",
        "seed",
        "ratio",
        "population",
        "excluded",
        "k",
        "selected",
    )
    for index, record in enumerate(records):
        missing = [f for f in required if not isinstance(record, dict) or f not in record]
        if missing:
            raise InputError(
                "抽取记录不完整",
                [
                    Problem(
                        file,
                        None,
                        f"第 {index + 1} 条记录",
                        f"缺少字段：{'、'.join(missing)}",
                        "使用 ssj draw 写出的原始记录文件",
                    )
                ],
            )
    return records


def verify_file(path: Path, enterprises: Path | None = None) -> list[tuple[str, list[str]]]:
    """Verify every record in a file: (scope, differences) per record."""
    records = load_records(path)
    roster = None
    if enterprises is not None:
        roster, problems = load_enterprises(enterprises, uscc_check="warning")
        if roster is None or any(p.is_error for p in problems):
            raise InputError("名录库有错误，无法用来核对", problems)
    return [(r["scope"], verify_record(r, roster)) for r in records]


def verify_assignment(record: dict[str, Any], substitutions: list[dict[str, Any]]) -> list[str]:
    """Every way an assignment record (and its 递补 events) fails to reproduce."""
    inputs = {k: v for k, v in record.items() if k not in ("groups", "created_at", "tool_version")}
    try:
        groups = assign(inputs)
    except InputError as exc:
        return [f"无法按记录重算分组：{exc.message}"]
    out = []
    if len(groups) != len(record["groups"]):
        out.append(f"应有 {len(groups)} 个检查组，记录中有 {len(record['groups'])} 个")
    for want, got in zip(groups, record["groups"], strict=False):
        where = f"{want['scope']} 第{want['group']}组"
        if [e["uscc"] for e in want["enterprises"]] != [e["uscc"] for e in got["enterprises"]]:
            out.append(f"{where} 的企业与记录不符")
        if [o["id"] for o in want["officers"]] != [o["id"] for o in got["officers"]]:
            names = "、".join(o["name"] for o in want["officers"])
            out.append(
                f"{where} 应为 {names}，记录为 {'、'.join(o['name'] for o in got['officers'])}"
            )
    current = [dict(g) for g in record["groups"]]
    unavailable: set[str] = set()
    # One 递补 request writes one event per group of the officer replaced: replay them together.
    batches: list[list[dict[str, Any]]] = []
    for sub in substitutions:
        if batches and batches[-1][0]["out"]["id"] == sub["out"]["id"]:
            batches[-1].append(sub)
        else:
            batches.append([sub])
    for batch in batches:
        out_id = batch[0]["out"]["id"]
        try:
            expected = substitute(inputs, current, out_id, unavailable)
        except InputError as exc:
            out.append(f"递补 {batch[0]['out']['name']} 无法重算：{exc.message}")
            break
        recorded = [(s["scope"], s["group"], s["in"]["id"]) for s in batch]
        wanted = [(current[i]["scope"], current[i]["group"], new) for i, new in expected]
        if recorded != wanted:
            out.append(f"递补 {batch[0]['out']['name']} 的结果与按规则重算的不符")
        for sub in batch:
            group = next(
                g for g in current if g["scope"] == sub["scope"] and g["group"] == sub["group"]
            )
            group["officers"] = [sub["in"] if o["id"] == out_id else o for o in group["officers"]]
        unavailable.add(out_id)
    return out
