"""The plan file: the specification's example, exact ratios, and errors that point at a YAML line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from shuangsuiji.exceptions import InputError
from shuangsuiji.inputs.plan import load_plan
from shuangsuiji.outputs.planfile import with_commitment
from shuangsuiji.rules.draw import quota
from shuangsuiji.rules.ratio import Ratio, format_rate, parse_rate

from .conftest import EXAMPLES, ROOT

SPEC = ROOT / "docs" / "spec.md"


def test_example_plan_is_the_spec_example_and_loads() -> None:
    text = (EXAMPLES / "2025.yaml").read_text(encoding="utf-8")
    block = SPEC.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    # The example is the specification's example, sealed: only its commitment line filled in.
    assert text == with_commitment(block, load_plan(EXAMPLES / "2025.yaml").commitment or "")
    plan = load_plan(EXAMPLES / "2025.yaml")
    assert plan.agency == "洛龙区应急管理局"
    assert [i.id for i in plan.items] == ["AJ-01", "AJ-02"]
    assert plan.items[0].ratio.rate == Decimal("0.05")
    assert plan.items[0].months == [3, 5, 8, 10]
    assert plan.items[1].targets["行业类别"][-1] == "商贸"
    assert [(j.id, j.covers, j.months) for j in plan.joint] == [
        ("LH-01", "AJ-01", [5]),
        ("LH-02", "AJ-02", [10]),
    ]
    assert plan.deadline_workdays == 5
    assert plan.folder == EXAMPLES


@pytest.mark.parametrize(
    ("raw", "exact"),
    [
        ("5%", "0.05"),
        ("0.05", "0.05"),
        (0.05, "0.05"),
        ("7%", "0.07"),
        ("3.5%", "0.035"),
        ("５％", "0.05"),
        (" 5 % ", "0.05"),  # as typed in a cell
        (1, "1"),
    ],
)
def test_ratios_are_exact_decimals(raw: object, exact: str) -> None:
    assert parse_rate(raw) == Decimal(exact)


@pytest.mark.parametrize("raw", ["0", "0%", "120%", "abc", 5, True, "-5%", "nan", "sNaN", "inf"])
def test_bad_ratios_are_refused(raw: object) -> None:
    with pytest.raises(ValueError, match="比例"):
        parse_rate(raw)


@pytest.mark.parametrize(
    ("raw", "hint"),
    [(5, "5%"), ("5", "5%"), (1.5, "1.5%"), ("100", "100%"), ("120%", None), ("200％", None),
     ("101", None), ("0", None), ("-5", None), ("inf", None)],
)  # fmt: skip
def test_a_bare_number_over_one_is_shown_as_the_percentage_meant(
    raw: object, hint: str | None
) -> None:
    with pytest.raises(ValueError) as refused:
        parse_rate(raw)
    message = str(refused.value)
    assert message.startswith(f"比例“{raw}”超出范围；比例应大于 0 且不超过 100%")
    assert message.endswith(f"；如要表示 {hint}，请写“{hint}”" if hint else "这样的形式")


def test_quota_is_exact_ceiling() -> None:
    assert quota(100, parse_rate("7%")) == 7  # 100 × 0.07 in binary floats is 7.000000000000001
    assert quota(200, parse_rate("3.5%")) == 7
    assert quota(151, parse_rate("5%")) == 8
    assert quota(101, parse_rate("5%")) == 6  # 5.05 rounds up, not to the nearest
    assert quota(3, parse_rate("5%")) == 1  # never 0 from a small roster
    assert quota(0, parse_rate("5%")) == 0
    assert quota(4, parse_rate("100%")) == 4


def test_stratified_ratio() -> None:
    ratio = Ratio.model_validate(
        {"by": "信用风险分类", "A": "3%", "B": "5%", "C": "10%", "D": "20%", "default": "5%"}
    )
    assert ratio.stratified and ratio.by == "信用风险分类"
    assert ratio.rate_for("D") == Decimal("0.2")
    assert ratio.rate_for("未分类") == Decimal("0.05")
    assert format_rate(ratio.strata["A"]) == "3%"
    assert ratio.to_plain() == {
        "by": "信用风险分类",
        "A": "3%",
        "B": "5%",
        "C": "10%",
        "D": "20%",
        "default": "5%",
    }


def test_a_ratio_described_as_people_read_it() -> None:
    # The words `validate`, the draw workbook and verify's messages show for a ratio.
    assert Ratio.model_validate("3.5%").describe() == "3.5%"
    with_default = Ratio.model_validate(
        {"by": "信用风险分类", "A": "3%", "B": "5%", "default": "10%"}
    )
    assert with_default.describe() == "按信用风险分类：A 3%，B 5%，其他 10%"
    without = Ratio.model_validate({"by": "信用风险分类", "A": "3%"})
    assert without.describe() == "按信用风险分类：A 3%"


def test_a_stratified_ratio_as_typed_in_cells() -> None:
    # Spaces around the column and the stratum values are the cell's, not the name's.
    ratio = Ratio.model_validate({"by": " 信用风险分类 ", " A ": "3%", "default": "5%"})
    assert ratio.by == "信用风险分类" and list(ratio.strata) == ["A"]
    with pytest.raises(ValueError, match="分层比例需要写明按哪一列分层"):
        Ratio.model_validate({"by": "  ", "A": "3%"})


def _plan_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (EXAMPLES / "2025.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _problems(path: Path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        load_plan(path)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def _line_of(path: Path, text: str) -> int:
    """The 1-based line where ``text`` first stands in the file, as an editor shows it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def test_bad_ratio_names_line_and_key(tmp_path: Path) -> None:
    path = _plan_with(tmp_path, "ratio: 5%", "ratio: 120%")
    [(row, column, message)] = _problems(path)
    assert row == _line_of(path, "ratio: 120%")
    assert column == "items[0].ratio" and "超出范围" in message


def test_month_outside_range(tmp_path: Path) -> None:
    path = _plan_with(tmp_path, "months: [5]", "months: [13]")
    [(row, column, message)] = _problems(path)
    assert column == "joint[0].months" and "13" in message
    assert row == _line_of(path, "months: [13]")


def test_joint_covers_unknown_item(tmp_path: Path) -> None:
    path = _plan_with(tmp_path, "covers: AJ-01", "covers: AJ-09")
    [(_row, _column, message)] = _problems(path)
    assert "AJ-09" in message and "AJ-01" in message


def test_unknown_key_and_missing_seed(tmp_path: Path) -> None:
    path = _plan_with(tmp_path, "seed:", "sead:")
    problems = _problems(path)
    assert (3, "sead", "未知的键（拼写错误？）") in problems
    assert any(column == "seed" and message == "缺少必填项" for _, column, message in problems)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = _plan_with(tmp_path, "deadline_workdays: 5", "deadline_workdays: [5")
    [(row, _column, message)] = _problems(path)
    assert row is not None and "YAML" in message


def test_a_flat_ratio_written_as_a_mapping_is_checked_alike(tmp_path: Path) -> None:
    # {rate: 5} is not 500%: the mapping form goes through the same check as "ratio: 5".
    path = _plan_with(tmp_path, "ratio: 5%", "ratio: {rate: 5}")
    [(row, column, message)] = _problems(path)
    assert row == _line_of(path, "ratio: {rate: 5}")
    assert column == "items[0].ratio" and "比例“5”超出范围" in message
    plan = load_plan(_plan_with(tmp_path, "ratio: 5%", "ratio: {rate: 3%}"))
    assert plan.items[0].ratio.rate == Decimal("0.03") and plan.items[0].ratio.describe() == "3%"


def test_stratified_ratio_in_plan(tmp_path: Path) -> None:
    path = _plan_with(
        tmp_path,
        "ratio: 5%",
        "ratio: {by: 信用风险分类, A: 3%, B: 5%, C: 10%, D: 20%, default: 5%}",
    )
    plan = load_plan(path)
    assert plan.items[0].ratio.rate_for("C") == Decimal("0.1")
