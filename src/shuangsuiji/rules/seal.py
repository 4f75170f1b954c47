"""The seed commitment of SSJ-DRAW-1 (docs/spec.md §4.1): nobody can know a draw before it is made.

The bureau keeps a random 64-hex secret s12 and publishes, before the first draw of the year,
the commitment C = H^12(s12), where H(x) is the lowercase hex SHA-256 of the ASCII text x.
Month m's secret is s(m) = H^(12−m)(s12), so s(m−1) = H(s(m)) and H^m(s(m)) = C. A draw in
month m reveals s(m): that lets anyone check it against C, and tells nothing of later months.
The effective seed of a draw is "{plan seed}/{s(m)}", with "/{extra}" when public randomness
revealed on the day is added.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MONTHS = 12
# Commitments whose secret is public (the repository's example): anyone computes their draws.
PUBLIC_COMMITMENTS = frozenset({"e460b6588076ac12e5e554a578bc45b724e461faae60134d7054064accf98dbe"})
_HEX64 = re.compile(r"[0-9a-f]{64}")


def chain_hash(value: str) -> str:
    """H(x): the lowercase hex SHA-256 of the ASCII bytes of a 64-hex string."""
    return hashlib.sha256(value.encode()).hexdigest()  # a hex string: its UTF-8 is its ASCII


def is_hex64(text: str) -> bool:
    """Whether ``text`` has the form of a secret, a commitment or any SHA-256 hex: 64 lowercase
    hex characters."""
    return _HEX64.fullmatch(text) is not None


def hash_times(value: str, times: int) -> str:
    """H applied ``times`` times."""
    for _ in range(times):
        value = chain_hash(value)
    return value


def month_secret(secret: str, month: int) -> str:
    """s(m) from the secret file's value s12."""
    return hash_times(secret, MONTHS - month)


def commitment_of(secret: str) -> str:
    """C = H^12(s12), the commitment published with the annual plan."""
    return hash_times(secret, MONTHS)


def opens(secret: str, month: int, commitment: str) -> bool:
    """Whether a revealed month secret s(m) hashes ``month`` times to the commitment."""
    return is_hex64(secret) and 1 <= month <= MONTHS and hash_times(secret, month) == commitment


def normalize_extra(text: str | None) -> str | None:
    """A seed part as SSJ-DRAW-1 uses it: NFC and trimmed; None when nothing is left."""
    if text is None:
        return None
    return unicodedata.normalize("NFC", text).strip() or None


def compose_seed(plan_seed: str, secret: str | None = None, extra: str | None = None) -> str:
    """The effective seed: "{plan seed}[/{s(m)}][/{extra}]", each part NFC and trimmed."""
    parts = [normalize_extra(plan_seed) or "", secret, normalize_extra(extra)]
    return "/".join(p for p in parts if p is not None)


_NON_DIGITS = re.compile(r"[^0-9]+")  # digits are 0–9 after NFKC (full-width ones become these)


def canonical_number(text: str) -> str:
    """The canonical value of a public number as typed (docs/spec.md §4.3): Unicode NFKC; every
    maximal run of non-digits one space; each number without leading zeros; trimmed — so
    "03，1，5", "3 1 5" and "第3 1 5" all give "3 1 5" and only the numbers decide the draw."""
    text = unicodedata.normalize("NFKC", text)
    numbers = [part for part in _NON_DIGITS.split(text) if part]
    return " ".join(str(int(part)) for part in numbers)


def number_fits(value: str, pattern: str) -> bool:
    """Whether a canonical public number has the form the plan announced, in full."""
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False
