"""The workspace's state: the hash-chained SQLite ledger, the workspace lock, atomic files."""

from shuangsuiji.ledger.store import Ledger

__all__ = ["Ledger"]
