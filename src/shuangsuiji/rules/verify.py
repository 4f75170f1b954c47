"""Re-running a published draw record from the record alone (``ssj verify``).

Everything is recomputed — population digest, exclusions, quota, tickets and order — and each
difference is named, in the words a 纪检 auditor reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import ValidationError

from shuangsuiji.rules import rfc3797
from shuangsuiji.rules.draw import (
    SPEC,
    Selector,
    Stratum,
    draw_strata,
    population_digest,
    select_rfc3797,
)
from shuangsuiji.rules.ratio import Ratio, format_rate, parse_rate
from shuangsuiji.rules.records import Drawn, DrawRecord, ExternalDraw
from shuangsuiji.rules.seal import (
    PUBLIC_COMMITMENTS,
    canonical_number,
    compose_seed,
    number_fits,
    opens,
)

NO_PUBLIC_NUMBER = (
    "记录没有加入事先公布来源和格式的公开随机数：种子承诺只防外人预知，"
    "持有秘密的工作区事先就能算出抽取结果（计划加上 ceremony 块可以避免）"
)
EXAMPLE_CHAIN = "记录用的是示例的公开承诺（秘密随仓库公开）：任何人都能事先算出，只能作演示"


def record_warnings(record: DrawRecord) -> list[str]:
    """What a reader should know about a record that reproduces: the limits of what it
    proves (docs/spec.md §4.3)."""
    if record.spec != SPEC:
        return []
    out = []
    if record.commitment in PUBLIC_COMMITMENTS:
        out.append(EXAMPLE_CHAIN)
    if record.public_number is None:
        out.append(NO_PUBLIC_NUMBER)
    return out


def _strata(record: DrawRecord, ratio: Ratio, keys: list[str], out: list[str]) -> list[Stratum]:
    if ratio.rate is not None:
        if record.strata is not None:
            out.append("比例不分层，但记录中有分层（strata）")
        # A stratum's value only names it: the selection takes its rate and keys.
        return [Stratum("", ratio.rate, keys)]  # pragma: no mutate
    strata = []
    union: list[str] = []
    for entry in record.strata or []:
        rate = ratio.rate_for(entry.value)
        if rate is None or parse_rate(entry.rate) != rate:
            out.append(f"“{entry.value}”层的比例 {entry.rate} 与 ratio 不符")
        if entry.digest is not None and population_digest(entry.keys) != entry.digest:
            out.append(f"“{entry.value}”层的对象名单与其摘要不符：{entry.keys_file} 被改动过")
        given = rate or parse_rate(entry.rate)
        # The stratum's value only names it here too.
        stratum = Stratum(entry.value, given, sorted(entry.keys))  # pragma: no mutate
        if entry.size != len(stratum.keys) or entry.k != stratum.k:
            out.append(
                f"“{entry.value}”层：对象 {len(stratum.keys)} 家按 {format_rate(stratum.rate)} 应抽 {stratum.k} 家，记录为 {entry.k}"
            )
        strata.append(stratum)
        union += stratum.keys
    if sorted(union) != keys:
        out.append("各层对象合起来与 population.keys 不一致")
    return strata


def seal_differences(record: DrawRecord) -> list[str]:
    """Whether the seed is the committed month secret's (docs/spec.md §4.1): H^m(secret) equals
    the commitment, and the seed is composed of plan_seed, secret and extra."""
    out = []
    month = (
        int(record.month[5:7]) if record.month[4:5] == "-" and record.month[5:7].isdigit() else 0
    )
    if record.commitment is not None:
        if record.secret is None or not opens(record.secret, month, record.commitment):
            out.append(
                f"secret 按 {record.month} 哈希 {month} 次不等于 commitment：不是事先承诺的那条哈希链上本月的值"
            )
    elif record.secret is not None:
        out.append("记录有 secret 却没有 commitment，无法核对")
    elif record.extra is None:
        out.append(
            "既没有种子承诺（commitment）也没有当天公开的随机数（extra）：抽取结果事先可以算出"
        )
    number = record.public_number
    if number is not None:
        value = canonical_number(number.typed)
        if record.extra != value:
            out.append(
                f"extra 应为公开随机数“{number.typed}”的规范写法“{value}”，记录为“{record.extra}”"
            )
        elif not number_fits(value, number.pattern):
            out.append(f"公开随机数“{value}”不符合公布的格式 {number.pattern}")
    # Only a record with a plan seed is checked here: the fallback is for the type checker.
    plan_seed = record.plan_seed or ""  # pragma: no mutate
    expected = compose_seed(plan_seed, record.secret, record.extra)
    if record.seed != expected:
        out.append(f"seed 应为 plan_seed/secret/extra 的组合“{expected}”，记录为“{record.seed}”")
    return out


def record_differences(
    record: DrawRecord,
    also: Callable[[DrawRecord], list[str]] | None = None,
    select: Selector = draw_strata,
) -> list[str]:
    """Every way ``record`` fails to reproduce (an empty list means it reproduces exactly).

    ``also`` adds further checks of a record that could be recomputed (e.g. against a roster);
    ``select`` computes the SSJ-DRAW-1 selection (an engine's, for a large population).
    """
    out: list[str] = []
    spec = record.spec
    if spec not in (SPEC, rfc3797.SPEC):
        return [f"未知的抽取方法“{spec}”（应为 {SPEC} 或 {rfc3797.SPEC}）"]
    scope = f"{record.item_id}/{record.month}"
    if record.scope != scope:
        out.append(f"scope 应为 {scope}，记录为 {record.scope}")
    if record.plan_seed is not None:
        out += seal_differences(record)
    population = record.population
    missing = [
        e.keys_file for e in record.key_lists() if e.keys_file is not None and e.size and not e.keys
    ]
    if missing:  # nothing can be recomputed without the population
        return [
            *out,
            f"找不到对象名单文件 {'、'.join(missing)}（应与抽取记录文件放在同一文件夹）",
        ]
    keys = list(population.keys)
    if keys != sorted(set(keys)):
        out.append("population.keys 未排序或有重复")
        keys = sorted(set(keys))
    if population.size != len(keys):
        out.append(f"population.size 为 {population.size}，但 keys 有 {len(keys)} 个")
    if population_digest(keys) != population.digest:
        where = population.keys_file or "keys"
        out.append(f"population.digest 与 {where} 不符：对象名单被改动过")
    accounting = record.accounting
    if accounting is not None and (
        accounting.eligible != len(keys) or accounting.total != accounting.rows
    ):
        out.append(
            f"名录库行数的去向（accounting）不对：{accounting.rows} 行应等于各类之和 {accounting.total}，"
            f"符合条件的 {accounting.eligible} 家应等于对象数 {len(keys)}"
        )
    if accounting is not None and accounting.outside:
        inside = len(set(accounting.outside).intersection(keys))
        if inside or len(accounting.outside) > accounting.rows - accounting.eligible:
            out.append(
                f"accounting.outside 列出 {len(accounting.outside)} 家未列入的企业，"
                f"其中 {inside} 家在对象名单中：未列入的原因被改动过"
            )
    excluded = set(record.excluded)
    if not excluded <= set(keys):
        out.append(f"excluded 中有 {len(excluded - set(keys))} 个代码不在对象名单中")
    try:
        ratio = Ratio.model_validate(record.ratio)
    except ValidationError:
        return [*out, f"无法识别的比例 {record.ratio!r}"]
    strata = _strata(record, ratio, keys, out)
    k = sum(s.k for s in strata)
    if record.k != k:
        out.append(
            f"对象 {len(keys)} 家按比例 {ratio.describe()} 应抽 {k} 家，记录为 {record.k} 家"
        )
    if spec == SPEC:
        chosen, shortfall = select(record.seed, record.scope, strata, excluded)
    else:
        # An RFC 3797 record carries its key string; the fallback is for the type checker.
        key_string = record.key_string or ""  # pragma: no mutate
        chosen, shortfall = select_rfc3797(key_string, strata, excluded)
    if record.shortfall != shortfall:
        out.append(f"shortfall 应为 {shortfall}，记录为 {record.shortfall}")
    listed = [(s.ticket, s.uscc) for s in record.selected]
    if [s.rank for s in record.selected] != list(range(1, len(listed) + 1)):
        out.append("selected 的 rank 不是从 1 起的连续序号")
    for rank, (want, got) in enumerate(zip(chosen, listed, strict=False), start=1):
        if want != got:
            out.append(
                f"第 {rank} 名应为 {want[1]}（抽取号 {want[0][:16]}…），记录为 {got[1]}（{got[0][:16]}…）"
            )
    if len(chosen) != len(listed):
        out.append(f"应抽中 {len(chosen)} 家，记录列出 {len(listed)} 家")
    if also is not None:
        out += also(record)
    return out


SET_VERSION = (0, 2)  # records from this version on say which item a joint task covers


def _base_item(record: Drawn, records: Sequence[Drawn]) -> str:
    """The item a record draws over. A 0.1 record does not say which item a joint task
    covers: it is the item of the newer records with the same targets, when there is one."""
    if record.version >= SET_VERSION or not isinstance(record, DrawRecord):
        return record.base_item
    items = {
        r.base_item
        for r in records
        if isinstance(r, DrawRecord) and r.version >= SET_VERSION and r.targets == record.targets
    }
    return items.pop() if len(items) == 1 else record.item_id


def year_differences(records: Sequence[DrawRecord | ExternalDraw]) -> dict[str, list[str]]:
    """Each record's ``excluded``, recomputed from the other records of the set (docs/spec.md
    §4.2): the enterprises already selected earlier in the year by a draw over the same item,
    joint tasks first within a month. Returns the differences by scope.

    One record alone cannot prove its exclusions; with the year's records an exclusion that no
    earlier record explains is either forged or comes from a record that is missing. Records
    made before 0.2 count as earlier selections but are not themselves checked: they did not
    say which item a joint task covers.
    """
    out: dict[str, list[str]] = {}
    given = {r.scope for r in records}
    by_item: dict[tuple[str, str], list[DrawRecord | ExternalDraw]] = {}
    for record in records:
        # A month is "YYYY-MM": its first four characters, or five, name the same year.
        year = record.month[:4]  # pragma: no mutate
        by_item.setdefault((year, _base_item(record, records)), []).append(record)
    for (_, item), group in by_item.items():
        # Draw order: by month, joint tasks before the item's own draw (SSJ-DRAW-1 §4.2).
        group.sort(key=lambda r: (r.month, r.covers is None, r.item_id))
        seen: dict[str, str] = {}  # uscc -> scope that selected it
        for record in group:
            earlier = [
                r.scope
                for r in group
                if (r.month, r.covers is None) < (record.month, record.covers is None)
            ]
            if isinstance(record, DrawRecord):
                population = set(record.population.keys)
                expected = {k for k in seen if k in population}
            else:  # imported selections exclude nothing themselves
                expected = set()
            listed = set(record.excluded) if isinstance(record, DrawRecord) else expected
            named = record.excluded_from if isinstance(record, DrawRecord) else []
            problems = [
                f"缺少 {scope} 的抽取记录：本记录按它排除了企业，所给记录中却没有它"
                for scope in named
                if scope not in given
            ]
            unexplained = sorted(listed - expected)
            if unexplained:
                before = "、".join(earlier) or "无"
                problems.append(
                    f"排除名单中有 {len(unexplained)} 家不是所给记录中此前对 {item} 抽中的企业（如 {unexplained[0]}）："
                    f"排除名单被改动过，或缺少更早的抽取记录（所给记录中更早的：{before}）"
                )
            missed = sorted(expected - listed)
            if missed:
                problems.append(
                    f"没有排除此前已抽中的 {len(missed)} 家（如 {missed[0]}，{seen[missed[0]]} 抽中）"
                )
            if problems and record.version >= SET_VERSION:
                out[record.scope] = problems
            for key in record.selected_keys:
                seen.setdefault(key, record.scope)
    return out
