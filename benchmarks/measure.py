"""Wall time and peak memory of one fresh Python process, as the benchmarks report them.

The peak is the child's own high-water mark (``VmHWM``), read by the child as it exits. The
kernel's ``ru_maxrss`` of a child would not do: a child forked from the benchmark starts with
the benchmark's high-water mark (the roster it just generated) and keeps it through ``exec``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

# Runs ``-m module args``, ``-c code args`` or ``script args`` as python would, then reports VmHWM on stderr.
_PROBE = """
import atexit, os, runpy, sys

def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write("\\n@peak " + line.split()[1] + "\\n")
                sys.stderr.flush()

atexit.register(_peak)
_exit = os._exit

def _peak_then_exit(code):  # ssj's entry ends its process itself, past atexit
    _peak()
    _exit(code)

os._exit = _peak_then_exit
args = sys.argv[1:]
if args[0] == "-m":
    sys.argv = [args[1], *args[2:]]
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
elif args[0] == "-c":
    sys.argv = ["-c", *args[2:]]
    exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
else:
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
"""


def run(command: list[str], cwd: Path, show: bool = False) -> tuple[float, int]:
    """Wall time and peak resident memory (KB) of ``command`` (``[sys.executable, …]`` with
    ``-m module``, ``-c code`` or a script) as a fresh process; its output shown if ``show``."""
    assert command[0] == sys.executable
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _PROBE, *command[1:]],
        cwd=cwd,
        stdout=None if show else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    errors = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - start
    if status != 0:
        sys.stderr.write(errors)
        raise SystemExit(f"{' '.join(command)} failed ({status})")
    peaks = [line.split()[1] for line in errors.splitlines() if line.startswith("@peak ")]
    return took, int(peaks[-1]) if peaks else usage.ru_maxrss
