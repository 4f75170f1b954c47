"""Writing workbooks users open in Excel: frozen headers, readable widths, real dates, no formulas.

Text that begins with = + - @ is stored as text with Excel's quote prefix, so an enterprise
name can never turn into a formula (CSV/Excel injection).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from shuangsuiji.files import write_if_changed

FORMULA_TRIGGERS = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
_FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook metadata: outputs depend on inputs only
_MAX_WIDTH = 60
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@dataclass
class Sheet:
    """One worksheet: a header row, data rows and an optional title row above them."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    caption: str | None = None  # a merged title row above the header, as bureaus print them


def display_width(text: str) -> int:
    """Columns a string takes in Excel: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _set(cell: object, value: object) -> None:
    cell.value = value  # type: ignore[attr-defined]
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"  # type: ignore[attr-defined]
        cell.quotePrefix = True  # type: ignore[attr-defined]
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT  # type: ignore[attr-defined]


def build_workbook(sheets: Sequence[Sheet]) -> Workbook:
    """An openpyxl workbook holding ``sheets``."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    workbook.properties.creator = "ssj"
    workbook.properties.created = _FIXED_TIME
    workbook.properties.modified = _FIXED_TIME
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        header_row = 1
        if sheet.caption:
            _set(ws.cell(row=1, column=1), sheet.caption)
            ws.cell(row=1, column=1).font = Font(bold=True, size=14)
            ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
            if len(sheet.headers) > 1:
                ws.merge_cells(
                    start_row=1, start_column=1, end_row=1, end_column=len(sheet.headers)
                )
            header_row = 2
        widths = [display_width(h) for h in sheet.headers]
        for col, header in enumerate(sheet.headers, start=1):
            cell = ws.cell(row=header_row, column=col)
            _set(cell, header)
            cell.font = Font(bold=True)
        for r, values in enumerate(sheet.rows, start=header_row + 1):
            for col, value in enumerate(values, start=1):
                _set(ws.cell(row=r, column=col), value)
                text = value.isoformat() if isinstance(value, dt.date) else str(value or "")
                widths[col - 1] = max(widths[col - 1], display_width(text))
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = min(width + 2, _MAX_WIDTH)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    return workbook


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The xlsx file for ``sheets``, byte-identical for identical content.

    openpyxl stamps the zip entries and docProps with the current time; fixing both makes
    re-running a command for the same inputs leave the file untouched.
    """
    buffer = io.BytesIO()
    build_workbook(sheets).save(buffer)
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" when saving
                data = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            target.writestr(entry, data)
    return fixed.getvalue()


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> bool:
    """Write ``sheets`` to ``path`` atomically, unless it already holds them; True if written."""
    return write_if_changed(path, workbook_bytes(sheets))
