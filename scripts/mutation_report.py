"""The kill rate of a mutmut run (scripts/mutation.sh): over the rules (src/shuangsuiji/rules/)
and over the ledger's audit, with every mutant that survived and every line kept out of
mutation as equivalent, with the reason written above it.

Reads what mutmut left in mutants/ (its .meta files): run from the repository's root."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

PACKAGE = Path("src/shuangsuiji")
# The audit of ledger/store.py: the functions that check the hash chain and the stored draws.
AUDIT = ("xǁLedgerǁaudit__", "xǁLedgerǁ_audit_draws__", "xǁLedgerǁ_missing_rows__",
         "x__draw_problems__", "x__moment__", "x_event_hash__", "x_sha256_text__")  # fmt: skip
# mutmut's exit codes: 1 and 3 are a failing test (killed); 0 no test failed (survived);
# 33 and 5 no test runs the code at all; 24, 36, 152 and 255 ran out of time (the mutant
# made the code loop: the tests did not pass, so it counts as killed, as mutmut counts it).
KILLED = {1, 3, 24, -24, 36, 152, 255}
STATUS = {0: "survived", 5: "no test", 33: "no test", None: "not run"}
PRAGMA = "# pragma: no mutate"


def _statuses() -> dict[str, dict[str, int | None]]:
    """Every mutant's exit code, by area: "rules" and "audit"."""
    found: dict[str, dict[str, int | None]] = {"rules": {}, "audit": {}}
    for meta in sorted(Path("mutants", PACKAGE).rglob("*.py.meta")):
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        for name, code in codes.items():
            if ".rules." in name:
                found["rules"][name] = code
            elif ".ledger.store." in name and any(f".{part}" in name for part in AUDIT):
                found["audit"][name] = code
    return found


def _equivalent() -> list[str]:
    """Lines kept out of mutation, each with the comment above it that says why."""
    out = []
    for path in [*sorted((PACKAGE / "rules").glob("*.py")), PACKAGE / "ledger" / "store.py"]:
        lines = path.read_text("utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if PRAGMA not in line:
                continue
            why = []
            for above in reversed(lines[: number - 1]):
                if not above.strip().startswith("#"):
                    break
                why.insert(0, above.strip().lstrip("# "))
            out.append(f"{path}:{number}: {' '.join(why) or line.split(PRAGMA)[0].strip()}")
    return out


def main() -> int:
    if not Path("mutants", PACKAGE).is_dir():
        print("没有 mutants/：请先运行 scripts/mutation.sh", file=sys.stderr)
        return 2
    rates = {}
    for area, codes in _statuses().items():
        counts = Counter(
            "killed" if c in KILLED else STATUS.get(c, f"exit {c}") for c in codes.values()
        )
        total = len(codes)
        rates[area] = counts["killed"] / total if total else 0.0
        others = "，".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "killed")
        print(
            f"{area}: {total} 个变异体，杀死 {counts['killed']}（{rates[area]:.1%}）；{others or '无存活'}"
        )
        for name, code in sorted(codes.items()):
            if code not in KILLED:
                print(f"  {STATUS.get(code, f'exit {code}')}: {name}")
    print("作为等价变异体排除（行尾 # pragma: no mutate，原因写在其上一行的注释里）：")
    for line in _equivalent():
        print(f"  {line}")
    print("看某个存活的变异体：mutmut show 名称")
    return 0


if __name__ == "__main__":
    sys.exit(main())
