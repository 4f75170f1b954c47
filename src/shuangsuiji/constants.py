"""Exit codes shared by every command (documented in the README)."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes: what a script or cron job can rely on."""

    OK = 0
    NEEDS_ATTENTION = 1  # overdue results, a record that does not verify
    BAD_INPUT = 2  # bad input or usage; nothing was written
    BUSY = 3  # another run holds the workspace lock
