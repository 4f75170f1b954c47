"""Mutants that once passed every test (issue 27), applied again one at a time to a copy of the
package: each must now fail at least one of the tests named beside it. The whole search over
the rules is scripts/mutation.sh (mutmut, on demand); these stay caught on every CI run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

# (what the mutant does, file under src/shuangsuiji, text, its mutant, the tests that catch it)
KNOWN = [
    ("a result published on its deadline day counted late", "rules/deadlines.py",
     "late = dt.date.fromisoformat(published) > deadline",
     "late = dt.date.fromisoformat(published) >= deadline", ["tests/test_publish.py"]),
    ("a 递补 may name an officer who may not serve", "rules/assign.py",
     "pool = np.setdiff1d(ranking.pool(department, usccs), taken)",
     "pool = np.setdiff1d(np.arange(len(ranking.officers)), taken)",
     ["tests/test_assign.py", "tests/test_substitution.py"]),
    ("a pending 更正's earlier publication ignored", "rules/results.py",
     'published = before.published_on or (pending.published_on if pending else "")',
     "published = before.published_on", ["tests/test_results.py"]),
    ("a withdrawn 更正 not detected", "rules/results.py",
     "if values == (seen.result, seen.inspected_on):", "if False:",
     ["tests/test_results.py"]),
    ("verify ignores the shortfall", "rules/verify.py",
     "if record.shortfall != shortfall:", "if False:", ["tests/test_verify_record.py"]),
    ("verify ignores the scope", "rules/verify.py",
     "if record.scope != scope:", "if False:", ["tests/test_verify_record.py"]),
    ("verify ignores a stratum's k", "rules/verify.py",
     "if entry.size != len(stratum.keys) or entry.k != stratum.k:",
     "if entry.size != len(stratum.keys):", ["tests/test_verify_record.py"]),
    ("the 注册号 check digit without its final mod 10", "rules/uscc.py",
     "return str((11 - p) % 10)", "return str(11 - p)", ["tests/test_uscc_oracle.py"]),
    ("a record lists exclusions outside its population", "rules/draw.py",
     "excluded=present(task.excluded, keys),", "excluded=sorted(task.excluded),",
     ["tests/test_verify_record.py"]),
    ("between() counts the start day, not the end day", "rules/workdays.py",
     "for i in range(1, (end - start).days + 1)", "for i in range(0, (end - start).days)",
     ["tests/test_workdays.py"]),
    ("an opened secret's month not checked", "rules/seal.py",
     "return is_hex64(secret) and 1 <= month <= MONTHS and hash_times",
     "return is_hex64(secret) and hash_times", ["tests/test_seal.py"]),
    ("seed parts not NFC", "rules/seal.py",
     'return unicodedata.normalize("NFC", text).strip() or None', "return text.strip() or None",
     ["tests/test_seal.py"]),
    ("a gap in the events' numbers not reported", "ledger/store.py",
     "if seq != expected_seq:", "if False:", ["tests/reliability/test_tamper_catalogue.py"]),
    ("roster keys not trimmed on the Arrow path", "inputs/rosters.py",
     "keys = pc.ascii_upper(pc.ascii_trim_whitespace(values))", "keys = pc.ascii_upper(values)",
     ["tests/test_rosters.py"]),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("file", "text", "mutant", "tests"), [k[1:] for k in KNOWN],
                         ids=[k[0] for k in KNOWN])  # fmt: skip
def test_a_known_mutant_is_caught(
    tmp_path: Path, file: str, text: str, mutant: str, tests: list[str]
) -> None:
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    path = copy / "shuangsuiji" / file
    source = path.read_text(encoding="utf-8")
    assert source.count(text) == 1, f"{file} no longer holds the line this mutant changes"
    path.write_text(source.replace(text, mutant), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import shuangsuiji; print(shuangsuiji.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(copy)), "the tests would not run the mutated copy"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 1, f"the mutant survived {tests}:\n{run.stdout[-2000:]}"
