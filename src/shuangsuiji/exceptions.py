"""The one exceptions module: every error a user can cause derives from :class:`SsjError`.

It imports nothing of the package, so every layer, the pure rules included, raises the same
errors. The CLI turns them into messages and exit codes in exactly one place (``cli.app._run``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal


class ExitCode(IntEnum):
    """Process exit codes: what a script or cron job can rely on (documented in the README)."""

    OK = 0
    NEEDS_ATTENTION = 1  # overdue results, a record that does not verify
    BAD_INPUT = 2  # bad input or usage; nothing was written
    BUSY = 3  # another run holds the workspace lock


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about an input file, located the way the user sees it.

    ``row`` is the row number shown by Excel or the line number shown by a text editor;
    ``column`` is the header text (or a YAML key path for plan files).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str = ""
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        """One line of plain text: ``file 第 n 行 「列」: message（fix）``."""
        where = self.file
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f" 「{self.column}」"
        text = f"{where}：{self.message}"
        if self.fix:
            text += f"（{self.fix}）"
        return text


class SsjError(Exception):
    """Base of every error ssj reports to a user instead of a traceback."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = [p for p in problems if p.is_error]


class InputError(SsjError):
    """Bad input or usage (exit 2); nothing has been written."""


class NeedsAttention(SsjError):
    """The command ran but found something a person must look at (exit 1)."""

    exit_code = ExitCode.NEEDS_ATTENTION


class WorkspaceBusy(SsjError):
    """Another ssj process holds the workspace lock (exit 3)."""

    exit_code = ExitCode.BUSY


def raise_for_errors(message: str, problems: Iterable[Problem]) -> None:
    """Raise :class:`InputError` carrying the errors among ``problems``, if there are any."""
    errors = [p for p in problems if p.is_error]
    if errors:
        raise InputError(message, errors)
