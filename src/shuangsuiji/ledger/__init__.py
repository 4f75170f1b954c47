"""The workspace's state: the hash-chained SQLite ledger, the workspace lock, atomic files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shuangsuiji.ledger.store import Ledger

__all__ = ["Ledger"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that the lock (and `ssj --help`) does not load SQLite.
    if name == "Ledger":
        from shuangsuiji.ledger.store import Ledger

        return Ledger
    raise AttributeError(name)
