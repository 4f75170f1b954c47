"""The month's public verification page (抽取复核-YYYY-MM.html): one self-contained file that
re-runs every record of the month in the browser — WebCrypto SHA-256, exact decimal quotas —
and answers "为什么抽中我 / 为什么没抽中我", with no server, network or install.

The page's script mirrors ``rules/verify.py`` message for message; tests/test_verify_page.py
checks both on the same records and tampered variants.
"""

from __future__ import annotations

import hashlib
import html
import importlib.resources
import json
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


def page_html(
    agency: str,
    month: str,
    texts: Sequence[str],
    names: Mapping[str, str],
    anchor: LedgerHead | None,
) -> str:
    """The page for ``month`` given the record texts of the year up to it (``texts``; those of
    earlier months let the page check the exclusions) and the tasks' names."""
    records, omitted = [], []
    for text in texts:
        record = json.loads(text)
        if len(text) > EMBED_LIMIT:
            omitted.append(f"抽取记录-{record['item_id']}-{record['month']}.json")
        else:
            records.append(record)
    data = {
        "month": month,
        "agency": agency,
        "names": dict(names),
        "records": records,
        "omitted": omitted,
    }
    # "</" would end the script element the data sits in.
    embedded = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    head = "（未记录）" if anchor is None else f"第 {anchor.seq} 条事件 {anchor.hash}"
    page = _template().replace(
        '<meta charset="utf-8">',
        f'<meta charset="utf-8">\n<meta name="ssj-template" content="{template_digest()}">',
        1,
    )
    for placeholder, value in (
        ("__TITLE__", html.escape(f"{agency} {month} “双随机”抽取复核")),
        ("__AGENCY__", html.escape(agency)),
        ("__HEAD__", html.escape(head)),
    ):
        page = page.replace(placeholder, value)
    return page.replace("__DATA__", embedded)


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
