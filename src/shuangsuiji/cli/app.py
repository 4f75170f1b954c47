"""The ``ssj`` command line: parse arguments, call one library function, render the result.

Errors become messages and exit codes in exactly one place: :func:`_run`. Each command's work
is a function in ``shuangsuiji.commands``; nothing here decides anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import importlib.abc
import json
import os
import re
import shlex
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from shuangsuiji import __version__
from shuangsuiji.cli import zh  # noqa: F401 (puts typer's own texts into Chinese)
from shuangsuiji.exceptions import ExitCode, InputError, NeedsAttention, Problem, SsjError
from shuangsuiji.inputs.dates import parse_date
from shuangsuiji.ledger.lock import DEFAULT_WAIT
from shuangsuiji.rules.deadlines import NEEDS_ATTENTION, STATUS_NAMES, standing

if TYPE_CHECKING:  # the commands load pyarrow and more: imported where a command runs
    from shuangsuiji.commands.assign import AssignOutcome
    from shuangsuiji.commands.draw import DrawOutcome
    from shuangsuiji.commands.seal import SealOutcome
    from shuangsuiji.inputs.plan import Plan
    from shuangsuiji.rules.records import Accounting, Status

T = TypeVar("T")

MAX_PROBLEM_ROWS = 200
MAX_SHOWN = 50  # selected enterprises listed per task on screen
MAX_GROUPS_SHOWN = 60  # groups listed on screen; beyond, a summary per task
MAX_OFFICERS_SHOWN = 80  # officers in the workload table; beyond, the spread only

# The commands in the order of a bureau's year (ssj --help lists them so).
YEAR_ORDER = (
    "init", "plan", "validate", "seal", "draw", "assign", "results", "publish",
    "pages", "deadline-check", "run", "report", "verify", "audit", "workdays",
)  # fmt: skip


class _YearOrder(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        known = [n for n in YEAR_ORDER if n in names]
        return known + [n for n in names if n not in known]


app = typer.Typer(
    name="ssj",
    cls=_YearOrder,
    help="双随机、一公开 抽查工具：随机抽取检查对象和执法人员、可公开复核、按期公示。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
plan_app = typer.Typer(
    help="计划文件：从通知附件导入抽查计划。",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(plan_app, name="plan")
results_app = typer.Typer(
    help="检查结果：导入填好的检查任务单（import），登记未能检查的企业及原因（waive）。",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(results_app, name="results")
audit_app = typer.Typer(
    help="审计：核对工作区台账的哈希链（verify），列出台账事件日志（log）。",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(audit_app, name="audit")


class _State:
    debug = False


# C0 and C1 control characters but newline and tab: text from rosters, plans and records never
# reaches the terminal as a command (a screen clear, a window title).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(value: object) -> object:
    """A renderable with every control character of its text shown as �: same length, so a
    Text's styles stay where they were; a table's cells and titles cleaned alike."""
    if isinstance(value, str):
        return _CONTROL.sub("\ufffd", value)
    if isinstance(value, Text):
        if _CONTROL.search(value.plain) is None:
            return value
        cleaned = value.copy()
        cleaned.plain = _CONTROL.sub("\ufffd", value.plain)
        return cleaned
    if isinstance(value, Table):
        value.title = _clean(value.title)  # type: ignore[assignment]
        value.caption = _clean(value.caption)  # type: ignore[assignment]
        for column in value.columns:
            column._cells = [_clean(cell) for cell in column._cells]  # type: ignore[misc]
    return value


class _SafeConsole(Console):
    """A console that never passes a control character of the text it prints."""

    def print(self, *objects: Any, **options: Any) -> None:
        if not self.is_terminal and all(isinstance(o, str | Text) for o in objects):
            # Piped (cron, a mail, a log): a line is written whole, never cut at 80 columns.
            options.setdefault("soft_wrap", True)
        super().print(*(_clean(o) for o in objects), **options)

    def out(self, *objects: Any, **options: Any) -> None:
        super().out(*(_clean(o) for o in objects), **options)


def _stdout() -> Console:
    return _SafeConsole(file=sys.stdout, highlight=False, markup=False)


def _stderr() -> Console:
    return _SafeConsole(file=sys.stderr, highlight=False, markup=False)


_MARKS = {"✓": "green", "✗": "red", "!": "yellow"}


def _marked(mark: str, text: str, indent: str = "") -> Text:
    """A line led by ✓, ✗ or ! in its colour. Output is never read as Rich markup (the consoles
    have it off): names, cells and paths come from users, and one holding "[/x]" must print as
    written, not stop the command."""
    return Text.assemble(indent, (mark, _MARKS[mark]), " ", text)


def problems_table(problems: Sequence[Problem], title: str | None = None) -> Table:
    """Problems as a Rich table: level, file, row, column, what is wrong, how to fix it."""
    table = Table(title=title, show_lines=False, expand=False)
    for header in ("级别", "文件", "行", "列", "问题", "如何修改"):
        table.add_column(header, overflow="fold")
    for problem in problems[:MAX_PROBLEM_ROWS]:
        table.add_row(
            Text("错误", "red") if problem.is_error else Text("警告", "yellow"),
            problem.file,
            "" if problem.row is None else str(problem.row),
            problem.column or "",
            problem.message,
            problem.fix,
        )
    if len(problems) > MAX_PROBLEM_ROWS:
        table.caption = f"另有 {len(problems) - MAX_PROBLEM_ROWS} 个问题未显示"
    return table


def _run(action: Callable[[], T]) -> T:
    """Run a library call; turn any ssj error into a message and its exit code."""
    try:
        return action()
    except SsjError as exc:
        console = _stderr()
        if exc.problems:
            console.print(problems_table(exc.problems))
        console.print(_marked("✗", f"{exc.message}"))
        if _State.debug:
            raise
        raise typer.Exit(int(exc.exit_code)) from None
    except typer.Exit:
        raise
    except sqlite3.DatabaseError as exc:  # read where no ledger method could say which file
        if _State.debug:
            raise
        _stderr().print(
            _marked(
                "✗",
                f"台账文件（ssj.db）无法读取或已损坏（{exc}）。确认磁盘空间和读写权限；"
                "仍不行请从备份恢复 ssj.db，用 ssj audit verify --against 输出 核对后再运行",
            )
        )
        raise typer.Exit(int(ExitCode.NEEDS_ATTENTION)) from None
    except OSError as exc:
        # A file open in Excel (Windows locks it), no permission, a full disk: the machine's
        # state, not a defect and not the input. What the ledger holds is kept; a lost or
        # stale output is written again by the next run.
        if _State.debug:
            raise
        path = exc.filename2 or exc.filename  # os.replace names the temporary file first
        where = f"“{path}”" if path else "文件"
        _stderr().print(
            _marked(
                "✗",
                f"无法读写{where}：{exc.strerror or exc}\n"
                "请关闭正在使用它的程序（如 Excel、WPS），确认有读写权限、磁盘有空间，再运行同一命令；"
                "台账中已记下的不会丢失，没写成的文件会补写。",
            )
        )
        raise typer.Exit(int(ExitCode.NEEDS_ATTENTION)) from None
    except Exception as exc:
        if _State.debug:
            raise
        _stderr().print(
            Text.assemble(
                ("内部错误：", "red"),
                f"{exc.__class__.__name__}: {exc}\n"
                "这是 ssj 的缺陷，不是您的输入问题。请加 --debug 重新运行，并把输出报告给开发者。",
            )
        )
        raise typer.Exit(int(ExitCode.NEEDS_ATTENTION)) from None


def _version(value: bool) -> None:
    if value:
        from shuangsuiji.rules.assign import SPEC as ASSIGN_SPEC
        from shuangsuiji.rules.draw import SPEC as DRAW_SPEC
        from shuangsuiji.rules.pledge import PLEDGE_SPEC

        typer.echo(
            f"ssj {__version__}（抽取规则 {DRAW_SPEC}，人员分组规则 {ASSIGN_SPEC}，"
            f"承诺书 {PLEDGE_SPEC}；旧记录按各自的规则复核）"
        )
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整的调用栈（向开发者报告问题时使用）。")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", help="显示版本号。", callback=_version, is_eager=True),
    ] = None,
) -> None:
    """双随机、一公开 抽查工具。"""
    _State.debug = debug


PlanOption = Annotated[
    Path, typer.Option("--plan", "-p", help="计划文件（YAML）。", show_default=False)
]


@app.command()
def validate(plan: PlanOption) -> None:
    """检查计划文件和两个名录库，列出每个问题所在的文件、行和列。"""
    from shuangsuiji.commands.validate import validate_workspace

    def check() -> None:
        workspace, summaries = validate_workspace(plan)
        out = _stdout()
        if workspace.problems:
            out.print(problems_table(workspace.problems, title="发现的问题"))
        if summaries:
            table = Table(title=f"{workspace.plan.agency} {workspace.plan.year} 年度抽查任务")
            for header in (
                "编号",
                "类型",
                "抽查事项",
                "抽查月份",
                "比例",
                "符合条件企业",
                "每次抽取",
            ):
                table.add_column(header, overflow="fold")
            for s in summaries:
                table.add_row(
                    s.task_id,
                    s.kind,
                    s.name,
                    "、".join(f"{m}月" for m in s.months),
                    s.ratio,
                    str(s.eligible),
                    str(s.quota),
                )
            out.print(table)
            out.print(_accounting_table([(s.task_id, s.accounting) for s in summaries]))
            if workspace.enterprises is not None and workspace.officers is not None:
                out.print(
                    f"企业名录库 {len(workspace.enterprises)} 家，"
                    f"执法人员名录库 {len(workspace.officers)} 人。"
                )
        errors, warnings = len(workspace.errors), len(workspace.warnings)
        if errors:
            raise InputError(f"发现 {errors} 个错误、{warnings} 个警告；改正错误后再运行。")
        out.print(_marked("✓", f"校验通过：0 个错误，{warnings} 个警告。"))

    _run(check)


def _print_plan_made(done: str, plan: Plan, warnings: Sequence[Problem]) -> None:
    """What a new plan holds, after the warnings its sources gave (plan import, init)."""
    out = _stdout()
    if warnings:
        out.print(problems_table(warnings, title="请留意"))
    out.print(
        _marked(
            "✓",
            f"{done}：{plan.agency} {plan.year} 年度，"
            f"{len(plan.items)} 个本部门事项、{len(plan.joint)} 个联合任务。",
        )
    )


@plan_app.command("import")
def plan_import(
    annexes: Annotated[
        list[Path],
        typer.Argument(
            help="通知附件1–3：xlsx、csv，或含制表符表格的通知文本；可给多个文件。",
            metavar="附件",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="要写出的计划文件（YAML）。", show_default=False)
    ],
    agency: Annotated[str | None, typer.Option(help="实施机关（默认取自附件标题）。")] = None,
    year: Annotated[int | None, typer.Option(help="年度（默认取自附件标题）。")] = None,
    seed: Annotated[str | None, typer.Option(help="随机种子；正式抽取前应公开。")] = None,
    enterprises: Annotated[
        str, typer.Option(help="企业名录库文件，相对于计划文件。")
    ] = "enterprises.xlsx",
    officers: Annotated[
        str, typer.Option(help="执法人员名录库文件，相对于计划文件。")
    ] = "officers.xlsx",
    target_column: Annotated[str, typer.Option(help="检查对象对应的名录库列。")] = "行业类别",
    deadline_workdays: Annotated[int, typer.Option(help="结果公示期限（工作日）。", min=1)] = 5,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件。")] = False,
    sealed: Annotated[
        bool,
        typer.Option(
            "--seal/--no-seal", help="写出计划后立即封存种子承诺（ssj seal），计划即可用于抽取。"
        ),
    ] = True,
) -> None:
    """从通知附件（事项清单、本部门计划、联合计划）生成计划文件，并封存种子承诺。"""
    from shuangsuiji.commands.plan_import import import_plan_file
    from shuangsuiji.inputs.annex import PlanOptions

    def run() -> None:
        options = PlanOptions(
            agency=agency,
            year=year,
            seed=seed,
            enterprises=enterprises,
            officers=officers,
            target_column=target_column,
            deadline_workdays=deadline_workdays,
        )
        imported, sealing = import_plan_file(annexes, output, options, force=force, sealed=sealed)
        out = _stdout()
        _print_plan_made(f"已写出 {output}", imported.plan, imported.warnings)
        if sealing is not None:
            _print_seal(sealing)
        else:
            out.print(
                f"计划尚未封存种子承诺；抽取前请运行 ssj seal --plan {shlex.quote(str(output))}"
            )
        out.print(f"下一步：备好名录库后运行 ssj validate --plan {shlex.quote(str(output))}")

    _run(run)


MonthOption = Annotated[
    str | None,
    typer.Option("--month", "-m", help="月份 YYYY-MM（默认当月）。", show_default=False),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today", help="把这一天当作今天（补录、演练或测试用），如 2025-03-12。", metavar="日期"
    ),
]


JsonOption = Annotated[
    bool, typer.Option("--json", help="只在标准输出打印 JSON（提示信息写到标准错误）。")
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        help="工作区被另一个 ssj 占用时最多等待的秒数，超时退出码 3。",
        min=0,
        metavar="秒",
    ),
]


def _print_seal(outcome: SealOutcome) -> None:
    out = _stdout()
    state = "已封存"
    if outcome.replaced:
        state = (
            f"已重新封存（{outcome.reason}；自 {outcome.pledge.applies_from} 起用新承诺，"
            "此前的抽取仍按原承诺书核对）"
        )
    out.print(_marked("✓", f"{state}种子承诺，写入 {outcome.plan_file}："))
    out.print(f"commitment: {outcome.commitment}")
    out.print(
        f"秘密保存在 {outcome.secret_file}（仅本机可读）。请妥善备份，任何时候都不要公开或外传；"
        "丢失后只能重新封存。"
    )
    text, data = outcome.pledge_files
    out.print(
        f"\n承诺书已写出：{text}（打印、盖章，报送上级机关和纪检监察机关备案）和 {data}"
        "（供 ssj verify --published 和抽取复核页核对）。"
        "\n请在第一次抽取之前，随年度抽查计划一并公开这两个文件。"
    )
    if outcome.pledge.parameters.ceremony is None:
        out.print(
            _marked(
                "!",
                "计划没有 ceremony 块（公开随机数的来源和格式）：本机关事先就能算出各月的抽取结果，"
                "复核时会提示这一点。建议在计划中加入，例如：\n"
                "ceremony:\n  source: 中国福利彩票“3D”抽取日前一天晚上的开奖号码\n"
                "  pattern: '\\d \\d \\d'\n然后运行 ssj seal --replace --reason 加入公开随机数",
            )
        )


@app.command("init")
def init_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="新工作区的文件夹（新建的或空的）。", metavar="文件夹", show_default=False
        ),
    ],
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency", help="实施机关，如 洛龙区应急管理局（用 --from 时默认取自附件标题）。"
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="年度（默认今年；用 --from 时取自附件标题）。", min=2000, max=2100
        ),
    ] = None,
    annexes: Annotated[
        list[Path] | None,
        typer.Option(
            "--from",
            help="通知附件1–3（xlsx、csv 或通知文本），从中生成计划；可写多次。"
            "不给时用示例的事项作模板。",
            metavar="附件",
        ),
    ] = None,
) -> None:
    """新建一个工作区：计划（已封存种子承诺）、承诺书、两个名录库模板、使用说明和定时任务。"""
    from shuangsuiji.commands.init import init_workspace

    def run() -> None:
        made = init_workspace(folder, agency=agency, year=year, annexes=annexes or ())
        out = _stdout()
        _print_plan_made(f"已创建工作区 {made.folder}", made.plan, made.warnings)
        _print_seal(made.sealing)
        plan_arg = shlex.quote(str(made.plan_file))
        rosters = "、".join(str(p) for p in made.rosters)
        out.print(
            f"\n下一步：\n1. 填好名录库模板 {rosters}（或以同名放入本单位导出的名录库），然后运行\n"
            f"   ssj validate --plan {plan_arg}\n"
            f"2. 每天的例行工作：{made.folder / '定时任务'} 里有本工作区的 crontab 行和 systemd 单元。\n"
            f"全部步骤见 {made.folder / '使用说明.txt'}。"
        )

    _run(run)


@app.command("seal")
def seal_command(
    plan: PlanOption,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="秘密文件丢失或泄露时重新封存一条新的哈希链（须写原因）。"),
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="重新封存的原因，记入台账。")
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """封存本年度的种子承诺：生成秘密文件，把承诺值（commitment）写入计划文件，写出承诺书，抽取前公开。"""
    from shuangsuiji.commands.seal import seal

    def run() -> None:
        _print_seal(seal(plan, replace=replace, reason=reason, wait=wait))

    _run(run)


def _accounting_table(rows: Sequence[tuple[str, Accounting | None]]) -> Table:
    """Where every roster row went, per item: eligible, or left out and why."""
    table = Table(title="名录库每一行的去向（每行只计一次）")
    for header in ("编号", "名录库行数", "符合条件", "未列入（原因和数目）"):
        table.add_column(header, overflow="fold")
    for task_id, counted in rows:
        if counted is not None:
            table.add_row(task_id, str(counted.rows), str(counted.eligible), counted.left_out())
    return table


def _render_draws(outcome: DrawOutcome) -> None:
    from shuangsuiji.rules.clock import local_time
    from shuangsuiji.rules.records import DrawRecord, ExternalDraw

    out = _stdout()
    for record in outcome.records:
        fresh = record.scope in outcome.new_scopes
        state = (
            Text("新抽取", "green")
            if fresh
            else f"已于 {local_time(record.created_at, outcome.timezone)} 抽取（返回原记录）"
        )
        if isinstance(record, ExternalDraw):
            caption = f"外部导入（{record.source}），共 {len(record.selected)} 家；不是本工具抽取的"
        else:
            method = "RFC 3797" if record.spec == "RFC3797" else record.spec
            caption = (
                f"{method}；对象 {record.population.size} 家，排除本年度已抽中 {len(record.excluded)} 家，"
                f"应抽 {record.k} 家，抽中 {len(record.selected)} 家"
            )
        table = Table(title=Text.assemble(f"{record.scope}  ", state), caption=caption)
        for header in ("序号", "统一社会信用代码", "企业名称", "抽取号"):
            table.add_column(header, overflow="fold")
        for s in record.selected[:MAX_SHOWN]:
            table.add_row(str(s.rank), s.uscc, s.name, s.ticket[:16] + "…" if s.ticket else "")
        if len(record.selected) > MAX_SHOWN:
            rest = len(record.selected) - MAX_SHOWN
            table.add_row("…", f"另有 {rest} 家", "完整名单见抽取结果表和抽取记录", "")
        out.print(table)
    counted = [
        (r.scope, r.accounting)
        for r in outcome.records
        if isinstance(r, DrawRecord) and r.scope in outcome.new_scopes and r.covers is None
    ]
    if counted:
        out.print(_accounting_table(counted))


draw_app = typer.Typer(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(draw_app, name="draw")


@draw_app.callback()
def draw(
    ctx: typer.Context,
    plan: Annotated[
        Path | None, typer.Option("--plan", "-p", help="计划文件（YAML）。", show_default=False)
    ] = None,
    month: MonthOption = None,
    item: Annotated[
        str | None, typer.Option("--item", "-i", help="只抽取这一个事项或联合任务。")
    ] = None,
    as_json: JsonOption = False,
    seed_extra: Annotated[
        str | None,
        typer.Option(
            "--seed-extra",
            help="计划公布的公开随机数（如抽取日前一天晚上的福彩 3D 开奖号码），照公告输入；"
            "按规范写法（只留数字，用空格隔开）加入种子。",
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option("--method", help="抽取方法：ssj（SSJ-DRAW-1，默认）或 rfc3797（公开摇号）。"),
    ] = "ssj",
    sources: Annotated[
        str | None,
        typer.Option(
            "--sources", help='RFC 3797 的公开随机源，如 "9319 / 2 5 12 8 10 / 9 18 26 34 41 45"。'
        ),
    ] = None,
    today: TodayOption = None,
    accept_shrink: Annotated[
        str | None,
        typer.Option(
            "--accept-shrink",
            help="某事项的抽取对象比上次少了一成以上时，核对无误后用它接受并写明原因（记入抽取记录）。",
            metavar="原因",
        ),
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """抽取当月到期的检查对象（联合任务先抽）；已抽过的月份返回原记录，不会重抽。

    抽取日（计划 draw_day，默认当月第一个工作日）之前不能抽取。

    ssj draw import 导入年内在其他平台已做的抽取结果。
    """
    from shuangsuiji.commands.draw import draw_month
    from shuangsuiji.rules.records import records_json

    if ctx.invoked_subcommand is not None:
        return

    def run() -> None:
        if plan is None:
            raise InputError("缺少选项 --plan / -p（计划文件）")
        if method not in ("ssj", "rfc3797"):
            raise InputError(f"未知的抽取方法“{method}”；可选 ssj 或 rfc3797")
        if (method == "rfc3797") != (sources is not None):
            raise InputError(
                "RFC 3797 方式需要 --sources 给出公开随机源；--sources 只用于 --method rfc3797"
            )
        outcome = draw_month(
            plan,
            month,
            item=item,
            seed_extra=seed_extra,
            sources=sources,
            today=_date_option(today, "--today"),
            accept_shrink=accept_shrink,
            wait=wait,
        )
        err = _stderr()
        if outcome.warnings and outcome.new_scopes:
            err.print(problems_table(outcome.warnings, "抽取时的输入警告（请核对）"))
        if as_json:
            sys.stdout.writelines(records_json(outcome.texts))
        else:
            _render_draws(outcome)
        for note in outcome.notices:
            err.print(_marked("!", f"{note}"))
        if not as_json:
            for path in outcome.files:
                err.print(f"已写出 {path}")
            if outcome.records and not outcome.new_scopes:
                err.print(f"{outcome.month} 的抽取此前已完成，没有写入新内容。")

    _run(run)


@draw_app.command("import")
def draw_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="其他平台导出的抽中名单（xlsx 或 csv，含统一社会信用代码列）。",
            show_default=False,
            metavar="名单文件",
        ),
    ],
    plan: PlanOption,
    task: Annotated[
        str,
        typer.Option(
            "--task", "-t", help="名单所属的事项或联合任务编号，如 AJ-01。", show_default=False
        ),
    ],
    month: Annotated[
        str, typer.Option("--month", "-m", help="名单的抽取月份 YYYY-MM。", show_default=False)
    ],
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """年中开始使用时，导入本年度已在其他平台抽取的名单，之后的抽取会排除这些企业（记为外部导入，不是本工具抽取）。"""
    from shuangsuiji.commands.draw_import import import_draw

    def run() -> None:
        outcome = import_draw(plan, file, task=task, month=month, wait=wait)
        record = outcome.record
        _stdout().print(
            _marked(
                "✓",
                f"已导入 {record.scope}：{len(record.selected)} 家（来自 {record.source}，"
                "记为外部抽取，本年度之后的抽取会排除这些企业）",
            )
        )
        err = _stderr()
        for note in outcome.notices:
            err.print(_marked("!", f"{note}"))
        for path in outcome.files:
            err.print(f"已写出 {path}")

    _run(run)


def _render_groups(outcome: AssignOutcome, agency: str) -> None:
    from shuangsuiji.outputs.groups import group_label, group_notes, officer_names

    if len(outcome.groups) > MAX_GROUPS_SHOWN:  # a city's month: a summary, the sheet has all
        _render_group_summary(outcome)
        _render_loads(outcome, agency)
        return
    table = Table(title=f"{outcome.month} 检查分组")
    for header in ("任务", "检查组", "行业类别", "检查人员", "检查对象", "提示"):
        table.add_column(header, overflow="fold")
    for group in outcome.groups:
        table.add_row(
            group.scope,
            group_label(group.group),
            group.industry,
            officer_names(group, agency),
            "\n".join(e.name for e in group.enterprises),
            group_notes(group, outcome.timezone),
        )
    _stdout().print(table)
    _render_loads(outcome, agency)


def _render_group_summary(outcome: AssignOutcome) -> None:
    """Per task: groups, enterprises, officers and groups with a warning."""
    table = Table(
        title=f"{outcome.month} 检查分组（共 {len(outcome.groups)} 组，明细见检查任务单）"
    )
    for header in ("任务", "检查组", "检查对象", "检查人员", "有提示的组"):
        table.add_column(header, overflow="fold")
    for scope in dict.fromkeys(g.scope for g in outcome.groups):
        mine = [g for g in outcome.groups if g.scope == scope]
        table.add_row(
            scope,
            str(len(mine)),
            str(sum(len(g.enterprises) for g in mine)),
            str(len({o.id for g in mine for o in g.officers})),
            str(sum(bool(g.warnings) for g in mine)),
        )
    _stdout().print(table)


def _render_loads(outcome: AssignOutcome, agency: str) -> None:
    """Fairness figures: each officer's groups and enterprises this month and this year (for a
    big roster, only the spread and who is over the cap)."""
    from shuangsuiji.rules.assign import spread

    loads = [o for o in outcome.loads if o.eligible or o.month_groups]
    if not loads:
        return
    out = _stdout()
    if len(loads) <= MAX_OFFICERS_SHOWN:  # a city's officers: the spread below, not a list
        table = Table(title=f"{outcome.month} 人员工作量（本年度含本月）")
        for header in ("姓名", "所属机关", "本月组数", "本月企业", "本年组数", "本年企业"):
            table.add_column(header, overflow="fold")
        for o in loads:
            over = o.cap is not None and o.month_groups > o.cap
            month = Text(str(o.month_groups), "red" if over else "")
            table.add_row(
                o.name,
                o.department,
                month,
                str(o.month_enterprises),
                str(o.year_groups),
                str(o.year_enterprises),
            )
        out.print(table)
    for department in dict.fromkeys(o.department for o in loads):
        found = spread(loads, department)
        if found is None:
            continue
        cap = next((o.cap for o in loads if o.department == department and o.cap), None)
        ratio = f"，最多 ÷ 最少 = {found.year_ratio:.2f}" if found.year_ratio else ""
        limit = f"（每人上限 {cap} 组）" if cap else ""
        out.print(
            f"{department}：本月每人 {found.month[0]}–{found.month[1]} 组{limit}；"
            f"本年度每人 {found.year[0]}–{found.year[1]} 组{ratio}"
        )
    capped = [o for o in loads if o.cap is not None and o.month_groups > o.cap]
    for o in capped[:MAX_OFFICERS_SHOWN]:
        _stderr().print(
            _marked(
                "!",
                f"{o.name} 本月 {o.month_groups} 组，超过每人 {o.cap} 组的上限（原因见分组说明）",
            )
        )
    if len(capped) > MAX_OFFICERS_SHOWN:
        # A city's month: hundreds of names say less than a count; --json lists every one.
        _stderr().print(
            _marked(
                "!",
                f"共 {len(capped)} 名人员本月超过上限，以上只列出前 {MAX_OFFICERS_SHOWN} 名；"
                "全部见 ssj assign --json 的 officers（month_groups 大于 cap 的）",
            )
        )


def _write_json(value: object) -> None:
    """JSON on stdout and nothing else there (messages go to stderr)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


@app.command()
def assign(
    plan: PlanOption,
    month: Annotated[str, typer.Option("--month", "-m", help="月份 YYYY-MM。", show_default=False)],
    as_json: JsonOption = False,
    replace: Annotated[
        str | None,
        typer.Option(
            "--replace",
            help="递补：把这名人员（执法证号，或不重名时的姓名）换下，由下一位符合条件的人员替补。",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="递补原因（必填），记入台账并随人员分组记录公开。"),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            help="只在这一个组递补：任务编号:组号，如 AJ-01:2（只在一个任务中有该组号时可只写组号）。",
            metavar="组",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--verify", help="按台账中的分组记录重算一遍，核对是否一致。")
    ] = False,
    today: TodayOption = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """随机选派执法人员并按行业分组，写出检查任务单；已分组的月份返回原分组。
    递补时重新写出任务单，已填写的内容照搬，原任务单存入 备份/。"""
    from shuangsuiji.commands.assign import assign_month, replace_officer, verify_month_assignment

    def run() -> None:
        if check:
            differences = verify_month_assignment(plan, month)
            if differences:
                for difference in differences:
                    _stdout().print(f"  - {difference}")
                raise NeedsAttention(f"{month} 的人员分组复核不一致")
            _stdout().print(_marked("✓", f"{month} 的人员分组（含递补）复核一致"))
            return
        if replace is None and (reason is not None or group is not None):
            raise InputError("--reason 和 --group 只与 --replace（递补）一起使用")
        if replace is not None:
            if reason is None or not reason.strip():
                raise InputError(
                    "递补必须用 --reason 写明原因（如“病假”“回避”），原因记入台账并随人员分组记录公开"
                )
            outcome = replace_officer(
                plan,
                month,
                replace,
                reason,
                group=group,
                today=_date_option(today, "--today"),
                wait=wait,
            )
        else:
            outcome = assign_month(plan, month, wait=wait)
        err = _stderr()
        if as_json:
            _write_json(outcome.to_json())
        elif outcome.groups and outcome.record is not None:
            _render_groups(outcome, outcome.record.agency)
        for note in outcome.notices:
            err.print(_marked("!", f"{note}"))
        if not as_json:
            for path in outcome.files:
                err.print(f"已写出 {path}")
            if outcome.groups and not outcome.new and replace is None:
                err.print(f"{outcome.month} 此前已分组，返回原分组。")

    _run(run)


@app.command()
def verify(
    records: Annotated[
        list[Path],
        typer.Argument(
            help="抽取记录 JSON 文件（或 ssj draw --json 的输出），可给多个，或给 输出/ 文件夹复核整年。",
            metavar="记录文件或文件夹",
            show_default=False,
        ),
    ],
    enterprises: Annotated[
        Path | None,
        typer.Option("--enterprises", help="同时用这份企业名录库核对记录中的对象名单。"),
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            "-p",
            help="同时核对记录与计划（任务、targets、比例、月份）和工作区台账中的记录一致。",
        ),
    ] = None,
    published: Annotated[
        Path | None,
        typer.Option(
            "--published",
            help="对照机关事先公开的承诺书（承诺书-YYYY.json）：种子承诺、比例、范围、方式、公开随机数、"
            "抽取日，以及有没有漏抽或多抽。",
            metavar="承诺书",
        ),
    ] = None,
) -> None:
    """仅凭抽取记录重新计算一遍抽取（含种子承诺），核对是否一致；给出本年度的全部记录时还核对排除名单；
    给出承诺书时核对一切是否按事先公布的进行。"""
    from shuangsuiji.commands.verify import verify_paths

    def run() -> None:
        outcome = verify_paths(records, enterprises, plan, published)
        out = _stdout()
        for scope, differences in outcome.results:
            if scope in outcome.external and not differences:
                out.print(
                    f"· {scope} 是从“{outcome.external[scope]}”导入的外部抽取结果：无从复核，只作为此前的抽中名单"
                )
            elif differences:
                out.print(_marked("✗", f"{scope} 复核不一致："))
                for difference in differences:
                    out.print(f"  - {difference}")
            else:
                out.print(_marked("✓", f"{scope} 复核一致"))
        for problem in outcome.problems:
            out.print(_marked("✗", problem))
        if outcome.pledged and not outcome.failed:
            out.print(_marked("✓", f"全部记录与承诺书 {published} 一致，没有漏抽或多抽"))
        for warning in outcome.warnings:
            _stderr().print(_marked("!", warning))
        if not outcome.cross_checked:
            _stderr().print(
                "提示：单独一份记录无法证明排除名单；连同本年度更早的记录一起复核，如 ssj verify 输出/"
            )
        if outcome.failed:
            raise NeedsAttention(f"{outcome.failed} 条记录复核不一致")

    _run(run)


@results_app.command("waive")
def results_waive(
    plan: PlanOption,
    month: Annotated[
        str, typer.Option("--month", "-m", help="抽取月份 YYYY-MM。", show_default=False)
    ],
    uscc: Annotated[
        str,
        typer.Option("--uscc", help="未能检查的企业的统一社会信用代码。", show_default=False),
    ],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="未能检查的原因（标准检查结果都不适用时），记入台账，如“企业已搬离本区，已移交属地”。",
            show_default=False,
            metavar="原因",
        ),
    ],
    task: Annotated[
        str | None, typer.Option("--task", "-t", help="同一企业本月被多个任务抽中时指明任务。")
    ] = None,
    today: TodayOption = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """登记抽中的企业未能检查及原因（标准检查结果都不适用时）：它不再列为需要处理；之后导入它的检查结果时登记自动结束。"""
    from shuangsuiji.commands.results import waive_result

    def run() -> None:
        waiver = waive_result(
            plan,
            month=month,
            uscc=uscc,
            reason=reason,
            task=task,
            today=_date_option(today, "--today"),
            wait=wait,
        )
        _stdout().print(
            _marked(
                "✓",
                f"已登记 {waiver.scope} {waiver.name}（{waiver.uscc}）未能检查：{waiver.reason}"
                f"（{waiver.on}）。之后导入它的检查结果时，登记自动结束。",
            )
        )

    _run(run)


@audit_app.command("verify")
def audit_verify(
    plan: PlanOption,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="再核对这个文件夹里公开过的文件（如 输出/）记着的台账链头：历史有没有被删减或改写。",
        ),
    ] = None,
) -> None:
    """核对台账事件日志的哈希链和每条抽取记录，报告第一处断点；可再对照公开过的文件。"""
    from shuangsuiji.commands.audit import audit_workspace, check_against

    def run() -> None:
        if against is not None:
            checked = check_against(plan, against)
            for problem in checked.problems:
                _stdout().print(_marked("✗", f"{problem}"))
            if checked.problems:
                raise NeedsAttention(f"{len(checked.problems)} 个公开文件与台账现在的历史不符")
            _stdout().print(
                _marked("✓", f"{against} 中 {checked.checked} 个台账链头都在台账现在的哈希链上。")
            )
        audited = audit_workspace(plan)
        if audited is None:
            _stdout().print("工作区还没有台账（尚未抽取过），无需核对。")
            return
        report, head = audited
        out = _stdout()
        if not report.ok:
            for problem in report.problems:
                out.print(_marked("✗", f"{problem}"))
            raise NeedsAttention("台账校验失败：有内容在写入后被改动")
        out.print(
            _marked(
                "✓", f"台账完整：{report.events} 个事件、{report.draws} 条抽取记录，哈希链无断点。"
            )
        )
        out.print(f"最新事件哈希：{head}（公示时一并公开，可防止事后删改）")

    _run(run)


@app.command()
def workdays(
    date: Annotated[
        str,
        typer.Argument(
            help="起算日期（ISO，如 2025-09-30；当天不计入）。", show_default=False, metavar="日期"
        ),
    ],
    count: Annotated[
        int, typer.Argument(help="第几个工作日。", min=0, show_default=False, metavar="天数")
    ],
    plan: Annotated[
        Path | None, typer.Option("--plan", "-p", help="计划文件：使用其中的 calendar 放假安排。")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """打印某日期之后的第 N 个工作日（跳过法定节假日，调休上班日计入）。"""
    from shuangsuiji.commands.workdays import nth_workday

    def run() -> None:
        start = _date_option(date, "起算日期")
        assert start is not None
        result = nth_workday(start, count, plan)
        if as_json:
            _write_json(
                {"date": start.isoformat(), "workdays": count, "deadline": result.isoformat()}
            )
        else:
            typer.echo(result.isoformat())

    _run(run)


def _date_option(text: str | None, name: str) -> dt.date | None:
    if text is None:
        return None
    day = parse_date(text)
    if day is None:
        raise InputError(f"{name} 的“{text}”不是有效的日期；请写成 2025-04-30 这样的日期")
    return day


@results_app.command("import")
def results_import(
    sheet: Annotated[
        Path,
        typer.Argument(help="填好的检查任务单（xlsx）。", show_default=False, metavar="任务单文件"),
    ],
    plan: PlanOption,
    today: TodayOption = None,
    prefer: Annotated[
        bool,
        typer.Option(
            "--prefer",
            help="与别的文件已导入的结果冲突时以本文件为准（由人核实后使用）。",
        ),
    ] = False,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """导入填好的检查任务单（总表和各组工作表都读）：整个文件没有错误才导入；重复导入不会重复记录；
    已公示的结果被改动时记为更正，在下一张公示表中更正公示。"""
    from shuangsuiji.commands.results import import_results

    def run() -> None:
        outcome = import_results(
            plan, sheet, today=_date_option(today, "--today"), wait=wait, prefer=prefer
        )
        fixes = len(outcome.corrections)
        _stdout().print(
            _marked(
                "✓",
                f"{sheet.name}：新结果或改动 {len(outcome.changed)} 条"
                + (
                    f"（其中更正已公示的结果 {fixes} 条，将在下一张公示表中更正公示）"
                    if fixes
                    else ""
                )
                + f"，未变 {outcome.unchanged} 条，未填 {outcome.blank} 条。",
            )
        )
        for conflict in outcome.conflicts:
            _stdout().print(_marked("!", f"冲突，未导入：{conflict.render()}", "  "))
        if outcome.conflicts:
            raise NeedsAttention(
                f"{len(outcome.conflicts)} 条结果与别的文件已导入的不一致，没有导入；"
                "请核实后改正其中一个文件重新导入，或确认本文件正确后加 --prefer 重新导入"
            )

    _run(run)


@app.command()
def publish(
    plan: PlanOption,
    month: Annotated[
        str | None, typer.Option("--month", "-m", help="只含这个月份的任务（YYYY-MM）。")
    ] = None,
    mark_published: Annotated[
        str | None,
        typer.Option("--mark-published", help="登记公示表（默认最近一张）所列结果已于该日期公示。"),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="与 --mark-published 一起用：登记哪一张公示表（文件名）。"),
    ] = None,
    today: TodayOption = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """写出尚未公示结果的公示表（不含任何人员信息）；或用 --mark-published 登记公示日期。"""
    from shuangsuiji.commands.publish import publish as publish_results

    def run() -> None:
        outcome = publish_results(
            plan,
            month=month,
            mark_published=_date_option(mark_published, "--mark-published"),
            sheet=sheet,
            today=_date_option(today, "--today"),
            wait=wait,
        )
        out = _stdout()
        if outcome.marked:
            out.print(_marked("✓", f"{outcome.marked}"))
        elif outcome.path is None:
            out.print("没有待公示的检查结果。")
        else:
            state = (
                "已写出"
                if outcome.new_batch
                else "待公示的结果没有变化，仍是"
                if not outcome.written
                else "已补写"
            )
            fixes = f"，其中更正 {outcome.corrections} 条" if outcome.corrections else ""
            out.print(
                _marked("✓", f"{state} {outcome.path}（{len(outcome.rows)} 条待公示{fixes}）")
            )
        for line in outcome.replacements:
            out.print(_marked("✓", line, "  "))
        for warning in outcome.warnings:
            out.print(_marked("!", f"{warning}", "  "))

    _run(run)


_STATUS_COLOURS = {
    "overdue": "red",
    "due_today": "yellow",
    "published_late": "magenta",
    "no_result": "yellow",
}


def _print_statuses(found: Sequence[Status]) -> None:
    """Statuses for a person, two lines each within 80 columns: how late, the deadline, the
    code (never wrapped) and the task; then the enterprise and whom to ask."""
    out = _stdout()
    out.print("状态              截止日期    统一社会信用代码    任务", style="bold")
    lines = []
    for s in found:
        text = standing(s) + ("（更正）" if s.corrected_on else "")
        pad = " " * max(0, 16 - cell_len(text))
        colour = _STATUS_COLOURS.get(s.status, "")
        lines.append(
            Text.assemble((text, colour), f"{pad}  {s.deadline or '—':<10}  {s.uscc}  {s.scope}")
        )
        who = (f"  检查人员：{'、'.join(s.officers)}", "dim") if s.officers else ""
        lines.append(Text.assemble(f"    {s.name}", who))
    _print_many(out, lines)


_MANY_LINES = 200


def _print_many(out: Console, lines: Sequence[Text]) -> None:
    """Lines in their colours; past :data:`_MANY_LINES` as plain text in one write: Rich takes
    about 150 µs a line, and a province's month lists fifty thousand results (8 s)."""
    if len(lines) <= _MANY_LINES:
        for line in lines:
            out.print(line, overflow="ignore")
    else:
        out.out("\n".join(line.plain for line in lines), highlight=False)


@app.command("deadline-check")
def deadline_check(
    plan: PlanOption,
    today: TodayOption = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="状态",
            help="只列出这些状态（可重复）：已逾期、没有检查结果、今天到期、待公示、逾期后公示、已公示。",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """按紧急程度列出每条检查结果的公示期限（逾期最久的在前）和负责的检查人员；
    有逾期或月份已过仍没有检查结果的企业时退出码 1。"""
    from shuangsuiji.commands.deadlines import check_deadlines

    def run() -> None:
        found = check_deadlines(plan, _date_option(today, "--today"), only=status or ())
        if as_json:
            _write_json(found)
        elif found:
            _print_statuses(found)
        else:
            _stdout().print("没有符合条件的检查结果。")
        late = [s for s in found if s.status in NEEDS_ATTENTION]
        if late:
            overdue = sum(s.status == "overdue" for s in late)
            missing = len(late) - overdue
            parts = [f"{overdue} 条检查结果已超过公示期限"] if overdue else []
            parts += [f"{missing} 家抽中企业月份已过仍没有检查结果"] if missing else []
            raise NeedsAttention("，".join(parts))

    _run(run)


@app.command("report")
def report(
    plan: PlanOption,
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="年份", help="统计哪一年（默认计划的年度）。"),
    ] = None,
    today: TodayOption = None,
) -> None:
    """年度统计（年度双随机抽查工作总结用）：按任务按月的符合条件、抽中、已检查、发现问题、责令改正、
    按期／逾期／尚未公示，检查结果分类，人员工作量；写出带 Excel 图表的工作簿和同样的 PNG 图。
    年中也可以运行，只统计已经发生的。"""
    from shuangsuiji.commands.report import make_report

    def run() -> None:
        outcome = make_report(plan, year, _date_option(today, "--today"))
        err = _stderr()
        for path in outcome.files:
            err.print(f"已写出 {path}")
        for note in outcome.notes:
            err.print(_marked("!", note))
        table = Table(title=f"{outcome.report.agency} {outcome.report.year} 年度按月汇总")
        for header in ("月份", "抽中", "已检查", "按期公示", "逾期公示", "按期公示率"):
            table.add_column(header, justify="left" if header == "月份" else "right")
        for month in outcome.report.months:
            rate = month.on_time_rate
            table.add_row(
                month.month,
                str(month.drawn),
                str(month.inspected),
                str(month.on_time),
                str(month.late),
                "—" if rate is None else f"{rate:.0%}",
            )
        _stdout().print(table)
        if not outcome.files:
            _stdout().print("统计与上次相同，文件未改动。")

    _run(run)


@app.command("pages")
def pages(
    plan: PlanOption,
    month: Annotated[str, typer.Option("--month", "-m", help="月份 YYYY-MM。", show_default=False)],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="列名",
            help="按名录库的哪一列分单位（默认计划的 print_unit，即所属街道）。",
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", metavar="单位", help="只写这一个单位（默认每个单位各一份）。"),
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """按单位打印：大月份（抽中超过计划 print_max_selected 家，或任务单超过 print_max_enterprises 家）
    的名单写成 csv 和 parquet，不再打成一张长表；这里为每个单位（街道、乡镇，或名录库的任一列）
    各写一份可打印的抽取结果，已分组的月份还有该单位的检查任务单（含分组检查单）和现场检查文书
    （一个检查组归入它多数企业所在的单位，文号与全月一致），放在 输出/月份/分单位/单位/ 下。"""
    from shuangsuiji.commands.pages import unit_pages

    def run() -> None:
        outcome = unit_pages(plan, month, by=by, unit=unit, wait=wait)
        table = Table(title=f"{outcome.month} 按{outcome.column}分单位")
        table.add_column(outcome.column)
        table.add_column("抽中家数", justify="right")
        for name, count in outcome.units:
            table.add_row(name, str(count))
        _stdout().print(table)
        err = _stderr()
        for path in outcome.files:
            err.print(f"已写出 {path}")
        if not outcome.files:
            err.print("各单位的文件与上次相同，未改动。")

    _run(run)


@app.command("run")
def run_command(
    plan: PlanOption,
    today: TodayOption = None,
    notify: Annotated[
        str | None,
        typer.Option(
            "--notify",
            help="有需要处理的事项或错误时运行这条命令（shell 命令行），把当天摘要从标准输入传给它，"
            "例如 'mail -s ssj 提醒 clerk@example.org'。",
        ),
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """定时批处理：做当天该做的事（抽取、分组、导入结果、写公示表、检查期限），可重复运行。
    有需要处理的事项时退出码 1，并逐项列出。"""
    from shuangsuiji.commands.run import run_day

    def run() -> None:
        try:
            outcome = run_day(plan, _date_option(today, "--today"), wait=wait)
        except SsjError as exc:
            if notify:
                _notify(notify, f"ssj run 未能完成：{exc.message}\n")
            raise
        out = _stdout()
        if outcome.warnings:
            _stderr().print(problems_table(outcome.warnings, "抽取时的输入警告（请核对）"))
        out.print(f"ssj run {outcome.today.isoformat()}", style="bold")
        for action in outcome.actions:
            out.print(f"  • {action}")
        if not outcome.actions:
            out.print("  今天没有新的操作。")
        counts = outcome.counts
        if counts:
            out.print(
                "  公示状态："
                + "，".join(f"{STATUS_NAMES[k]} {v}" for k, v in sorted(counts.items()))
            )
        to_do = outcome.to_do
        if to_do:
            out.print(f"  需要处理（{len(to_do)} 项）：", style="yellow")
        _print_many(out, [_marked("!", line, "  ") for line in to_do])
        if outcome.log is not None:
            out.print(f"  日志：{outcome.log}")
        if notify and (to_do or outcome.problems) and outcome.log is not None:
            _notify(notify, outcome.log.read_text(encoding="utf-8"))
        if outcome.problems:
            raise InputError("有需要处理的输入问题（见上表），其余工作已完成", outcome.problems)
        if to_do:
            raise NeedsAttention(f"有 {len(to_do)} 项需要处理（见上）")

    _run(run)


def _notify(command: str, text: str) -> None:
    from shuangsuiji.commands.run import notify as notify_person

    failed = notify_person(command, text)
    if failed:
        _stderr().print(_marked("!", f"{failed}"))


_EVENT_NAMES = {
    "draw": "抽取",
    "assign": "人员分组",
    "substitute": "递补",
    "result": "检查结果",
    "publication_sheet": "公示表",
    "publish": "登记公示",
    "results_file": "导入结果文件",
    "seal": "封存种子承诺",
    "waive": "登记未能检查",
}


def _event_text(kind: str, payload: dict[str, object]) -> str:
    if kind == "draw" and payload.get("external"):
        return f"{payload['scope']}：导入外部抽取结果 {payload['selected']} 家（非本工具抽取）"
    if kind == "draw":
        return f"{payload['scope']}，抽中 {payload['selected']} 家"
    if kind == "seal":
        replaced = (
            f"，取代 {str(payload['replaces'])[:16]}…（{payload['reason']}）"
            if payload["replaces"]
            else ""
        )
        return f"承诺值 {payload['commitment']}{replaced}"
    if kind == "assign":
        return f"{payload['month']} 人员分组"
    if kind == "result":
        fix = "更正为 " if payload.get("correction") else ""
        return f"{payload['scope']} {payload['name']}：{fix}{payload['result']}（{payload['inspected_on']}）"
    if kind == "results_file":
        conflicts = payload["conflicts"]
        assert isinstance(conflicts, list)
        held = f"，{len(conflicts)} 条冲突未导入" if conflicts else ""
        return f"{payload['file']}：{payload['changed']} 条新结果或改动{held}"
    if kind == "publication_sheet":
        return f"{payload['file']}，{len(payload['items'])} 条"  # type: ignore[arg-type]
    if kind == "publish":
        return f"{len(payload['items'])} 条于 {payload['date']} 公示"  # type: ignore[arg-type]
    if kind == "waive":
        return f"{payload['scope']} {payload['name']}：未能检查（{payload['reason']}，{payload['on']}）"
    if kind == "substitute":
        out, new = payload["out"], payload["in"]
        assert isinstance(out, dict) and isinstance(new, dict)
        return f"{payload['scope']} 第{payload['group']}组：{out['name']} → {new['name']}（{payload['reason']}）"
    return json.dumps(payload, ensure_ascii=False)


@audit_app.command("log")
def audit_log(plan: PlanOption, as_json: JsonOption = False) -> None:
    """列出台账事件日志：每次抽取、分组和递补，何时、做了什么。"""
    from shuangsuiji.commands.audit import event_log

    def run() -> None:
        events = event_log(plan)
        if as_json:
            _write_json([dataclasses.asdict(e) for e in events])
            return
        table = Table(title="台账事件日志")
        for header in ("序号", "时间", "类型", "内容"):
            table.add_column(header, overflow="fold")
        for event in events:
            table.add_row(
                str(event.seq),
                event.local_at,
                _EVENT_NAMES.get(event.kind, event.kind),
                _event_text(event.kind, event.payload),
            )
        _stdout().print(table)

    _run(run)


class _WithoutPandas(importlib.abc.MetaPathFinder):
    """pyarrow probes for pandas whenever it builds an array; where pandas happens to be
    installed, that import costs more than reading a district's roster. ssj never uses pandas,
    so its own process answers the probe as an install without pandas would."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("ssj 不使用 pandas", name=name)


def main() -> None:
    """Console-script entry point."""
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _WithoutPandas())
    # A draw's Arrow columns live and die within one command: the system allocator gives the
    # memory back as it goes, where Arrow's default pool keeps it (a fifth less peak memory
    # for a million-row roster). Set before pyarrow is first imported; a user's choice stands.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    # A big month's command makes records by the hundred thousand; Python's cycle collector,
    # run after every 700 new objects by default, walked them over and over (0.6 s of a
    # city's ssj assign, 0.12 s of its draw, measured). ssj makes few cycles: every 50,000.
    gc.set_threshold(50_000)
    try:
        app()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    if not isinstance(code, int) or isinstance(code, bool):
        raise SystemExit(code)  # a message to print: Python's own exit does that
    # Every file is written and closed, every ledger transaction committed, by now: what is
    # left is freeing a city's tables and records one object at a time (0.1 s of its draw).
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader went away (ssj … | head): nothing more to show it
    os._exit(code)
