"""How SSJ-DRAW-1 reads roster values (docs/spec.md §3, §4.2): normalised keys and categories, and
which 经营状态 make an enterprise eligible."""

from __future__ import annotations

import re
import unicodedata

# 经营状态 values under which an enterprise can be inspected; registries write "存续（在营、开业、在册）".
OPERATING_STATUSES = frozenset({"在业", "存续", "开业"})


def normalize_key(text: str) -> str:
    """A roster key as SSJ-DRAW-1 uses it: NFKC, trimmed, upper case."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def normalize_value(text: str) -> str:
    """A category value (行业类别, 经营状态 …) for matching: NFKC and trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def is_operating(status: str) -> bool:
    """Whether a 经营状态 value makes an enterprise eligible ("存续（在营、开业、在册）" is)."""
    head = re.split(r"[(（]", normalize_value(status))[0]
    return head in OPERATING_STATUSES
