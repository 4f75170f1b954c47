"""The standard result categories of a 双随机 抽查 (docs/spec.md §6, 国家企业信用信息公示系统)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from shuangsuiji.rules.records import Corrected, Result

RESULT_CATEGORIES = (
    "未发现问题",
    "发现问题经责令已改正",
    "发现问题待后续处理",
    "未按规定公示应当公示的信息",
    "通过登记的住所（经营场所）无法联系",
    "未发现开展本次抽查涉及的经营活动",
    "已关闭停业或正在组织清算",
    "不配合检查情节严重",
)
_CATEGORY = {unicodedata.normalize("NFKC", c): c for c in RESULT_CATEGORIES}
_SEPARATORS = re.compile(r"[；;]")


# Outcomes that say what the inspection found as a whole (nothing, or that it could not take
# place): each stands alone. The findings may be combined with each other.
ALONE = (
    "未发现问题",
    "通过登记的住所（经营场所）无法联系",
    "未发现开展本次抽查涉及的经营活动",
    "已关闭停业或正在组织清算",
)
FINDINGS = tuple(c for c in RESULT_CATEGORIES if c not in ALONE)
COMBINATIONS = f"“{'”“'.join(ALONE)}”只能单独填写；“{'”“'.join(FINDINGS)}”可以互相组合，用“；”分隔"


def parse_result(text: str) -> tuple[str | None, list[str]]:
    """The canonical result text ("；"-joined categories, each once) and the parts that are not
    categories."""
    parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    canonical = {p: _CATEGORY.get(unicodedata.normalize("NFKC", p)) for p in parts}
    bad = [p for p, c in canonical.items() if c is None]
    unique = list(dict.fromkeys(c for c in canonical.values() if c))
    return ("；".join(unique) if not bad else None), bad


def contradiction(result: str) -> str | None:
    """Why a canonical result contradicts itself (an outcome that stands alone combined with
    anything), or None."""
    parts = result.split("；")
    alone = [p for p in parts if p in ALONE]
    if alone and len(parts) > 1:
        others = "”“".join(p for p in parts if p != alone[0])
        return f"“{alone[0]}”不能与“{others}”同时填写"
    return None


def merge(before: Result | None, row: Result, today: str) -> Result | None:
    """What to record when a filled row arrives for an enterprise whose recorded result is
    ``before``: None when the row repeats it; a 更正 when it changes a result or 检查日期 that
    was already published (corrected ``today``; back to the published values withdraws it)."""
    if before is None:
        return row
    pending = before.correction if not before.published_on else None  # a 更正 not yet out
    # What the public last saw was published on: these values, or those the 更正 replaces.
    published = before.published_on or (pending.published_on if pending else "")
    if row.published_on in (published, before.correction and before.correction.published_on):
        # The sheet still shows an earlier 公示日期: it says nothing about the new values.
        row = replace(row, published_on=before.published_on)
    values = (row.result, row.inspected_on)
    if values == (before.result, before.inspected_on):
        if row.note == before.note and row.published_on in ("", before.published_on):
            return None
        return replace(
            row, published_on=row.published_on or before.published_on, correction=before.correction
        )
    if not published:  # never published: a plain change
        return row
    # A 更正 replaces what the public saw: the values a pending 更正 was to replace, else these.
    seen = pending or before
    if values == (seen.result, seen.inspected_on):  # the 更正 is withdrawn
        return replace(row, published_on=seen.published_on)
    correction = Corrected(seen.result, seen.inspected_on, seen.published_on, today)
    if row.published_on and row.published_on != published:
        return replace(row, correction=correction)  # already out
    return replace(row, published_on="", correction=correction)
