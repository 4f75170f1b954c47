"""The layers are real: no module imports from a layer above it, and the rules stay pure.

rules → inputs, ledger → outputs → commands → cli (docs/architecture.md). ``exceptions`` is the
one shared leaf every layer may raise from; it imports nothing of the package.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import shuangsuiji

PACKAGE = Path(shuangsuiji.__file__).parent
# What each layer may import from the package (besides itself).
ALLOWED = {
    "exceptions": set(),
    "rules": {"exceptions"},
    "inputs": {"exceptions", "rules"},
    "ledger": {"exceptions", "rules"},
    "engine": {"exceptions", "rules"},
    "outputs": {"exceptions", "rules", "inputs", "ledger"},
    "commands": {"exceptions", "rules", "inputs", "ledger", "engine", "outputs", "version"},
    "cli": {"exceptions", "rules", "inputs", "ledger", "engine", "outputs", "commands", "version"},
    "__main__": {"cli"},
}


def _modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(shuangsuiji.__path__, "shuangsuiji.")
        if m.name != "shuangsuiji"
    ]


def _layer(module: str) -> str:
    return module.split(".")[1]


def _package_imports(module: str) -> set[str]:
    """The layers a module's source imports from ("version" for ``from shuangsuiji import
    __version__``)."""
    path = PACKAGE.joinpath(*module.split(".")[1:])
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    layers = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{module}: use absolute imports"
            names = [node.module]
            if node.module == "shuangsuiji":
                names = [f"shuangsuiji.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("shuangsuiji."):
                part = name.split(".")[1]
                layers.add("version" if part == "__version__" else part)
    return layers


def test_every_module_belongs_to_a_layer() -> None:
    assert {_layer(m) for m in _modules()} <= set(ALLOWED)


@pytest.mark.parametrize("module", _modules())
def test_no_module_imports_from_a_layer_above_it(module: str) -> None:
    layer = _layer(module)
    above = _package_imports(module) - ALLOWED[layer] - {layer}
    assert not above, f"{module} ({layer}) imports from {sorted(above)}"


def _loaded_after_importing(modules: list[str]) -> set[str]:
    code = f"import sys; import {', '.join(modules)}; print(' '.join(sys.modules))"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(completed.stdout.split())


def test_rules_are_pure() -> None:
    # No file formats, databases, data frames or terminal output: a rule is plain computation.
    loaded = _loaded_after_importing([m for m in _modules() if _layer(m) == "rules"])
    forbidden = {"pandas", "pyarrow", "openpyxl", "sqlite3", "typer", "rich", "yaml"}
    assert not loaded & forbidden
    assert (
        not {m for m in loaded if m.startswith("shuangsuiji.")}
        - {m for m in _modules() if _layer(m) in ("rules", "exceptions")}
        - {"shuangsuiji"}
    )


def test_library_modules_do_not_import_typer() -> None:
    loaded = _loaded_after_importing(
        [m for m in _modules() if _layer(m) not in ("cli", "__main__")]
    )
    assert "typer" not in loaded and "rich" not in loaded


@pytest.mark.parametrize(
    "args", [["--help"], ["draw", "--help"], ["workdays", "2025-09-30", "5"]], ids=" ".join
)
def test_light_commands_load_no_data_libraries(args: list[str]) -> None:
    # `ssj --help` and the like must start at once: the data libraries load only where a
    # command reads rosters or writes workbooks.
    code = (
        "import sys\nfrom shuangsuiji.cli import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
        "print('LOADED', ' '.join(sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(completed.stdout.split("LOADED", 1)[1].split())
    assert not loaded & {"pandas", "duckdb", "pyarrow", "numpy", "openpyxl", "xlsxwriter"}
    # Typer's rich help (Rich's markdown, markdown-it) loads only to show help or an error.
    shows_help = "--help" in args
    assert ("typer.rich_utils" in loaded) == shows_help
    assert ("markdown_it" in loaded) == shows_help


def test_help_is_chinese_however_typer_loads_its_rich_output() -> None:
    # Patched when typer imports it (ssj's import hook), or at once if it was loaded earlier.
    for first in ("", "import typer.rich_utils\n"):
        code = (
            f"{first}from shuangsuiji.cli import app\n"
            "try:\n    app(['draw', '--bogus'])\nexcept SystemExit:\n    pass\n"
        )
        completed = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env={"COLUMNS": "80"}
        )
        assert "没有选项 --bogus" in completed.stderr and "错误" in completed.stderr
