"""Reading the tables users actually have: xlsx with title rows, csv in UTF-8/BOM/GB18030.

:func:`read_table` finds the header row, maps header aliases to canonical names, drops blank
rows and keeps each row's number as the user sees it (Excel row or text line).
It knows nothing about rosters; :mod:`shuangsuiji.rosters` says which columns it wants.
"""

from __future__ import annotations

import codecs
import csv
import ctypes
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from xml.etree import ElementTree

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from shuangsuiji.exceptions import Problem

HEADER_SCAN_ROWS = 20
_HEAD_BYTES = 1 << 16  # enough for the header rows and for telling the encoding
# Row positions: int32 for any table under 2³¹ rows (half the memory of a province's
# orderings), the platform's int otherwise.
Positions = npt.NDArray[np.signedinteger[Any]]
ROW = "_row"  # column holding the user-visible row number; not a valid Chinese header
_DELIMITERS = (",", "\t", ";", "|")
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
_PARQUET_SUFFIXES = {".parquet"}  # what a national or provincial export comes as
_OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")  # the compound-file signature of encrypted workbooks


@dataclass(frozen=True)
class Column:
    """A column a caller wants: its canonical header and the aliases real files use."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass
class Table:
    """A table read from one file: canonical column names, text cells ("" when empty, never
    null), the row number the user sees in ``_row``. Columnar (Arrow): a million-row roster
    is a few contiguous buffers, not millions of Python strings. A parquet file's columns
    that the caller did not ask for up front are read when used (``lazy``)."""

    file: str
    data: pa.Table
    header_row: int
    headers: list[str] = field(default_factory=list)
    lazy: _Parquet | None = None

    @property
    def columns(self) -> list[str]:
        """The text columns' canonical names, in file order."""
        if self.lazy is not None:
            return list(self.lazy.names)
        return [c for c in self.data.column_names if c != ROW]

    def __len__(self) -> int:
        return int(self.data.num_rows)

    def __contains__(self, column: object) -> bool:
        return column in self.columns

    def column(self, name: str) -> pa.Array:
        """One text column as a single Arrow array."""
        if name in self.data.column_names or self.lazy is None:
            column = self.data.column(name)
            # One chunk is taken as it is: combining would copy it (a province's keys).
            return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        return self.lazy.take(name, self._file_rows())

    def take(self, name: str, positions: Positions) -> pa.Array:
        """A column's cells at some rows (table positions), in that order: a column not yet
        read is read only where those rows lie."""
        if name in self.data.column_names or self.lazy is None:
            column = self.data.column(name)
            if column.num_chunks == 1:
                taken: pa.Array = column.chunk(0).take(pa.array(positions))
                return taken
            ends = np.cumsum([len(chunk) for chunk in column.chunks])
            return taken_in_parts(
                ends, positions, lambda part, rows: column.chunk(part).take(pa.array(rows))
            )
        return self.lazy.take(name, self._file_rows(positions))

    def blank(self, name: str) -> Positions:
        """Positions of the rows whose cell in ``name`` is empty or only whitespace, a column
        not yet read scanned a row group at a time."""
        if name in self.data.column_names or self.lazy is None:
            column = self.data.column(name)
            found, start = [], 0
            for chunk in column.chunks:
                found.append(blank_cells(chunk) + start)
                start += len(chunk)
            return np.concatenate(found) if found else np.array([], dtype=np.intp)
        hits = [start + rows for start, rows in self.lazy.scan(name, blank_cells)]
        matched = np.concatenate(hits) if hits else np.array([], dtype=np.intp)
        if not len(matched):  # the usual export: no row numbers made (a province's are 160 MB)
            return matched
        # Rows dropped as blank are not the table's: only the file rows the table kept.
        file_rows = self._file_rows()
        positions = np.searchsorted(file_rows, matched)
        kept = positions < len(file_rows)
        kept[kept] = file_rows[positions[kept]] == matched[kept]
        return positions[kept]

    def _file_rows(self, positions: Positions | None = None) -> Positions:
        # A parquet file's row i is the user's row i + 2 (its column names are row 1).
        rows: Positions = self.data.column(ROW).to_numpy()
        return (rows if positions is None else rows[positions]) - 2

    def rows(self) -> list[int]:
        """The row numbers as the user sees them, one per row."""
        rows: list[int] = self.data.column(ROW).to_pylist()
        return rows

    def records(self) -> list[dict[str, Any]]:
        """Row by row, for small tables (officers, results, imported selections)."""
        records: list[dict[str, Any]] = self.data.to_pylist()
        return records


def header_key(text: object) -> str:
    """Normalise a header cell for matching: NFKC, no white space, no required-field stars."""
    key = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return re.sub(r"[\s*]", "", key)


def _alias_map(columns: Sequence[Column]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column in columns:
        for alias in (column.name, *column.aliases):
            mapping.setdefault(header_key(alias), column.name)
    return mapping


def _cell_text(value: object) -> str:
    """An Excel cell as text: dates as ISO dates, whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        # A cell of spaces is empty, as in a csv: a row of them is a blank row, skipped.
        return value if value.strip() else ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _find_header(rows: list[list[str]], aliases: dict[str, str]) -> tuple[int, int]:
    """(index of the header row among ``rows``, number of recognised columns in it).

    The header is the row with the most recognised column names; if none is recognised the
    first non-empty row is taken, so a missing-column error can list what was found.
    """
    best, best_score = -1, 0
    for index, row in enumerate(rows):
        score = len({aliases[k] for k in map(header_key, row) if k in aliases})
        if score > best_score:
            best, best_score = index, score
    if best < 0:
        best = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), 0)
    return best, best_score


def _canonical_headers(raw: list[str], aliases: dict[str, str]) -> list[str]:
    """Canonical or normalised names, with later duplicates made unique by a suffix."""
    names: list[str] = []
    for index, cell in enumerate(raw):
        key = header_key(cell)
        name = aliases.get(key, key) or f"(第{index + 1}列)"
        while name in names:
            name += "'"
        names.append(name)
    return names


def detect_encoding(data: bytes) -> str | None:
    """The encoding of text starting with ``data``: UTF-8 (with or without BOM), UTF-16 or GB18030.

    ``data`` may be just the head of a file: a character cut at its end does not count.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(data, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


# The rows below the header, the header row, the raw headers, and the merged ranges filled in.
_Read = tuple[pa.Table, int, list[str], list[str]]


_MAX_HEAD_BYTES = 1 << 26  # header rows longer than this are not a roster's


def _read_text(path: Path, aliases: dict[str, str], categorical: Collection[str] = ()) -> _Read:
    with path.open("rb") as handle:
        data = handle.read(_HEAD_BYTES)
        # Read on until the header rows are whole: a very wide header (thousands of columns)
        # cut at the first block would be reported with the wrong number of columns.
        while data.count(b"\n") < HEADER_SCAN_ROWS and len(data) < _MAX_HEAD_BYTES:
            more = handle.read(len(data))
            if not more:
                break
            data += more
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) or (
        b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        raise _Unreadable(
            "文件是 UTF-32 或不带标记的 UTF-16 编码（含大量空字节），无法按表格读取",
            "用 Excel 或记事本打开，另存为“CSV UTF-8（逗号分隔）”或 GB18030（GBK）编码的 csv",
        )
    encoding = detect_encoding(data)
    if encoding is None:
        raise _Unreadable("无法识别文件编码", "请另存为 UTF-8 或 GB18030（GBK）编码的 csv")
    # A file can look like UTF-8 at the top and turn out to be GBK further down.
    for attempt in (encoding, "gb18030") if encoding == "utf-8" else (encoding,):
        try:
            return _parse_text(path, aliases, data, attempt, categorical)
        except (UnicodeDecodeError, _NotThisEncoding):
            continue
    raise _Unreadable("无法识别文件编码", "请另存为 UTF-8 或 GB18030（GBK）编码的 csv")


def _parse_text(
    path: Path, aliases: dict[str, str], data: bytes, encoding: str, categorical: Collection[str]
) -> _Read:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)
    # Old Mac exports end lines with a lone CR; csv wants the lines with their endings.
    lines = io.StringIO(text, newline=None).readlines()[:HEADER_SCAN_ROWS]
    choices = []
    failed: list[csv.Error] = []
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error as exc:  # e.g. a wide header read as one huge cell: not this one
            failed.append(exc)
            continue
        index, score = _find_header(rows, aliases)
        choices.append((score, len(rows[index]) if rows else 0, delimiter, index, rows))
    if not choices:
        raise _csv_problem(failed[0], None)
    _score, _width, delimiter, index, rows = max(choices, key=lambda c: (c[0], c[1]))
    raw_headers = rows[index] if rows else []
    names = _canonical_headers(raw_headers, aliases)
    if not names:
        return pa.table({ROW: pa.array([], pa.int64())}), 1, [], []
    try:
        frame = _arrow_csv(path, encoding, delimiter, index + 1, names, categorical)
    except pa.ArrowInvalid as exc:
        if "invalid UTF8" in str(exc):
            raise _NotThisEncoding from None
        # A row with more or fewer cells than the header (or a quoted line break where the
        # fast reader cannot follow it): the careful reader pads short rows and names the line.
        frame = _python_csv(path, encoding, delimiter, index + 1, names)
    row = np.arange(index + 2, index + 2 + frame.num_rows, dtype=np.int64)
    release_memory()
    return frame.append_column(ROW, pa.array(row)), index + 1, raw_headers, []


WORKERS = min(os.cpu_count() or 1, 8)  # threads for work that runs without the GIL
T = TypeVar("T")
R = TypeVar("R")


def in_threads(function: Callable[[T], R], jobs: Sequence[T]) -> list[R]:
    """``function`` over ``jobs`` on WORKERS threads (numpy's sorts and arithmetic and
    parquet's decoding release the GIL), results in the order of ``jobs``."""
    if len(jobs) < 2 or WORKERS < 2:
        return [function(job) for job in jobs]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(function, jobs))


def taken_in_parts(
    ends: npt.NDArray[Any], rows: Positions, cells_of: Callable[[int, Positions], pa.Array]
) -> pa.Array:
    """The cells at ``rows`` (in that order) of a column held in parts whose rows end at
    ``ends`` (a column's chunks, a parquet file's row groups): ``cells_of(part, rows in it)``
    once for each part holding some, on every core, put back in order. Arrow's own take of a
    column in chunks first copies it whole (a csv roster's names, at each lookup)."""
    order = np.argsort(rows, kind="stable")
    wanted = rows[order]
    parts = np.searchsorted(ends, wanted, side="right")
    present, firsts = np.unique(parts, return_index=True)  # sorted: each part's slice
    bounds = [*firsts.tolist(), len(wanted)]

    def cells(index: int) -> pa.Array:
        part = int(present[index])
        start = int(ends[part - 1]) if part else 0
        return cells_of(part, wanted[bounds[index] : bounds[index + 1]] - start)

    pieces = in_threads(cells, range(len(present)))
    if not pieces:  # none asked for: empty, of the column's type
        return cells_of(0, wanted) if len(ends) else pa.array([], pa.string())
    found = pa.concat_arrays(pieces)
    del pieces
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    taken: pa.Array = found.take(pa.array(back))
    return taken


def release_memory() -> None:
    """Give memory freed by a big read back to the system. Reading a million-row csv leaves
    about as much freed parse buffer as the table itself, which the C library keeps for
    reuse; without this the rest of a draw stacks on top of it. Arrow's own allocator
    (mimalloc or jemalloc) keeps what it freed too: a province's parquet read, or names read
    for the selected rows, left hundreds of MB held. malloc_trim is glibc's; elsewhere only
    Arrow's is released."""
    pa.default_memory_pool().release_unused()
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


def _arrow_csv(
    path: Path,
    encoding: str,
    delimiter: str,
    skip: int,
    names: list[str],
    categorical: Collection[str] = (),
) -> pa.Table:
    """The rows below the header, every cell text ("" for empty, never null), multi-threaded;
    ``categorical`` columns as categories (an Arrow dictionary), encoded while parsing rather
    than made a million strings first."""
    category = pa.dictionary(pa.int32(), pa.string())
    # Arrow reads UTF-8 natively and skips a BOM; other encodings go through Python's codecs.
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(skip_rows=skip, column_names=names, encoding=arrow_encoding),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            ignore_empty_lines=False,  # a blank line keeps its row number (and is dropped later)
            # A quoted cell may hold a line break. Allowing for it costs Arrow less than
            # reading a city's file once more to see whether it has quotes at all.
            newlines_in_values=True,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: category if n in categorical else pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _csv_problem(exc: csv.Error, row: int | None) -> _Unreadable:
    """What a csv parse error means: a cell far too big (pasted text, a file's contents), or
    quotes that do not pair."""
    if "field larger than field limit" in str(exc):
        return _Unreadable(
            f"有一格的内容超过 {csv.field_size_limit() // 1024} KB，不像名录库的内容",
            "检查这一行：可能误贴了大段文字或整个文件；名录库的每一格只写一项信息",
            row=row,
        )
    return _Unreadable(f"无法解析（{exc}）", "检查引号是否成对", row=row)


def _python_csv(path: Path, encoding: str, delimiter: str, skip: int, names: list[str]) -> pa.Table:
    """The careful reader for files Arrow refuses: short rows padded with empty cells, a row
    with too many cells reported with its line number."""
    columns: list[list[str]] = [[] for _ in names]
    width = len(names)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            for number, row in enumerate(reader):
                if number < skip:
                    continue
                if len(row) > width:
                    raise _Unreadable(
                        f"有 {len(row)} 个字段，比表头的 {width} 列多",
                        "检查该行是否多了逗号；含逗号的内容要用英文双引号括起来",
                        row=reader.line_num,
                    )
                row += [""] * (width - len(row))
                for cells, cell in zip(columns, row, strict=True):
                    cells.append(cell)
        except csv.Error as exc:
            raise _csv_problem(exc, reader.line_num) from None
    return pa.table(
        {name: pa.array(cells, pa.string()) for name, cells in zip(names, columns, strict=True)}
    )


class _NotThisEncoding(Exception):
    """The file is not in the encoding its first block suggested."""


MAX_CELLS = 30_000_000  # a worksheet's used area calamine may allocate (≈1 GB at 32 B a cell)
_CELL_REF = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet XML path -> the sheet's name, from the workbook's own index."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    names = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "").lstrip("/")
            names[target if target.startswith("xl/") else f"xl/{target}"] = sheet.get("name", "")
    return names


def _check_extent(path: Path) -> None:
    """Refuse an xlsx worksheet whose used area would not fit in memory — one stray value in
    XFD1048576 makes calamine ask for 550 GB and abort the process — naming the far cell.
    The cells' own references are scanned (a worksheet's <dimension> may be missing or wrong)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip (xls, ods, damaged): calamine says what it is
    with archive:
        names = _sheet_names(archive)
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            rows = cols = 0
            far = b""
            with archive.open(info) as handle:
                tail = b""
                while chunk := handle.read(1 << 20):
                    data = tail + chunk
                    for match in _CELL_REF.finditer(data):
                        col, row = _column_number(match[1]), int(match[2])
                        if row > rows or col > cols:
                            rows, cols = max(rows, row), max(cols, col)
                            far = match[1] + match[2]
                    tail = data[-256:]
            if rows * cols > MAX_CELLS:
                sheet = names.get(info.filename, info.filename)
                raise _Unreadable(
                    f"工作表“{sheet}”的数据区域一直延伸到 {far.decode()} 单元格（{rows} 行 × {cols} 列），"
                    "读入需要的内存远超本机",
                    f"在 Excel 中按 Ctrl+End 找到 {far.decode()} 等远处的单元格，删除它们所在的行和列后另存",
                )


def _open_excel(path: Path) -> Any:
    """The workbook at ``path`` (python-calamine: reading only, and fast), or
    :class:`_Unreadable` saying why not."""
    import python_calamine  # imported here: csv-only users never pay for it

    with path.open("rb") as handle:
        if handle.read(8) == _OLE2:  # a password-protected .xlsx is an encrypted OLE2 file
            raise _Unreadable(
                "文件设置了打开密码（或是旧版 .xls 改了扩展名），无法读取",
                "在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后另存为 .xlsx",
            )
    _check_extent(path)
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise _Unreadable(
            f"无法打开 Excel 文件（{exc.__class__.__name__}）", "用 Excel 打开后另存为 .xlsx"
        ) from None


def _raw_rows(workbook: Any, name: str) -> list[list[Any]]:
    """One worksheet's cells as calamine gives them, from A1 (row n is Excel's row n + 1)."""
    try:
        rows: list[list[Any]] = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise _Unreadable(
            f"无法读取工作表“{name}”（{exc.__class__.__name__}）", "用 Excel 打开后另存为 .xlsx"
        ) from None
    return rows


def _text_row(row: Sequence[Any]) -> list[str]:
    return [_cell_text(v) for v in row]


def _raw_sheets(
    path: Path, label: str, only: str | None = None
) -> tuple[list[tuple[str, list[list[Any]]]], list[Problem]]:
    """Every worksheet (or only the one named ``only``) as (name, cells as calamine gives
    them), or the problem that stops reading the workbook."""
    try:
        workbook = _open_excel(path)
        names = [n for n in workbook.sheet_names if only is None or n == only]
        return [(name, _raw_rows(workbook, name)) for name in names], []
    except _Unreadable as exc:
        return [], [Problem(label, exc.row, None, exc.message, exc.fix)]


def excel_sheets(
    path: Path, label: str | None = None, only: str | None = None
) -> tuple[list[tuple[str, list[list[str]]]], list[Problem]]:
    """Every worksheet of a (small) workbook (or only the one named ``only``) as (name, text
    rows), or the problem that stops reading it."""
    sheets, problems = _raw_sheets(path, label or str(path), only)
    return [(name, [_text_row(row) for row in rows]) for name, rows in sheets], problems


def _sheet_head(rows: list[list[Any]], aliases: dict[str, str]) -> tuple[int, int]:
    """(header row index, recognised columns) of one worksheet, from its first rows only."""
    return _find_header([_text_row(row) for row in rows[:HEADER_SCAN_ROWS]], aliases)


def _text_column(values: Sequence[Any]) -> pa.Array:
    """A column of cells as text. Column by column, not cell by cell: a column of text (the
    usual case) is taken as it is, and only its cells of spaces become empty."""
    if set(map(type, values)) <= {str}:
        column = pa.array(values, pa.string())
        spaces = pc.fill_null(pc.utf8_is_space(column), False)
        return pc.if_else(spaces, "", column) if pc.any(spaces).as_py() else column
    return pa.array([_cell_text(v) for v in values], pa.string())


def _sheet_frame(rows: list[list[Any]], index: int, aliases: dict[str, str]) -> _Read:
    """One worksheet's rows below its header row (``index``, counted from 0)."""
    raw_headers = _text_row(rows[index]) if index < len(rows) else []
    names = _canonical_headers(raw_headers, aliases)
    body = rows[index + 1 :]
    columns = list(zip(*body, strict=True)) if body else []
    blank = ("",) * len(body)
    frame = {
        name: _text_column(columns[i] if i < len(columns) else blank)
        for i, name in enumerate(names)
    }
    frame[ROW] = pa.array(np.arange(index + 2, index + 2 + len(body), dtype=np.int64))
    return pa.table(frame), index + 1, raw_headers, []


def _read_excel(path: Path, aliases: dict[str, str], sheet: str | None) -> _Read:
    """The named worksheet, or the one whose header names the most wanted columns."""
    workbook = _open_excel(path)
    if sheet is not None and sheet not in workbook.sheet_names:
        raise _Unreadable(
            f"找不到工作表“{sheet}”（现有：{'、'.join(workbook.sheet_names)}）",
            "改正计划文件中的工作表名",
        )
    best: tuple[int, int, list[list[Any]], str] | None = None
    for name in [sheet] if sheet is not None else workbook.sheet_names:
        rows = _raw_rows(workbook, name)
        index, score = _sheet_head(rows, aliases)
        if best is None or score > best[1]:  # the first sheet wins a tie
            best = (index, score, rows, name)
    assert best is not None
    index, _, rows, chosen = best
    merged = _fill_merged(rows, _merged_ranges(workbook, chosen), index)
    frame, header_row, raw_headers, _ = _sheet_frame(rows, index, aliases)
    return frame, header_row, raw_headers, merged


def _merged_ranges(workbook: Any, name: str) -> list[tuple[int, int, int, int]]:
    """The worksheet's merged ranges as (first row, first column, last row, last column),
    counted from 0 like the rows calamine gives."""
    try:
        found = workbook.get_sheet_by_name(name).merged_cell_ranges or []
    except Exception:  # a format without merged ranges (ods, xls) reports none
        return []
    return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in found]


def _fill_merged(
    rows: list[list[Any]], ranges: Sequence[tuple[int, int, int, int]], header: int
) -> list[str]:
    """Give every cell of a merged range below the header its top-left value — what Excel
    shows in it (a clerk's "合并相同单元格"): without this only the first row of the range
    holds a value and the rest read as blank. Returns the ranges filled, as Excel names them."""
    filled = []
    for r0, c0, r1, c1 in sorted(ranges):
        if r0 <= header or r0 >= len(rows) or (r0, c0) == (r1, c1):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                row[c] = value
        filled.append(f"{_column_letter(c0)}{r0 + 1}:{_column_letter(c1)}{r1 + 1}")
    return filled


def _column_letter(index: int) -> str:
    """Excel's column name for a 0-based index: 0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


@dataclass(frozen=True)
class _Parquet:
    """A parquet file's columns, by canonical name, read when a caller first uses them."""

    path: Path
    names: dict[str, str]  # canonical name -> the file's column name, in file order

    def _group(self, name: str, group: int) -> pa.Array:
        """The column's cells in one row group, as text."""
        import pyarrow.parquet as pq

        # A reader per call: a parquet reader is not shared between threads.
        cells = pq.ParquetFile(self.path).read_row_group(group, columns=[self.names[name]])
        return _as_text(self.names[name], cells.column(0))

    def take(self, name: str, file_rows: Positions) -> pa.Array:
        """The column's cells at ``file_rows`` (0 = the first row under the header), in that
        order; only the row groups holding them are read."""
        import pyarrow.parquet as pq

        source = pq.ParquetFile(self.path)
        ends = np.cumsum(
            [source.metadata.row_group(g).num_rows for g in range(source.num_row_groups)]
        )
        taken = taken_in_parts(
            ends, file_rows, lambda group, rows: self._group(name, group).take(pa.array(rows))
        )
        release_memory()  # the row groups read (a province's names: hundreds of MB)
        return taken

    def scan(self, name: str, function: Callable[[pa.Array], R]) -> list[tuple[int, R]]:
        """``function`` of the column's cells a row group at a time, the groups on every core:
        (the group's first file row, its result), in file order. One group's cells at a
        time a thread: a province's names are never all in memory."""
        import pyarrow.parquet as pq

        source = pq.ParquetFile(self.path)
        sizes = [source.metadata.row_group(g).num_rows for g in range(source.num_row_groups)]
        starts = np.cumsum([0, *sizes[:-1]]).tolist() if sizes else []

        def run(group: int) -> R:
            return function(self._group(name, group))

        return list(zip(starts, in_threads(run, range(len(sizes))), strict=True))


TEXT_LIMIT = 2**31 - 1  # bytes of text an Arrow string array (32-bit offsets) can hold


def text_offsets(column: pa.Array) -> npt.NDArray[Any]:
    """A string array's offsets (32- or 64-bit) as numpy, one more than its cells: cell i
    is bytes offsets[i]:offsets[i + 1] of its data buffer. No copy."""
    wide = pa.types.is_large_string(column.type)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int64 if wide else np.int32)
    return offsets[column.offset : column.offset + len(column) + 1]


BLANK_TEXT = r"^[\s\p{Z}\x{0b}\x{1c}-\x{1f}\x{85}]*$"  # RE2: nothing but whitespace


def blank_cells(cells: pa.Array) -> Positions:
    """Positions of the text cells that are empty or only whitespace (what
    utf8_trim_whitespace trims: Unicode's separators and ASCII controls). A cell that starts
    with a printable ASCII character or a CJK ideograph (UTF-8 lead byte E4–E9, U+4000–U+9FFF)
    is not blank: RE2 looks only at the others, a few in a roster of names."""
    offsets = text_offsets(cells)
    data = cells.buffers()[2]
    bytes_ = np.frombuffer(data, dtype=np.uint8) if data is not None and data.size else None
    starts = offsets[:-1]
    # (an empty cell at the end starts past the data: it is not "plain" either way)
    first = (
        np.zeros(len(starts), np.uint8)
        if bytes_ is None
        else bytes_[np.minimum(starts, len(bytes_) - 1)]
    )
    plain = ((first > 0x20) & (first < 0x7F)) | ((first >= 0xE4) & (first <= 0xE9))
    maybe = np.flatnonzero((offsets[1:] == starts) | ~plain)
    if not len(maybe):
        return maybe
    found = pc.match_substring_regex(cells.take(pa.array(maybe)), BLANK_TEXT)
    blank: Positions = maybe[found.to_numpy(zero_copy_only=False)]
    return blank


def _as_text(raw: str, column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A parquet column as text cells: numbers and dates as their text, missing values empty."""
    if pa.types.is_dictionary(column.type):  # read as categories: decoded where text is due
        column = column.cast(column.type.value_type)
    if column.type not in (pa.string(), pa.large_string()):
        try:
            column = pc.cast(column, pa.string())
        except pa.ArrowException:
            raise _Unreadable(
                f"列“{raw}”的类型 {column.type} 不能当作文本读取",
                "导出时把这一列存成文本、数字或日期，或删去这一列",
            ) from None
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    # Filled only where something is missing: a copy of a province's column costs gigabytes.
    filled: pa.Array = pc.fill_null(column, "") if column.null_count else column
    return filled


def _categories(column: pa.ChunkedArray) -> pa.Array:
    """A column read as categories, one dictionary for the whole column, missing values empty."""
    column = column.unify_dictionaries()
    if not pa.types.is_string(column.type.value_type):
        return pc.dictionary_encode(_as_text("", column))
    combined = column.combine_chunks()
    if not combined.null_count:
        return combined
    dictionary = pa.concat_arrays([combined.dictionary, pa.array([""], pa.string())])
    indices = pc.fill_null(combined.indices, len(dictionary) - 1)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _text_size(chunk: pa.Array | None) -> int:
    """Bytes of text in a string array."""
    if chunk is None or not len(chunk):
        return 0
    offsets = text_offsets(chunk)
    return int(offsets[-1]) - int(offsets[0])


def _joined_text(chunks: list[pa.Array | None]) -> pa.Array:
    """Text arrays end to end as one, each released once copied (the caller keeps none):
    a province's codes are never in memory twice, as Arrow's concatenation would hold them.
    Past TEXT_LIMIT bytes (the country's 190 million codes are 3.4 GB) one array with 64-bit
    offsets."""
    sizes = [_text_size(c) for c in chunks]
    count = sum(len(c) for c in chunks if c is not None)
    wide = sum(sizes) > TEXT_LIMIT
    offsets = np.zeros(count + 1, dtype=np.int64 if wide else np.int32)
    data = np.empty(sum(sizes), dtype=np.uint8)
    row = written = 0
    for index, size in enumerate(sizes):
        chunk, chunks[index] = chunks[index], None
        if chunk is None or not len(chunk):
            continue
        own = text_offsets(chunk)
        if size:
            text = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[own[0] : own[-1]]
            data[written : written + size] = text
            del text
        ends = offsets[row + 1 : row + 1 + len(chunk)]
        ends[:] = own[1:] - own[0]
        np.add(ends, written, out=ends)  # in the joined array's width: past 2 GB, 64 bits
        row += len(chunk)
        written += size
        del chunk, own, ends
        pa.default_memory_pool().release_unused()
    kind = pa.large_string() if wide else pa.string()
    joined: pa.Array = pa.Array.from_buffers(
        kind, count, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return joined


def _read_parquet(
    path: Path, aliases: dict[str, str], eager: Collection[str] | None, categorical: Collection[str]
) -> tuple[_Read, _Parquet | None]:
    """A parquet file: its column names are the header (row 1), its rows rows 2, 3, …; every
    column as text, missing values empty. With ``eager``, only those columns are read now
    (``categorical`` ones as categories), the rest when used."""
    import pyarrow.parquet as pq  # imported here: most rosters are csv or xlsx

    try:
        source = pq.ParquetFile(path)
        schema = source.schema_arrow
        raw_headers = [str(name) for name in schema.names]
        names = _canonical_headers(raw_headers, aliases)
        wanted = [r for r, n in zip(raw_headers, names, strict=True) if eager is None or n in eager]
        dictionaries = [
            r for r, n in zip(raw_headers, names, strict=True) if r in wanted and n in categorical
        ]
        by_raw = dict(zip(raw_headers, names, strict=True))
        file = _Parquet(path, {n: r for r, n in by_raw.items()})
        for raw, kind in zip(raw_headers, schema.types, strict=True):
            if raw not in wanted:
                _as_text(raw, pa.array([], kind))  # a column that could never be read: said now
        data = pq.read_table(path, columns=dictionaries, read_dictionary=dictionaries)
        columns = {}
        for raw in wanted:
            if raw in dictionaries:
                columns[by_raw[raw]] = _categories(data.column(raw))
            else:
                name = by_raw[raw]
                cells = in_threads(partial(file._group, name), range(source.num_row_groups))
                columns[name] = _joined_text(cells)
    except (pa.ArrowException, OSError) as exc:
        raise _Unreadable(
            f"无法读取 parquet 文件（{exc.__class__.__name__}）", "重新导出 parquet 文件"
        ) from None
    rows = source.metadata.num_rows
    small = np.int32 if rows < 2**31 - 2 else np.int64  # a province's 4 bytes a row
    columns[ROW] = pa.array(np.arange(2, 2 + rows, dtype=small))
    table = pa.table(columns)
    del data, columns
    release_memory()
    lazy = None if eager is None else file
    return (table, 1, raw_headers, []), lazy


def _duplicate_columns(
    file: str, header_row: int, raw: Sequence[str], aliases: dict[str, str]
) -> list[Problem]:
    """Two header cells that both name a wanted column: which one counts is anyone's guess."""
    seen: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(raw):
        name = aliases.get(header_key(cell))
        if name is None:
            continue
        if name in seen:
            first = seen[name]
            problems.append(
                Problem(
                    file,
                    header_row,
                    name,
                    f"表头第 {first + 1} 列“{raw[first].strip()}”和第 {index + 1} 列“{cell.strip()}”都是“{name}”",
                    "删除多余的一列，或把它改成别的列名",
                )
            )
        else:
            seen[name] = index
    return problems


class _Unreadable(Exception):
    def __init__(self, message: str, fix: str, row: int | None = None) -> None:
        super().__init__(message)
        self.message, self.fix, self.row = message, fix, row


def _checked(path: Path, label: str | None, missing_fix: str) -> tuple[str, list[Problem]]:
    """The name to report ``path`` by, and why it cannot be read as a table, if it cannot."""
    file = label or str(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        what = (
            "是文件夹，不是表格文件"
            if path.is_dir()
            else "不是普通文件"
            if path.exists()
            else "文件不存在"
        )
        return file, [Problem(file, None, None, what, missing_fix)]
    if suffix == ".xls":
        return file, [
            Problem(file, None, None, "不支持旧版 .xls 格式", "请在 Excel 中另存为 .xlsx")
        ]
    if suffix not in _EXCEL_SUFFIXES | _TEXT_SUFFIXES | _PARQUET_SUFFIXES:
        return file, [
            Problem(
                file, None, None, f"不支持的文件类型“{suffix}”", "请使用 .xlsx、.csv 或 .parquet"
            )
        ]
    return file, []


def empty_cells(column: pa.Array | pa.ChunkedArray) -> pa.BooleanArray:
    """Which cells of a text column are empty (a column of categories: decided once per
    category, not once per row)."""
    if isinstance(column, pa.ChunkedArray):  # a chunk at a time: no copy of the column
        parts = [empty_cells(chunk) for chunk in column.chunks]
        return pa.concat_arrays(parts) if parts else pa.array([], pa.bool_())
    if pa.types.is_dictionary(column.type):
        empty = pc.equal(pc.binary_length(column.dictionary), 0)
        return empty.take(column.indices)
    if (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) and not (
        column.null_count
    ):
        # A cell is empty where its end offset is its start: no array of lengths.
        ends = text_offsets(column)
        return pa.array(ends[1:] == ends[:-1])
    found: pa.BooleanArray = pc.equal(pc.binary_length(column), 0)
    return found


def _finish(
    file: str,
    read: _Read,
    columns: Sequence[Column],
    aliases: dict[str, str],
    lazy: _Parquet | None = None,
) -> tuple[Table, list[Problem]]:
    """A table as read, checked for duplicate and missing columns, blank rows dropped."""
    frame, header_row, raw_headers, merged = read
    found = [h.strip() for h in raw_headers if h.strip()]
    problems = _duplicate_columns(file, header_row, raw_headers, aliases)
    if merged:
        shown = "、".join(merged[:10]) + (f" 等 {len(merged)} 处" if len(merged) > 10 else "")
        problems.append(
            Problem(
                file,
                None,
                None,
                f"有合并单元格：{shown}；已按 Excel 显示的值读取（合并区域的每一格都取左上角的值）",
                "核对这些区域的每一行是否确实都是这个值；最好取消合并后填满每一格",
                "warning",
            )
        )
    present = frame.column_names if lazy is None else list(lazy.names)
    for column in columns:
        if column.required and column.name not in present:
            also = f"（也认：{'、'.join(column.aliases)}）" if column.aliases else ""
            problems.append(
                Problem(
                    file,
                    header_row,
                    column.name,
                    f"缺少必填列“{column.name}”{also}",
                    f"找到的列：{'、'.join(found) or '（无）'}；请在表头加上这一列",
                )
            )
    # Cells are left as read (callers normalise the columns they use); only rows with
    # nothing in them are dropped.
    text_columns = [c for c in frame.column_names if c != ROW]
    if text_columns and frame.num_rows:
        blank = empty_cells(frame.column(text_columns[0]))
        for name in text_columns[1:]:
            if not pc.any(blank).as_py():
                break
            blank = pc.and_(blank, empty_cells(frame.column(name)))
        if lazy is not None and pc.any(blank).as_py():
            # Blank in every column read so far: the columns not read yet decide, where
            # those rows lie.
            where = np.flatnonzero(blank.to_numpy(zero_copy_only=False))
            empty = np.ones(len(where), dtype=bool)
            file_rows = frame.column(ROW).to_numpy()[where] - 2
            for name in (n for n in lazy.names if n not in frame.column_names):
                cells = lazy.take(name, file_rows)
                empty &= pc.equal(pc.binary_length(cells), 0).to_numpy(zero_copy_only=False)
            mask = np.zeros(frame.num_rows, dtype=bool)
            mask[where[empty]] = True
            blank = pa.array(mask)
        if pc.any(blank).as_py():
            frame = frame.filter(pc.invert(blank))
    return Table(file, frame, header_row, found, lazy), problems


def read_table(
    path: Path,
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    label: str | None = None,
    missing_fix: str = "检查文件路径",
    eager: Collection[str] | None = None,
    categorical: Collection[str] = (),
) -> tuple[Table | None, list[Problem]]:
    """Read ``path`` (xlsx/csv/tsv/parquet) into a :class:`Table` and the problems found.

    Returns ``(None, problems)`` when the file cannot be read at all; a table missing
    required columns comes back with one problem per missing column. A parquet file is
    read column by column: with ``eager``, only those columns now, the others when first
    used. ``categorical`` columns of a parquet or csv file come as categories (an Arrow
    dictionary).
    """
    file, problems = _checked(path, label, missing_fix)
    if problems:
        return None, problems
    aliases = _alias_map(columns)
    try:
        if path.suffix.lower() in _EXCEL_SUFFIXES:
            read = _read_excel(path, aliases, sheet)
        elif path.suffix.lower() in _PARQUET_SUFFIXES:
            read, lazy = _read_parquet(path, aliases, eager, categorical)
            return _finish(file, read, columns, aliases, lazy)
        else:
            read = _read_text(path, aliases, categorical)
    except _Unreadable as exc:
        return None, [Problem(file, exc.row, None, exc.message, exc.fix)]
    return _finish(file, read, columns, aliases)


def read_tables(
    path: Path, columns: Sequence[Column], *, label: str | None = None
) -> tuple[list[Table], list[Problem]]:
    """Every worksheet of ``path`` whose header has the first wanted column (a csv is one
    table), each reported as “file［sheet］”; other worksheets are left out, one missing
    another required column is a problem."""
    file, problems = _checked(path, label, "检查文件路径")
    if problems:
        return [], problems
    if path.suffix.lower() not in _EXCEL_SUFFIXES:
        table, problems = read_table(path, columns, label=file)
        return ([table] if table is not None else []), problems
    aliases = _alias_map(columns)
    sheets, problems = _raw_sheets(path, file)
    if problems:
        return [], problems
    tables: list[Table] = []
    first = columns[0].name
    for name, rows in sheets:
        index, _score = _sheet_head(rows, aliases)
        head = rows[index] if index < len(rows) else []
        if first not in {aliases.get(header_key(_cell_text(c))) for c in head}:
            continue  # not a sheet of this table (a 台账链头, or a 0.2 group sheet)
        table, found = _finish(
            f"{file}［{name}］", _sheet_frame(rows, index, aliases), columns, aliases
        )
        problems += found
        tables.append(table)
    if not tables:
        wanted = "、".join(c.name for c in columns if c.required)
        problems.append(
            Problem(file, None, None, f"没有哪个工作表有这些列：{wanted}", "检查是否选错了文件")
        )
    return tables, problems
