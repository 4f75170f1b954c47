"""Enterprise identifiers: the 18-character USCC (GB 32100-2015) and the old 15-digit 注册号.

Scalar helpers explain one code; :func:`check_codes` validates a whole column at once with numpy,
because rosters reach a million rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]

# Byte -> value in USCC_ALPHABET; -1 for bytes outside it.
_USCC_VALUE = np.full(256, -1, dtype=np.int8)
for _value, _char in enumerate(USCC_ALPHABET):
    _USCC_VALUE[ord(_char)] = _value


class CodeStatus(IntEnum):
    """Outcome of checking one code."""

    VALID = 0
    BAD_FORMAT = 1
    BAD_CHECK = 2


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def regno_check_digit(first14: str) -> str:
    """The ISO 7064 MOD 11,10 check digit for the first 14 digits of a 15-digit 注册号."""
    p = 10
    for ch in first14:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)


def expected_check_char(code: str) -> str | None:
    """The check character ``code`` should end with, or None if its format is wrong."""
    if len(code) == 18 and all(c in USCC_ALPHABET for c in code):
        return uscc_check_char(code[:17])
    if len(code) == 15 and code.isascii() and code.isdigit():
        return regno_check_digit(code[:14])
    return None


def check_code(code: str) -> CodeStatus:
    """Check one normalised code (USCC or 15-digit 注册号)."""
    expected = expected_check_char(code)
    if expected is None:
        return CodeStatus.BAD_FORMAT
    return CodeStatus.VALID if code[-1] == expected else CodeStatus.BAD_CHECK


def check_codes(codes: Sequence[str] | npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    """Vectorised :func:`check_code` over normalised codes: an array of CodeStatus values.

    ``codes`` may be a list, or a fixed-width numpy array of str (U) or ASCII bytes (S).
    """
    array = np.asarray(codes)
    if array.dtype.kind not in "SU":
        array = array.astype(np.str_)
    result = np.full(len(array), CodeStatus.BAD_FORMAT, dtype=np.int8)
    lengths = np.strings.str_len(array)
    idx18 = np.flatnonzero(lengths == 18)
    if len(idx18):
        # A fixed-width array is an (n, width) matrix of code points without a Python loop.
        if array.dtype.kind == "S":
            width = array.dtype.itemsize
            points = array[idx18].view(np.uint8).reshape(-1, width)[:, :18]
        else:
            width = array.dtype.itemsize // 4
            wide = array[idx18].view(np.uint32).reshape(-1, width)[:, :18]
            points = np.minimum(wide, 255).astype(np.uint8)  # 255 is not in the alphabet
        values = _USCC_VALUE[points]
        in_alphabet = (values >= 0).all(axis=1)
        totals = np.zeros(len(idx18), dtype=np.int32)
        for position, weight in enumerate(_USCC_WEIGHTS):  # 17 column operations, not n rows
            totals += values[:, position] * np.int32(weight)
        matches = values[:, 17] == (31 - totals % 31) % 31
        result[idx18[in_alphabet]] = CodeStatus.BAD_CHECK
        result[idx18[in_alphabet & matches]] = CodeStatus.VALID
    for i in np.flatnonzero(lengths == 15).tolist():
        code = array[i]
        result[i] = check_code(code.decode() if isinstance(code, bytes) else str(code))
    return result
