"""GB 32100 as the field's reference library reads it: python-stdnum (``stdnum.cn.uscc``) is the
oracle for what it checks — length, the digits of positions 1–8, the alphabet and the check
character. ssj checks more (the department/category pair and the embedded GB 11714 code), so
it never accepts what stdnum rejects, and on codes of the standard's structure the two agree.
One deliberate difference: the departments the standard added later with a letter (A 中央军委
改革和编制办公室, N 农业, Y 其他) are accepted by ssj; stdnum wants digits in positions 1–8."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as oracle
from stdnum.iso7064 import mod_11_10

from shuangsuiji.rules.uscc import (
    CATEGORIES,
    USCC_ALPHABET,
    CodeStatus,
    check_code,
    check_codes,
    org_check_char,
    regno_check_digit,
    uscc_check_char,
    uscc_structure_ok,
)

PAIRS = [d + c for d, cs in CATEGORIES.items() for c in cs]
DIGITS = "0123456789"


@st.composite
def structured(draw: st.DrawFn) -> str:
    """A code of the standard's structure, both check characters right or (sometimes) not."""
    pair = draw(st.sampled_from(PAIRS))
    division = draw(st.text(DIGITS, min_size=6, max_size=6))
    body = draw(st.text(USCC_ALPHABET, min_size=8, max_size=8))
    org = org_check_char(body) if draw(st.booleans()) else draw(st.sampled_from(USCC_ALPHABET))
    first17 = pair + division + body + org
    check = (
        uscc_check_char(first17) if draw(st.booleans()) else draw(st.sampled_from(USCC_ALPHABET))
    )
    return first17 + check


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid code with one character replaced by any character of the alphabet or a digit."""
    code = draw(structured().filter(lambda c: check_code(c) is CodeStatus.VALID))
    position = draw(st.integers(0, 17))
    return code[:position] + draw(st.sampled_from(USCC_ALPHABET + "IOSVZ")) + code[position + 1 :]


ANY = st.text(USCC_ALPHABET + "IOSVZ", min_size=18, max_size=18)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(ANY, structured(), mutated()))
def test_never_accepts_what_stdnum_rejects_and_agrees_on_structured_codes(code: str) -> None:
    ours = check_code(code)
    assert CodeStatus(int(check_codes([code])[0])) is ours  # the column check says the same
    stdnum_valid = oracle.is_valid(code)
    if code[0] in "ANY" and ours is not CodeStatus.BAD_FORMAT:
        # What stdnum would say with a digit department: the rest is checked the same way.
        first17 = "9" + code[1:17]
        stdnum_valid = oracle.is_valid(first17 + uscc_check_char(first17)) and code[
            17
        ] == uscc_check_char(code[:17])
    if ours in (CodeStatus.VALID, CodeStatus.BAD_ORG_CHECK):
        assert stdnum_valid  # stdnum does not look at the embedded 组织机构代码
    if stdnum_valid and uscc_structure_ok(code):
        assert ours in (CodeStatus.VALID, CodeStatus.BAD_ORG_CHECK)
    if not stdnum_valid:
        assert ours is not CodeStatus.VALID


def test_the_codes_stdnum_rejects_and_ssj_accepted() -> None:
    # Letters where the division code's digits go; a department/category pair not in the
    # standard; an embedded 组织机构代码 whose GB 11714 check is wrong.
    letters = "B4D405T8BU4JR9YD8Y"
    assert not oracle.is_valid(letters) and check_code(letters) is CodeStatus.BAD_FORMAT
    first17 = "97410311MA0CBGDC" + org_check_char("MA0CBGDC")
    pair = first17 + uscc_check_char(first17)  # 9 工商 has no category 7
    assert check_code(pair) is CodeStatus.BAD_FORMAT
    first17 = "91410311MA0CBGDC" + ("0" if org_check_char("MA0CBGDC") != "0" else "1")
    org = first17 + uscc_check_char(first17)
    assert oracle.is_valid(org) and check_code(org) is CodeStatus.BAD_ORG_CHECK


def test_the_column_check_is_vectorised_over_bytes_too() -> None:
    codes = ["91512081MA62K0260E", "914403001922038216", "B4D405T8BU4JR9YD8Y", "91512081MA62K0260F"]
    as_bytes = np.array([c.encode() for c in codes], dtype="S18")
    assert check_codes(as_bytes).tolist() == [check_code(c) for c in codes]


@settings(max_examples=500)
@given(st.text(DIGITS, min_size=14, max_size=14))
def test_regno_check_digit_is_iso_7064_mod_11_10(first14: str) -> None:
    # The 15-digit 注册号 of enterprises registered before the USCC: ISO 7064 MOD 11,10, as
    # python-stdnum computes it — every check digit, 0 included.
    expected = mod_11_10.calc_check_digit(first14)
    assert regno_check_digit(first14) == expected
    assert check_code(first14 + expected) == CodeStatus.VALID
    wrong = str((int(expected) + 1) % 10)
    assert check_code(first14 + wrong) == CodeStatus.BAD_CHECK


def test_a_regno_whose_check_digit_is_0() -> None:
    first14 = next(
        f"{n:014d}" for n in range(10**6) if mod_11_10.calc_check_digit(f"{n:014d}") == "0"
    )
    assert regno_check_digit(first14) == "0" and check_code(first14 + "0") == CodeStatus.VALID
