"""The seed commitment (docs/spec.md §4.1): nobody can compute a ticket before the draw, anyone can
check the draw after it."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from shuangsuiji.commands.draw import draw_month
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.ledger import Ledger
from shuangsuiji.rules.draw import ticket
from shuangsuiji.rules.seal import (
    canonical_number,
    commitment_of,
    compose_seed,
    hash_times,
    is_hex64,
    month_secret,
    number_fits,
    opens,
)

from .conftest import EXAMPLES, files_in, invoke

ZEROS = "0" * 64
# H, H² and H³ of 64 zeros, from the shell loop of docs/spec.md §4.1:
# s=$S; for i in 1 2 3; do s=$(printf '%s' "$s" | sha256sum | cut -c1-64); done
CHAIN = (
    "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55",
    "632500b1742987815bf1e7ebc49d1da6ed2dd9659623bef3f9b96bf5e75ab702",
    "399abe3835c28f3285d77431b8dba2b9c73319cd6d3dc8b70fef98f8cd8a870a",
)


def _shell_loop(secret: str, times: int) -> str:
    script = (
        's=$1; for i in $(seq $2); do s=$(printf "%s" "$s" | sha256sum | cut -c1-64); done; echo $s'
    )
    done = subprocess.run(
        ["bash", "-c", script, "-", secret, str(times)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_chain_is_the_shell_loop() -> None:
    assert [hash_times(ZEROS, n) for n in (1, 2, 3)] == list(CHAIN)
    if shutil.which("sha256sum"):
        assert _shell_loop(ZEROS, 3) == CHAIN[2]
    # s(m-1) = H(s(m)); C = H(s1) = H^12(s12); month m's secret hashes m times to C.
    assert month_secret(ZEROS, 12) == ZEROS and month_secret(ZEROS, 11) == CHAIN[0]
    commitment = commitment_of(ZEROS)
    assert all(opens(month_secret(ZEROS, m), m, commitment) for m in range(1, 13))
    assert not opens(month_secret(ZEROS, 5), 4, commitment)  # a wrong month index


def test_only_months_1_to_12_open_the_commitment() -> None:
    # The commitment itself hashed 0 times (or "-1 times") is the commitment: a record claiming
    # month 0 or 13 would open it with the public value, knowing no secret.
    commitment = commitment_of(ZEROS)
    assert not any(opens(commitment, m, commitment) for m in (0, -1))
    assert not opens(ZEROS, 13, hash_times(ZEROS, 13)) and opens(ZEROS, 12, commitment)


def test_seed_parts_are_nfc_and_trimmed() -> None:
    # The same text typed with a combining accent, or a CJK compatibility ideograph (U+F90A
    # for 金, as some input methods give), makes the same seed, and so the same draw.
    assert compose_seed(" 洛龙\uf90a ", ZEROS, "cafe\u0301 ") == f"洛龙金/{ZEROS}/café"
    assert compose_seed("洛龙金", None, "\t") == "洛龙金"


@pytest.mark.parametrize(
    ("typed", "value"),
    [("03，1，5", "3 1 5"), ("3 1 5", "3 1 5"), ("第3 1 5期", "3 1 5"), ("０９２", "92"),
     ("  7-0-0 ", "7 0 0"), ("无", "")],
)  # fmt: skip
def test_a_public_number_as_typed_and_its_canonical_value(typed: str, value: str) -> None:
    assert canonical_number(typed) == value


def test_the_announced_form_is_matched_in_full() -> None:
    assert number_fits("3 1 5", r"\d \d \d") and not number_fits("3 1 5 7", r"\d \d \d")
    assert not number_fits("3 1", r"\d \d \d")
    assert not number_fits("3 1 5", "(")  # a pattern that is not one matches nothing
    assert is_hex64("0" * 64) and not is_hex64("0" * 63) and not is_hex64("A" * 64)


def _seal(plan: Path) -> str:
    result = invoke("seal", "--plan", plan)
    assert result.exit_code == 0, result.output
    return load_plan(plan).commitment or ""


@pytest.fixture
def unsealed(workspace: Path) -> Path:
    """The example workspace before its bureau ran ``ssj seal``."""
    (workspace.parent / "ssj-secret.txt").unlink()
    text = workspace.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("commitment:"))
    workspace.write_text(text.replace(line, "# commitment: <64 hex>"), encoding="utf-8")
    return workspace


def test_seal_writes_the_secret_and_the_commitment_keeping_the_plan(unsealed: Path) -> None:
    before = unsealed.read_text(encoding="utf-8")
    commitment = _seal(unsealed)
    secret_file = unsealed.parent / "ssj-secret.txt"
    secret = secret_file.read_text(encoding="utf-8").strip()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert commitment_of(secret) == commitment
    after = unsealed.read_text(encoding="utf-8")
    # Only the placeholder line changed: every comment and the layout stay as the user wrote them.
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [("# commitment: <64 hex>", f'commitment: "{commitment}"')]


def test_seal_goes_after_the_seed_when_the_plan_has_no_placeholder(unsealed: Path) -> None:
    text = unsealed.read_text(encoding="utf-8").replace("# commitment: <64 hex>\n", "")
    unsealed.write_text(text, encoding="utf-8")
    commitment = _seal(unsealed)
    lines = unsealed.read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("seed:") and lines[3].startswith(f'commitment: "{commitment}"')


def test_seal_twice_refuses_and_replace_is_recorded(unsealed: Path) -> None:
    first = _seal(unsealed)
    before = files_in(unsealed.parent)
    again = invoke("seal", "--plan", unsealed)
    assert again.exit_code == 2 and "--replace" in again.stderr
    assert files_in(unsealed.parent) == before
    assert invoke("seal", "--plan", unsealed, "--replace").exit_code == 2  # a reason is required
    replaced = invoke("seal", "--plan", unsealed, "--replace", "--reason", "秘密文件丢失")
    assert replaced.exit_code == 0, replaced.output
    second = load_plan(unsealed).commitment
    assert second not in (None, first)
    with Ledger.at(unsealed.parent) as ledger:
        seals = [p for _, _, kind, p in ledger.events() if kind == "seal"]
    assert {k: seals[-1][k] for k in ("commitment", "replaces", "reason")} == {
        "commitment": second,
        "replaces": first,
        "reason": "秘密文件丢失",
    }
    log = invoke("audit", "log", "--plan", unsealed)
    assert "封存种子承诺" in log.stdout and "秘密文件丢失" in log.stdout


def test_a_plan_without_commitment_does_not_draw_without_public_randomness(unsealed: Path) -> None:
    before = files_in(unsealed.parent)
    result = invoke("draw", "--plan", unsealed, "--month", "2025-03")
    assert result.exit_code == 2 and "ssj seal" in result.stderr
    assert files_in(unsealed.parent) == before
    # With the day's public numbers the draw cannot be known in advance either.
    drawn = invoke(
        "draw", "--plan", unsealed, "--month", "2025-03", "--seed-extra", "07 19 23", "--json"
    )
    assert drawn.exit_code == 0, drawn.output
    record = json.loads(drawn.stdout)[0]
    assert (record["secret"], record["commitment"], record["extra"]) == (None, None, "07 19 23")
    assert (
        invoke(
            "verify", unsealed.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
        ).exit_code
        == 0
    )


def test_a_lost_or_wrong_secret_draws_nothing(workspace: Path) -> None:
    secret_file = workspace.parent / "ssj-secret.txt"
    secret_file.write_text("1" * 64 + "\n", encoding="utf-8")
    before = files_in(workspace.parent)
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert result.exit_code == 2 and "commitment 不符" in result.stderr
    assert files_in(workspace.parent) == before
    secret_file.unlink()
    result = invoke("draw", "--plan", workspace, "--month", "2025-03")
    assert (
        result.exit_code == 2 and "--replace" in result.stderr and "ssj-secret.txt" in result.stderr
    )


def test_a_draw_reveals_its_month_secret_and_nothing_later(workspace: Path) -> None:
    secret = next(
        line
        for line in (workspace.parent / "ssj-secret.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    plan = load_plan(workspace)
    draw_month(workspace, "2025-03")
    outputs = workspace.parent / "输出"
    texts = [p.read_bytes() for p in outputs.rglob("*") if p.is_file()]
    for month in range(4, 13):  # no later month's secret, nor the secret file's value
        assert not any(month_secret(secret, month).encode() in t for t in texts)
    record = json.loads(
        (outputs / "2025-03" / "抽取记录-AJ-01-2025-03.json").read_text(encoding="utf-8")
    )
    assert record["secret"] == month_secret(secret, 3) and record["commitment"] == plan.commitment
    assert hash_times(record["secret"], 3) == plan.commitment
    assert record["seed"] == compose_seed(plan.seed, record["secret"])
    # An outside script recomputes every ticket from the record's seed.
    for selected in record["selected"]:
        assert ticket(record["seed"], record["scope"], selected["uscc"]) == selected["ticket"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(secret=hash_times(r["secret"], 1)), "不等于 commitment"),
        (lambda r: r.update(month="2025-04", scope=r["item_id"] + "/2025-04"), "不等于 commitment"),
        (lambda r: r.update(extra="后加的随机数"), "seed 应为"),
        (lambda r: r.update(commitment=None, secret=None), "seed 应为"),
    ],
)
def test_verify_checks_the_chain_and_the_seed(
    workspace: Path, change: object, message: str
) -> None:
    draw_month(workspace, "2025-03")
    path = workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)  # type: ignore[operator]
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = invoke("verify", path)
    assert result.exit_code == 1 and message in result.stdout, result.stdout


def _require_ceremony(plan: Path) -> None:
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("deadline_workdays: 5", "deadline_workdays: 5\nceremony: required"),
        encoding="utf-8",
    )


def test_the_daily_batch_waits_for_the_days_public_numbers(workspace: Path) -> None:
    _require_ceremony(workspace)
    waiting = invoke("run", "--plan", workspace, "--today", "2025-03-03")
    assert waiting.exit_code == 1, waiting.output
    assert "等待计划公布的公开随机数" in waiting.stdout and "随机数/2025-03.txt" in waiting.stdout
    assert not (workspace.parent / "输出").exists()
    log = (workspace.parent / "日志" / "ssj-run-2025-03-03.log").read_text(encoding="utf-8")
    assert "随机数/2025-03.txt" in log
    numbers = workspace.parent / "随机数" / "2025-03.txt"
    numbers.parent.mkdir()
    numbers.write_text("# 2025年3月3日 福彩3D 开奖号码\n3 8 1\n", encoding="utf-8")
    drawn = invoke("run", "--plan", workspace, "--today", "2025-03-03")
    assert drawn.exit_code == 0, drawn.output
    record = json.loads(
        (workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json").read_text(
            encoding="utf-8"
        )
    )
    assert record["extra"] == "3 8 1" and record["seed"].endswith(f"/{record['secret']}/3 8 1")


def test_a_draw_by_hand_with_public_numbers_satisfies_the_ceremony(workspace: Path) -> None:
    _require_ceremony(workspace)
    assert (
        invoke("draw", "--plan", workspace, "--month", "2025-03", "--seed-extra", "3 8 1").exit_code
        == 0
    )
    result = invoke("run", "--plan", workspace, "--today", "2025-03-03")
    assert result.exit_code == 0 and "等待" not in result.stdout


def test_validate_warns_about_the_seal(unsealed: Path) -> None:
    result = invoke("validate", "--plan", unsealed)
    assert (
        result.exit_code == 0
        and "计划还没有种子承诺" in result.stdout
        and "ssj seal" in result.stdout
    )
    _seal(unsealed)
    assert "种子承诺" not in invoke("validate", "--plan", unsealed).stdout
    (unsealed.parent / "ssj-secret.txt").write_text("2" * 64 + "\n", encoding="utf-8")
    result = invoke("validate", "--plan", unsealed)
    assert result.exit_code == 0 and "与承诺值不符" in result.stdout


def test_sealing_a_copy_of_the_examples_replaces_their_public_secret(workspace: Path) -> None:
    shutil.copy(EXAMPLES / "ssj-secret.txt", workspace.parent)  # with its example-only mark
    example = load_plan(workspace).commitment
    commitment = _seal(workspace)
    assert commitment != example
    secret = (workspace.parent / "ssj-secret.txt").read_text(encoding="utf-8").strip()
    assert commitment_of(secret) == commitment  # a plain secret file now, not the example's
    with Ledger.at(workspace.parent) as ledger:
        [seal] = [p for _, _, kind, p in ledger.events() if kind == "seal"]
    assert {k: seal[k] for k in ("commitment", "replaces", "reason")} == {
        "commitment": commitment,
        "replaces": example,
        "reason": "替换示例专用的公开秘密",
    }
    draw_month(workspace, "2025-03")
    record = json.loads(
        (workspace.parent / "输出" / "2025-03" / "抽取记录-AJ-01-2025-03.json").read_text(
            encoding="utf-8"
        )
    )
    assert hash_times(record["secret"], 3) == commitment
    assert (
        invoke("seal", "--plan", workspace).exit_code == 2
    )  # a real secret is never replaced silently
