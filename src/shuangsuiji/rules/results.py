"""The standard result categories of a 双随机 抽查 (DESIGN.md §6, 国家企业信用信息公示系统)."""

from __future__ import annotations

import re
import unicodedata

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


def parse_result(text: str) -> tuple[str | None, list[str]]:
    """The canonical result text ("；"-joined categories) and the parts that are not categories."""
    parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    canonical = [_CATEGORY.get(unicodedata.normalize("NFKC", p)) for p in parts]
    bad = [p for p, c in zip(parts, canonical, strict=True) if c is None]
    return ("；".join(c for c in canonical if c) if not bad else None), bad
