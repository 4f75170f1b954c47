"""``ssj init``: a new bureau's workspace of its own, ready to fill and to draw.

The plan comes from the notice's annex tables (``--from``) or from the template of the
example's items; it is sealed at once with a fresh secret (a chain of its own, nothing of the
example's), and beside it go the 承诺书, the two roster templates, 使用说明.txt and the daily
run's schedule for this folder. Every input is checked before anything is written; if writing
fails half-way, what was written is removed again.
"""

from __future__ import annotations

import datetime as dt
import getpass
import shlex
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from shuangsuiji.commands.seal import SealOutcome, seal
from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.annex import PlanOptions, import_plan
from shuangsuiji.inputs.plan import Plan, parse_plan
from shuangsuiji.ledger.files import write_atomic
from shuangsuiji.outputs.newspace import (
    GUIDE,
    guide_text,
    plan_text,
    roster_templates,
    schedule_files,
)
from shuangsuiji.rules.clock import DEFAULT_ZONE


@dataclass(frozen=True)
class InitOutcome:
    """What ``ssj init`` made."""

    folder: Path
    plan: Plan
    plan_file: Path
    sealing: SealOutcome
    rosters: list[Path]  # the templates to fill
    files: list[Path]  # every file written, the rosters and the 承诺书 included
    warnings: list[Problem] = field(default_factory=list)


def _ssj_command() -> str:
    """How a scheduler starts this very ssj: its script beside the interpreter, else -m."""
    python = Path(sys.executable)
    for name in ("ssj", "ssj.exe"):
        if (script := python.with_name(name)).is_file():
            return shlex.quote(str(script.absolute()))
    return f"{shlex.quote(str(python.absolute()))} -m shuangsuiji"


def _check_agency(agency: str) -> str:
    agency = agency.strip()
    if not agency or not agency.isprintable() or len(agency) > 60:
        raise InputError(
            f"实施机关名称“{agency[:60]}”不可用，未创建工作区",
            [
                Problem(
                    "--agency",
                    None,
                    None,
                    "名称应为一行、不超过 60 个字",
                    "如 --agency 洛龙区应急管理局",
                )
            ],
        )
    return agency


def _check_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        found = "不是文件夹" if not folder.is_dir() else "文件夹里已有文件"
        raise InputError(
            f"{folder} 已存在，未创建工作区",
            [
                Problem(
                    str(folder),
                    None,
                    None,
                    found,
                    "给一个新的或空的文件夹，如 ssj init 洛龙区-2026",
                )
            ],
        )


def init_workspace(
    folder: str | Path,
    *,
    agency: str | None = None,
    year: int | None = None,
    annexes: Sequence[Path] = (),
) -> InitOutcome:
    """Make a sealed workspace in ``folder`` (new or empty); see the module docstring."""
    folder = Path(folder).absolute()
    _check_folder(folder)
    if year is None and not annexes:
        year = dt.datetime.now(ZoneInfo(DEFAULT_ZONE)).year
    warnings: list[Problem] = []
    if annexes:
        imported = import_plan(
            annexes, PlanOptions(agency=agency and _check_agency(agency), year=year)
        )
        text, warnings = imported.text, imported.warnings
        plan_name = f"{imported.plan.year}.yaml"
    else:
        if agency is None:
            raise InputError(
                "缺少实施机关，未创建工作区",
                [
                    Problem(
                        "--agency",
                        None,
                        None,
                        "没有 --from 通知附件时须用 --agency 写明实施机关",
                        "如 ssj init 洛龙区-2026 --agency 洛龙区应急管理局；"
                        "有通知附件时用 --from 附件1.xlsx 附件2.xlsx …",
                    )
                ],
            )
        assert year is not None
        plan_name = f"{year}.yaml"
        text = plan_text(_check_agency(agency), year, plan_name)
    plan_file = folder / plan_name
    plan = parse_plan(text, plan_file)
    made = not folder.exists()
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(plan_file, text)
        written.append(plan_file)
        rosters = []
        for name, data in roster_templates(plan).items():
            rosters.append(folder / name)
            write_atomic(folder / name, data)
            written.append(folder / name)
        ssj = _ssj_command()
        created = dt.datetime.now(ZoneInfo(plan.timezone)).strftime("%Y-%m-%d %H:%M")
        texts = {GUIDE: guide_text(plan, plan_name, ssj, created)}
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container): the reader sets one
            user = "ssj"
        texts |= schedule_files(folder, plan_name, ssj, user)
        for name, content in texts.items():
            (folder / name).parent.mkdir(exist_ok=True)
            write_atomic(folder / name, content)
            written.append(folder / name)
        sealing = seal(plan_file)
    except BaseException:
        # Half a workspace is worse than none: remove what this call made, then report.
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for path in folder.iterdir():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        raise
    files = [*written, sealing.secret_file, *sealing.pledge_files]
    return InitOutcome(folder, plan, plan_file, sealing, rosters, files, warnings)
