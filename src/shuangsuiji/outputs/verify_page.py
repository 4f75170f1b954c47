"""The month's public verification page (抽取复核-YYYY-MM.html): one self-contained file that
re-runs every record of the month in the browser — WebCrypto SHA-256, exact decimal quotas —
and answers "为什么抽中我 / 为什么没抽中我", with no server, network or install.

The page's script mirrors ``rules/verify.py`` message for message; tests/test_verify_page.py
checks both on the same records and tampered variants.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.resources
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from shuangsuiji.ledger.files import write_if_changed
from shuangsuiji.rules.records import LedgerHead

EMBED_LIMIT = 5_000_000  # characters of one record embedded; a larger one is picked from disk


def page_name(month: str) -> str:
    return f"抽取复核-{month}.html"


def _template() -> str:
    return (
        importlib.resources.files("shuangsuiji.outputs")
        .joinpath("verify_page.html")
        .read_text(encoding="utf-8")
    )


def template_digest() -> str:
    """SHA-256 of the page's template: a page written from another version of it is stale."""
    return hashlib.sha256(_template().encode()).hexdigest()


def page_is_current(path: Path) -> bool:
    """Whether a written page comes from this version's template (its head says which)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(2048)
    except FileNotFoundError:
        return False
    return f'<meta name="ssj-template" content="{template_digest()}">'.encode() in head


_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_PLACEHOLDER = re.compile(r"__(TITLE|AGENCY|HEAD|DATA|SCRIPT_HASH|SCRIPT_SHA)__")
# Characters that could end the data's script element or start markup in it, and the two line
# terminators old JavaScript parsers split strings at: written as JSON escapes, so no record
# text can ever be read as HTML or script.
_JSON_ESCAPES: dict[str, str] = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def page_script() -> str:
    """The page's one script, exactly as the browser runs it."""
    found = _SCRIPT.search(_template())
    assert found is not None
    return found.group(1)


def script_digest() -> str:
    """SHA-256 (hex) of the page's script: printed on the page and listed in the README, so a
    reader can tell the project's page from an edited copy."""
    return hashlib.sha256(page_script().encode()).hexdigest()


def embedded_json(text: str) -> str:
    """JSON text made safe inside a <script> element, whatever its strings hold (outside its
    strings JSON has none of the characters replaced)."""
    for char, escaped in _JSON_ESCAPES.items():  # str.replace: 10× str.translate on megabytes
        text = text.replace(char, escaped)
    return text


_HEAD_FIELD = re.compile(r'^  "(item_id|month)": ("(?:[^"\\]|\\.)*")', re.M)


def _head_field(text: str, key: str) -> str:
    """A top-level text field of a record as ssj writes it (one field a line, two spaces in,
    before the selected list)."""
    for found in _HEAD_FIELD.finditer(text):
        if found.group(1) == key:
            value: str = json.loads(found.group(2))
            return value
    raise ValueError(f"record without {key}")


def page_html(
    agency: str,
    month: str,
    texts: Sequence[str],
    names: Mapping[str, str],
    anchor: LedgerHead | None,
) -> str:
    """The page for ``month`` given the record texts of the year up to it (``texts``; those of
    earlier months let the page check the exclusions) and the tasks' names. Every value goes
    in in one pass over the template, so text from a record or a plan is never scanned again
    for placeholders; only the script whose hash the page's policy names may run."""
    records, omitted = [], []
    for text in texts:
        if len(text) > EMBED_LIMIT:
            # Named from the record's head: a province's record is not parsed whole for it.
            omitted.append(
                f"抽取记录-{_head_field(text, 'item_id')}-{_head_field(text, 'month')}.json"
            )
        else:
            records.append(text.rstrip("\n"))  # the stored JSON as it is: not parsed again
    head = {"month": month, "agency": agency, "names": dict(names), "omitted": omitted}
    data = json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [' + ", ".join(records) + "]}"
    chain = "（未记录）" if anchor is None else f"第 {anchor.seq} 条事件 {anchor.hash}"
    script = page_script()
    assert _PLACEHOLDER.search(script) is None  # the hash is of the script as it runs
    digest = hashlib.sha256(script.encode())
    values = {
        "TITLE": html.escape(f"{agency} {month} “双随机”抽取复核"),
        "AGENCY": html.escape(agency),
        "HEAD": html.escape(chain),
        "DATA": embedded_json(data),
        "SCRIPT_HASH": "sha256-" + base64.b64encode(digest.digest()).decode(),
        "SCRIPT_SHA": digest.hexdigest(),
    }
    page = _template().replace(
        '<meta charset="utf-8">',
        f'<meta charset="utf-8">\n<meta name="ssj-template" content="{template_digest()}">',
        1,
    )
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], page)


def write_verify_page(
    folder: Path,
    agency: str,
    month: str,
    texts: Sequence[str],
    names: Mapping[str, str],
    anchor: LedgerHead | None,
) -> bool:
    """Write 抽取复核-YYYY-MM.html into ``folder`` unless it already holds the same."""
    page = page_html(agency, month, texts, names, anchor)
    return write_if_changed(folder / page_name(month), page.encode())
