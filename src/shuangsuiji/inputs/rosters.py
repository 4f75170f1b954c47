"""The two rosters of 一单两库: enterprises (检查对象名录库) and officers (执法检查人员名录库).

Loaders return the roster and every problem found (never stopping at the first), so
``ssj validate`` can list them all; commands that need clean input raise on errors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shuangsuiji.exceptions import Problem, Severity
from shuangsuiji.inputs.dates import parse_date
from shuangsuiji.inputs.tables import (
    ROW,
    WORKERS,
    Column,
    Positions,
    Table,
    in_threads,
    read_table,
    release_memory,
    text_offsets,
)
from shuangsuiji.rules.keys import normalize_key, normalize_value
from shuangsuiji.rules.uscc import (
    CHUNK,
    USCC_ALPHABET,
    CodeStatus,
    check_codes,
    expected_check_char,
    org_check_char,
)

KEY = "统一社会信用代码"
NAME = "企业名称"
INDUSTRY = "行业类别"
STREET = "所属街道"
STATUS = "经营状态"
RISK = "信用风险分类"

ENTERPRISE_COLUMNS = (
    Column(
        KEY,
        ("社会信用代码", "信用代码", "统一代码", "统一社会信用代码/注册号", "注册号", "USCC"),
        required=True,
    ),
    Column(
        NAME,
        (
            "单位名称",
            "企业(单位)名称",
            "企业名称(单位名称)",
            "名称",
            "市场主体名称",
            "生产经营单位名称",
        ),
        required=True,
    ),
    Column(INDUSTRY, ("行业", "所属行业", "行业分类", "行业类型")),
    Column(STATUS, ("登记状态", "企业状态", "经营状况")),
    Column(RISK, ("信用风险等级", "风险分类", "信用风险类别", "风险等级")),
    Column("注册地址", ("地址", "住所", "住所(经营场所)", "经营场所", "经营地址")),
    Column(STREET, ("街道", "乡镇(街道)", "所属乡镇", "所属乡镇(街道)")),
)

OFFICER_NAME = "姓名"
CERT_ID = "执法证号"
CERT_UNTIL = "执法证有效期至"
OFFICER_COLUMNS = (
    Column(OFFICER_NAME, ("执法人员姓名", "人员姓名", "执法人员"), required=True),
    Column(CERT_ID, ("执法证件号", "执法证件号码", "执法证编号", "证件号", "证号"), required=True),
    Column(CERT_UNTIL, ("执法证有效期", "有效期至", "证件有效期至", "有效期"), required=True),
    Column("股室", ("科室", "所在股室", "所在科室", "内设机构")),
    Column("专业领域", ("专业", "擅长领域", "专长", "熟悉行业")),
    Column("在岗状态", ("在岗情况", "人员状态", "状态")),
    Column("所属机关", ("所属单位", "所属部门", "执法机关")),
    Column("回避企业", ("回避对象", "需回避企业", "回避单位")),
)
ON_DUTY = "在岗"
_LIST_SEPARATORS = re.compile(r"[、，,;；/\s]+")


def normalize_keys(values: pa.Array) -> tuple[pa.Array, npt.NDArray[Any]]:
    """:func:`normalize_key` over a whole column: (the keys as Arrow text, the same as a
    fixed-width numpy array for vectorised checks). In C for the usual all-ASCII column, and
    without a copy when every key is already in its normal form (a province's export)."""
    view = ascii_view(values)
    if view is not None and _normal_ascii(view):
        return values, view
    ascii_rows = pc.string_is_ascii(values)
    # NFKC is the identity on ASCII text, so trimming and upper-casing are all it needs.
    keys = pc.ascii_upper(pc.ascii_trim_whitespace(values))
    if not pc.all(ascii_rows).as_py():  # full-width letters and the like: only those rows
        other = pc.invert(ascii_rows)
        fixed_keys = [normalize_key(v) for v in values.filter(other).to_pylist()]
        keys = pc.replace_with_mask(keys, other, pa.array(fixed_keys, keys.type))
    return keys, fixed_width(keys)


_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 32]] = True  # what ascii_trim_whitespace trims
_HIGH = np.uint64(0x8080808080808080)
_FROM_A = np.uint64(0x1F1F1F1F1F1F1F1F)  # + 0x1f: a byte's top bit set from "a" (0x61) up
_FROM_BRACE = np.uint64(0x0505050505050505)  # + 0x05: from "{" (0x7b), just past "z", up
_WORDS = 1 << 15  # 256 KB of keys a step: the temporaries stay in cache


def _normal_ascii(fixed: npt.NDArray[Any]) -> bool:
    """Whether ASCII keys of one width are already trimmed and upper-case: no key starts or
    ends with whitespace and no byte is a–z. The bytes are tested eight at a time, a small
    piece at a time (a fresh process pays for every page of a big temporary array)."""
    if not len(fixed) or fixed.dtype.itemsize == 0:
        return True
    matrix = fixed.view(np.uint8).reshape(len(fixed), -1)
    if _ASCII_SPACE[matrix[:, 0]].any() or _ASCII_SPACE[matrix[:, -1]].any():
        return False
    data = matrix.ravel()
    words = data[: len(data) // 8 * 8].view(np.uint64)
    if ((data[len(words) * 8 :] - np.uint8(ord("a"))) < 26).any():
        return False
    for start in range(0, len(words), _WORDS):
        part = words[start : start + _WORDS]
        # Every byte is below 0x80 (ASCII), so neither sum carries into the next byte.
        if ((part + _FROM_A) & ~(part + _FROM_BRACE) & _HIGH).any():
            return False
    return True


def fixed_width(keys: pa.Array) -> npt.NDArray[Any]:
    """Text as a fixed-width numpy array: bytes (``S``) when ASCII, else ``U``. Keys of one
    length (the usual roster) are a view of Arrow's buffer, not a copy per key."""
    if not len(keys):
        return np.array([], dtype="S1")
    view = ascii_view(keys)
    if view is not None:
        return view
    width = pc.max(pc.binary_length(keys)).as_py() or 1
    texts = keys.to_pylist()
    try:
        return np.array(texts, dtype=f"S{width}")
    except UnicodeEncodeError:
        return np.array(texts, dtype=np.str_)


def ascii_view(keys: pa.Array) -> npt.NDArray[Any] | None:
    """ASCII text of one length, as a view of Arrow's buffer; None for any other text."""
    if not len(keys) or keys.null_count:
        return None
    lengths = pc.binary_length(keys)
    width = pc.max(lengths).as_py()
    if not width or pc.min(lengths).as_py() != width:
        return None
    offsets = text_offsets(keys)
    data = np.frombuffer(keys.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    if any(data[i : i + (1 << 24)].max() >= 0x80 for i in range(0, len(data), 1 << 24)):
        return None
    return data.view(f"S{width}")


def normalize_column(values: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """:func:`normalize_value` over a column, computed once per distinct value: the column
    as categories (an Arrow dictionary of distinct normalised values and a code per row).
    A province's 行业类别 is a few hundred values, not twenty million strings."""
    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values)
    if isinstance(values, pa.ChunkedArray):
        # Encoded a chunk at a time, then one dictionary for the whole column: the column's
        # text is never copied into one array.
        values = values.unify_dictionaries().combine_chunks()
    encoded = values
    uniques = [normalize_value(u) for u in encoded.dictionary.to_pylist()]
    distinct = list(dict.fromkeys(uniques))
    # A code a row in the narrowest integer that holds them: a byte for a few hundred values.
    width = np.int8 if len(distinct) <= 127 else np.int16 if len(distinct) <= 32767 else np.int32
    codes = encoded.indices.to_numpy()
    if len(distinct) < len(uniques):  # " 冶金" and "冶金" are one category
        place = {value: index for index, value in enumerate(distinct)}
        codes = np.array([place[u] for u in uniques], dtype=width)[codes]
    indices = pa.array(codes.astype(width, copy=False))
    return pa.DictionaryArray.from_arrays(indices, pa.array(distinct, pa.string()))


def category_mask(values: pa.DictionaryArray, allowed: Collection[str]) -> npt.NDArray[np.bool_]:
    """Rows of a column of categories whose value is among ``allowed`` (decided once per
    category; Arrow's is_in would decode the column)."""
    hit = pc.is_in(values.dictionary, value_set=pa.array(sorted(allowed), pa.string()))
    found: npt.NDArray[np.bool_] = hit.to_numpy(zero_copy_only=False)[values.indices.to_numpy()]
    return found


def category_counts(
    values: pa.DictionaryArray, mask: npt.NDArray[np.bool_] | None = None
) -> dict[str, int]:
    """How many rows (under ``mask``) hold each value, values held by none left out."""
    codes = values.indices.to_numpy()
    counts = np.bincount(codes if mask is None else codes[mask], minlength=len(values.dictionary))
    return {
        value: int(count)
        for value, count in zip(values.dictionary.to_pylist(), counts.tolist(), strict=True)
        if count
    }


def split_list(text: str) -> tuple[str, ...]:
    """Split "冶金、有色，机械" style lists."""
    return tuple(p for p in _LIST_SEPARATORS.split(normalize_value(text)) if p)


T = TypeVar("T")

_NORMALISED_ON_LOAD = (INDUSTRY, STATUS, RISK)  # matched by every draw: normalised once


@dataclass
class EnterpriseRoster:
    """The enterprise roster: one row per enterprise, keys normalised, ``_row`` = source row."""

    file: str
    table: Table
    key_order: Positions  # positions of the rows sorted by key
    fixed: npt.NDArray[Any]  # the keys, fixed width (a view of ``keys`` when ASCII, one length)
    _values: dict[str, pa.Array] = field(default_factory=dict, repr=False)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per roster and ``key``: what several tasks and checks derive
        from the same columns (an eligibility mask, the duplicated codes) is derived once."""
        if key not in self._memo:
            self._memo[key] = compute()
        found: T = self._memo[key]
        return found

    def __len__(self) -> int:
        return len(self.table)

    @property
    def uniform(self) -> bool:
        """Whether every key is ASCII of one width (``fixed`` holds them exactly, unpadded)."""
        return self.memo("uniform", lambda: ascii_view(self.keys) is not None)

    @property
    def data(self) -> pa.Table:
        return self.table.data

    @property
    def keys(self) -> pa.Array:
        return self._values[KEY]

    def values(self, column: str) -> pa.DictionaryArray:
        """A column normalised for matching (NFKC, trimmed) as categories, computed once per
        column."""
        if column not in self._values:
            self._values[column] = normalize_column(self.table.column(column))
        found: pa.DictionaryArray = self._values[column]
        return found

    @property
    def columns(self) -> list[str]:
        return self.table.columns

    def positions(self, keys: Iterable[str]) -> tuple[list[str], Positions]:
        """(the distinct ``keys`` found in the roster, sorted; their rows): a binary search
        of the sorted keys, not a pass over the whole roster per lookup."""
        found, at = sorted_lookup(self.fixed, keys, self.key_order)
        return found, self.key_order[at]

    def details(self, keys: Iterable[str], column: str) -> dict[str, str]:
        """A column's text (trimmed) for the given keys; empty if the roster lacks the column."""
        return self.details_of(keys, [column])[column]

    def details_of(self, keys: Iterable[str], columns: Sequence[str]) -> dict[str, dict[str, str]]:
        """:meth:`details` of several columns, the keys looked up once."""
        return self.details_at(*self.positions(keys), columns)

    def details_at(
        self, keys: Sequence[str], rows: Positions, columns: Sequence[str]
    ) -> dict[str, dict[str, str]]:
        """:meth:`details_of` for keys whose rows are known."""
        found: dict[str, dict[str, str]] = {c: {} for c in columns}
        for column in (c for c in columns if c in self.columns):
            # Each distinct text made once and shared: a province's month has millions of
            # selected enterprises in a few hundred 街道.
            cells = self.table.take(column, rows).dictionary_encode()
            distinct = [v.strip() for v in cells.dictionary.to_pylist()]
            texts = map(distinct.__getitem__, cells.indices.to_numpy().tolist())
            found[column] = dict(zip(keys, texts, strict=True))
        return found


def sorted_lookup(
    fixed: npt.NDArray[Any], keys: Iterable[str], sorter: Positions | None = None
) -> tuple[list[str], Positions]:
    """(the distinct ``keys`` present in ``fixed``, sorted; where each is in sorted order):
    a binary search of fixed-width keys, sorted themselves or by ``sorter`` (rows of
    ``fixed`` in key order: all of them, or some, such as a population's)."""
    wanted, probe = _wanted(keys, fixed.dtype)
    if not len(probe) or not len(fixed if sorter is None else sorter):
        return [], np.array([], dtype=np.intp)
    if sorter is None or len(sorter) == len(fixed):
        at = np.searchsorted(fixed, probe, sorter=sorter)
    else:
        at = _bisect(fixed, probe, sorter)
    at = np.minimum(at, len(fixed if sorter is None else sorter) - 1)
    hit = fixed[at if sorter is None else sorter[at]] == probe
    found: list[str] = wanted.filter(pa.array(hit)).to_pylist()
    return found, at[hit]


def _wanted(keys: Iterable[str], kind: np.dtype[Any]) -> tuple[pa.Array, npt.NDArray[Any]]:
    """The distinct ``keys`` that fixed-width keys of ``kind`` can hold, sorted: as Arrow text
    and as an array of ``kind``. Sorted and filtered by Arrow, not a Python string at a time
    (a province's month looks up half a million)."""
    texts = pa.array(keys if isinstance(keys, list) else list(keys), pa.string())
    if kind.kind == "S":  # ASCII of at most the width
        fits = pc.and_(
            pc.string_is_ascii(texts), pc.less_equal(pc.binary_length(texts), kind.itemsize)
        )
    else:  # UCS-4: at most the width in characters
        fits = pc.less_equal(pc.utf8_length(texts), kind.itemsize // 4)
    texts = texts.filter(fits)
    if not isinstance(keys, set | frozenset):
        texts = pc.unique(texts)
    view = ascii_view(texts) if kind.kind == "S" else None
    if view is not None:  # codes of one width: sorted as the roster's are
        order = key_order(view)
        return texts.take(pa.array(order)), view[order].astype(kind, copy=False)
    texts = texts.take(pc.sort_indices(texts))  # bytewise: Python's order of the text
    return texts, np.array(texts.to_pylist(), dtype=kind)


def _bisect(fixed: npt.NDArray[Any], probe: npt.NDArray[Any], rows: Positions) -> Positions:
    """Where each of ``probe`` would go among ``fixed[rows]`` (sorted), found without making
    that array (a province's population is hundreds of MB of keys): every probe bisected at
    once, a step at a time — numpy's searchsorted wants a sorter for the whole array."""
    low = np.zeros(len(probe), dtype=np.intp)
    high = np.full(len(probe), len(rows), dtype=np.intp)
    while True:
        open_ = low < high
        if not open_.any():
            return low
        middle = (low + high) // 2
        below = open_ & (fixed[rows[np.minimum(middle, len(rows) - 1)]] < probe)
        low = np.where(below, middle + 1, low)
        high = np.where(open_ & ~below, middle, high)


def code_problem(
    file: str, row: int, column: str, code: str, status: int, uscc_check: Severity
) -> Problem:
    """What is wrong with one code; a wrong check character is as severe as the plan's
    ``uscc_check`` says, anything else is an error."""
    anomaly = "核对代码是否抄错；确属登记机关的异常代码，可在计划文件中设 uscc_check: warning"
    if status == CodeStatus.BAD_CHECK:
        expected = expected_check_char(code)
        message = f"“{code}”校验位错误：应为 {expected}，实为 {code[-1]}"
        return Problem(file, row, column, message, anomaly, uscc_check)
    if status == CodeStatus.BAD_ORG_CHECK:
        message = (
            f"“{code}”中的组织机构代码 {code[8:17]} 校验位错误（GB 11714）："
            f"应为 {org_check_char(code[8:16])}，实为 {code[16]}"
        )
        return Problem(file, row, column, message, anomaly, uscc_check)
    if len(code) == 18 and all(c in USCC_ALPHABET for c in code):
        return Problem(
            file,
            row,
            column,
            f"“{code}”不符合统一社会信用代码的结构（GB 32100）",
            "第 1 位登记管理部门和第 2 位机构类别要成对（如 91 企业、92 个体工商户、93 农民专业合作社），"
            "第 3–8 位是 6 位数字的行政区划码",
        )
    if re.fullmatch(r"[\d.]+E\+?\d+", code):
        return Problem(
            file,
            row,
            column,
            f"“{code}”被 Excel 存成了数字（科学计数法），后几位已经丢失",
            "把该列设为“文本”格式后重新录入代码",
        )
    return Problem(
        file,
        row,
        column,
        f"“{code}”不是 18 位统一社会信用代码，也不是 15 位注册号",
        "统一社会信用代码由 18 位数字和大写字母组成（不含 I、O、Z、S、V）",
    )


PARALLEL_KEYS = 1 << 18  # below this many keys one thread sorts faster than several


# Codes in the characters' order: the padding of a shorter key (NUL) first, then 0–9, A–Z.
_CODE = np.full(256, 255, dtype=np.uint8)
_CODE[0] = 0
_CODE[ord("0") : ord("9") + 1] = np.arange(1, 11)
_CODE[ord("A") : ord("Z") + 1] = np.arange(11, 37)
_PER_WORD = 10  # 6-bit codes in a 64-bit word


def _code_words(
    keys: npt.NDArray[Any], rows: Positions | None = None, threads: bool = True
) -> list[npt.NDArray[np.uint64]] | None:
    """Keys of digits and capital letters (every code) as 64-bit words of ten 6-bit codes:
    two words for 18 characters, where bytes need three; only the keys at ``rows`` when
    given (packed from the keys a million at a time, never a copy of those keys). None if
    any key has another character (then the bytes are sorted)."""
    width = keys.dtype.itemsize
    matrix = keys.view(np.uint8).reshape(-1, width)
    count = len(keys) if rows is None else len(rows)
    spans = [(a, min(a + _PER_WORD, width)) for a in range(0, width, _PER_WORD)]
    words = [np.empty(count, dtype=np.uint64) for _ in spans]
    step = 1 << 20

    def pack(start: int) -> bool:
        block = matrix[start : start + step] if rows is None else matrix[rows[start : start + step]]
        codes = _CODE[block]
        if codes.max() > 63:
            return False
        for word, (first, end) in zip(words, spans, strict=True):
            value = np.zeros(len(codes), dtype=np.uint64)
            for column in range(first, end):
                value <<= np.uint64(6)
                value |= codes[:, column]
            word[start : start + step] = value
        return True

    starts = range(0, count, step)
    packed = in_threads(pack, starts) if threads else (pack(start) for start in starts)
    return words if all(packed) else None


def _byte_words(keys: npt.NDArray[Any]) -> list[npt.NDArray[Any]]:
    """Keys as big-endian words of 8 bytes (the last no wider than it is: 18 bytes are
    8 + 8 + 2), as native integers (they sort faster)."""
    width = keys.dtype.itemsize
    matrix = keys.view(np.uint8).reshape(-1, width)
    words = []
    for start in range(0, width, 8):
        part = matrix[:, start : start + 8]
        size = part.shape[1]
        if size in (1, 2, 4, 8):
            word = np.ascontiguousarray(part).view(f">u{size}").ravel()
        else:
            padded = np.zeros((len(keys), 8), dtype=np.uint8)
            padded[:, :size] = part
            word = padded.view(">u8").ravel()
        words.append(word.astype(word.dtype.newbyteorder("="), copy=False))
    return words


def key_order(keys: npt.NDArray[Any]) -> Positions:
    """A stable argsort of fixed-width keys, in Python's string order.

    Keys are sorted as integer words with ``np.lexsort`` (6-bit codes of digits and capitals,
    else big-endian bytes): several times faster than sorting the strings. A big roster is
    split by key range (pivots from a sample; equal keys always in one part) and the parts
    sorted on every core, then put end to end; each part's words are made for that part
    alone, so a province's keys are never all in words at once.
    """
    if keys.dtype.kind != "S" or not len(keys):
        return np.argsort(keys, kind="stable")
    small = np.int32 if len(keys) < 2**31 else np.intp
    if len(keys) < PARALLEL_KEYS or WORKERS < 2:
        words = _code_words(keys) or _byte_words(keys)
        # lexsort takes the most significant key last.
        return np.lexsort(words[::-1]).astype(small)
    sample = np.sort(keys[:: max(1, len(keys) // 4096)])
    pivots = np.unique(sample[[len(sample) * i // WORKERS for i in range(1, WORKERS)]])
    part_of = np.searchsorted(pivots, keys, side="right").astype(np.uint8)
    # Rows by part, each part's rows in row order.
    rows = np.argsort(part_of, kind="stable").astype(small)
    ends = np.cumsum(np.bincount(part_of, minlength=len(pivots) + 1))
    del part_of

    def sort(part: Positions) -> Positions:
        words = _code_words(keys, part, threads=False) or _byte_words(keys[part])
        return part[np.lexsort(words[::-1])]

    return np.concatenate(in_threads(sort, np.split(rows, ends[:-1])))


def sorted_repeats(keys: npt.NDArray[Any], order: Positions) -> Positions:
    """Positions in ``order`` whose key equals the one before it. Sorted, equal keys sit side
    by side (the stable sort keeps the earliest row first); compared a million at a time,
    so a province's keys are never copied in key order whole."""
    step = 1 << 20

    def repeats_from(start: int) -> Positions:
        ranked = keys[order[start - 1 : start + step]]
        return np.flatnonzero(ranked[1:] == ranked[:-1]) + start

    found = in_threads(repeats_from, range(1, len(order), step))
    return np.concatenate(found) if found else np.array([], dtype=np.intp)


def _duplicate_problems(
    file: str,
    column: str,
    keys: npt.NDArray[Any],
    rows: Sequence[int] | npt.NDArray[np.int64],
    what: str,
    order: Positions | None = None,
    repeats: Positions | None = None,
) -> list[Problem]:
    """One problem per repeated key, naming the row it repeats; ``order`` sorts ``keys``,
    ``repeats`` are its :func:`sorted_repeats` when already known."""
    if order is None:
        order = np.argsort(keys, kind="stable")
    if repeats is None:
        repeats = sorted_repeats(keys, order)
    problems = []
    first_row: dict[str, int] = {}
    for position in repeats.tolist():
        key = keys[order[position]]
        key = key.decode() if isinstance(key, bytes) else str(key)
        if not key:
            continue
        first = first_row.setdefault(key, int(rows[int(order[position - 1])]))
        row = int(rows[int(order[position])])
        problems.append(
            Problem(
                file,
                row,
                column,
                f"{what}“{key}”重复：第 {first} 行和第 {row} 行",
                "同一个对象只保留一行",
            )
        )
    return sorted(problems, key=lambda p: p.row or 0)


ROSTER_PATH_FIX = "检查计划文件 rosters 中的路径（相对于计划文件所在文件夹）"


def _empty(file: str, what: str) -> Problem:
    """A roster with a header and nothing under it: a template not yet filled, or a bad export."""
    return Problem(
        file,
        None,
        None,
        f"名录库还没有填写：表头下没有任何{what}",
        "在表头下逐行填写（ssj init 写出的模板有下拉选项），或以同名放入本单位导出的完整名录库；"
        "已填写的，检查是否选错了工作表",
    )


def load_enterprises(
    path: Path,
    *,
    uscc_check: Severity = "error",
    sheet: str | None = None,
    label: str | None = None,
) -> tuple[EnterpriseRoster | None, list[Problem]]:
    """Read the enterprise roster and report every problem in it."""
    table, problems = read_table(
        path,
        ENTERPRISE_COLUMNS,
        sheet=sheet,
        label=label,
        missing_fix=ROSTER_PATH_FIX,
        # A parquet roster's other columns (names, addresses: most of its bytes) are read
        # where they are used, for the selected enterprises.
        eager=(KEY, *_NORMALISED_ON_LOAD),
        categorical=_NORMALISED_ON_LOAD,
    )
    if table is None or KEY not in table.columns:
        return None, problems
    # Without the name column the keys can still be checked, so every problem shows at once.
    if not len(table):
        return None, [*problems, _empty(table.file, "企业")]
    complete = not any(p.is_error for p in problems)
    file = table.file
    keys, fixed = normalize_keys(table.column(KEY))
    normalised = {KEY: keys}
    normalised |= {c: normalize_column(table.column(c)) for c in _NORMALISED_ON_LOAD if c in table}
    for name, values in normalised.items():
        table.data = table.data.set_column(table.data.column_names.index(name), name, values)
    roster = EnterpriseRoster(file, table, np.array([], dtype=np.intp), fixed, normalised)
    rows = table.data.column(ROW).to_numpy()

    for row in rows[pc.equal(pc.binary_length(keys), 0).to_numpy(zero_copy_only=False)]:
        problems.append(
            Problem(file, int(row), KEY, "统一社会信用代码为空", "填写该企业的代码，或删除该行")
        )
    if NAME in table.columns:
        # Names are kept as read; whatever displays a name strips it.
        # Found in place, not in a trimmed copy of every name (a province's are gigabytes).
        for row in rows[table.blank(NAME)]:
            problems.append(Problem(file, int(row), NAME, "企业名称为空", "填写企业名称"))

    # In chunks (bounded temporaries), one per thread at least.
    step = max(1, min(CHUNK, -(-len(fixed) // WORKERS)))
    statuses = np.concatenate(
        in_threads(check_codes, [fixed[i : i + step] for i in range(0, len(fixed), step)])
    )
    for index in (statuses != CodeStatus.VALID).nonzero()[0].tolist():
        key = keys[index].as_py()
        if key:
            status = int(statuses[index])
            problems.append(code_problem(file, int(rows[index]), KEY, key, status, uscc_check))
    # Sorting the keys once serves the duplicate check here and every draw's population.
    roster.key_order = order = key_order(fixed)
    repeats = roster.memo("repeats", lambda: sorted_repeats(fixed, order))
    problems += _duplicate_problems(file, KEY, fixed, rows, "代码", order, repeats)
    del statuses
    release_memory()  # the checks' temporary arrays
    return (roster if complete else None), problems


@dataclass(frozen=True)
class Officer:
    """One person of the officer roster."""

    row: int
    name: str
    cert_id: str
    cert_until: dt.date
    section: str = ""
    fields: tuple[str, ...] = ()
    duty: str = ""  # 在岗状态 as written; "" when the roster has no such column
    agency: str = ""  # 所属机关; "" means the plan's own agency
    recusals: tuple[str, ...] = ()

    @property
    def on_duty(self) -> bool:
        return self.duty in ("", ON_DUTY)


def _body_key(name: str) -> str:
    # 市场监督管理局, 市场监督局 and 市场监管局 are all written for the same bureau.
    return name.replace("监督管理", "监管").replace("监督", "监管")


def same_body(a: str, b: str) -> bool:
    """Whether two names denote one agency: "区市场监督局" is "洛龙区市场监督管理局"."""
    a, b = _body_key(a), _body_key(b)
    return a == b or (min(len(a), len(b)) >= 4 and (a.endswith(b) or b.endswith(a)))


def officer_department(officer: Officer, departments: Sequence[str]) -> str:
    """Which of ``departments`` (the plan's agency first) an officer belongs to; an empty
    所属机关 means the agency; an unknown one is returned as written."""
    if not officer.agency:
        return departments[0]
    return next((d for d in departments if same_body(officer.agency, d)), officer.agency)


@dataclass
class OfficerRoster:
    """The officer roster."""

    file: str
    officers: list[Officer]

    def __len__(self) -> int:
        return len(self.officers)


def load_officers(
    path: Path,
    *,
    year: int | None = None,
    uscc_check: Severity = "error",
    sheet: str | None = None,
    label: str | None = None,
) -> tuple[OfficerRoster | None, list[Problem]]:
    """Read the officer roster; ``year`` adds warnings for certificates lapsing in that year."""
    table, problems = read_table(
        path, OFFICER_COLUMNS, sheet=sheet, label=label, missing_fix=ROSTER_PATH_FIX
    )
    if table is None or any(p.is_error for p in problems):
        return None, problems
    if not len(table):
        return None, [*problems, _empty(table.file, "执法人员")]
    file = table.file
    records = [
        {k: v.strip() if isinstance(v, str) else v for k, v in r.items()} for r in table.records()
    ]
    for record in records:
        record[CERT_ID] = normalize_key(record[CERT_ID])
    cert_ids = np.array([r[CERT_ID] for r in records], dtype=object)
    problems += _duplicate_problems(file, CERT_ID, cert_ids, table.rows(), "执法证号")
    officers = []
    for record in records:
        found = _officer(file, int(record[ROW]), record, year, uscc_check, problems)
        if found is not None:
            officers.append(found)
    return OfficerRoster(file, officers), problems


def _officer(
    file: str,
    row: int,
    record: dict[Any, Any],
    year: int | None,
    uscc_check: Severity,
    problems: list[Problem],
) -> Officer | None:
    name, cert_id, until_text = record[OFFICER_NAME], record[CERT_ID], record[CERT_UNTIL]
    ok = True
    if not name:
        problems.append(Problem(file, row, OFFICER_NAME, "姓名为空", "填写姓名，或删除该行"))
        ok = False
    if not cert_id:
        problems.append(
            Problem(file, row, CERT_ID, "执法证号为空", "没有有效执法证的人员不能列入名录库")
        )
        ok = False
    until = parse_date(until_text)
    if until is None:
        problems.append(
            Problem(
                file,
                row,
                CERT_UNTIL,
                f"“{until_text}”不是有效的日期" if until_text else "执法证有效期为空",
                "写成 2027-04-30、2027/4/30 或 2027年4月30日，或使用 Excel 日期格式",
            )
        )
        ok = False
    recusals = tuple(normalize_key(c) for c in split_list(record.get("回避企业", "")))
    statuses = check_codes(list(recusals))
    for code, status in zip(recusals, statuses, strict=True):
        if status != CodeStatus.VALID:
            problems.append(code_problem(file, row, "回避企业", code, int(status), uscc_check))
    if not ok or until is None:
        return None
    if year is not None and until < dt.date(year, 12, 31):
        if until < dt.date(year, 1, 1):
            message = f"{name} 的执法证已于 {until.isoformat()} 过期，{year} 年不会被抽取"
        else:
            message = f"{name} 的执法证 {until.isoformat()} 到期，此后的月份不会被抽取"
        problems.append(Problem(file, row, CERT_UNTIL, message, "证件换发后更新有效期", "warning"))
    return Officer(
        row=row,
        name=name,
        cert_id=cert_id,
        cert_until=until,
        section=record.get("股室", ""),
        fields=split_list(record.get("专业领域", "")),
        duty=normalize_value(record.get("在岗状态", "")),
        agency=normalize_value(record.get("所属机关", "")),
        recusals=recusals,
    )


def unknown_recusals(
    officers: OfficerRoster, roster: EnterpriseRoster
) -> list[tuple[Officer, str]]:
    """Recusal codes that name no enterprise of the roster (worth a warning, not an error)."""
    codes = sorted({c for o in officers.officers for c in o.recusals})
    keys = roster.keys
    present = set(keys.filter(pc.is_in(keys, value_set=pa.array(codes, keys.type))).to_pylist())
    return [(o, c) for o in officers.officers for c in o.recusals if c not in present]
