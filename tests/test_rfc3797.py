"""RFC 3797 (draws held at a public lottery ceremony): the sources as typed, the key string,
the selection's limits, and the words of each refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shuangsuiji.exceptions import InputError
from shuangsuiji.rules import rfc3797
from shuangsuiji.rules.draw import Stratum, select_rfc3797

KEY = "9319./2.5.8.10.12./9.18.26.34.41.45./"  # RFC 3797's own example


def test_sources_as_people_type_them() -> None:
    typed = " 9319 // 2，5、12 8,10 / 9 18 26 34 41 45 / "
    assert rfc3797.parse_sources(typed) == [[9319], [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]]
    assert rfc3797.key_string(rfc3797.parse_sources(typed)) == KEY


@pytest.mark.parametrize("typed", ["9319 / 2 x 5", "9319 / ２ 5", "9319 / 2.5"])
def test_a_source_that_is_not_whole_numbers_is_named(typed: str) -> None:
    with pytest.raises(InputError) as raised:
        rfc3797.parse_sources(typed)
    part = typed.split("/")[1].strip()
    assert raised.value.message == (
        f"随机源“{part}”中有非数字内容；每个随机源写成用空格分隔的整数，随机源之间用“/”分隔"
    )


def test_no_source_at_all() -> None:
    with pytest.raises(InputError) as raised:
        rfc3797.parse_sources(" / ")
    assert raised.value.message == (
        '没有给出随机源；例如 --sources "9319 / 2 5 12 8 10 / 9 18 26 34 41 45"'
    )


def test_the_selection_is_limited_to_65535_entries() -> None:
    # Selection i hashes i as two bytes: neither the pool nor the count may pass 65535.
    assert len(rfc3797.select(KEY, 0xFFFF, 1)) == 1
    assert len(rfc3797.select(KEY, 1, 0xFFFF)) == 1  # never more than the pool
    for pool, count in ((0x10000, 1), (1, 0x10000)):
        with pytest.raises(InputError) as raised:
            rfc3797.select(KEY, pool, count)
        assert raised.value.message == "RFC 3797 每次最多从 65535 个对象中抽取"


def test_the_draw_by_rfc3797_counts_its_shortfall_and_takes_no_strata() -> None:
    keys = [f"K{i:02d}" for i in range(25)]
    chosen, shortfall = select_rfc3797(KEY, [Stratum("", Decimal("0.4"), keys)], set(keys[:20]))
    pool = keys[20:]  # the candidates in key order, the excluded taken out
    assert chosen == [(digest, pool[i]) for i, digest in rfc3797.select(KEY, 5, 10)]
    assert len(chosen) == 5 and shortfall == 5  # 10 to draw, 5 candidates left
    with pytest.raises(InputError) as raised:
        select_rfc3797(
            KEY, [Stratum("A", Decimal("0.4"), keys), Stratum("B", Decimal(1), [])], set()
        )
    assert raised.value.message == "RFC 3797 方式不支持分层比例；请用默认的 SSJ-DRAW-1 方式抽取"
