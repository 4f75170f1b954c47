"""The workspace lock: one writing ssj command per workspace at a time.

A second command waits a bounded time for the first, then gives up with exit code 3
(never two writers on the same ledger and output files).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from shuangsuiji.exceptions import WorkspaceBusy

LOCK_NAME = "ssj.lock"
DEFAULT_WAIT = 10.0


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


_held: dict[Path, int] = {}  # workspaces this process holds, so a batch can nest commands


@contextlib.contextmanager
def workspace_lock(folder: Path, wait: float = DEFAULT_WAIT) -> Iterator[None]:
    """Hold the workspace lock for the block; raise WorkspaceBusy after ``wait`` seconds.

    Re-entrant within one process: ``ssj run`` holds it while calling draw, assign and the rest.
    """
    key = folder.resolve()
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    with _exclusive(folder, wait):
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]


@contextlib.contextmanager
def _exclusive(folder: Path, wait: float) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip() or "未知"
                raise WorkspaceBusy(
                    f"另一个 ssj 进程（{holder}）正在使用工作区 {folder}，等待 {wait:g} 秒后放弃；"
                    "请稍后再试"
                )
            time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield  # the OS releases the lock when the file is closed, even after a crash


def plan_lock(
    plan_path: str | Path, wait: float = DEFAULT_WAIT
) -> contextlib.AbstractContextManager[None]:
    """The lock of the workspace a plan file is in, taken before the plan is read: what a
    command reads (plan, secret, ledger) is then what no concurrent ``seal --replace`` or draw
    is changing. A plan file that is not there locks nothing (loading it says what is wrong)."""
    path = Path(plan_path)
    if not path.is_file():
        return contextlib.nullcontext()
    return workspace_lock(path.resolve().parent, wait)
