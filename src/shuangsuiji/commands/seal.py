"""``ssj seal``: commit to the year's draw secrets before the first draw (docs/spec.md §4.1).

A random 32-byte secret goes to the secret file (mode 0600, never copied into any output) and
its commitment H^12(secret) into the plan, and the 承诺书 (docs/spec.md §4.3: the commitment with
every parameter that decides a draw) beside it, to be published and lodged before the first
draw. A secret is never overwritten, except by ``--replace --reason``, which starts a new chain
from the month after the latest draw, records why in the ledger and issues a new 承诺书 naming
that month (draws made under the old chain stay valid: each record carries its own).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from shuangsuiji.commands.heal import require_sound_ledger
from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.dates import local_now
from shuangsuiji.inputs.plan import Plan, load_plan, parse_plan
from shuangsuiji.inputs.pledge import latest_pledge, pledge_parameters
from shuangsuiji.inputs.secret import is_example_secret
from shuangsuiji.ledger import Ledger
from shuangsuiji.ledger.files import write_atomic
from shuangsuiji.ledger.lock import DEFAULT_WAIT, plan_lock
from shuangsuiji.ledger.store import sha256_text
from shuangsuiji.outputs.planfile import with_commitment
from shuangsuiji.outputs.pledge import write_pledge
from shuangsuiji.rules.pledge import PLEDGE_SPEC, Pledge, PledgedImport, canonical_sha256
from shuangsuiji.rules.records import ExternalDraw
from shuangsuiji.rules.seal import commitment_of


@dataclass(frozen=True)
class SealOutcome:
    """What ``ssj seal`` did."""

    commitment: str
    plan_file: Path
    secret_file: Path
    replaced: str | None  # the commitment it replaces
    reason: str | None  # why it replaced one
    pledge: Pledge  # the 承诺书 to publish and lodge …
    pledge_files: list[Path]  # … as text and JSON


def _applies_from(plan: Plan, ledger: Ledger) -> str:
    """The first month a new chain can govern: the month after the latest drawn one."""
    drawn = [
        d.month for d in ledger.drawn(plan.year) if d.scope not in ledger.external_scopes(plan.year)
    ]
    month = max(drawn, default=0) + 1
    if month > 12:
        raise InputError(f"{plan.year} 年各月都已抽取，没有可以换用新种子承诺的月份")
    return f"{plan.year:04d}-{month:02d}"


def seal(
    plan_path: str | Path,
    *,
    replace: bool = False,
    reason: str | None = None,
    wait: float = DEFAULT_WAIT,
) -> SealOutcome:
    """Draw a new secret, write it, the plan's commitment and the 承诺书; see the module
    docstring."""
    with plan_lock(plan_path, wait):
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
                        "并重新公开新的 commitment 和承诺书",
                    )
                ],
            )
        require_sound_ledger(plan)
        parameters = pledge_parameters(plan)
        secret = secrets.token_hex(32)
        commitment = commitment_of(secret)
        text = plan.source.read_text(encoding="utf-8-sig")
        sealed = with_commitment(text, commitment)
        # The edited text must still be this plan, now with the new commitment.
        assert parse_plan(sealed, plan.source).commitment == commitment
        with Ledger.at(plan.folder) as ledger:
            previous = latest_pledge(plan.folder, plan.year)
            applies_from = _applies_from(plan, ledger) if plan.commitment else f"{plan.year:04d}-01"
            imports = [
                PledgedImport(r.scope, r.source, r.source_sha256)
                for d in ledger.draws(plan.year)
                if isinstance(r := d.record, ExternalDraw)
            ]
            pledge = Pledge(
                spec=PLEDGE_SPEC,
                agency=plan.agency,
                year=plan.year,
                applies_from=applies_from,
                commitment=commitment,
                parameters=parameters,
                parameters_sha256=canonical_sha256(parameters),
                imports=imports,
                replaces=plan.commitment,
                reason=reason if plan.commitment else None,
                issued_at=local_now(plan.timezone),
                earlier=[] if previous is None else previous[0].chain,
            )
            version = 1 if previous is None else previous[1] + 1
            write_atomic(secret_file, secret + "\n", mode=0o600)
            write_atomic(plan.source, sealed)
            files = write_pledge(plan.folder, pledge, version)
            event = {
                "commitment": commitment,
                "replaces": plan.commitment,
                "reason": reason,
                "applies_from": applies_from,
                "pledge_sha256": sha256_text(pledge.to_json()),
            }
            ledger.record_events("seal", [event])
    return SealOutcome(commitment, plan.source, secret_file, plan.commitment, reason, pledge, files)
