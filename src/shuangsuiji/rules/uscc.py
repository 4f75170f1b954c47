"""Enterprise identifiers: the 18-character USCC (GB 32100-2015) and the old 15-digit 注册号.

A USCC is: 登记管理部门代码 (1 character) and 机构类别代码 (1) from the standard's table,
登记管理机关行政区划码 (6 digits), the 组织机构代码 (9 characters, GB 11714: 8 and a check
character), and the check character over the first 17. Scalar helpers explain one code;
:func:`check_codes` validates a whole column at once with numpy, because rosters reach a million
rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_USCC_INDEX = {char: value for value, char in enumerate(USCC_ALPHABET)}

# Byte -> value in USCC_ALPHABET; -1 for bytes outside it.
_USCC_VALUE = np.full(256, -1, dtype=np.int8)
for _value, _char in enumerate(USCC_ALPHABET):
    _USCC_VALUE[ord(_char)] = _value


# GB 32100 表 1 with its amendments: 登记管理部门 -> the 机构类别 it may register.
CATEGORIES = {
    "1": "1239",  # 机构编制：机关、事业单位、编办管理的群众团体、其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政：律师执业机构、公证处、基层法律服务所、司法鉴定机构、仲裁委员会、其他
    "4": "19",  # 文化
    "5": "1239",  # 民政：社会团体、民办非企业单位、基金会、其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商（市场监管）：企业、个体工商户、农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业：组级、村级、乡镇级集体经济组织、其他
    "Y": "1",  # 其他
}
_GB11714_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

# The first two bytes (登记管理部门, 机构类别) as one 16-bit number -> whether the standard has
# that pair: one table lookup a code.
_PAIR_VALID = np.zeros(1 << 16, dtype=bool)
for _department, _categories in CATEGORIES.items():
    for _category in _categories:
        _PAIR_VALID[ord(_department) << 8 | ord(_category)] = True
# Byte -> GB 11714 value (digits 0–9, letters A=10 … Z=35).
_GB11714_VALUE = np.zeros(256, dtype=np.int32)
for _char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _GB11714_VALUE[ord(_char)] = int(_char, 36)


class CodeStatus(IntEnum):
    """Outcome of checking one code. The two check-character failures may be downgraded to
    warnings by the plan (``uscc_check: warning``): real registries hold such anomalies."""

    VALID = 0
    BAD_FORMAT = 1  # length, characters, department/category pair or division digits
    BAD_CHECK = 2  # the USCC's own check character
    BAD_ORG_CHECK = 3  # the embedded 组织机构代码's GB 11714 check character


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a USCC."""
    # Always 17 characters against 17 weights: zip's strict never has anything to catch.
    pairs = zip(first17, _USCC_WEIGHTS, strict=True)  # pragma: no mutate
    total = sum(_USCC_INDEX[c] * w for c, w in pairs)
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str:
    """The GB 11714 check character for the 8 body characters of a 组织机构代码."""
    # Always 8 characters against 8 weights: zip's strict never has anything to catch.
    pairs = zip(first8, _GB11714_WEIGHTS, strict=True)  # pragma: no mutate
    total = sum(int(c, 36) * w for c, w in pairs)
    remainder = 11 - total % 11
    return "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)


def uscc_structure_ok(code: str) -> bool:
    """Whether an 18-character code in the alphabet has GB 32100's structure: a department and
    category pair of the standard's table and a six-digit division code."""
    return code[1] in CATEGORIES.get(code[0], "") and code[2:8].isdigit()


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
    if expected is None or (len(code) == 18 and not uscc_structure_ok(code)):
        return CodeStatus.BAD_FORMAT
    if code[-1] != expected:
        return CodeStatus.BAD_CHECK
    if len(code) == 18 and code[16] != org_check_char(code[8:16]):
        return CodeStatus.BAD_ORG_CHECK
    return CodeStatus.VALID


CHUNK = 1 << 20  # codes checked at a time: the temporaries stay ~50 MB for any roster


def check_codes(codes: Sequence[str] | npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    """Vectorised :func:`check_code` over normalised codes: an array of CodeStatus values.

    ``codes`` may be a list, or a fixed-width numpy array of str (U) or ASCII bytes (S).
    """
    array = np.asarray(codes)
    if array.dtype.kind not in ("S", "U"):
        array = array.astype(np.str_)
    # Exactly CHUNK codes would give the same one chunk either way.
    if len(array) <= CHUNK:  # pragma: no mutate
        return _check_chunk(array)
    return np.concatenate(
        [_check_chunk(array[start : start + CHUNK]) for start in range(0, len(array), CHUNK)]
    )


def _check_chunk(array: npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    result = np.full(len(array), CodeStatus.BAD_FORMAT, dtype=np.int8)
    lengths = np.strings.str_len(array)
    idx18 = np.flatnonzero(lengths == 18)
    if len(idx18):
        # A fixed-width array is an (n, width) matrix of code points without a Python loop.
        # Usually every code is 18 long: the array itself then, not a copy (the same codes;
        # a copy costs 7% of the check).
        codes18 = array if len(idx18) == len(array) else array[idx18]  # pragma: no mutate
        if array.dtype.kind == "S":
            width = array.dtype.itemsize
            points = codes18.view(np.uint8).reshape(len(codes18), width)[:, :18]
        else:
            width = array.dtype.itemsize // 4
            wide = codes18.view(np.uint32).reshape(len(codes18), width)[:, :18]
            # A code point past Latin-1 is clipped to 255, not in the alphabet, so no wide
            # character passes for an ASCII one (256, wrapping to 0, would serve as well).
            points = np.minimum(wide, 255).astype(np.uint8)  # pragma: no mutate
        # Turned position by position (one copy, a chunk's 18 bytes a code): each position a
        # contiguous row of n, so the sums and checks below run down whole rows, a third
        # faster than down the columns of the n x 18.
        points = np.ascontiguousarray(points.T)
        values = _USCC_VALUE[points]
        pairs = points[0].astype(np.intp) << 8 | points[1]
        well_formed = (
            (values.min(axis=0) >= 0) & _PAIR_VALID[pairs] & (values[2:8].max(axis=0) < 10)
        )
        # Sums of 17 (or 8) small values times weights: int32 keeps a chunk's temporaries
        # small; any numeric dtype, float64 too, gives the same sums.
        totals = np.zeros(len(idx18), dtype=np.int32)  # pragma: no mutate
        for position, weight in enumerate(_USCC_WEIGHTS):  # 17 row operations, not n codes
            totals += values[position] * np.int32(weight)
        matches = values[17] == (31 - totals % 31) % 31
        # The organisation code's sum: int32 as above.
        org = np.zeros(len(idx18), dtype=np.int32)  # pragma: no mutate
        for position, weight in enumerate(_GB11714_WEIGHTS, start=8):
            org += _GB11714_VALUE[points[position]] * np.int32(weight)
        remainder = 11 - org % 11
        org_char = np.where(
            remainder == 10, ord("X"), np.where(remainder == 11, ord("0"), remainder + ord("0"))
        )
        org_matches = points[16] == org_char
        result[idx18] = np.where(
            well_formed,
            np.where(
                matches,
                np.where(org_matches, CodeStatus.VALID, CodeStatus.BAD_ORG_CHECK),
                CodeStatus.BAD_CHECK,
            ),
            CodeStatus.BAD_FORMAT,
        )
    for i in np.flatnonzero(lengths == 15).tolist():
        code = array[i]
        result[i] = check_code(code.decode() if isinstance(code, bytes) else str(code))
    return result
