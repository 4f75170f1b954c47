"""LibreOffice's own verdict on row heights: run with the system Python that has the UNO bridge
(Debian's python3-uno), not the project's venv.

    /usr/bin/python3 tests/uno_rows.py request.json

request.json: [{"file": "/abs/x.xlsx", "merges": {"sheet": [[row1, col1, row2, col2], ...]}}]
(0-based, inclusive; the merged ranges as the workbook declares them). For every visible
sheet, each row's written height is compared with the height LibreOffice finds optimal for its
cells that are not merged. Prints JSON:
{"rows": rows checked, "short": [{"file", "sheet", "row", "written", "needed", "text"}]}, heights
in points; a row is short when it is lower than its content by more than half a point.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

HUNDREDTH_MM_TO_PT = 72 / 2540
TOLERANCE = 0.5  # points


def _connect(pipe: str) -> object:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(600):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.1)
    raise SystemExit("LibreOffice did not start")


def _prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _check(desktop: object, request: dict, out: dict) -> None:
    url = uno.systemPathToFileUrl(request["file"])
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))
    try:
        sheets = doc.Sheets
        names = [n for n in sheets.ElementNames]
        for name in names:
            sheet = sheets.getByName(name)
            if not sheet.IsVisible:
                continue
            cursor = sheet.createCursor()
            cursor.gotoEndOfUsedArea(False)
            last_row = cursor.RangeAddress.EndRow
            last_col = cursor.RangeAddress.EndColumn
            data = sheet.getCellRangeByPosition(0, 0, last_col, last_row).DataArray
            rows = sheet.Rows
            written = [rows.getByIndex(r).Height for r in range(last_row + 1)]
            merged_cells = {
                (r, c)
                for r1, c1, r2, c2 in request["merges"].get(name, [])
                for r in range(r1, r2 + 1)
                for c in range(c1, c2 + 1)
            }
            # LibreOffice's optimal height leaves merged cells out (and misjudges one very
            # wide cell), so rows of merged lines only are not judged here: their lines are
            # counted by ssj's wider Excel measure, their line height is the one checked below.
            plain = [
                r
                for r in range(last_row + 1)
                if any(
                    str(data[r][c]).strip() and (r, c) not in merged_cells
                    for c in range(last_col + 1)
                )
            ]
            rows.OptimalHeight = True
            for r in plain:
                need = rows.getByIndex(r).Height
                if need > written[r] + TOLERANCE / HUNDREDTH_MM_TO_PT:
                    text = max((str(v) for v in data[r]), key=len)
                    out["short"].append(
                        {
                            "file": os.path.basename(request["file"]),
                            "sheet": name,
                            "row": r + 1,
                            "written": round(written[r] * HUNDREDTH_MM_TO_PT, 1),
                            "needed": round(need * HUNDREDTH_MM_TO_PT, 1),
                            "text": text[:60],
                        }
                    )
            out["rows"] += len(plain)
    finally:
        doc.close(True)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        requests = json.load(file)
    pipe = f"ssj-uno-{os.getpid()}"
    profile = tempfile.mkdtemp(prefix="ssj-uno-profile-")
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = _connect(pipe)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        out: dict = {"rows": 0, "short": []}
        for request in requests:
            _check(desktop, request, out)
        json.dump(out, sys.stdout, ensure_ascii=False)
        with contextlib.suppress(Exception):  # the office quits while answering
            desktop.terminate()
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            office.wait(timeout=30)
        if office.poll() is None:
            office.kill()


if __name__ == "__main__":
    main()
