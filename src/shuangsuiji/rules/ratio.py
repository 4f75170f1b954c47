"""Sampling ratios as exact decimals, flat ("5%") or stratified by a roster column.

Binary floating point never touches a ratio: 0.07 × 100 must give exactly 7.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

RATIO_HELP = "比例应大于 0 且不超过 100%，写成 5%、0.05 或 7% 这样的形式"


def parse_rate(raw: object) -> Decimal:
    """An exact fraction in (0, 1] from "5%", "0.05", 0.05 or Decimal; ValueError otherwise."""
    if isinstance(raw, bool):
        raise ValueError(f"“{raw}”不是比例；{RATIO_HELP}")
    # str() of a YAML float is its shortest round-trip text, so 0.05 stays exactly 0.05.
    text = str(raw).strip().replace("％", "%")
    percent = text.endswith("%")
    try:  # Decimal itself skips the space of "5 %"
        value = Decimal(text[:-1]) / 100 if percent else Decimal(text)
    except InvalidOperation:
        raise ValueError(f"无法识别的比例“{raw}”；{RATIO_HELP}") from None
    if not _in_range(value):
        # A bare number that would do as a percentage (5, 1.5, 100) was most likely meant so
        # (a NaN is not divided: "sNaN" would raise).
        meant = not percent and value.is_finite() and _in_range(value / 100)
        hint = f"；如要表示 {text}%，请写“{text}%”" if meant else ""
        raise ValueError(f"比例“{raw}”超出范围；{RATIO_HELP}{hint}")
    return value.normalize()


def _in_range(value: Decimal) -> bool:
    return value.is_finite() and Decimal(0) < value <= Decimal(1)


def format_rate(rate: Decimal) -> str:
    """ "5%" for Decimal("0.05"); exact, without trailing zeros."""
    percent = (rate * 100).normalize()
    # Fixed point, never 1E+2; "F" writes every Decimal alike (Infinity and NaN too).
    text = format(percent, "f")  # pragma: no mutate
    return f"{text}%"


class Ratio(BaseModel):
    """A flat rate, or a rate per stratum of the roster column ``by`` (差异化抽查)."""

    model_config = ConfigDict(frozen=True)

    rate: Decimal | None = None
    by: str | None = None
    strata: dict[str, Decimal] = {}
    default: Decimal | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, Ratio):
            return data
        if isinstance(data, dict) and set(data) == {"rate"}:
            data = data["rate"]  # {rate: 5%}: a flat rate written as a mapping, checked alike
        if not isinstance(data, dict):
            return {"rate": parse_rate(data)}
        fields = dict(data)
        by = fields.pop("by", None)
        if not isinstance(by, str) or not by.strip():
            raise ValueError(
                "分层比例需要写明按哪一列分层，例如 {by: 信用风险分类, A: 3%, default: 5%}"
            )
        default = fields.pop("default", None)
        strata = {str(k).strip(): parse_rate(v) for k, v in fields.items()}
        if not strata and default is None:
            raise ValueError("分层比例至少要给出一个层的比例或 default")
        return {
            "by": by.strip(),
            "strata": strata,
            "default": None if default is None else parse_rate(default),
        }

    @property
    def stratified(self) -> bool:
        return self.by is not None

    def rate_for(self, stratum: str) -> Decimal | None:
        """The rate for one stratum value (the default for values not listed)."""
        return self.strata.get(stratum, self.default)

    def describe(self) -> str:
        """Human text: "5%" or "按信用风险分类：A 3%，B 5%，其他 5%"."""
        if self.rate is not None:
            return format_rate(self.rate)
        parts = [f"{k} {format_rate(v)}" for k, v in self.strata.items()]
        if self.default is not None:
            parts.append(f"其他 {format_rate(self.default)}")
        return f"按{self.by}：" + "，".join(parts)

    def to_plain(self) -> str | dict[str, str]:
        """The form the plan file uses, for writing YAML and draw records."""
        if self.rate is not None:
            return format_rate(self.rate)
        plain: dict[str, str] = {"by": str(self.by)}  # set whenever rate is not
        plain.update({k: format_rate(v) for k, v in self.strata.items()})
        if self.default is not None:
            plain["default"] = format_rate(self.default)
        return plain
