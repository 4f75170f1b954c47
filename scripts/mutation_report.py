"""The kill rate of a mutmut run (scripts/mutation.sh): over the rules (src/shuangsuiji/rules/)
and over the ledger's audit, with every mutant that survived (its changed line) and every
equivalent mutant left out of the rate, with the reason: lines marked ``# pragma: no mutate``
(the reason in the comment above them) and mutants of a kind that cannot change behaviour.

Reads what mutmut left in mutants/ (its .meta files and the mutated sources): run from the
repository's root."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

PACKAGE = Path("src/shuangsuiji")
MUTANTS = Path("mutants") / PACKAGE
# The audit of ledger/store.py: the functions that check the hash chain and the stored draws.
AUDIT = ("xǁLedgerǁaudit__", "xǁLedgerǁ_audit_draws__", "xǁLedgerǁ_missing_rows__",
         "x__draw_problems__", "x__moment__", "x_event_hash__", "x_sha256_text__")  # fmt: skip
# mutmut's exit codes: 1 and 3 are a failing test (killed); 0 no test failed (survived);
# 33 and 5 no test runs the code at all; 24, 36, 152 and 255 ran out of time (the mutant
# made the code loop: the tests did not pass, so it counts as killed, as mutmut counts it).
TIMEOUT = {24, -24, 36, 152, 255}
KILLED = {1, 3, *TIMEOUT}
STATUS = {0: "survived", 5: "no test", 33: "no test", None: "not run"}
PRAGMA = "# pragma: no mutate"
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')
_SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|ORDER BY)\b", re.IGNORECASE)


def _sql_case_only(old: str, new: str) -> bool:
    """Whether the mutant only changes the case of SQL text: keywords, table and column names
    (SQLite reads them alike), no quoted value inside."""
    changed = [
        (a, b) for a, b in zip(_LITERAL.findall(old), _LITERAL.findall(new), strict=False) if a != b
    ]
    return (
        _LITERAL.sub("", old) == _LITERAL.sub("", new)
        and len(changed) == 1
        and all(a.lower() == b.lower() and _SQL.search(a) and "'" not in a for a, b in changed)
    )


# Mutants that cannot change what the code does, whatever the input: (test on the changed
# line, old → new; the reason).
EQUIVALENT: list[tuple[Callable[[str, str], bool], str]] = [
    (
        lambda old, new: new == old.replace("ensure_ascii=False", "ensure_ascii=None", 1),
        "ensure_ascii=None：json 只看真假，None 与 False 相同",
    ),
    (
        lambda old, new: new == old.replace("strict=False", "strict=None", 1),
        "strict=None：zip 只看真假，None 与 False 相同",
    ),
    (
        lambda old, new: new == old.replace(", strict=False)", ", )", 1),
        "去掉 strict=False：zip 的默认值就是 False",
    ),
    (_sql_case_only, "SQL 语句只改了大小写：SQLite 的关键字、表名和列名不分大小写"),
]


def _statuses() -> dict[str, dict[str, int | None]]:
    """Every mutant's exit code, by area: "rules" and "audit"."""
    found: dict[str, dict[str, int | None]] = {"rules": {}, "audit": {}}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        for name, code in codes.items():
            if ".rules." in name:
                found["rules"][name] = code
            elif ".ledger.store." in name and any(f".{part}" in name for part in AUDIT):
                found["audit"][name] = code
    return found


def _functions(module: str, cache: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    """The mutated module's functions (the original and every mutant), as lines, by name."""
    if module not in cache:
        path = MUTANTS.parent / Path(*module.split("."))
        source = path.with_suffix(".py").read_text("utf-8")
        lines = source.splitlines()
        cache[module] = {
            node.name: [line.strip() for line in lines[node.lineno : node.end_lineno]]
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
    return cache[module]


def _change(name: str, cache: dict[str, dict[str, list[str]]]) -> tuple[str, str]:
    """The line a mutant changes: (as written, as mutated)."""
    module, _, function = name.rpartition(".")
    functions = _functions(module, cache)
    original = functions.get(function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", [])
    mutated = functions.get(function, [])
    for old, new in zip(original, mutated, strict=False):
        if old != new:
            return old, new
    return "", ""


def _pragma_lines() -> list[str]:
    """Lines kept out of mutation, each with the comment above it that says why."""
    out = []
    for path in [*sorted((PACKAGE / "rules").glob("*.py")), PACKAGE / "ledger" / "store.py"]:
        lines = path.read_text("utf-8").splitlines()
        why: list[str] = []
        for number, line in enumerate(lines, start=1):
            if PRAGMA not in line:
                continue
            # Lines marked together under one comment share its words.
            if number == 1 or PRAGMA not in lines[number - 2]:
                why = []
                for above in reversed(lines[: number - 1]):
                    if not above.strip().startswith("#"):
                        break
                    why.insert(0, above.strip().lstrip("# "))
            out.append(f"{path}:{number}: {' '.join(why) or line.split(PRAGMA)[0].strip()}")
    return out


def _equivalent(old: str, new: str) -> str | None:
    """Why a change of this line cannot change behaviour, or None."""
    return next((reason for test, reason in EQUIVALENT if test(old, new)), None)


def names() -> list[str]:
    """The mutants scripts/mutation.sh runs, as mutmut name patterns: the rules, the audit."""
    return ["shuangsuiji.rules.*", *(f"shuangsuiji.ledger.store.{part}*" for part in AUDIT)]


def main() -> int:
    if sys.argv[1:] == ["--names"]:
        print("\n".join(names()))
        return 0
    if sys.argv[1:] in (["--to-run"], ["--not-run"]):
        # mutation.sh --resume: what an interrupted run has left, and (--to-run) the survivors
        # (a test added since may kill them now); killed ones keep their result. With nothing
        # to run, --to-run names the first mutant all the same: mutmut only notices changed
        # functions as it starts.
        statuses = _statuses() if MUTANTS.is_dir() else {}
        cache: dict[str, dict[str, list[str]]] = {}
        survivors = sys.argv[1] == "--to-run"
        listed = [
            n
            for codes in statuses.values()
            for n, c in codes.items()
            if c is None
            or (survivors and c not in KILLED and _equivalent(*_change(n, cache)) is None)
        ]
        if survivors and not listed:
            listed = [min(statuses["rules"])]
        if listed:  # nothing at all when there is none, not an empty line
            print("\n".join(listed))
        return 0
    if not MUTANTS.is_dir():
        print("没有 mutants/：请先运行 scripts/mutation.sh", file=sys.stderr)
        return 2
    cache: dict[str, dict[str, list[str]]] = {}
    equivalent: list[str] = []
    for area, codes in _statuses().items():
        counts: Counter[str] = Counter()
        survivors = []
        for name, code in sorted(codes.items()):
            if code in KILLED or code is None:
                counts["killed" if code is not None else "not run"] += 1
                counts["timeout"] += code in TIMEOUT
                continue
            old, new = _change(name, cache)
            why = _equivalent(old, new)
            if why is not None and code == 0:
                counts["equivalent"] += 1
                equivalent.append(f"  {name}：{why}")
                continue
            counts[STATUS.get(code, f"exit {code}")] += 1
            survivors.append(
                f"  {STATUS.get(code, f'exit {code}')}: {name}\n    - {old}\n    + {new}"
            )
        counted = sum(counts.values()) - counts["equivalent"] - counts["timeout"]
        rate = counts["killed"] / counted if counted else 0.0
        others = "，".join(
            f"{k} {v}"
            for k, v in sorted(counts.items())
            if k not in ("killed", "equivalent", "timeout")
        )
        print(
            f"{area}：{counted} 个变异体（另有等价的 {counts['equivalent']} 个不计），"
            f"杀死 {counts['killed']}（{rate:.1%}，其中 {counts['timeout']} 个使测试超时）；"
            f"{others or '没有存活的'}"
        )
        print("\n".join(survivors))
    print("等价变异体，不计入：")
    print("\n".join(equivalent) or "  （无）")
    print("不生成变异体的行（行尾 # pragma: no mutate，原因写在其上方的注释里）：")
    print("\n".join(f"  {line}" for line in _pragma_lines()))
    print("看某个变异体的完整改动：.venv-mutation/bin/mutmut show 名称")
    return 0


if __name__ == "__main__":
    sys.exit(main())
