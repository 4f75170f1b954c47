#!/usr/bin/env bash
# Mutation testing, on demand (not in CI: hours on two cores): mutmut changes the rules
# (src/shuangsuiji/rules/) and the ledger's audit one small edit at a time and runs the
# tests that reach the edited function; a mutant no test notices is printed as a survivor.
#
#   scripts/mutation.sh            the whole run, then the kill rate and the survivors
#   scripts/mutation.sh --resume   go on with an interrupted run, or after a pull, then report:
#                                  traces the tests again, reruns the survivors, then runs what
#                                  was not run (the mutants of functions changed since too)
#   scripts/mutation.sh --report   the figures of the last run again
#
# It installs ssj (not editable: mutmut's copy in mutants/ must be the one imported) and
# mutmut into .venv-mutation, from the package index. Settings: [tool.mutmut] in pyproject.toml.
# Lines a mutant of which cannot change behaviour end with "# pragma: no mutate", the reason
# in the comment above; the report lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
venv=.venv-mutation
case "${1:-}" in
    --report) exec python3 scripts/mutation_report.py ;;
    -h|--help) usage; exit 0 ;;
    --resume)
        if [ ! -x "$venv/bin/mutmut" ] || [ ! -d mutants ]; then
            echo "没有可以接着运行的 mutants/：请先运行 scripts/mutation.sh" >&2
            exit 2
        fi
        # mutmut traces which functions a test reaches only for tests it has not seen: without
        # its stats it traces them all again, so a test added to an old test function, or a
        # function added since, is linked (minutes, against a wrongly kept survivor).
        rm -f mutants/mutmut-stats.json
        # Named mutants are run again; killed ones keep their result. mutmut resets the
        # mutants of changed functions only as it starts, after the first list is made: the
        # second pass runs those.
        for which in --to-run --not-run; do
            mapfile -t names < <(python3 scripts/mutation_report.py "$which")
            if [ "${#names[@]}" -gt 0 ]; then
                "$venv/bin/mutmut" run --max-children "$(nproc)" "${names[@]}" || true
            fi
        done
        exec python3 scripts/mutation_report.py ;;
    "") ;;
    *) usage; exit 2 ;;
esac
[ -x "$venv/bin/mutmut" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q ".[test]" "mutmut==3.8.1"
rm -rf mutants
# The rules, and the functions of ledger/store.py that audit the chain and the stored draws
# (the patterns come from the report, which counts the same two areas).
mapfile -t names < <(python3 scripts/mutation_report.py --names)
"$venv/bin/mutmut" run --max-children "$(nproc)" "${names[@]}" || true
python3 scripts/mutation_report.py
