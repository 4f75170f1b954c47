"""RFC 3797 publicly verifiable selection, for draws held at a public lottery ceremony.

The key string is built from public random sources (e.g. lottery numbers drawn on the day);
selection i (from 0) hashes MD5(i as 2 bytes big-endian ‖ key ‖ the same 2 bytes) and takes
``pool.pop(h mod len(pool))`` from the pool ordered by key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from shuangsuiji.exceptions import InputError

SPEC = "RFC3797"


def parse_sources(text: str) -> list[list[int]]:
    """Sources separated by "/", numbers by spaces or commas: "9319 / 2 5 12 8 10 / 9 18 26"."""
    sources = []
    for part in text.split("/"):
        tokens = [t for t in re.split(r"[\s,，、]+", part.strip()) if t]
        if not tokens:
            continue
        if not all(t.isascii() and t.isdigit() for t in tokens):
            raise InputError(
                f"随机源“{part.strip()}”中有非数字内容；每个随机源写成用空格分隔的整数，随机源之间用“/”分隔"
            )
        sources.append([int(t) for t in tokens])
    if not sources:
        raise InputError('没有给出随机源；例如 --sources "9319 / 2 5 12 8 10 / 9 18 26 34 41 45"')
    return sources


def key_string(sources: Sequence[Sequence[int]]) -> str:
    """Each source's numbers sorted, each followed by "."; each source ended by "/"."""
    return "".join("".join(f"{n}." for n in sorted(source)) + "/" for source in sources)


def select(key: str, pool_size: int, count: int) -> list[tuple[int, str]]:
    """Select ``count`` of ``pool_size`` entries: (original 0-based index, MD5 hex) in order."""
    if pool_size > 0xFFFF or count > 0xFFFF:
        raise InputError("RFC 3797 每次最多从 65535 个对象中抽取")
    pool = list(range(pool_size))
    chosen = []
    for i in range(min(count, pool_size)):
        # Big-endian is also Python's default byte order (3.11 on): dropping it changes nothing.
        counter = i.to_bytes(2, "big")  # pragma: no mutate
        data = counter + key.encode() + counter
        # MD5 is what RFC 3797 specifies; it is a public selection, not a secret. The flag
        # only matters where OpenSSL runs in FIPS mode (MD5 refused unless so flagged).
        digest = hashlib.md5(data, usedforsecurity=False).digest()  # pragma: no mutate
        # Big-endian is the default here too.
        index = int.from_bytes(digest, "big") % len(pool)  # pragma: no mutate
        chosen.append((pool.pop(index), digest.hex()))
    return chosen
