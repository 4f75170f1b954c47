"""``ssj seal``: commit to the year's draw secrets before the first draw (DESIGN.md §4.1).

A random 32-byte secret goes to the secret file (mode 0600, never copied into any output) and
its commitment H^12(secret) into the plan, to be published with the annual plan. A secret is
never overwritten, except by ``--replace --reason``, which starts a new chain and records why
in the ledger (draws made under the old chain stay valid: each record carries its own).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.plan import load_plan, parse_plan
from shuangsuiji.inputs.secret import is_example_secret
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.files import write_atomic
from shuangsuiji.ledger.lock import DEFAULT_WAIT, workspace_lock
from shuangsuiji.outputs.planfile import with_commitment
from shuangsuiji.rules.seal import commitment_of


@dataclass(frozen=True)
class SealOutcome:
    """What ``ssj seal`` did."""

    commitment: str
    plan_file: Path
    secret_file: Path
    replaced: str | None  # the commitment it replaces
    reason: str | None  # why it replaced one


def seal(
    plan_path: str | Path,
    *,
    replace: bool = False,
    reason: str | None = None,
    wait: float = DEFAULT_WAIT,
) -> SealOutcome:
    """Draw a new secret, write it and the plan's commitment; see the module docstring."""
    plan = load_plan(plan_path)
    assert plan.source is not None
    secret_file = plan.secret_path
    if not replace and is_example_secret(secret_file):
        # The examples' secret is public: sealing a copy of them for real use replaces it.
        replace, reason = True, "替换示例专用的公开秘密"
    if replace and not (reason and reason.strip()):
        raise InputError("--replace 必须用 --reason 说明原因（如“秘密文件丢失”），原因记入台账")
    if not replace and (secret_file.exists() or plan.commitment is not None):
        found = "秘密文件已存在" if secret_file.exists() else "计划中已有 commitment"
        raise InputError(
            f"{found}，未做任何更改：种子承诺一年只封存一次",
            [
                Problem(
                    str(secret_file if secret_file.exists() else plan.source),
                    None,
                    None,
                    found,
                    "确需换一条哈希链（如秘密文件丢失或泄露）：ssj seal --replace --reason 原因，"
                    "并重新公开新的 commitment",
                )
            ],
        )
    with workspace_lock(plan.folder, wait):
        secret = secrets.token_hex(32)
        commitment = commitment_of(secret)
        text = plan.source.read_text(encoding="utf-8-sig")
        sealed = with_commitment(text, commitment)
        # The edited text must still be this plan, now with the new commitment.
        assert parse_plan(sealed, plan.source).commitment == commitment
        write_atomic(secret_file, secret + "\n", mode=0o600)
        write_atomic(plan.source, sealed)
        with Ledger.at(plan.folder) as ledger:
            event = {"commitment": commitment, "replaces": plan.commitment, "reason": reason}
            ledger.record_events("seal", [event])
    return SealOutcome(commitment, plan.source, secret_file, plan.commitment, reason)
