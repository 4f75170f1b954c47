"""Writing output files atomically: a crash never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from shuangsuiji.exceptions import NeedsAttention

TMP_SUFFIX = ".ssj-tmp"


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete half-written files a killed write left under ``folder`` (call under the lock)."""
    found = sorted(folder.rglob(f"*{TMP_SUFFIX}")) if folder.is_dir() else []
    for path in found:
        path.unlink(missing_ok=True)
    return found


_KILL_AT = "SSJ_TEST_KILL_AT"
_passed: dict[str, int] = {}


def checkpoint(step: str) -> None:
    """Reliability-suite hook: with SSJ_TEST_KILL_AT="write:3" the process dies, as under
    kill -9, on reaching its third "write" step (also "commit"). Does nothing otherwise."""
    wanted = os.environ.get(_KILL_AT)
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name == step:
        _passed[step] = _passed.get(step, 0) + 1
        if _passed[step] == int(count or 1):
            os._exit(137)


def _file_mode() -> int:
    """The mode a plainly created file gets under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# Folders of ssj's own outputs: nothing below them is ever written through a symbolic link.
OWN_FOLDERS = ("输出", "日志", "结果")


def refuse_links(path: Path) -> None:
    """A file under one of ssj's output folders is never written through a link (a folder
    replaced by a link to elsewhere would carry outputs out of the workspace)."""
    chain = [path, *path.parents]
    top = next((i for i, p in enumerate(chain) if p.name in OWN_FOLDERS), None)
    if top is None:
        return
    for part in chain[: top + 1]:
        if part.is_symlink():
            raise NeedsAttention(
                f"{part} 是链接（快捷方式），ssj 不通过链接写文件，没有写出 {path.name}；"
                "删除这个链接（ssj 会重新建立真实的文件夹）后再运行同一命令"
            )


@contextlib.contextmanager
def atomic_output(path: Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on success it replaces ``path`` in one rename.

    The file gets ``mode``, or the mode a plainly created file gets (outputs are for sharing).
    """
    refuse_links(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Named plainly (not a hidden dot-file), so a leftover from a killed write is seen and removed.
    fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode() if mode is None else mode)  # mkstemp makes 0600
        checkpoint("write")
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            # A full disk or a file size limit names no file: say which one was being written.
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


def write_atomic(
    path: Path, data: bytes | str | Callable[[BinaryIO], None], mode: int | None = None
) -> None:
    """Write bytes, UTF-8 text, or whatever a writer callback produces, atomically to ``path``."""
    with atomic_output(path, mode) as handle:
        if callable(data):
            data(handle)
        else:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)


class _Digest:
    """A writable that keeps only the SHA-256 of what is written to it."""

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return len(data)


def write_if_changed(path: Path, data: bytes | Callable[[BinaryIO], None]) -> bool:
    """Write ``data`` — bytes, or what a writer callback writes — atomically unless ``path``
    already holds exactly it; True if written. A writer is compared by digest, its output
    never held whole (a province's list is hundreds of MB); with a file there already it
    runs twice."""
    try:
        if callable(data):
            with path.open("rb") as handle:
                before = hashlib.file_digest(handle, "sha256").digest()
            sink = _Digest()
            data(sink)  # type: ignore[arg-type]  # a writable is all a writer needs
            if sink.sha256.digest() == before:
                return False
        elif path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True
