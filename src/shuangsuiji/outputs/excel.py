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
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shuangsuiji.ledger.files import write_if_changed

if TYPE_CHECKING:  # XlsxWriter is imported where a workbook is written, not by every command
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FIXED_DATE = dt.datetime(2000, 1, 1)  # document properties: no clock in the file
_WIDTH_SAMPLE = 500  # rows looked at for column widths: enough to read, cheap for big sheets
_TEXT_WIDTH = 36  # wider Chinese text wraps …
_CODE_WIDTH = 46  # … and so does a 64-character hash (抽取号, 摘要, 承诺值), in two lines
_NOTE_WIDTH = 76  # a sheet of notes: as wide as portrait A4 holds
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
    notes: Sequence[str] = ()  # lines between the title and the header (a legend of codes)
    footnotes: Sequence[str] = ()  # lines after the table (注：…)
    # 落款 under everything, right-aligned, with room for the seal above it: (agency, date)
    signature: Sequence[str] = ()
    choices: Mapping[str, Sequence[str]] = field(default_factory=dict)  # header -> drop-down list
    date_columns: Sequence[str] = ()  # headers whose cells must be entered as dates
    fill_rows: int = 0  # rows below the data that people fill in: the drop-downs reach them
    percent_columns: Sequence[str] = ()  # headers of shares (0–1), shown as per cent
    # For auditors, not for paper (a chain anchor): in the workbook, hidden, so not printed.
    hidden: bool = False


@dataclass
class Page:
    """One printed page of a :class:`PagedSheet`: a title, lines under it, a table, lines to
    sign after it."""

    caption: str
    lines: Sequence[str]
    rows: Sequence[Sequence[object]]
    after: Sequence[str] = ()
    signature: Sequence[str] = ()  # 落款 before the closing lines: agency and date, flush right
    # The title of a further page when the table runs over (the document and whom it is for);
    # the last rows move with the lines after the table, so that signatures never stand alone.
    continued: str | None = None


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
    room: float = 36  # points at least for a table row: room to write a result and to sign
    form: bool = False  # a document (portrait while its text prints legibly), not a table


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


# How text and paper measure. Widths are Excel's column units: 7 pixels at 96 dpi of the
# workbook's default font (Calibri; LibreOffice measures the same with Carlito, its metric
# twin: fonts-crosextra-carlito), about 1.9 mm. A CJK character of 11-point text takes 2.1
# units; a Latin letter or digit 1.0 in Excel's 等线, up to 1.4 where a wider font stands in
# for it (LibreOffice's DejaVu Sans). Lines are counted by the wider measure, heights by
# LibreOffice's CJK line (1.45 em), measured through its UNO bridge: tests/uno_rows.py.
BODY_PT = 11
TITLE_PT = 14
_CJK_UNITS, _LATIN_UNITS, _PAD_UNITS = 2.2, 1.4, 1.0  # at 11 points
_LO_UNIT_MM, _LO_COLUMN_MM = 1.96, 1.4  # a column unit and a column as LibreOffice prints them
_EXCEL_UNIT_MM, _EXCEL_COLUMN_MM = 1.852, 0.7  # … and as Excel does
_PRINTABLE_MM = {False: 210 - 2 * 10.16, True: 297 - 2 * 10.16}  # A4 less 0.4-inch margins
MIN_SCALE = 9 / BODY_PT  # body text prints at 9 points (小五) or more


def text_units(text: str, size: float = BODY_PT) -> float:
    """Column units one line of ``text`` takes at ``size`` points, cell padding included."""
    # CJK and full-width characters (and the curly quotes Chinese fonts print full width) are
    # three or four bytes in UTF-8: counted from the lengths, with no loop in Python.
    wide = (len(text.encode()) - len(text)) // 2
    narrow = len(text) - wide
    return (wide * _CJK_UNITS + narrow * _LATIN_UNITS) * size / BODY_PT + _PAD_UNITS


def line_count(text: str, width: float, size: float = BODY_PT) -> int:
    """Lines ``text`` wraps to in a cell ``width`` units wide (its line breaks kept)."""
    room = max(width - _PAD_UNITS, 1.0)
    return sum(
        max(1, math.ceil((text_units(p, size) - _PAD_UNITS) / room)) for p in text.split("\n")
    )


def row_height(lines: int, size: float = BODY_PT) -> float:
    """Points a row of ``lines`` lines of ``size``-point text needs (CJK line, 1.5 em)."""
    return round(1.5 * size * lines + 1.5, 1)


_MARGIN_MM = 0.6 * 25.4  # top and bottom, as _paper sets them


def is_landscape(widths: Sequence[float], form: bool = False) -> bool:
    """Landscape when portrait would shrink a table's text; a form stays portrait as long as
    its text prints at :data:`MIN_SCALE` or more."""
    return printed_scale(widths, landscape=False) < (MIN_SCALE * 1.01 if form else 0.95)


def page_points(widths: Sequence[float], form: bool = False) -> float:
    """Points of row height one printed page holds, by Excel's scale (the larger: it fits
    fewer rows than LibreOffice, whose columns print a little wider)."""
    landscape = is_landscape(widths, form)
    scale = printed_scale(widths, landscape, (_EXCEL_UNIT_MM, _EXCEL_COLUMN_MM))
    tall_mm = (210 if landscape else 297) - 2 * _MARGIN_MM
    return tall_mm * 72 / 25.4 / scale * 0.97  # a little spare for rounding


def printed_scale(
    widths: Sequence[float],
    landscape: bool,
    column: tuple[float, float] = (_LO_UNIT_MM, _LO_COLUMN_MM),
) -> float:
    """How much a sheet of these column widths is shrunk to fit A4's width; ``column``: the
    millimetres a unit and a column take (LibreOffice's by default, the wider)."""
    unit_mm, column_mm = column
    return min(1.0, _PRINTABLE_MM[landscape] / sum(unit_mm * w + column_mm for w in widths))


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str("" if value is None else value)


class _Writer:
    """One workbook being written: its formats, made once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        base = {"font_name": "等线", "font_size": BODY_PT, "valign": "vcenter"}
        boxed = {**base, "border": 1, "text_wrap": True}
        self.cell = book.add_format(boxed)
        self.quoted = book.add_format({**boxed, "quote_prefix": True})
        self.date = book.add_format({**boxed, "num_format": "yyyy-mm-dd"})
        self.percent = book.add_format({**boxed, "num_format": "0.0%"})
        # A template's empty cells to fill: text (a 15-digit 注册号 stays digits) or dates.
        self.text = book.add_format({**base, "num_format": "@"})
        self.day = book.add_format({**base, "num_format": "yyyy-mm-dd"})
        header = {**boxed, "bold": True, "align": "center", "valign": "vcenter"}
        self.header = book.add_format({**header, "bg_color": "#D9D9D9", "quote_prefix": True})
        title = {
            **base,
            "bold": True,
            "font_size": TITLE_PT,
            "align": "center",
            "valign": "vcenter",
        }
        self.title = book.add_format({**title, "text_wrap": True, "quote_prefix": True})
        self.line = book.add_format({**base, "text_wrap": True, "quote_prefix": True})
        self.flowing = book.add_format({**base, "quote_prefix": True})
        right = {**base, "align": "right", "text_wrap": True, "quote_prefix": True}
        self.right = book.add_format(right)

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
        self,
        sheet: Worksheet,
        row: int,
        widths: Sequence[int],
        text: str,
        title: bool = False,
        right: bool = False,  # a 落款: the agency and the date, flush right
    ) -> float:
        """A line of text across the table (titles, notes, signature lines), its row as tall
        as the wrapped text needs (Excel does not size merged cells itself); that height."""
        text = _ILLEGAL_XML.sub("", text)
        style = self.title if title else self.right if right else self.line
        if not title and not right and "\n" not in text and _needed(text) <= sum(widths):
            # A line that fits: one cell whose text runs on over the empty cells beside it
            # prints as a merged row does, and is one cell to write instead of a row of them
            # (a month of ten thousand group pages has forty thousand such lines).
            sheet.write_string(row, 0, text, self.flowing)
        elif len(widths) > 1:
            sheet.merge_range(row, 0, row, len(widths) - 1, text, style)
        else:
            sheet.write_string(row, 0, text, style)
        height = merged_height(text, widths, title)
        sheet.set_row(row, height)
        return height

    def headers(self, sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
        for col, header in enumerate(headers):
            sheet.write_string(row, col, header, self.header)


def merged_height(text: str, widths: Sequence[float], title: bool = False) -> float:
    """Points a line of text across the table takes (a title at :data:`TITLE_PT`)."""
    size = TITLE_PT if title else BODY_PT
    return row_height(line_count(text, sum(widths), size), size)


def _needed(text: str) -> int:
    """Columns a cell needs to show ``text`` on one line."""
    return math.ceil(text_units(text))


def _widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    """Column widths by the widest of the header and a sample of the rows; Chinese text past
    :data:`_TEXT_WIDTH` wraps, and so do hashes past :data:`_CODE_WIDTH`; then, if the page
    would still shrink the text below :data:`MIN_SCALE`, the widest wrapping columns give way
    (their text takes more lines, every line stays legible)."""
    widths = [_needed(h) for h in headers]
    plain = [True] * len(headers)
    for values in rows[:_WIDTH_SAMPLE]:
        for col, value in enumerate(values[: len(headers)]):
            text = _text(value)
            widths[col] = max(widths[col], _needed(text))
            plain[col] = plain[col] and text.isascii()
    text_width = _TEXT_WIDTH if len(headers) > 2 else _NOTE_WIDTH
    widths = [
        min(max(w, 6), _CODE_WIDTH if p else text_width) for w, p in zip(widths, plain, strict=True)
    ]
    # Text columns may narrow to 8 units (3 CJK characters a line), hashes to 24 (3 lines).
    floors = [24 if p else 8 for p in plain]
    yielding = [c for c, (w, p) in enumerate(zip(widths, plain, strict=True)) if not p or w > 24]
    while yielding and printed_scale(widths, landscape=True) < MIN_SCALE * 1.01:
        col = max(yielding, key=lambda c: widths[c] - floors[c])
        if widths[col] <= floors[col]:
            break  # as narrow as it reads: too many columns for one page width
        widths[col] -= 1
    return widths


def _lines(values: Sequence[object], widths: Sequence[float], size: float = BODY_PT) -> int:
    """How many lines the tallest cell of a row wraps to, by the measure :func:`_widths` sizes
    columns with. Set as the row's height: no spreadsheet program measures every row of a
    file it opens, and an unmeasured row is too low for a CJK line."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        # Cheap first: text that fits even if every character were CJK is one line.
        if type(value) is str and len(value) * _CJK_UNITS + _PAD_UNITS > width:
            lines = max(lines, line_count(value, width, size))
    return lines


def _header_footer(text: str) -> str:
    return text.replace("&", "&&")  # & starts a code in Excel's page header and footer


def _paper(sheet: Worksheet, widths: Sequence[float], heading: str, form: bool = False) -> None:
    """A4, landscape when portrait would shrink the text (:func:`is_landscape`); one page
    wide (as tall as it takes; manual page breaks still hold, since the height is left open),
    the heading on top and page numbers below."""
    sheet.set_paper(A4)
    if is_landscape(widths, form):
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
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


def _header_row(spec: Sheet) -> int:
    return (1 if spec.caption else 0) + len(spec.notes)


def _write_sheet(writer: _Writer, spec: Sheet) -> None:
    sheet = writer.book.add_worksheet(spec.title)
    width = len(spec.headers)
    widths = _widths(spec.headers, spec.rows)
    if spec.fill_rows:  # a template: room to type, and cells that keep what is typed
        widths = [max(w, _BLANK_WIDTH) for w in widths]
    for col, w in enumerate(widths):
        typed = writer.day if spec.headers[col] in spec.date_columns else writer.text
        sheet.set_column(col, col, w, typed if spec.fill_rows else None)
    header_row = _header_row(spec)
    if spec.caption:
        writer.merged(sheet, 0, widths, spec.caption, title=True)
    for row, note in enumerate(spec.notes, start=1 if spec.caption else 0):
        writer.merged(sheet, row, widths, note)
    writer.headers(sheet, header_row, spec.headers)
    sheet.set_row(header_row, row_height(_lines(spec.headers, widths)))
    percent = {list(spec.headers).index(h) for h in spec.percent_columns}
    for number, values in enumerate(spec.rows, start=header_row + 1):
        for col in range(width):
            value = values[col] if col < len(values) else None
            if col in percent and isinstance(value, float):
                sheet.write_number(number, col, value, writer.percent)
            else:
                writer.value(sheet, number, col, value)
        sheet.set_row(number, row_height(_lines(values, widths)))
    row = header_row + len(spec.rows) + 1
    for line in spec.footnotes:
        writer.merged(sheet, row, widths, line)
        row += 1
    if spec.signature:
        row += 3  # room for the seal (盖章) above the agency's name
        for line in spec.signature:
            writer.merged(sheet, row, widths, line, right=True)
            row += 1
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    first, last = header_row + 1, header_row + len(spec.rows) + spec.fill_rows
    _validations(sheet, spec.headers, first, last, spec.choices, spec.date_columns)
    _paper(sheet, widths, spec.caption or spec.title)
    if spec.hidden:
        sheet.hide()


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
        capacity = page_points(widths, spec.form)
        header_height = row_height(_lines(spec.headers, widths))
        for page in pages:
            if row:
                breaks.append(row)
            used = writer.merged(sheet, row, widths, page.caption, title=True)
            row += 1
            for line in page.lines:
                used += writer.merged(sheet, row, widths, line)
                row += 1
            if page.rows:  # a page of text only (a letter) has no table
                writer.headers(sheet, row, spec.headers)
                sheet.set_row(row, header_height)
                used += header_height
                first = first or row + 1
                row += 1
            # Room to write a result and to sign, or more for a long name or address.
            heights = [max(spec.room, row_height(_lines(v, widths))) for v in page.rows]
            closing = row_height(1) + sum(
                merged_height(x, widths) for x in (*page.signature, *page.after)
            )
            for index, values in enumerate(page.rows):
                # The last row stays with the closing lines; any row that would run over the
                # page starts a new page under the continuation title and the header again.
                need = heights[index] + (closing if index == len(page.rows) - 1 else 0)
                if page.continued and used + need > capacity and index:
                    breaks.append(row)
                    used = writer.merged(sheet, row, widths, page.continued, title=True)
                    used += header_height
                    writer.headers(sheet, row + 1, spec.headers)
                    sheet.set_row(row + 1, header_height)
                    row += 2
                for col in range(width):
                    writer.value(sheet, row, col, values[col] if col < len(values) else None)
                sheet.set_row(row, heights[index])
                used += heights[index]
                row += 1
            row += 1  # a blank line before the signatures
            for line in page.signature:
                writer.merged(sheet, row, widths, line, right=True)
                row += 1
            for line in page.after:
                writer.merged(sheet, row, widths, line)
                row += 1
        sheet.set_h_pagebreaks(breaks)
        _validations(sheet, spec.headers, first, row, spec.choices, spec.date_columns)
        _paper(sheet, widths, spec.heading, spec.form)


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
        header = _header_row(data)
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
    import xlsxwriter

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
    import xlsxwriter.exceptions

    try:
        data = workbook_bytes(sheets, charts)
    except xlsxwriter.exceptions.FileCreateError as exc:
        # XlsxWriter spools rows to temporary files: a full disk or a size limit hits there.
        raise OSError(errno.EIO, f"生成工作簿时无法写临时文件（{exc}）", str(path)) from exc
    return write_if_changed(path, data)
