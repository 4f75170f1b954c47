"""The plan file (YAML): the year's inspection items, joint tasks, seed and rosters.

:func:`load_plan` reads it into the pydantic :class:`Plan`; every problem comes back as a
:class:`Problem` naming the YAML line and key path, so a user can find and fix it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import shlex
import unicodedata
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from shuangsuiji.exceptions import InputError, Problem, raise_for_errors
from shuangsuiji.inputs.dates import parse_date
from shuangsuiji.rules.clock import DEFAULT_ZONE
from shuangsuiji.rules.deadlines import deadline_of
from shuangsuiji.rules.ratio import Ratio
from shuangsuiji.rules.seal import is_hex64, number_fits
from shuangsuiji.rules.workdays import WorkCalendar, YearSchedule


def _as_list(value: Any) -> Any:
    """Let a single value stand for a one-element list ("months: 5")."""
    return [value] if isinstance(value, str | int) and not isinstance(value, bool) else value


def _split_words(value: Any) -> Any:
    """Accept "计划检查、随机抽查" as well as a YAML list."""
    if isinstance(value, str):
        return [
            w.strip() for w in value.replace("，", "、").replace(",", "、").split("、") if w.strip()
        ]
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_RANGE = re.compile(r"\s*(?:~|～|至|到|—|--)\s*")


def _dates(values: Any) -> frozenset[dt.date]:
    """Dates from "2027-01-01" and ranges "2027-02-06~2027-02-13" (also 至, ～)."""
    if isinstance(values, str | dt.date):
        values = [values]
    result: set[dt.date] = set()
    for value in values or []:
        if isinstance(value, dt.date):
            result.add(value)
            continue
        parts = _RANGE.split(str(value).strip())
        ends = [parse_date(p) for p in parts]
        if len(ends) not in (1, 2) or any(e is None for e in ends):
            raise ValueError(
                f"“{value}”不是有效的日期或日期范围；写成 2027-01-01 或 2027-02-06~2027-02-13"
            )
        first, last = ends[0], ends[-1]
        assert first is not None and last is not None
        if last < first:
            raise ValueError(f"日期范围“{value}”的结束早于开始")
        result.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return frozenset(result)


class Schedule(BaseModel):
    """A year's official schedule as the plan writes it (国务院办公厅 notice)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    @field_validator("holidays", "workdays", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> frozenset[dt.date]:
        return _dates(value)


class Ceremony(_Model):
    """The public number every draw adds, announced with the plan (docs/spec.md §4.3): where it
    comes from, in words, and the form of its canonical value as a regular expression."""

    source: str = Field(min_length=1)
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(
                f"pattern“{value}”不是有效的正则表达式（{exc}）；例如三个数字写成 '\\d \\d \\d'"
            ) from None
        if number_fits("", value):
            raise ValueError(f"pattern“{value}”连空值都接受，起不到固定号码格式的作用")
        return value


# What new plans announce by default (ssj plan import): a number the bureau cannot know when it
# seals in January nor choose on the day — the 3D lottery's draw of the evening before.
DEFAULT_CEREMONY = {"source": "中国福利彩票“3D”抽取日前一天晚上的开奖号码", "pattern": r"\d \d \d"}


class Rosters(_Model):
    """Where the two rosters are, relative to the plan file."""

    enterprises: str
    officers: str
    enterprises_sheet: str | None = None
    officers_sheet: str | None = None


class _Task(_Model):
    """What items and joint tasks share: an id, a ratio and the months they are drawn in."""

    id: str = Field(min_length=1)
    ratio: Ratio
    months: list[int] = Field(min_length=1)
    allow_empty: bool = False  # the roster may hold no enterprise for it (it then draws none)

    @field_validator("id")
    @classmethod
    def _id_chars(cls, value: str) -> str:
        # The id is part of the draw scope "{id}/{YYYY-MM}", so it may not contain "/".
        if "/" in value or any(c.isspace() for c in value):
            raise ValueError("编号不能含“/”或空格，例如 AJ-01")
        return value

    @field_validator("months", mode="before")
    @classmethod
    def _months_list(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("months")
    @classmethod
    def _months_range(cls, value: list[int]) -> list[int]:
        bad = [m for m in value if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"月份 {bad} 超出 1–12")
        if len(set(value)) != len(value):
            raise ValueError("月份有重复")
        return sorted(value)


class Item(_Task):
    """One 抽查事项 of the department's own plan (附件1/附件2)."""

    name: str = Field(min_length=1)
    basis: str = ""
    subject: str = ""
    category: str = ""
    targets: dict[str, list[str]] = {}
    # targets values no enterprise has this year, on purpose (not a typo): no error for them
    absent_targets: dict[str, list[str]] = {}
    methods: list[str] = []
    # A blank cell in a targets column: an error naming the row (default), or "exclude":
    # left out of the population, counted and published (docs/spec.md §4.2).
    blank_targets: Literal["error", "exclude"] = "error"
    # How the enterprises are drawn (docs/spec.md §4): SSJ-DRAW-1, or RFC 3797 from public
    # sources the plan announces in advance (``draw_sources``, in words).
    draw_method: Literal["SSJ-DRAW-1", "RFC3797"] = "SSJ-DRAW-1"
    draw_sources: str = ""
    # 检查内容 for the 现场检查记录 (notice §三); empty: the plan's own checklist
    checklist: list[str] = []

    @field_validator("targets", "absent_targets", mode="before")
    @classmethod
    def _target_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k).strip(): _split_words(v) for k, v in value.items()}
        return value

    @field_validator("methods", mode="before")
    @classmethod
    def _method_list(cls, value: Any) -> Any:
        return _split_words(value)


class JointTask(_Task):
    """A 联合抽查 with a partner department; it draws from the population of the item it covers."""

    partner: str = Field(min_length=1)
    covers: str = Field(min_length=1)
    name: str = ""
    partner_items: list[str] = []

    @field_validator("partner_items", mode="before")
    @classmethod
    def _partner_list(cls, value: Any) -> Any:
        return _as_list(value)


class Plan(_Model):
    """A year of 双随机 work for one agency."""

    agency: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    seed: str = Field(min_length=1)
    commitment: str | None = None  # H^12 of the sealed secret (ssj seal), published in advance
    secret_file: str = "ssj-secret.txt"  # relative to the plan file; never published
    # The public number each draw adds (§4.3): a block {source, pattern} fixes its source and
    # spelling in advance; "required" (older plans) only makes ssj run wait for 随机数/YYYY-MM.txt.
    ceremony: Ceremony | Literal["none", "required"] = "none"
    # Each month's draw day: the n-th working day of the month; no draw before it (§4.3).
    draw_day: int = Field(default=1, ge=1, le=10)
    rosters: Rosters
    deadline_workdays: int = Field(default=5, ge=1, le=60)
    timezone: str = DEFAULT_ZONE  # times shown to people (the ledger keeps the UTC offset)
    # Working days after a month ends before a drawn enterprise without a result needs attention.
    results_grace_workdays: int = Field(default=0, ge=0, le=60)
    uscc_check: Literal["error", "warning"] = "error"
    group_max: int = Field(default=5, ge=1, le=100)  # enterprises per inspection group
    group_size: int = Field(default=2, ge=2, le=20)  # officers per group: 行政处罚法 第四十二条
    partner_group_size: int = Field(default=2, ge=1, le=20)  # partner officers per joint group
    # Groups one officer may take a month (None: places ÷ eligible officers, rounded up).
    max_groups_per_officer: int | None = Field(default=None, ge=1, le=100)
    # An industry's only enterprise joins a group of the same task in the same 所属街道.
    merge_small_groups: bool = True
    checklist: list[str] = []  # 检查内容 of every item that has none of its own (notice §三)
    # The 文号 prefix of the 现场检查文书, e.g. "洛龙应急检〔2025〕": each document is numbered
    # after it (month and sequence); without it a blank 文号 line is left to fill by hand.
    document_number: str | None = Field(default=None, min_length=1, max_length=40)
    # Print-ready lists are for what people print (a district's month). Past these sizes a
    # month's lists are written as columns (csv and parquet) beside a summary workbook, and
    # print-ready pages are made per unit on request (ssj pages).
    print_max_selected: int = Field(default=5000, ge=1, le=1_000_000)  # 抽取结果
    print_max_enterprises: int = Field(default=2000, ge=1, le=1_000_000)  # 任务单、文书
    print_unit: str = Field(default="所属街道", min_length=1)  # the roster column of the units
    items: list[Item] = Field(min_length=1)
    joint: list[JointTask] = []
    calendar: dict[int, Schedule] = {}  # official holiday schedules chinese-calendar lacks
    _source: Path | None = PrivateAttr(default=None)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)
    _calendar: WorkCalendar | None = PrivateAttr(default=None)

    @field_validator("seed")
    @classmethod
    def _seed_nfc(cls, value: str) -> str:
        # SSJ-DRAW-1: the seed is Unicode NFC, trimmed.
        return unicodedata.normalize("NFC", value).strip()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(
                f"不认识的时区“{value}”；写成 Asia/Shanghai 这样的 IANA 时区名"
            ) from None
        return value

    @field_validator("commitment")
    @classmethod
    def _commitment_hex(cls, value: str | None) -> str | None:
        if value is not None and not is_hex64(value):
            raise ValueError("commitment 应为 64 位小写十六进制数，由 ssj seal 写入；请勿手改")
        return value

    @model_validator(mode="after")
    def _cross_check(self) -> Plan:
        seen: set[str] = set()
        for task in [*self.items, *self.joint]:
            if task.id in seen:
                raise ValueError(f"编号“{task.id}”重复；每个事项和联合任务的编号必须唯一")
            seen.add(task.id)
        for item in self.items:
            if item.draw_method == "RFC3797" and not item.draw_sources.strip():
                raise ValueError(
                    f"事项 {item.id} 用 RFC3797 方式，必须在 draw_sources 中事先写明随机源"
                    "（如“抽取日前一天的体育彩票超级大乐透开奖号码”）"
                )
        item_ids = {item.id for item in self.items}
        for task in self.joint:
            if task.covers not in item_ids:
                raise ValueError(
                    f"联合任务 {task.id} 的 covers“{task.covers}”不是任何事项的编号"
                    f"（现有：{'、'.join(sorted(item_ids))}）"
                )
        return self

    @property
    def ceremony_block(self) -> Ceremony | None:
        """The announced public number, if the plan has one."""
        return self.ceremony if isinstance(self.ceremony, Ceremony) else None

    @property
    def waits_for_numbers(self) -> bool:
        """Whether every draw needs the day's public number before it is made."""
        return self.ceremony != "none"

    def draw_day_of(self, month: int) -> dt.date:
        """The month's draw day: its ``draw_day``-th working day (§4.3)."""
        calendar = self.work_calendar
        day = calendar.first_workday(self.year, month)
        return calendar.add(day, self.draw_day - 1) if self.draw_day > 1 else day

    def checklist_of(self, task: Item | JointTask) -> list[str]:
        """What the officers check on site for a task: its item's checklist, else the plan's."""
        return self.base_item(task).checklist or self.checklist

    def base_item(self, task: Item | JointTask) -> Item:
        """The item whose targets define a task's population (a joint task: the item it covers)."""
        return self.item(task.covers) if isinstance(task, JointTask) else task

    def due(self, month: int) -> list[Item | JointTask]:
        """The tasks drawn in a month, joint tasks first (SSJ-DRAW-1), each kind in plan order."""
        joint = [t for t in self.joint if month in t.months]
        items = [t for t in self.items if month in t.months]
        return [*joint, *items]

    def task(self, task_id: str) -> Item | JointTask | None:
        """The item or joint task with this id, if any."""
        return next((t for t in self.tasks if t.id == task_id), None)

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if none)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def tasks(self) -> list[Item | JointTask]:
        """Items and joint tasks, in plan order."""
        return [*self.items, *self.joint]

    @property
    def work_calendar(self) -> WorkCalendar:
        """Working days, with the plan's own schedules where it has them; made once, so that
        the days it has looked up serve every later deadline."""
        if self._calendar is None:
            self._calendar = WorkCalendar(
                {y: YearSchedule(s.holidays, s.workdays) for y, s in self.calendar.items()}
            )
        return self._calendar

    def deadline(self, result_date: str) -> dt.date:
        """The last day to publish a result produced on ``result_date`` (ISO)."""
        return deadline_of(self.work_calendar, self.deadline_workdays, result_date)

    @property
    def source(self) -> Path | None:
        """The plan file this plan was loaded from, if any."""
        return self._source

    @property
    def shell_path(self) -> str:
        """The plan file as a suggested command must spell it to run as printed."""
        return shlex.quote(str(self._source or "计划文件.yaml"))

    @property
    def folder(self) -> Path:
        """The workspace: the plan file's folder (the current folder for an unsaved plan)."""
        return Path.cwd() if self._source is None else Path(self._source.parent)

    def line_of(self, *path: str | int) -> int | None:
        """The plan file line of a key path such as ("items", 0, "targets"), if known."""
        for n in range(len(path), -1, -1):
            if path[:n] in self._lines:
                return self._lines[path[:n]]
        return None

    def task_path(self, task_id: str) -> tuple[str, int]:
        """The key path of an item or joint task, for locating problems."""
        for key, tasks in (("items", self.items), ("joint", self.joint)):
            for index, task in enumerate(tasks):
                if task.id == task_id:
                    return key, index
        raise KeyError(task_id)

    @property
    def secret_path(self) -> Path:
        """The sealed secret's file (docs/spec.md §4.1), resolved against the plan's folder."""
        return self.folder / self.secret_file

    def roster_path(self, which: Literal["enterprises", "officers"]) -> Path:
        """A roster's path, resolved against the plan's folder."""
        return self.folder / str(getattr(self.rosters, which))


_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的键（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为文本",
    "list_type": "应为列表，例如 [3, 5, 8, 10]",
    "dict_type": "应为键值表",
    "model_type": "应为键值表",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "literal_error": "取值不允许",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so a bad date is reported with its key and line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_map(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each YAML key path to its 1-based line, so problems point at a line."""
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*path, str(key.value))] = key.start_mark.line + 1
                walk(value, (*path, str(key.value)))
                lines[(*path, str(key.value))] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                walk(value, (*path, index))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def _key_path(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problems_from(exc: ValidationError, file: str, text: str) -> list[Problem]:
    lines = _line_map(text)
    problems = []
    for error in exc.errors():
        # Drop pydantic's internal tags (function-before etc.) from the location.
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        row = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
        if error["type"] == "value_error":
            message = str(error.get("ctx", {}).get("error", error["msg"]))
        else:
            message = _MESSAGES.get(error["type"], error["msg"])
        fix = "参见 README 中的计划文件示例"
        if error["type"] == "extra_forbidden":
            fix = "删除该键，或改成计划文件支持的键名"
        problems.append(Problem(file, row, _key_path(loc) or "(整个文件)", message, fix))
    return problems


def load_plan(path: str | Path) -> Plan:
    """Read and check a plan file; raise InputError listing every problem found."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(
            "找不到计划文件",
            [
                Problem(
                    file, None, None, "文件不存在", "检查 --plan 的路径，或用 ssj plan import 生成"
                )
            ],
        ) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise InputError(
            "无法读取计划文件",
            [
                Problem(
                    file,
                    None,
                    None,
                    f"无法按 UTF-8 读取（{exc.__class__.__name__}）",
                    "用 UTF-8 编码保存计划文件",
                )
            ],
        ) from None
    return parse_plan(text, path)


MAX_PLAN_BYTES = 1 << 20  # a year's plan is a few kilobytes
MAX_ALIASES = 50  # YAML "*ref" uses; a few are handy, thousands are a "billion laughs" bomb
MAX_DEPTH = 20  # items[0].ratio.A is depth 4


def _shape_problems(text: str, file: str) -> list[Problem]:
    """What makes a text unsafe to load at all (size, aliases, nesting), found by streaming
    the YAML events without building anything, and keys written twice in one mapping."""
    if len(text.encode()) > MAX_PLAN_BYTES:
        return [
            Problem(
                file,
                None,
                None,
                f"计划文件超过 {MAX_PLAN_BYTES // 1024} KB，不像计划文件",
                "检查 --plan 的路径",
            )
        ]
    aliases = 0
    # One entry per open collection: a mapping's keys so far and whether a key comes next;
    # None for a sequence.
    stack: list[tuple[set[str], bool] | None] = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        row = event.start_mark.line + 1 if event.start_mark is not None else None
        node = isinstance(event, yaml.ScalarEvent | yaml.AliasEvent | yaml.CollectionStartEvent)
        if node and stack and stack[-1] is not None:
            seen, is_key = stack[-1]
            stack[-1] = (seen, not is_key)
            if is_key and isinstance(event, yaml.ScalarEvent):
                if event.value in seen:
                    return [
                        Problem(
                            file,
                            row,
                            event.value,
                            f"键“{event.value}”在同一处写了两次",
                            "删除重复的一行，只保留正确的值",
                        )
                    ]
                seen.add(event.value)
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                return [
                    Problem(
                        file,
                        row,
                        None,
                        f"YAML 引用（*别名）超过 {MAX_ALIASES} 处",
                        "计划文件不需要这么多引用；把内容直接写出来",
                    )
                ]
        elif isinstance(event, yaml.CollectionStartEvent):
            stack.append((set(), True) if isinstance(event, yaml.MappingStartEvent) else None)
            if len(stack) > MAX_DEPTH:
                return [
                    Problem(
                        file,
                        row,
                        None,
                        f"YAML 嵌套超过 {MAX_DEPTH} 层",
                        "计划文件的层次很浅；检查缩进",
                    )
                ]
        elif isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
    return []


def parse_plan(text: str, path: Path) -> Plan:
    """Check a plan file's text (as read from, or about to be written to, ``path``). The same
    text at the same place is checked once a process: ``ssj run`` reads the plan at every
    step, and nothing changes a Plan once made."""
    return _parse_plan(text, path, path.resolve())


@functools.lru_cache(maxsize=8)
def _parse_plan(text: str, path: Path, resolved: Path) -> Plan:
    file = str(path)  # as the user wrote it, in messages
    try:
        raise_for_errors("计划文件不能安全读取，未做任何更改", _shape_problems(text, file))
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or "YAML 语法错误"
        raise InputError(
            "计划文件不是有效的 YAML",
            [
                Problem(
                    file,
                    row,
                    None,
                    f"YAML 语法错误：{reason}",
                    "检查缩进（用空格，不用 Tab）、冒号后的空格和引号是否成对",
                )
            ],
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            "计划文件内容不对",
            [
                Problem(
                    file,
                    None,
                    None,
                    "计划文件应是键值表（agency、year、seed、items 等）",
                    "参见 README 中的计划文件示例",
                )
            ],
        )
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise InputError("计划文件有错误", _problems_from(exc, file, text)) from None
    plan._source = resolved
    plan._lines = _line_map(text)
    folder = plan.folder.resolve()
    if not plan.secret_path.resolve().is_relative_to(folder):
        # seal writes the secret there: a path out of the workspace would overwrite any file.
        raise InputError(
            "计划文件有错误",
            [
                Problem(
                    file,
                    plan.line_of("secret_file"),
                    "secret_file",
                    f"秘密文件“{plan.secret_file}”在工作区 {folder} 之外",
                    "秘密文件必须放在计划文件所在的文件夹（或其子文件夹）里，例如 secret_file: ssj-secret.txt",
                )
            ],
        )
    return plan
