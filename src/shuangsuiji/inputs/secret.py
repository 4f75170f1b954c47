"""Reading the sealed secret (docs/spec.md §4.1): the one file ssj never copies anywhere."""

from __future__ import annotations

from pathlib import Path

from shuangsuiji.exceptions import InputError, Problem
from shuangsuiji.inputs.plan import Plan
from shuangsuiji.rules.seal import is_hex64

EXAMPLE_MARK = "ssj: example-only"  # a secret shipped with the examples, public by design
LOST_FIX = "若秘密文件确已丢失：运行 ssj seal --plan 计划文件 --replace --reason 原因，并重新公开新的 commitment"


def read_secret(path: Path) -> str:
    """The secret s12: the file's one line of 64 lowercase hex characters (lines starting with
    "#" are notes, e.g. the example's "示例专用")."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(
            "找不到种子承诺的秘密文件，无法抽取",
            [Problem(file, None, None, "秘密文件不存在", LOST_FIX)],
        ) from None
    lines = [
        (n, line.strip())
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(lines) != 1 or not is_hex64(lines[0][1]):
        row = lines[0][0] if lines else None
        raise InputError(
            "秘密文件内容不对，无法抽取",
            [
                Problem(
                    file,
                    row,
                    None,
                    "应只有一行 64 位小写十六进制数（由 ssj seal 写入）",
                    "不要手改秘密文件；" + LOST_FIX,
                )
            ],
        )
    return lines[0][1]


def is_example_secret(path: Path) -> bool:
    """Whether the secret file is the examples' public one (marked, on a "#" line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    return any(line.startswith("#") and EXAMPLE_MARK in line for line in text.splitlines())


def _in_repository_examples(path: Path) -> bool:
    """Whether a file lies in the ssj repository's own examples/ folder (beside the project's
    pyproject.toml), the one place the public example secret is meant to be used."""
    folder = path.resolve().parent
    project = folder.parent / "pyproject.toml"
    try:
        return folder.name == "examples" and 'name = "shuangsuiji"' in project.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def refuse_example_secret(plan: Plan) -> None:
    """The examples' secret is public (anyone holding the repository computes its draws): a
    plan that uses it anywhere but in the repository's examples/ is refused (docs/spec.md §4.3)."""
    path = plan.secret_path
    if is_example_secret(path) and not _in_repository_examples(path):
        raise InputError(
            "计划用的是示例专用的公开秘密，任何拿到 ssj 仓库的人都能事先算出抽取结果，未抽取",
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "秘密文件标着“ssj: example-only”（示例专用）",
                    "新工作区用 ssj init 创建；已复制了示例的工作区运行 ssj seal --plan 计划文件，"
                    "生成自己的秘密和承诺书",
                )
            ],
        )
