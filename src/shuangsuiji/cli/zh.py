"""Typer's and click's own texts (help panels, usage errors) in the users' language.

Only the command line imports this: importing it patches typer once. Typer's rich output
(``typer.rich_utils``, which pulls in Rich's markdown and more) is imported only to show help
or a usage error; it is patched when it is first imported, so a command that runs without
either never loads it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")
RICH_UTILS = "typer.rich_utils"


def _panels(rich_utils: Any) -> None:
    """Typer's help panels, in the users' language."""
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.ABORTED_TEXT = "已中止。"
    rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"


def _chinese_help_option() -> None:
    """Give --help a Chinese description (typer ≥ 0.29 builds it in its vendored click)."""
    try:
        from typer._click import decorators
    except ImportError:  # older typer: click's own English text stays
        return
    original = decorators.help_option

    def help_option(names: list[str]) -> Callable[[T], T]:
        decorate = original(names)

        def apply(command: T) -> T:
            result = decorate(command)  # type: ignore[arg-type]
            command.params[-1].help = "显示此帮助并退出。"  # type: ignore[attr-defined]
            return result  # type: ignore[return-value]

        return apply

    decorators.help_option = help_option  # type: ignore[assignment]


_VALUE_ERRORS = (
    (re.compile(r"valid integer"), "应为整数"),
    (re.compile(r"valid (?:number|float)"), "应为数字"),
    (re.compile(r"(.*) is not in the range (.*)\."), "{0} 超出范围 {1}"),
)
_USAGE_ERRORS = (
    (re.compile(r"Option '(.*)' requires an argument"), "选项 {0} 需要一个值"),
    (re.compile(r"No such command '([^']*)'\.(?: Did you mean '([^']*)'\?)?"), "没有命令 {0}"),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)"), "多余的参数：{0}"),
    (re.compile(r"Missing command"), "缺少命令"),
)


def chinese_message(error: Any) -> str:
    """A Chinese text for a click usage error (falls back to click's own text)."""
    kind = type(error).__name__
    param = getattr(error, "param", None)
    opts = getattr(param, "opts", None)
    hint = " / ".join(opts) if opts else str(getattr(error, "param_hint", "") or "")
    if kind == "MissingParameter":
        argument = getattr(param, "param_type_name", "") == "argument"
        if argument:
            name = getattr(param, "metavar", None) or hint
            what = getattr(param, "help", "") or ""
            return f"缺少参数 {name}" + (f"：{what}" if what else "")
        return f"缺少选项 {hint}".strip()
    if kind == "NoSuchOption":
        text = f"没有选项 {error.option_name}"
        if error.possibilities:
            text += f"；是不是 {'、'.join(error.possibilities)}？"
        return text
    message = str(getattr(error, "message", error))
    if kind == "BadParameter":
        for value_pattern, template in _VALUE_ERRORS:
            found = value_pattern.search(message)
            if found:
                message = template.format(*found.groups())
                break
        return f"{hint} 的值不对：{message}".strip()
    for usage_pattern, template in _USAGE_ERRORS:
        found = usage_pattern.search(message)
        if found:
            text = template.format(*found.groups())
            suggestion = found.groups()[1:2] if found.re.groups > 1 else ()
            if suggestion and suggestion[0]:
                text += f"；是不是 {suggestion[0]}？"
            return text
    return message


def _chinese_errors(rich_utils: Any) -> None:
    original: Callable[[Any], None] = rich_utils.rich_format_error

    def rich_format_error(error: Any) -> None:
        text = chinese_message(error)
        error.format_message = lambda: text
        original(error)

    setattr(rich_utils, "rich_format_error", rich_format_error)  # noqa: B010 (a module patch)


# Value types as help shows them: a flag needs none, the rest in words.
_TYPE_NAMES = {
    "bool": None,
    "str": "文本",
    "path": "路径",
    "int": "整数",
    "int range": "整数",
    "float": "数字",
    "float range": "数字",
}


def _chinese_types() -> None:
    import typer.core

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            # An argument's metavar is its name, shown already.
            return None if self.param_type_name == "argument" else str(self.metavar)
        label = str(self.display_type(ctx)).strip("<>")
        repeated = label.startswith("list[")
        label = label.removeprefix("list[").removesuffix("]")
        name = _TYPE_NAMES.get(label, label)
        return None if name is None else name + ("（可重复）" if repeated else "")

    def usage_name(self: Any) -> str:
        """An argument on the usage line: as named, in brackets when it may be left out."""
        name = str(self.display_name_raw) + ("…" if self.nargs != 1 else "")
        return name if self.required else f"[{name}]"

    def number_range(low: Any, high: Any) -> str | None:
        if low is not None and high is not None:
            return f"{low}–{high}"
        if low is not None:
            return f"≥{low}"
        return None if high is None else f"≤{high}"

    setattr(typer.core, "describe_number_range", number_range)  # noqa: B010 (a module patch)
    for cls in (typer.core.TyperOption, typer.core.TyperArgument):
        setattr(cls, "display_type_rich", display_type_rich)  # noqa: B010 (a class patch)
    setattr(typer.core.TyperArgument, "_usage_display_name", usage_name)  # noqa: B010


def _chinese_usage() -> None:
    from typer._click.formatting import HelpFormatter

    original = HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]…")
        original(self, prog, args, "用法：" if prefix is None else prefix)

    setattr(HelpFormatter, "write_usage", write_usage)  # noqa: B010 (a class patch)


def _usage_highlight(rich_utils: Any) -> None:
    rich_utils.OptionHighlighter.highlights = [
        *rich_utils.OptionHighlighter.highlights,
        r"(?P<usage>用法：)",
    ]


def _wrapping_help(rich_utils: Any) -> None:
    """Chinese has no spaces to wrap at: let help text fold at the column edge instead of being
    cut off with "…", and keep an option's help, default and [必填] as one text."""
    from rich.columns import Columns
    from rich.text import Text

    make_text = rich_utils._make_rich_text
    parameter_help = rich_utils._get_parameter_help

    def folding(**kwargs: Any) -> Any:
        text = make_text(**kwargs)
        if isinstance(text, Text):
            text.overflow = "fold"
        return text

    def joined(**kwargs: Any) -> Any:
        found = parameter_help(**kwargs)
        if isinstance(found, Columns) and all(isinstance(r, Text) for r in found.renderables):
            text = Text(" ").join(found.renderables)  # type: ignore[arg-type]
            text.overflow = "fold"
            return text
        return found

    setattr(rich_utils, "_make_rich_text", folding)  # noqa: B010 (a module patch)
    setattr(rich_utils, "_get_parameter_help", joined)  # noqa: B010 (a module patch)


def _patch_rich_utils(rich_utils: Any) -> None:
    _panels(rich_utils)
    _chinese_errors(rich_utils)
    _usage_highlight(rich_utils)
    _wrapping_help(rich_utils)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches typer's rich output as it is imported (once), wherever typer imports it."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != RICH_UTILS:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            _patch_rich_utils(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_chinese_help_option()
_chinese_types()
_chinese_usage()
if RICH_UTILS in sys.modules:
    _patch_rich_utils(sys.modules[RICH_UTILS])
else:
    sys.meta_path.insert(0, _PatchOnImport())
