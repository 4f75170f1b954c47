"""Roster loading from the files users really have: BOM, GB18030, title rows, aliases, Excel."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from shuangsuiji.inputs.dates import parse_date
from shuangsuiji.inputs.rosters import ENTERPRISE_COLUMNS, KEY, load_enterprises, load_officers
from shuangsuiji.inputs.tables import read_table

from .conftest import FIXTURES, write_xlsx


def test_utf8_bom_aliases_fullwidth_lowercase_blank_rows() -> None:
    roster, problems = load_enterprises(FIXTURES / "enterprises_utf8_bom.csv")
    assert roster is not None and problems == []
    records = roster.data.to_pylist()
    assert [r[KEY] for r in records] == [
        "91330100609167206N",  # full-width with spaces
        "91512081MA62K0260E",  # lower case
        "914403001922038216",
        "91440300708461136T",
    ]
    assert [r["_row"] for r in records] == [2, 3, 5, 6]  # the blank line 4 is skipped
    assert records[0]["行业类别"] == "危险化学品经营"  # header alias 行业, value trimmed
    assert records[0]["企业名称"] == "杭州某某化工有限公司"


def test_gb18030_with_title_rows() -> None:
    roster, problems = load_enterprises(FIXTURES / "enterprises_gb18030_title.csv")
    assert roster is not None and problems == []
    assert roster.data["企业名称"].to_pylist() == ["洛阳恒达化工有限公司", "洛阳瑞丰纺织有限公司"]
    assert roster.data["_row"].to_pylist() == [4, 5]


def test_bad_check_and_duplicate_name_rows() -> None:
    roster, problems = load_enterprises(FIXTURES / "enterprises_bad.tsv")
    assert roster is not None
    found = [(p.row, p.column, p.message) for p in problems]
    assert (3, KEY, "“91512081MA62K0260F”校验位错误：应为 E，实为 F") in found
    assert any(row == 5 and "第 2 行和第 5 行" in message for row, _, message in found)


def test_check_failure_can_be_a_warning() -> None:
    _, problems = load_enterprises(FIXTURES / "enterprises_bad.tsv", uscc_check="warning")
    bad_check = [p for p in problems if "校验位" in p.message]
    assert bad_check and all(p.severity == "warning" for p in bad_check)


def test_xlsx_with_merged_title_row_excel_dates_and_numeric_codes(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "名录.xlsx",
        [
            ["洛龙区检查对象名录库"],
            [None],
            ["序号", "统一社会信用代码", "企业（单位）名称", "行业类别"],
            [1, "91330100609167206N", "洛阳恒达化工有限公司", "危险化学品生产"],
            [2, 914403001922038216, "洛阳鑫盛机械有限公司", "机械"],
        ],
    )
    roster, problems = load_enterprises(path)
    assert roster is not None
    assert roster.data["_row"].to_pylist() == [4, 5]
    [problem] = problems
    assert problem.row == 5 and "科学计数法" in problem.message


def test_missing_column_lists_what_was_found(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("代码,企业名称\n91330100609167206N,某公司\n", encoding="utf-8")
    roster, problems = load_enterprises(path)
    assert roster is None
    [problem] = problems
    assert problem.column == KEY and "代码、企业名称" in problem.fix


def test_missing_file_and_old_xls(tmp_path: Path) -> None:
    _, problems = load_enterprises(tmp_path / "nope.xlsx")
    assert problems[0].message == "文件不存在"
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    _, problems = load_enterprises(tmp_path / "old.xls")
    assert ".xlsx" in problems[0].fix


def test_extra_field_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "统一社会信用代码,企业名称\n91330100609167206N,甲公司\n91512081MA62K0260E,乙公司,多余\n",
        encoding="utf-8",
    )
    _, problems = load_enterprises(path)
    assert problems[0].row == 3 and "比表头的 2 列多" in problems[0].message


def test_short_rows_quoted_line_breaks_and_old_mac_endings(tmp_path: Path) -> None:
    # Rows the fast columnar reader refuses are read by the careful one, row numbers intact.
    path = tmp_path / "e.csv"
    path.write_text(
        "统一社会信用代码,企业名称,注册地址\n"
        "91330100609167206N,甲公司\n"  # a trailing empty cell left out
        '91512081MA62K0260E,乙公司,"洛阳市\n洛龙区"\n',
        encoding="utf-8",
    )
    roster, problems = load_enterprises(path)
    assert roster is not None and problems == []
    assert roster.data["注册地址"].to_pylist() == ["", "洛阳市\n洛龙区"]
    assert roster.data["_row"].to_pylist() == [2, 3]
    path.write_bytes("统一社会信用代码,企业名称\r91330100609167206N,甲公司\r".encode())
    roster, problems = load_enterprises(path)
    assert roster is not None and roster.data["企业名称"].to_pylist() == ["甲公司"]


def test_gbk_text_past_the_first_block_is_still_read(tmp_path: Path) -> None:
    # The first 64 KB are plain ASCII, so the file looks like UTF-8 until a GBK name appears.
    ascii_rows = [f"9133010060916{n:04d}0N,Company {n}" for n in range(4000)]
    text = "\n".join(["USCC,name", *ascii_rows, "91512081MA62K0260E,洛阳瑞丰纺织有限公司"])
    path = tmp_path / "e.csv"
    path.write_bytes((text + "\n").encode("gb18030"))
    table, _ = read_table(path, ENTERPRISE_COLUMNS)
    assert table is not None
    assert table.data["name"].to_pylist()[-1] == "洛阳瑞丰纺织有限公司"
    assert table.data["_row"].to_pylist()[-1] == 4002


def test_officers_aliases_dates_and_lists() -> None:
    roster, problems = load_officers(FIXTURES / "officers_aliases.csv", year=2025)
    assert roster is not None
    zhang, li, wang, zhao = roster.officers
    assert zhang.fields == ("危险化学品经营", "商贸") and zhang.recusals == ("91330100609167206N",)
    assert li.cert_until == dt.date(2025, 6, 30) and li.fields == ("冶金", "机械")
    assert (
        wang.cert_until == dt.date(2026, 3, 31)
        and not wang.on_duty
        and wang.fields == ("纺织", "轻工")
    )
    assert zhao.cert_until == dt.date(2023, 3, 15) and zhao.agency == "区市场监督管理局"
    assert [(p.row, p.severity) for p in problems] == [(3, "warning"), (5, "warning")]


def test_officer_errors(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "姓名,执法证号,执法证有效期至,回避企业\n"
        "张伟,A1,2027-13-01,\n"
        ",A2,2027-01-01,91512081MA62K0260F\n"
        "李娜,a1,2027-01-01,\n",
        encoding="utf-8",
    )
    _, problems = load_officers(path)
    found = {(p.row, p.column) for p in problems if p.is_error}
    assert found == {(2, "执法证有效期至"), (3, "姓名"), (3, "回避企业"), (4, "执法证号")}


def test_date_forms() -> None:
    expected = dt.date(2025, 4, 30)
    for text in (
        "2025-04-30",
        "2025/4/30",
        "2025年4月30日",
        "20250430",
        "2025.4.30",
        "2025-04-30 00:00:00",
        45777,
    ):
        assert parse_date(text) == expected, text
    for text in ("2025-02-30", "明年", "", "4/30/2025"):
        assert parse_date(text) is None, text


@pytest.mark.parametrize("workers", [1, 3])
def test_key_order_matches_python_sort(workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from shuangsuiji.inputs import rosters
    from shuangsuiji.inputs.rosters import key_order

    # A big roster is sorted in parts on several threads: the same order as one sort.
    monkeypatch.setattr(rosters, "WORKERS", workers)
    monkeypatch.setattr(rosters, "PARALLEL_KEYS", 2)

    keys = [
        "91512081MA62K0260E",
        "914403001922038216",
        "110108000000016",
        "91330100609167206N",
        "9",
    ]
    order = key_order(np.array(keys, dtype="S18"))
    assert [keys[i] for i in order] == sorted(keys)
    assert [keys[i] for i in key_order(np.array(keys, dtype=np.str_))] == sorted(keys)
    # Every width (words of codes or of bytes, a narrower or padded last one), ties kept in
    # order: codes and capitals as 6-bit codes, any other character as bytes.
    rng = np.random.default_rng(7)
    for width, letters in itertools.product(
        (1, 2, 3, 5, 8, 9, 10, 11, 15, 16, 17, 18, 20, 24), (b"0123456789AZ", b"09AZ-a ~")
    ):
        alphabet = np.frombuffer(letters, dtype="S1")
        texts = [
            b"".join(alphabet[rng.integers(0, len(letters), rng.integers(1, width + 1))]).decode()
            for _ in range(300)
        ]
        texts += texts[:40]  # duplicates: the earlier row first, as a stable sort keeps them
        order = key_order(np.array(texts, dtype=f"S{width}"))
        assert order.tolist() == sorted(range(len(texts)), key=lambda i: (texts[i], i))


def test_keys_are_found_among_some_rows_in_key_order() -> None:
    import numpy as np

    from shuangsuiji.inputs.rosters import key_order, sorted_lookup

    # A population's rows are the roster's in key order: its enterprises are found among
    # those rows alone, never among the roster's others.
    rng = np.random.default_rng(3)
    alphabet = np.frombuffer(b"0123456789ABXY", dtype="S1")
    texts = sorted({b"".join(rng.choice(alphabet, 6)).decode() for _ in range(500)})
    rng.shuffle(texts)
    fixed = np.array(texts, dtype="S6")
    order = key_order(fixed)
    for size in (0, 1, 2, 37, 400):
        rows = np.sort(rng.choice(len(order), size, replace=False))
        members = order[rows]  # some rows, still in key order
        inside = {texts[i] for i in members}
        wanted = [*rng.choice(texts, 60).tolist(), "000000", "ZZZZZZ", "AB", "toolongkey"]
        wanted += ["９１ABXY", "企业", "", texts[0]]  # full width, CJK, empty: never ASCII keys
        found, at = sorted_lookup(fixed, wanted, members)
        assert found == sorted(inside.intersection(wanted))
        assert [texts[i] for i in members[at]] == found
    # A sorter of every row is numpy's own search; the same answer, from a set or a generator.
    found, at = sorted_lookup(fixed, texts[:50], order)
    assert [texts[i] for i in order[at]] == found == sorted(texts[:50])
    assert sorted_lookup(fixed, set(texts[:50]), order)[0] == found
    assert sorted_lookup(fixed, (t for t in texts[:50]), order)[0] == found
    # Keys of other lengths in one roster (shorter ones padded) and keys that are not ASCII.
    for roster in (["AB", "ABC", "A", "B0", "ABD"], ["企业甲", "企业", "ＡＢ", "AB", "甲"]):
        column = np.array(roster, dtype="S3" if roster[0].isascii() else np.str_)
        order = key_order(column)
        wanted = [*roster[::2], "AC", "企", "ABCD"]
        found, at = sorted_lookup(column, wanted, order)
        assert found == sorted(set(roster[::2])) == [roster[i] for i in order[at]]


def test_cells_are_taken_from_a_column_in_chunks_as_from_one_array() -> None:
    import numpy as np
    import pyarrow as pa

    from shuangsuiji.inputs.tables import Table

    # A csv is read in blocks: a column of many chunks, taken from chunk by chunk (rows in
    # any order, repeated, at the edges, none) as if it were one array.
    rng = np.random.default_rng(5)
    cells = [f"企业{i}" for i in range(1000)]
    sizes = [0, 1, 250, 0, 3, 500, 246]
    chunks, start = [], 0
    for size in sizes:
        chunks.append(pa.array(cells[start : start + size], pa.string()))
        start += size
    table = Table("名录.csv", pa.table({"企业名称": pa.chunked_array(chunks, pa.string())}), 1)
    for rows in (
        rng.integers(0, 1000, 300),
        np.array([999, 0, 250, 251, 1, 0]),
        np.array([], dtype=np.intp),
    ):
        taken = table.take("企业名称", rows)
        assert taken.type == pa.string() and taken.to_pylist() == [cells[i] for i in rows]


def test_blank_cells_are_those_with_only_whitespace() -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from shuangsuiji.inputs.tables import BLANK_TEXT, blank_cells

    # Cells are looked at by their first byte before RE2: whatever the first character,
    # the same cells as the pattern over every cell (sliced arrays, both offset widths).
    texts = ["", " ", "\u3000", "\u00a0", "\t\r\n", "\x1c\x1f", "\x85", "\u2028\u2029",
             "\u1680", "\u202f", "\ufeff", "A", "企业", " 企业", "\u3000企业", "é", "~", "\x7f",
             "一", "龥", "㐀", "\U00020000", "  x  ", "\u3000\u3000"]  # fmt: skip
    cells = texts * 3
    for kind in (pa.string(), pa.large_string()):
        array = pa.array(cells, kind)
        for part in (array, array[5:], array[7:40]):
            expected = np.flatnonzero(pc.match_substring_regex(part, BLANK_TEXT).to_numpy(False))
            assert blank_cells(part).tolist() == expected.tolist()
    assert blank_cells(pa.array(["", ""], pa.string())).tolist() == [0, 1]
    assert blank_cells(pa.array([], pa.string())).tolist() == []


def test_a_column_in_chunks_becomes_the_categories_of_the_whole() -> None:
    import pyarrow as pa

    from shuangsuiji.inputs.rosters import normalize_column

    # A csv's column comes in blocks, a parquet's in row groups with a dictionary each: the
    # categories (values and a code per row) are those of the column read as one array.
    chunks = [["冶金", " 机械", "冶金"], [], ["商贸", "机械 ", "冶  金"], ["商贸"]]
    whole = normalize_column(pa.array([v for c in chunks for v in c]))
    for chunked in (
        pa.chunked_array([pa.array(c, pa.string()) for c in chunks]),
        pa.chunked_array([pa.array(c, pa.string()).dictionary_encode() for c in chunks]),
    ):
        found = normalize_column(chunked)
        assert found.dictionary.to_pylist() == whole.dictionary.to_pylist()
        assert found.indices.to_pylist() == whole.indices.to_pylist()
    assert whole.dictionary.to_pylist() == ["冶金", "机械", "商贸", "冶  金"]


def test_operating_statuses_follow_the_spec() -> None:
    from shuangsuiji.rules.keys import is_operating

    for status in ("在业", "存续", "开业", " 存续 ", "存续（在营、开业、在册）", "开业(正常)"):
        assert is_operating(status), status
    for status in ("注销", "吊销", "迁出", "在营", "正常", "", "吊销，未注销"):
        assert not is_operating(status), status


def test_a_parquet_column_that_is_not_text_is_named(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "e.parquet"
    table = {"统一社会信用代码": ["91330100609167206N"], "企业名称": ["甲"], "标签": [[1, 2]]}
    pq.write_table(pa.table(table), path)
    roster, problems = load_enterprises(path)
    assert roster is None
    [problem] = problems
    assert problem.file == str(path) and "列“标签”的类型" in problem.message


def test_a_name_of_only_spaces_is_blank_whatever_the_spaces(tmp_path: Path) -> None:
    # Full-width (U+3000) and no-break (U+00A0) spaces count, as a clerk sees an empty cell.
    path = tmp_path / "e.csv"
    path.write_text(
        "统一社会信用代码,企业名称\n91330100609167206N,\u3000\u3000\n"
        "91512081MA62K0260E,\u00a0\t\n91110108MA01ABCD2X,　甲 公司　\n",
        encoding="utf-8",
    )
    _, problems = load_enterprises(path)
    blank = [p.row for p in problems if p.message == "企业名称为空"]
    assert blank == [2, 3]


def test_keys_already_normal_are_taken_as_they_are() -> None:
    # A province's export is already trimmed and upper-case: the column is used as read (no
    # copy); anything else still normalised, whichever position the difference is in.
    import pyarrow as pa

    from shuangsuiji.inputs.rosters import normalize_keys

    normal = pa.array(["91330100609167206N", "9133010060916720`N", "9133010060916720{N"])
    keys, fixed = normalize_keys(normal)
    assert keys is normal and fixed.tolist() == [k.encode() for k in normal.to_pylist()]
    for raw in (
        ["91330100609167206N", "91330100609167206n"],  # lower case at the end
        ["a1330100609167206N", "91330100609167206N"],  # … at the start
        [" 1330100609167206N", "91330100609167206N"],  # white space of one width
        ["91330100609167206\t", "91330100609167206N"],
    ):
        keys, _ = normalize_keys(pa.array(raw))
        assert keys.to_pylist() == [r.strip().upper() for r in raw]
    # Every byte of three keys (six 8-byte words and six bytes after them), with each of the
    # characters on either side of a–z, the ends of a–z and white space.
    base = ["91330100609167206N", "9133010060916720XN", "91330100609167201X"]
    for position in range(54):
        for char in "`az{AZ \t":
            raw = list(base)
            key, at = divmod(position, 18)
            raw[key] = raw[key][:at] + char + raw[key][at + 1 :]
            column = pa.array(raw)
            keys, _ = normalize_keys(column)
            assert keys.to_pylist() == [r.strip().upper() for r in raw], (position, char)
            assert (keys is column) == (raw == [r.strip().upper() for r in raw]), (position, char)
