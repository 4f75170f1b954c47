"""Re-deriving the workspace's outputs from the ledger (the record; files are derived).

A command killed after its ledger commit but before its files leaves something missing or
stale under 输出/; every writing command heals that first, so the next run restores exactly
what an uninterrupted run would have written.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from shuangsuiji.exceptions import NeedsAttention
from shuangsuiji.inputs.anchors import published_anchors
from shuangsuiji.inputs.plan import Plan, load_plan
from shuangsuiji.inputs.population import KeyColumn
from shuangsuiji.inputs.workspace import Workspace, load_workspace
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.files import remove_leftovers
from shuangsuiji.ledger.store import LEDGER_NAME, StoredDraw
from shuangsuiji.outputs import OUTPUT_DIR
from shuangsuiji.outputs.assignment import write_assignment_file
from shuangsuiji.outputs.draws import (
    month_units,
    record_file,
    result_columns_stem,
    result_workbook_name,
    write_draw_files,
)
from shuangsuiji.outputs.runlog import LOG_DIR
from shuangsuiji.outputs.tasksheet import write_month_sheet
from shuangsuiji.outputs.verify_page import page_is_current, page_name
from shuangsuiji.rules.assign import current_groups
from shuangsuiji.rules.records import AssignmentRecord, DrawRecord, ExternalDraw, LedgerHead


def _same(path: Path, text: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(text.encode()).digest()
    except FileNotFoundError:
        return False


def _key_files_intact(folder: Path, stored: StoredDraw) -> bool:
    """Whether the key lists a record keeps in files are there, each matching its digest."""
    if '"keys_file"' not in stored.text:  # the usual record: its keys are inline
        return True
    # The plain JSON is enough here: a typed record of 10⁴ selected enterprises costs more.
    record = json.loads(stored.text)
    for entry in [record["population"], *(record.get("strata") or [])]:
        if "keys_file" in entry:
            try:
                found = hashlib.sha256((folder / entry["keys_file"]).read_bytes()).hexdigest()
            except FileNotFoundError:
                return False
            if found != entry["digest"]:
                return False
    return True


def heal_outputs(workspace: Workspace, ledger: Ledger) -> list[Path]:
    """Write again every derived file of the plan's year that is missing or differs from what
    the ledger holds (record files and task sheets by content; a month's 抽取结果 with its
    records or when missing), after removing what killed writes left half-done; return the
    files written."""
    plan = workspace.plan
    for name in (OUTPUT_DIR, LOG_DIR):
        remove_leftovers(plan.folder / name)
    written: list[Path] = []
    months: dict[str, list[StoredDraw]] = {}
    for stored in ledger.draws(plan.year):
        months.setdefault(f"{stored.year:04d}-{stored.month:02d}", []).append(stored)
    for label, stored_draws in months.items():
        folder = plan.folder / OUTPUT_DIR / label
        # Compared as text, so a record is parsed only when its month must be written again.
        stale = any(
            not _same(folder / record_file(d.task_id, label), d.text)
            or not _key_files_intact(folder, d)
            for d in stored_draws
        )
        derived = [result_workbook_name(label), page_name(label)]
        # A big month's list is columns beside the workbook (each selection has a "rank").
        if sum(d.text.count('"rank":') for d in stored_draws) > plan.print_max_selected:
            stem = result_columns_stem(label)
            derived += [f"{stem}.csv", f"{stem}.parquet"]
        missing = not all((folder / name).exists() for name in derived)
        if stale or missing or not page_is_current(folder / page_name(label)):
            drawn: list[tuple[DrawRecord | ExternalDraw, str]] = [
                (ledger.full_record(d, KeyColumn.of_parts), d.text) for d in stored_draws
            ]
            earlier = ledger.texts_before(plan.year, stored_draws[0].month)
            anchor = month_anchor(ledger, label)
            units = month_units(plan, workspace.enterprises, [r for r, _ in drawn])
            written += write_draw_files(plan, label, drawn, anchor, earlier, units)
    for label, text in ledger.assignments(plan.year):
        # Rebuilt every time (a few groups: cheap) and written only if it differs, so a sheet a
        # killed 递补 left with the old groups is brought up to date.
        record = AssignmentRecord.from_json(text)
        substitutions = ledger.substitutions(label)
        groups = current_groups(record, substitutions)
        anchor = sheet_anchor(ledger, label)
        written += write_assignment_file(plan, record, substitutions, anchor)
        written += write_month_sheet(workspace, label, groups, anchor)
    return written


def require_ledger_of_outputs(plan: Plan) -> None:
    """Published records without the ledger they came from mean a deleted or moved ledger:
    auditing finds nothing to check and drawing would silently make a second history."""
    if Ledger.exists(plan.folder):
        return
    published = sorted((plan.folder / OUTPUT_DIR).rglob("抽取记录-*.json"))
    if published:
        raise NeedsAttention(
            f"工作区没有台账 ssj.db，输出/ 中却有 {len(published)} 份抽取记录（如 "
            f"{published[0].relative_to(plan.folder)}）：台账被删除或移走了。"
            "什么都没有做；请从备份恢复 ssj.db"
        )


def anchor_problems(
    anchors: Sequence[tuple[Path, LedgerHead]], chain: Mapping[int, str], root: Path
) -> list[str]:
    """Every published anchor that today's chain no longer holds: a shorter chain was cut
    (a restored backup, an emptied ledger), a different hash rewritten."""
    problems = []
    for path, head in anchors:
        if head.seq == 0:
            continue  # written before the first event: nothing to anchor
        name = path.relative_to(root) if path.is_relative_to(root) else path
        if head.seq not in chain and head.seq < max(chain, default=0):
            problems.append(f"{name} 记着的台账第 {head.seq} 条事件不见了：历史被删减了")
        elif head.seq not in chain:
            problems.append(
                f"{name} 记着台账第 {head.seq} 条事件，台账现在只有 {len(chain)} 条：此后的历史被删减了"
            )
        elif chain[head.seq] != head.hash:
            problems.append(f"{name} 记着的台账第 {head.seq} 条事件与台账现在的不同：历史被改写了")
    return problems


def require_sound_ledger(plan: Plan) -> None:
    """Audit the ledger, with the chain heads the files in 输出/ carry, before anything is
    derived from it (docs/spec.md §4.3): a rolled-back, truncated, emptied or damaged ledger
    stops the command, so that nothing is redrawn or rewritten over a history that was cut."""
    require_ledger_of_outputs(plan)
    if not Ledger.exists(plan.folder):
        return
    fix = (
        "什么都没有做，输出/ 中的文件没有改动。请从备份恢复最新的 ssj.db（ssj audit verify "
        f"--plan {plan.shell_path} --against 输出 核对通过后再运行）"
    )
    try:
        with Ledger.at(plan.folder) as ledger:
            report = ledger.audit()
            chain = ledger.chain()
    except sqlite3.DatabaseError as exc:
        raise NeedsAttention(
            f"台账文件 {plan.folder / LEDGER_NAME} 已损坏，无法读取（{exc}）。{fix}"
        ) from None
    if not report.ok:
        raise NeedsAttention(f"台账核对不通过：{report.problems[0]}。{fix}")
    outputs = plan.folder / OUTPUT_DIR
    found = anchor_problems(published_anchors(outputs), chain, outputs) if outputs.is_dir() else []
    if found:
        more = f"（共 {len(found)} 处）" if len(found) > 1 else ""
        raise NeedsAttention(f"台账比已公开的文件旧或被改写：{found[0]}{more}。{fix}")


# A ledger up to this size is audited beside the roster read: the audit's memory then stays
# small next to the roster's. A province's (gigabytes of key lists) is audited after it.
AUDIT_BESIDE_MAX = 256 * 2**20


def load_audited(plan_path: str | Path, audit: bool = True) -> tuple[Workspace, Callable[[], None]]:
    """:func:`load_workspace`, with :func:`require_sound_ledger` run on a second thread while
    the rosters are read: for a city's month each takes about half a second and neither needs
    the other. Returns the workspace and the audit's verdict, which the command calls where
    it audits (it raises what require_sound_ledger raises), so the command stops at the same
    point, with the same message, as when it audited there. ``audit=False``: the caller (ssj
    run) has just audited; the verdict is then always sound."""
    plan = load_plan(plan_path)
    if not audit:
        return load_workspace(plan), lambda: None
    ledger = plan.folder / LEDGER_NAME
    if not ledger.is_file() or ledger.stat().st_size > AUDIT_BESIDE_MAX:
        return load_workspace(plan), lambda: require_sound_ledger(plan)
    with ThreadPoolExecutor(1) as pool:
        audited = pool.submit(require_sound_ledger, plan)
        workspace = load_workspace(plan)
    return workspace, audited.result


def sound_ledger(plan: Plan, audited: bool = False) -> Ledger:
    """The workspace's ledger, audited first (:func:`require_sound_ledger`) unless the caller
    has just done so under the lock it holds."""
    if not audited:
        require_sound_ledger(plan)
    return Ledger.at(plan.folder)


def month_anchor(ledger: Ledger, month: str) -> LedgerHead | None:
    """Where the chain stood after the month's last draw: what its 抽取结果 carries."""
    return ledger.last_event(("draw",), lambda p: str(p["scope"]).endswith(f"/{month}"))


def sheet_anchor(ledger: Ledger, month: str) -> LedgerHead | None:
    """Where the chain stood after the month's assignment and its latest 递补."""
    return ledger.last_event(("assign", "substitute"), lambda p: p.get("month") == month)
