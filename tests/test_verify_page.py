"""The public verification page (抽取复核-YYYY-MM.html) in a real browser: headless Chromium from
the system's packages, driven by Playwright with ``executable_path`` (Playwright's own browser
download is not used). Every vector — the real records and tampered variants of them — is
judged by the Python verifier and by the page, and both must say exactly the same."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.outputs.verify_page import page_html
from shuangsuiji.rules.records import DrawRecord
from shuangsuiji.rules.verify import record_differences, year_differences

from .conftest import ROOT, copy_examples, exclude_a_winner, invoke

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright import sync_api as playwright
except ImportError:  # the browser tests say so; the page's own tests still run
    playwright = None
ARTIFACTS = ROOT / "build" / "test-artifacts"
Record = dict[str, Any]


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace with March and May drawn (May: a joint task and exclusions)."""
    plan = copy_examples(tmp_path_factory.mktemp("page"))
    for month in ("2025-03", "2025-05"):
        draw_month(plan, month)
    return plan


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None or playwright is None:
        pytest.skip("未安装 Chromium（系统软件包 chromium）或 playwright（pip 包）")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def _records(plan: Path) -> list[Record]:
    folder = plan.parent / "输出"
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for month in ("2025-03", "2025-05")
        for path in sorted((folder / month).glob("抽取记录-*.json"))
    ]


def _python_verdicts(records: list[Record], month: str) -> dict[str, list[str]]:
    """What ``ssj verify`` says of each record of ``month``, given the year's records."""
    typed = [DrawRecord.from_dict(copy.deepcopy(r)) for r in records]
    year = year_differences(typed)
    return {
        r.scope: record_differences(r) + year.get(r.scope, []) for r in typed if r.month == month
    }


def _open(browser: Any, plan: Path, records: list[Record], month: str, name: str) -> Any:
    """The page for ``month`` made from ``records``, opened from file:// with every network
    request refused and counted."""
    texts = [json.dumps(r, ensure_ascii=False) for r in records if r["month"] <= month]
    names = {r["item_id"]: r["item_id"] for r in records}
    path = plan.parent / f"{name}.html"
    path.write_text(page_html("洛龙区应急管理局", month, texts, names, None), encoding="utf-8")
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.route("http*://**", lambda route: route.abort())
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-verified=true]", timeout=60_000)
    page.requests = requests
    return page


def _page_verdicts(page: Any) -> dict[str, list[str]]:
    """Each verdict on the page: scope -> the differences listed (none: 复核一致)."""
    return {
        str(node.query_selector("strong").inner_text().split(" ")[1]): [
            li.inner_text() for li in node.query_selector_all("li")
        ]
        for node in page.query_selector_all("#verdicts .verdict")
    }


TAMPERINGS: dict[str, Callable[[Record], None]] = {
    "swap a winner": lambda r: r["selected"][1].update(uscc=r["population"]["keys"][0]),
    "edit a ticket": lambda r: r["selected"][0].update(ticket="0" * 64),
    "drop a key": lambda r: r["population"]["keys"].pop(3),
    "change k": lambda r: r.update(k=r["k"] + 1),
    "change the ratio": lambda r: r.update(ratio="6%"),
    "another secret": lambda r: r.update(secret="a" * 64),
    "change the seed": lambda r: r.update(seed=r["seed"] + "x"),
    "reorder ranks": lambda r: r["selected"][0].update(rank=2),
    "forget an exclusion": lambda r: r["excluded"].pop(0),
    "exclude a winner": exclude_a_winner,
}


def test_the_real_records_verify(browser: Any, year: Path) -> None:
    records = _records(year)
    page = _open(browser, year, records, "2025-05", "real")
    found = _page_verdicts(page)
    assert found == _python_verdicts(records, "2025-05") == {scope: [] for scope in found}
    assert set(found) == {"LH-01/2025-05", "AJ-01/2025-05", "AJ-02/2025-05"}
    assert page.inner_text("#verdicts").count("复核一致") == 3
    assert "按所给的 2 份此前记录核对了排除名单" in page.inner_text("#status")
    assert not [url for url in page.requests if not url.startswith("file:")]  # offline
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "抽取复核-2025-05.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.screenshot(path=str(ARTIFACTS / "抽取复核-2025-05-手机.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    # The parameters read as label / value pairs, a value taking most of the line.
    widths = page.evaluate(
        "[...document.querySelectorAll('#tasks table.pairs td')].map(e => e.offsetWidth)"
    )
    assert len(widths) == 3 * 9 and min(widths) > 200
    # Printed: the lookup nobody used leaves no empty heading behind.
    page.emulate_media(media="print")
    assert not page.is_visible("#lookup-section h2") and page.is_visible("#tasks")
    page.pdf(path=str(ARTIFACTS / "抽取复核-2025-05.pdf"))
    page.emulate_media(media="screen")


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_tampered_record_gets_the_same_verdict_as_ssj_verify(
    browser: Any, year: Path, tampering: str
) -> None:
    records = _records(year)
    target = next(r for r in records if r["scope"] == "AJ-01/2025-05")
    TAMPERINGS[tampering](target)
    expected = _python_verdicts(records, "2025-05")
    assert expected["AJ-01/2025-05"], tampering  # the Python verifier catches it …
    page = _open(browser, year, records, "2025-05", "tampered")
    assert _page_verdicts(page) == expected  # … and the page says exactly the same


def test_the_changed_enterprise_is_named(browser: Any, year: Path) -> None:
    records = _records(year)
    target = next(r for r in records if r["scope"] == "AJ-01/2025-05")
    outsider = next(k for k in target["population"]["keys"] if k not in target["excluded"]
                    and k not in {s["uscc"] for s in target["selected"]})  # fmt: skip
    target["selected"][2]["uscc"] = outsider
    page = _open(browser, year, records, "2025-05", "named")
    assert outsider in page.inner_text("#verdict-AJ-01-2025-05")


def test_lookup_answers_why(browser: Any, year: Path) -> None:
    records = _records(year)
    may = next(r for r in records if r["scope"] == "AJ-01/2025-05")
    march = next(r for r in records if r["scope"] == "AJ-01/2025-03")
    page = _open(browser, year, records, "2025-05", "lookup")

    def answer(code: str) -> str:
        page.fill("#uscc", code)
        page.click("#lookup-button")
        page.wait_for_selector('#lookup-result [data-scope="AJ-01/2025-05"]')
        text = page.inner_text('#lookup-result [data-scope="AJ-01/2025-05"]')
        return str(text)

    winner = may["selected"][0]["uscc"]
    assert "抽中：第 1 名" in answer(winner)
    excluded = next(s["uscc"] for s in march["selected"] if s["uscc"] in may["excluded"])
    assert "已被 AJ-01/2025-03 抽中，按规定排除" in answer(excluded)
    chosen = {s["uscc"] for s in may["selected"]}
    loser = next(
        k for k in may["population"]["keys"] if k not in chosen and k not in may["excluded"]
    )
    said = answer(loser)
    assert said.startswith("AJ-01/2025-05：未抽中") and may["selected"][-1]["ticket"][:16] in said
    assert "抽取时的名录库中没有这个代码" in answer("91410311MA0000000X")
    # Outside the population: the record says why, and the page tells the enterprise.
    outside = may["accounting"]["outside"]
    closed = next(code for code, why in outside.items() if "经营状态为注销" in why)
    assert "不在本次抽取的对象名单中：名录库中其经营状态为注销" in answer(closed)
    other = next(code for code, why in outside.items() if "不在本事项的抽查范围" in why)
    assert "名录库中其行业类别为" in answer(other)


def test_every_draw_writes_a_self_contained_page(year: Path) -> None:
    # Runs without a browser: what the file holds and what it must not.
    page = (year.parent / "输出" / "2025-05" / "抽取复核-2025-05.html").read_text(encoding="utf-8")
    assert "洛龙区应急管理局" in page and "台账链头：第 " in page
    assert "<script src" not in page and "<link" not in page and "http://" not in page
    assert "default-src 'none'" in page  # the browser itself refuses any request
    embedded = page.split('<script type="application/json" id="data">')[1].split("</script>")[0]
    data = json.loads(embedded)
    assert [r["scope"] for r in data["records"]][:2] == ["AJ-01/2025-03", "AJ-02/2025-03"]
    # No officer data in the page itself (a reader may pick the published 人员分组记录).
    assert not any(key in embedded for key in ("执法证号", "officers"))


def test_a_closing_tag_in_the_data_cannot_end_the_script() -> None:
    record = {"scope": "X/2025-03", "item_id": "X", "month": "2025-03", "name": "</script><b>"}
    page = page_html("局", "2025-03", [json.dumps(record)], {"X": "</script>"}, None)
    assert page.count("</script>") == 2  # the data's and the code's, nothing else


def test_a_record_too_big_to_embed_is_named_for_the_reader_to_pick(
    year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuangsuiji.outputs import verify_page
    from shuangsuiji.rules.records import ExternalDraw

    drawn = (year.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json").read_text()
    imported = ExternalDraw.from_dict(
        {
            "spec": "EXTERNAL", "scope": "AJ-02/2025-05", "item_id": "AJ-02", "month": "2025-05",
            "source": "平台导出.xlsx", "source_sha256": "0" * 64, "selected": [],
            "created_at": "", "tool_version": "0.5.0",
        }
    ).to_json()  # fmt: skip
    monkeypatch.setattr(verify_page, "EMBED_LIMIT", 100)
    page = page_html("局", "2025-05", [drawn, imported], {}, None)
    data = json.loads(page.split('id="data">')[1].split("</script>")[0])
    assert data["records"] == []
    assert data["omitted"] == ["抽取记录-AJ-01-2025-03.json", "抽取记录-AJ-02-2025-05.json"]


def test_key_lists_in_files_are_picked_by_the_user(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuangsuiji.rules import draw as draw_rule

    monkeypatch.setattr(draw_rule, "INLINE_KEYS", 10)  # the example's populations go to files
    plan = copy_examples(tmp_path / "big")
    draw_month(plan, "2025-03")
    folder = plan.parent / "输出" / "2025-03"
    page = browser.new_page()
    page.goto((folder / "抽取复核-2025-03.html").as_uri())
    page.wait_for_selector("body[data-verified=true]")
    missing = page.inner_text("#verdict-AJ-01-2025-03")
    assert "找不到对象名单文件 抽取对象-AJ-01-2025-03.txt" in missing  # as ssj verify says
    # … but as a record waiting for its files, not as one that failed: nothing is wrong yet.
    assert page.get_attribute("#verdict-AJ-01-2025-03", "data-status") == "pending"
    assert "待选择对象名单文件" in missing and "复核不一致" not in missing
    page.set_input_files("#pick", [str(p) for p in sorted(folder.glob("抽取对象-*.txt"))])
    # No wait_for_function: the page's own policy forbids evaluating strings as script.
    for scope in ("AJ-01-2025-03", "AJ-02-2025-03"):
        page.wait_for_selector(f"#verdict-{scope}.ok", timeout=60_000)
    assert page.inner_text("#verdicts").count("复核一致") == 2


def test_the_page_checks_the_year_against_the_published_pledge(
    browser: Any, tmp_path: Path
) -> None:
    from shuangsuiji.commands.verify import verify_paths

    from .reliability.test_insider import _draw, _pledged

    plan = _pledged(tmp_path / "ws")
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("ratio: 5%", "ratio: 1%", 1), encoding="utf-8")
    _draw(plan, "2025-03", "3 1 5")  # March's AJ-01 drawn at a ratio lowered for the day …
    plan.write_text(text, encoding="utf-8")  # … then restored
    _draw(plan, "2025-05", "0 9 2")
    assert invoke("assign", "--plan", plan, "--month", "2025-05").exit_code == 0
    folder = plan.parent / "输出" / "2025-05"
    page = browser.new_page()
    page.goto((folder / "抽取复核-2025-05.html").as_uri())
    page.wait_for_selector("body[data-verified=true]")
    # Before the 承诺书 is picked, the page says what it cannot prove.
    assert "没有对照承诺书" in page.inner_text("#notes")
    pledge = plan.parent / "公开" / "承诺书-2025.json"
    page.set_input_files("#pick", [str(pledge), str(folder / "人员分组记录-2025-05.json")])
    page.wait_for_selector("#verdict-pledge.diff", timeout=60_000)
    shown = [li.inner_text() for li in page.query_selector_all("#verdict-pledge li")]
    python = verify_paths([plan.parent / "输出"], published=pledge)
    expected = [f"AJ-01/2025-03：{d}" for d in dict(python.results)["AJ-01/2025-03"]]
    assert shown == python.problems + expected and "比例与承诺书不符" in shown[0]
    assert page.get_attribute("#verdict-AJ-01-2025-05", "data-status") == "ok"
    assert "没有对照承诺书" not in page.inner_text("#notes")
    # The officer draw the reader picked is shown with its groups.
    assert "人员分组与递补" in page.inner_text("body") and "检查组" in page.inner_text(
        "#assignment"
    )


def test_the_page_warns_once_without_a_public_number(browser: Any, year: Path) -> None:
    page = browser.new_page()
    page.goto((year.parent / "输出" / "2025-05" / "抽取复核-2025-05.html").as_uri())
    page.wait_for_selector("body[data-verified=true]")
    notes = page.inner_text("#notes")
    assert notes.count("持有秘密的工作区事先就能算出抽取结果") == 1
    assert "示例的公开承诺" in notes


def _forge_number(record: Record) -> None:
    record["public_number"]["typed"] = "09 2"  # spelled by hand, and the seed made from it
    record["extra"] = "09 2"
    record["seed"] = f"{record['plan_seed']}/{record['secret']}/09 2"


PLEDGE_VECTORS: dict[str, Callable[[list[Record]], None]] = {
    "a March draw missing": lambda rs: rs.remove(
        next(r for r in rs if r["scope"] == "AJ-02/2025-03")
    ),
    "drawn before the draw day": lambda rs: rs[-1].update(created_at="2025-05-05T23:00:00+08:00"),
    "another draw day": lambda rs: rs[-1].update(draw_day="2025-05-07"),
    "a ratio lowered": lambda rs: rs[-1].update(ratio="4%"),
    "the public number spelled": lambda rs: _forge_number(rs[-1]),
    "no public number": lambda rs: [rs[-1].pop("public_number"), rs[-1].update(extra=None)],
    "another commitment": lambda rs: rs[-1].update(commitment="0" * 64),
    "an import not in the 承诺书": lambda rs: _forge_import(rs),
}


def _forge_import(records: list[Record]) -> None:
    """May's AJ-02 replaced by a list 'imported' after sealing: never in the 承诺书."""
    index = next(i for i, r in enumerate(records) if r["scope"] == "AJ-02/2025-05")
    drawn = records[index]
    records[index] = {
        "spec": "EXTERNAL", "scope": drawn["scope"], "item_id": "AJ-02", "month": "2025-05",
        "source": "平台导出.xlsx", "source_sha256": "0" * 64, "selected": drawn["selected"],
        "created_at": drawn["created_at"], "tool_version": drawn["tool_version"],
    }  # fmt: skip


@pytest.mark.parametrize("forge", list(PLEDGE_VECTORS), ids=list(PLEDGE_VECTORS))
def test_the_page_and_ssj_verify_agree_on_the_pledge(
    browser: Any, tmp_path: Path, forge: str
) -> None:
    from shuangsuiji.commands.verify import verify_paths

    from .reliability.test_insider import _draw, _pledged

    plan = _pledged(tmp_path / "ws")
    _draw(plan, "2025-03", "3 1 5")
    _draw(plan, "2025-05", "0 9 2")
    records = _records(plan)
    PLEDGE_VECTORS[forge](records)
    folder = tmp_path / "forged"
    folder.mkdir()
    for r in records:
        (folder / f"{r['scope'].replace('/', '-')}.json").write_text(
            json.dumps(r, ensure_ascii=False), encoding="utf-8"
        )
    pledge = plan.parent / "公开" / "承诺书-2025.json"
    python = verify_paths([folder], published=pledge)
    page = _open(browser, plan, records, "2025-05", "pledge-" + forge.replace(" ", "-"))
    page.set_input_files("#pick", [str(pledge)])
    page.wait_for_selector("#verdict-pledge", timeout=60_000)
    found = _page_verdicts(page)
    said = dict(python.results)
    assert found == {scope: said[scope] for scope in found}
    shown = [li.inner_text() for li in page.query_selector_all("#verdict-pledge li")]
    march = [f"{s}：{d}" for s, ds in said.items() if s.endswith("2025-03") for d in ds]
    assert shown == python.problems + march
    assert python.failed and (shown or any(found.values()))  # every vector is caught


def test_the_page_names_a_missing_record_by_its_scope(browser: Any, year: Path) -> None:
    records = [r for r in _records(year) if r["scope"] != "AJ-01/2025-03"]
    page = _open(browser, year, records, "2025-05", "missing")
    found = _page_verdicts(page)
    assert found == _python_verdicts(records, "2025-05")
    assert any("缺少 AJ-01/2025-03 的抽取记录" in d for d in found["AJ-01/2025-05"])


HOSTILE_NAMES = [
    "<svg onload=alert(9)>",
    "<!--<script>",
    "</script><script>alert(8)</script>",
    "a\u2028b",
]


def test_hostile_names_and_agency_run_no_script(browser: Any, year: Path) -> None:
    records = _records(year)
    may = [r for r in records if r["month"] == "2025-05"]
    for record, name in zip(may, HOSTILE_NAMES, strict=False):
        record["selected"][0]["name"] = name  # names are not part of the draw: still ✓
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    texts = [json.dumps(r, ensure_ascii=False) for r in records]
    path = year.parent / "hostile.html"
    agency = "洛龙区应急管理局__DATA__<img src=x onerror=alert(7)>"
    path.write_text(page_html(agency, "2025-05", texts, {}, None), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-verified=true]", timeout=60_000)
    assert dialogs == []
    found = _page_verdicts(page)
    assert set(found) == {"LH-01/2025-05", "AJ-01/2025-05", "AJ-02/2025-05"}
    assert all(d == [] for d in found.values())
    shown = page.inner_text("body")
    for name in HOSTILE_NAMES[:3]:
        assert name in shown  # shown as text, never run
    assert agency in page.inner_text("header")


def test_the_page_states_the_hash_of_its_script_and_runs_no_other(browser: Any, year: Path) -> None:
    from shuangsuiji.outputs.verify_page import script_digest

    path = year.parent / "输出" / "2025-05" / "抽取复核-2025-05.html"
    page = browser.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-verified=true]")
    assert page.inner_text("#script-sha") == script_digest()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script_digest() in readme  # the README lists the hash of this version's page
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    from shuangsuiji import __version__

    section = changelog.split(f"## {__version__}", 1)[1].split("\n## ", 1)[0]
    assert script_digest() in section  # … and so does this version's release note
    # The README's one-liner finds exactly that one script in the page.
    import hashlib
    import re

    scripts = re.findall(
        r"<script(?![^>]*application/json)[^>]*>(.*?)</script>",
        path.read_text(encoding="utf-8"),
        re.S,
    )
    assert [hashlib.sha256(s.encode()).hexdigest() for s in scripts] == [script_digest()]
    # An edited copy that would always say ✓ does not run under the page's own policy.
    text = path.read_text(encoding="utf-8")
    forged = text.replace("async function verifyAll() {", "async function verifyAll() {\n  /* x */")
    copy = year.parent / "edited.html"
    copy.write_text(forged, encoding="utf-8")
    edited = browser.new_page()
    errors: list[str] = []
    edited.on("console", lambda m: errors.append(m.text))
    edited.goto(copy.as_uri())
    edited.wait_for_timeout(1000)
    assert edited.get_attribute("body", "data-verified") is None
    assert "正在复核" in edited.inner_text("#status")
