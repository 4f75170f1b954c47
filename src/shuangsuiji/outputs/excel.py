"""Writing workbooks people open in Excel and print: XlsxWriter, with page setup for paper.

Every sheet meant for paper is A4, landscape when wide, fit to one page wide, its header row
repeated on every page, thin borders, long text wrapped, the title in the page header and
"第 N 页 共 M 页" in the footer. On screen: frozen header, widths by display width (CJK counts
double), real dates, drop-down lists. Every string is written as text, never a formula, and
text that begins with = + - @ also gets Excel's quote prefix, so it stays text when someone
edits the cell. The same content always gives the same bytes: a fixed document date, and
XlsxWriter's fixed zip timestamps. Rows stream to disk as they are written (XlsxWriter's
constant-memory mode, strings inline), so a sheet of a million cells does not sit in memory.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.worksheet import Worksheet

from shuangsuiji.ledger.files import write_if_changed

FORMULA_TRIGGERS = ("=", "+", "-", "@")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FIXED_DATE = dt.datetime(2000, 1, 1)  # document properties: no clock in the file
_WIDTH_SAMPLE = 500  # rows looked at for column widths: enough to read, cheap for big sheets
_TEXT_WIDTH = 36  # wider Chinese text wraps …
_CODE_WIDTH = 66  # … while a 64-character hash (抽取号, 摘要, 承诺值) shows whole
_NOTE_WIDTH = 76  # a sheet of notes: as wide as portrait A4 holds
_PORTRAIT_WIDTH = 80  # columns' total width that portrait A4 holds at full size
_PAGE_BREAKS = 1000  # Excel allows 1,023 manual page breaks in a worksheet
A4 = 9
_LIST_LIMIT = 255  # characters of a drop-down's list, Excel's limit
_BLANK_WIDTH = 16  # a template's column: room to type a name before it runs over


@dataclass
class Sheet:
    """One worksheet: a header row, data rows and an optional title row above them."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    caption: str | None = None  # a merged title row above the header, as bureaus print them
    choices: Mapping[str, Sequence[str]] = field(default_factory=dict)  # header -> drop-down list
    date_columns: Sequence[str] = ()  # headers whose cells must be entered as dates
    fill_rows: int = 0  # rows below the data that people fill in: the drop-downs reach them


@dataclass
class Page:
    """One printed page of a :class:`PagedSheet`: a title, lines under it, a table, lines to
    sign after it."""

    caption: str
    lines: Sequence[str]
    rows: Sequence[Sequence[object]]
    after: Sequence[str] = ()


@dataclass
class PagedSheet:
    """Pages of one layout in one worksheet, a page break after each (a month's group pages:
    ten thousand groups are ten sheets of a thousand pages, not ten thousand worksheets)."""

    title: str
    headers: Sequence[str]
    pages: Sequence[Page]
    heading: str  # the page header of every page
    choices: Mapping[str, Sequence[str]] = field(default_factory=dict)
    date_columns: Sequence[str] = ()
    widths: Sequence[int] | None = None  # column widths of a form; by content when None
    row_height: int = 36  # points at least for a table row: room to write a result and to sign


@dataclass
class Chart:
    """A native Excel chart of columns of one :class:`Sheet` of the workbook; charts go on a
    worksheet of their own, one below another."""

    title: str
    kind: str  # XlsxWriter's chart type: "column", "line", "bar", "pie"
    sheet: str  # the title of the Sheet it draws
    categories: str  # the header of the column along the axis
    series: Sequence[str]  # the headers of the columns drawn
    percent: bool = False  # values are shares (0–1), the axis shows per cent


CHARTS_SHEET = "图表"


def display_width(text: str) -> int:
    """Columns a string takes in Excel: CJK and full-width characters (three or four bytes in
    UTF-8, as are the curly quotes Chinese fonts print full width) count double. Counted from
    the UTF-8 length, so that measuring a sheet of long names costs no loop in Python."""
    return len(text) + (len(text.encode()) - len(text)) // 2


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str("" if value is None else value)


class _Writer:
    """One workbook being written: its formats, made once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        base = {"font_name": "等线", "font_size": 11, "valign": "top"}
        boxed = {**base, "border": 1, "text_wrap": True}
        self.cell = book.add_format(boxed)
        self.quoted = book.add_format({**boxed, "quote_prefix": True})
        self.date = book.add_format({**boxed, "num_format": "yyyy-mm-dd"})
        # A template's empty cells to fill: text (a 15-digit 注册号 stays digits) or dates.
        self.text = book.add_format({**base, "num_format": "@"})
        self.day = book.add_format({**base, "num_format": "yyyy-mm-dd"})
        header = {**boxed, "bold": True, "align": "center", "valign": "vcenter"}
        self.header = book.add_format({**header, "bg_color": "#D9D9D9", "quote_prefix": True})
        title = {**base, "bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
        self.title = book.add_format({**title, "text_wrap": True, "quote_prefix": True})
        self.line = book.add_format({**base, "text_wrap": True, "quote_prefix": True})
        self.flowing = book.add_format({**base, "quote_prefix": True})

    def value(self, sheet: Worksheet, row: int, col: int, value: object) -> None:
        """One boxed cell: text as text, numbers, dates as dates, empty cells still boxed."""
        if type(value) is str and value:  # most cells: checked first, cheaply
            if not value.isprintable():  # tabs and line breaks stay; other controls go
                value = _ILLEGAL_XML.sub("", value)
            quoted = value.startswith(FORMULA_TRIGGERS)
            sheet.write_string(row, col, value, self.quoted if quoted else self.cell)
        elif value is None or value == "":
            sheet.write_blank(row, col, None, self.cell)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, self.cell)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, self.cell)
        elif isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            sheet.write_datetime(row, col, dt.datetime(day.year, day.month, day.day), self.date)
        else:
            text = _ILLEGAL_XML.sub("", str(value))
            quoted = text.startswith(FORMULA_TRIGGERS)
            sheet.write_string(row, col, text, self.quoted if quoted else self.cell)

    def merged(
        self, sheet: Worksheet, row: int, widths: Sequence[int], text: str, title: bool = False
    ) -> None:
        """A line of text across the table (titles, notes, signature lines), its row as tall
        as the wrapped text needs: Excel does not size merged cells itself."""
        text = _ILLEGAL_XML.sub("", text)
        style = self.title if title else self.line
        if not title and "\n" not in text and _needed(text) <= sum(widths):
            # A line that fits: one cell whose text runs on over the empty cells beside it
            # prints as a merged row does, and is one cell to write instead of a row of them
            # (a month of ten thousand group pages has forty thousand such lines).
            sheet.write_string(row, 0, text, self.flowing)
        elif len(widths) > 1:
            sheet.merge_range(row, 0, row, len(widths) - 1, text, style)
        else:
            sheet.write_string(row, 0, text, style)
        per_line = int(max(sum(widths) * (0.75 if title else 1), 1))
        lines = sum(max(1, -(-display_width(part) // per_line)) for part in text.split("\n"))
        sheet.set_row(row, (22 if title else 16) * lines)

    def headers(self, sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
        for col, header in enumerate(headers):
            sheet.write_string(row, col, header, self.header)


def _needed(text: str) -> int:
    """Columns a cell needs to show ``text`` on one line. Codes, hashes and numbers: their
    length and a little spare (spreadsheet programs substitute fonts). Other text a fifth
    more: Latin letters and digits print wider than a unit among Chinese, and lines break
    early before closing punctuation."""
    width = display_width(text)
    return width + 2 if text.isascii() else -(-width * 6 // 5) + 1


def _widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    """Column widths by the widest of the header and a sample of the rows; Chinese text past
    :data:`_TEXT_WIDTH` wraps, codes and hashes show whole."""
    widths = [_needed(h) for h in headers]
    plain = [True] * len(headers)
    for values in rows[:_WIDTH_SAMPLE]:
        for col, value in enumerate(values[: len(headers)]):
            text = _text(value)
            widths[col] = max(widths[col], _needed(text))
            plain[col] = plain[col] and text.isascii()
    text_width = _TEXT_WIDTH if len(headers) > 2 else _NOTE_WIDTH
    return [
        min(max(w, 6), _CODE_WIDTH if p else text_width) for w, p in zip(widths, plain, strict=True)
    ]


_LINE_HEIGHT = 16  # points a line of 11-point text takes, CJK fonts included


def _lines(values: Sequence[object], widths: Sequence[int]) -> int:
    """How many lines the tallest cell of a row wraps to, by the measure :func:`_widths` sizes
    columns with (so the longest text of a sized column takes one line). Set as the row's
    height, because not every spreadsheet program measures wrapped rows when it opens a file."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        # Text needs at least its length and two columns (_needed): shorter text fits.
        if type(value) is str and len(value) + 2 > width:
            lines = max(lines, -(-_needed(value) // width))
    return lines


def _header_footer(text: str) -> str:
    return text.replace("&", "&&")  # & starts a code in Excel's page header and footer


def _paper(sheet: Worksheet, widths: Sequence[int], heading: str) -> None:
    """A4, landscape when wide, one page wide (as tall as it takes; manual page breaks still
    hold, since the height is left open), the heading on top and page numbers below."""
    sheet.set_paper(A4)
    if sum(widths) > _PORTRAIT_WIDTH:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
    sheet.center_horizontally()
    sheet.set_header(f"&C{_header_footer(heading)}")
    sheet.set_footer("&C第 &P 页 共 &N 页")


def _validations(
    sheet: Worksheet,
    headers: Sequence[str],
    first: int,
    last: int,
    choices: Mapping[str, Sequence[str]],
    date_columns: Sequence[str],
) -> None:
    """Drop-down lists and date-only columns over rows ``first``..``last`` (0-based)."""
    rules: list[tuple[str, dict[str, Any]]] = [
        # Several results may be joined with "；", so other text is let through after a warning.
        (
            header,
            {
                "validate": "list",
                "source": list(values),
                "error_type": "warning",
                "error_message": "请从下拉列表中选择；确需填写其他内容（如多个结果用“；”分隔）时点“是”",
            },
        )
        for header, values in choices.items()
        # Excel ignores a list longer than 255 characters: no drop-down rather than a broken one.
        if len(",".join(values)) <= _LIST_LIMIT
    ]
    rules += [
        (
            header,
            {
                "validate": "date",
                "criteria": ">",
                "value": dt.date(1900, 1, 1),
                "error_message": "请填写日期，例如 2025-04-30",
            },
        )
        for header in date_columns
    ]
    for header, rule in rules:
        col = list(headers).index(header)
        sheet.data_validation(first, col, max(last, first), col, rule)


def _write_sheet(writer: _Writer, spec: Sheet) -> None:
    sheet = writer.book.add_worksheet(spec.title)
    width = len(spec.headers)
    widths = _widths(spec.headers, spec.rows)
    if spec.fill_rows:  # a template: room to type, and cells that keep what is typed
        widths = [max(w, _BLANK_WIDTH) for w in widths]
    for col, w in enumerate(widths):
        typed = writer.day if spec.headers[col] in spec.date_columns else writer.text
        sheet.set_column(col, col, w, typed if spec.fill_rows else None)
    header_row = 1 if spec.caption else 0
    if spec.caption:
        writer.merged(sheet, 0, widths, spec.caption, title=True)
    writer.headers(sheet, header_row, spec.headers)
    sheet.set_row(header_row, _LINE_HEIGHT * _lines(spec.headers, widths) + 4)
    for number, values in enumerate(spec.rows, start=header_row + 1):
        for col in range(width):
            writer.value(sheet, number, col, values[col] if col < len(values) else None)
        lines = _lines(values, widths)
        if lines > 1:
            sheet.set_row(number, _LINE_HEIGHT * lines)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    first, last = header_row + 1, header_row + len(spec.rows) + spec.fill_rows
    _validations(sheet, spec.headers, first, last, spec.choices, spec.date_columns)
    _paper(sheet, widths, spec.caption or spec.title)


def _write_paged(writer: _Writer, spec: PagedSheet) -> None:
    width = len(spec.headers)
    every_row = [row for page in spec.pages for row in page.rows]
    widths = list(spec.widths or _widths(spec.headers, every_row))
    chunks = [spec.pages[i : i + _PAGE_BREAKS] for i in range(0, len(spec.pages), _PAGE_BREAKS)]
    for number, pages in enumerate(chunks or [[]], start=1):
        sheet = writer.book.add_worksheet(spec.title if number == 1 else f"{spec.title}{number}")
        for col, w in enumerate(widths):
            sheet.set_column(col, col, w)
        row, breaks, first = 0, [], 0
        for page in pages:
            if row:
                breaks.append(row)
            writer.merged(sheet, row, widths, page.caption, title=True)
            row += 1
            for line in page.lines:
                writer.merged(sheet, row, widths, line)
                row += 1
            if page.rows:  # a page of text only (a letter) has no table
                writer.headers(sheet, row, spec.headers)
                sheet.set_row(row, _LINE_HEIGHT * _lines(spec.headers, widths) + 4)
                first = first or row + 1
                row += 1
            for values in page.rows:
                for col in range(width):
                    writer.value(sheet, row, col, values[col] if col < len(values) else None)
                # Room to write a result and to sign, or more for a long name or address.
                sheet.set_row(row, max(spec.row_height, _LINE_HEIGHT * _lines(values, widths)))
                row += 1
            row += 1  # a blank line before the signatures
            for line in page.after:
                writer.merged(sheet, row, widths, line)
                row += 1
        sheet.set_h_pagebreaks(breaks)
        _validations(sheet, spec.headers, first, row, spec.choices, spec.date_columns)
        _paper(sheet, widths, spec.heading)


def _write_charts(
    book: xlsxwriter.Workbook, charts: Sequence[Chart], sheets: Sequence[Any]
) -> None:
    by_title = {s.title: s for s in sheets if isinstance(s, Sheet)}
    place = book.add_worksheet(CHARTS_SHEET)
    place.set_paper(A4)
    place.fit_to_pages(1, 0)
    place.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    place.set_footer("&C第 &P 页 共 &N 页")
    for number, chart in enumerate(charts):
        data = by_title[chart.sheet]
        header = 1 if data.caption else 0
        first, last = header + 1, header + max(len(data.rows), 1)
        column = list(data.headers).index
        drawn = book.add_chart({"type": chart.kind})
        for name in chart.series:
            series: dict[str, Any] = {
                "name": [chart.sheet, header, column(name)],
                "categories": [
                    chart.sheet,
                    first,
                    column(chart.categories),
                    last,
                    column(chart.categories),
                ],
                "values": [chart.sheet, first, column(name), last, column(name)],
            }
            if chart.kind == "pie":
                series["data_labels"] = {"percentage": True, "category": True}
            drawn.add_series(series)
        drawn.set_title({"name": chart.title})
        if chart.kind != "pie":
            drawn.set_y_axis({"num_format": "0%" if chart.percent else "0", "min": 0})
            drawn.set_legend({"position": "bottom"})
        drawn.set_size({"width": 640, "height": 320})  # two to a portrait A4 page
        place.insert_chart(number * 17, 0, drawn)


def workbook_bytes(sheets: Sequence[Sheet | PagedSheet], charts: Sequence[Chart] = ()) -> bytes:
    """The xlsx file for ``sheets``; identical content always gives identical bytes."""
    buffer = io.BytesIO()
    options: dict[str, Any] = {
        "constant_memory": True,  # rows written in order, each flushed to a temporary file
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    book = xlsxwriter.Workbook(buffer, options)
    book.set_properties({"created": _FIXED_DATE})
    writer = _Writer(book)
    for spec in sheets:
        if isinstance(spec, PagedSheet):
            _write_paged(writer, spec)
        else:
            _write_sheet(writer, spec)
    if charts:
        _write_charts(book, charts, sheets)
    book.close()
    return buffer.getvalue()


def write_workbook(
    path: Path, sheets: Sequence[Sheet | PagedSheet], charts: Sequence[Chart] = ()
) -> bool:
    """Write ``sheets`` (and ``charts`` of them) to ``path`` atomically, unless it already
    holds them; True if written."""
    try:
        data = workbook_bytes(sheets, charts)
    except xlsxwriter.exceptions.FileCreateError as exc:
        # XlsxWriter spools rows to temporary files: a full disk or a size limit hits there.
        raise OSError(errno.EIO, f"生成工作簿时无法写临时文件（{exc}）", str(path)) from exc
    return write_if_changed(path, data)
