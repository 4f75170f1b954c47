"""Benchmark: `ssj validate` on a generated 100,000-row xlsx roster, side by side in one run with a
bare python-calamine read and an openpyxl read of the same file (each a fresh process, medians,
alternating; openpyxl, a test dependency, only where installed). The roster is generated on the
fly into a temporary folder (never committed):

    python benchmarks/bench_validate_xlsx.py
    python benchmarks/bench_validate_xlsx.py --rows 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench_draw import PLAN, available, make_roster
from measure import run

from shuangsuiji.outputs.excel import Sheet, write_workbook

READERS = {  # name: (module, code)
    "python-calamine 读取": (
        "python_calamine",
        "import python_calamine as c; b = c.CalamineWorkbook.from_path('enterprises.xlsx'); "
        "b.get_sheet_by_name(b.sheet_names[0]).to_python()",
    ),
    "openpyxl 只读读取": (
        "openpyxl",
        "import openpyxl; b = openpyxl.load_workbook('enterprises.xlsx', read_only=True); "
        "[r for r in b.active.iter_rows(values_only=True)]",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_roster(folder / "enterprises.csv", args.rows)
        lines = (folder / "enterprises.csv").read_text(encoding="utf-8").splitlines()
        header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
        write_workbook(
            folder / "enterprises.xlsx", [Sheet("名录库", header, rows, caption="名录库")]
        )
        (folder / "officers.csv").write_text(
            "姓名,执法证号,执法证有效期至\n张三,A001,2030-12-31\n李四,A002,2030-12-31\n",
            encoding="utf-8",
        )
        (folder / "plan.yaml").write_text(
            PLAN.replace("enterprises.csv", "enterprises.xlsx"), encoding="utf-8"
        )
        commands = {
            "ssj validate": [
                sys.executable,
                "-m",
                "shuangsuiji",
                "validate",
                "--plan",
                "plan.yaml",
            ],
            **{
                name: [sys.executable, "-c", code]
                for name, (module, code) in READERS.items()
                if available(module)
            },
        }
        missing = [module for module, _ in READERS.values() if not available(module)]
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):  # alternating, so that a busy moment hits all alike
            for name, command in commands.items():
                times[name].append(run(command, folder)[0])
        absent = f"（未安装：{'、'.join(missing)}）" if missing else ""
        print(f"{args.rows:,} 行 xlsx 名录库，新进程，{args.repeat} 次的中位数{absent}：")
        for name, found in times.items():
            print(f"  {name}：{statistics.median(found):.2f} 秒")


if __name__ == "__main__":
    main()
