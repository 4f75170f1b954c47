"""USCC (GB 32100-2015) and 15-digit 注册号 (ISO 7064 MOD 11,10) checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.rules import uscc
from shuangsuiji.rules.uscc import (
    USCC_ALPHABET,
    CodeStatus,
    check_code,
    check_codes,
    expected_check_char,
    uscc_check_char,
)

REAL_CODES = [
    "91330100609167206N",
    "91512081MA62K0260E",
    "914403001922038216",
    "91440300708461136T",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert check_code(code) is CodeStatus.VALID
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_character_change_fails(code: str) -> None:
    for position in range(18):
        for replacement in USCC_ALPHABET:
            if replacement == code[position]:
                continue
            changed = code[:position] + replacement + code[position + 1 :]
            assert check_code(changed) is not CodeStatus.VALID, changed


def test_expected_check_character_is_named() -> None:
    assert expected_check_char("91512081MA62K0260F") == "E"


@pytest.mark.parametrize(
    "code",
    ["", "9133010060916720", "91330100609167206NN", "91330100609167206I", "9133010060916720ｎ"],
)
def test_malformed_codes(code: str) -> None:
    assert check_code(code) is CodeStatus.BAD_FORMAT


def test_fifteen_digit_registration_numbers() -> None:
    assert check_code("110108000000016") is CodeStatus.VALID
    assert check_code("110108000000017") is CodeStatus.BAD_CHECK
    assert check_code("11010800000001A") is CodeStatus.BAD_FORMAT


@given(
    st.lists(st.text(alphabet=USCC_ALPHABET + "ioz9０Ａ", min_size=14, max_size=19), max_size=30)
)
def test_vectorised_check_agrees_with_scalar(codes: list[str]) -> None:
    codes = codes + REAL_CODES
    assert [CodeStatus(s) for s in check_codes(codes)] == [check_code(c) for c in codes]


def test_ascii_byte_arrays_give_the_same_answers() -> None:
    import numpy as np

    codes = [*REAL_CODES, "91512081MA62K0260F", "110108000000016", "110108000000017", "X"]
    assert check_codes(np.array(codes, dtype="S18")).tolist() == check_codes(codes).tolist()
    assert [CodeStatus(s) for s in check_codes(codes)][-4:] == [
        CodeStatus.BAD_CHECK, CodeStatus.VALID, CodeStatus.BAD_CHECK, CodeStatus.BAD_FORMAT
    ]  # fmt: skip


def test_fixed_width_arrays_are_checked_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    # A national roster's codes read as bytes take a quarter of their str form: never widened
    # (nor copied); only a list is made an array of str.
    import numpy as np

    seen: list[np.ndarray] = []
    real = uscc._check_chunk
    monkeypatch.setattr(uscc, "_check_chunk", lambda array: seen.append(array) or real(array))
    as_bytes, as_str = np.array(REAL_CODES, dtype="S18"), np.array(REAL_CODES, dtype="U18")
    check_codes(as_bytes), check_codes(as_str), check_codes(REAL_CODES)
    assert seen[0] is as_bytes and seen[1] is as_str and seen[2].dtype == np.dtype("U18")


def test_a_status_takes_one_byte() -> None:
    # A national roster has 190 million codes: their statuses take 190 MB, not eight times it.
    import numpy as np

    assert check_codes([*REAL_CODES, "110108000000016", "X"]).dtype == np.int8


def test_codes_past_a_chunk_are_checked_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # A province's roster is checked a chunk at a time (bounded memory): same statuses.
    codes = ["91330100609167206N", "91330100609167206X", "123", "91512081MA62K0260E"] * 5
    whole = uscc.check_codes(codes)
    monkeypatch.setattr(uscc, "CHUNK", 3)
    assert uscc.check_codes(codes).tolist() == whole.tolist()
    assert whole.tolist()[:4] == [0, 2, 1, 0]


def test_a_department_outside_the_standard_has_no_category() -> None:
    # "X" is in the alphabet but registers nothing, so no code may start with it, whatever
    # the category character (even one that is a category elsewhere).
    from shuangsuiji.rules.uscc import CATEGORIES, USCC_ALPHABET, uscc_structure_ok

    for department in sorted(set(USCC_ALPHABET) - set(CATEGORIES)):
        for category in USCC_ALPHABET:
            assert not uscc_structure_ok(f"{department}{category}110000MA00000000")
    assert uscc_structure_ok("91110000MA00000000") and not uscc_structure_ok("9X110000MA00000000")
    assert not uscc_structure_ok("91A10000MA00000000")  # the division is six digits
