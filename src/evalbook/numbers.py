"""Exact decimal arithmetic, Excel-compatible rounding and reading numbers people typed.

Scores round half away from zero (Excel's ROUND), never with Python's banker's ``round``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round half away from zero, like Excel's ROUND."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_up(value: Decimal, places: int = 0) -> Decimal:
    """Excel ROUNDUP: away from zero."""
    rounding = ROUND_CEILING if value >= 0 else ROUND_FLOOR
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def round_down(value: Decimal, places: int = 0) -> Decimal:
    """Excel ROUNDDOWN: toward zero."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def to_decimal(value: int | float | Decimal) -> Decimal:
    """A number from a cell or JSON, exactly as it would be shown (floats via repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def fmt(value: Decimal | None) -> str:
    """Render a decimal for people: no exponent, no trailing zeros (88.00 -> 88)."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Parsed:
    """A value read from input: the number, and a note when text had to be interpreted."""

    value: Decimal
    note: str | None = None


class NotANumber(ValueError):
    """Text that cannot be read as a number without guessing."""

    def __init__(self, raw: object, why: str) -> None:
        super().__init__(raw, why)
        self.raw = raw
        self.why = why


_UNITS = ("万元", "千元", "元", "人", "个", "项", "次", "分", "亩", "栋", "名", "%", "％")
_COMPARATOR_PREFIX = re.compile(r"^(≤|≦|<=|≥|≧|>=|=|＝)")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_CHINESE_NUMERALS = set("零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")
_VAGUE = ("约", "大约", "左右", "以上", "以下", "多", "余", "近", "不足", "超过", "~", "～")


#: Excel keeps 15 significant digits; larger magnitudes are typing errors, not amounts.
LIMIT = Decimal("1e15")


def parse_number(raw: object) -> Parsed:
    # fast path for plain cell numbers
    if isinstance(raw, int | float) and not isinstance(raw, bool) and -_BIG < raw < _BIG:
        return Parsed(Decimal(raw) if isinstance(raw, int) else Decimal(repr(raw)))
    parsed = _parse_number(raw)
    if not -LIMIT < parsed.value < LIMIT:
        raise NotANumber(raw, "数值超出合理范围")
    return parsed


_BIG = 1e15


def _parse_number(raw: object) -> Parsed:
    """Read a number from a cell value or JSON value.

    Unambiguous text ("88.00万元", "８８", "１００％", "1,234.50", "≦0") is read with a note;
    ambiguous text ("六", "约100", "95%以上") raises :class:`NotANumber`.
    """
    if isinstance(raw, bool):
        raise NotANumber(raw, "是/否 不是数字")
    if isinstance(raw, int | float | Decimal):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise NotANumber(raw, "不是有效数字")
        return Parsed(to_decimal(raw))
    if not isinstance(raw, str):
        raise NotANumber(raw, "不是数字")
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    if text == "":
        raise NotANumber(raw, "为空")
    if text.startswith("#"):
        raise NotANumber(raw, f"是 Excel 错误值 {text}")
    if any(v in text for v in _VAGUE):
        raise NotANumber(raw, "含“约/以上/左右”等模糊表述，无法确定数值")
    if any(ch in _CHINESE_NUMERALS for ch in text) and not any(ch.isdigit() for ch in text):
        raise NotANumber(raw, "是中文数字，请填写阿拉伯数字")
    body = _COMPARATOR_PREFIX.sub("", text)
    for unit in _UNITS:
        if body.endswith(unit):
            body = body[: -len(unit)]
            break
    if _GROUPED.match(body):
        body = body.replace(",", "")
    if not _NUMBER.match(body):
        raise NotANumber(raw, "无法识别为数字")
    try:
        value = Decimal(body)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise NotANumber(raw, "无法识别为数字") from exc
    return Parsed(value, f"以文本形式填写，已按 {fmt(value)} 读取")


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def parse_date(raw: object) -> dt.date:
    """Read a date from a cell (datetime), JSON (YYYY-MM-DD) or common Chinese forms."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                try:
                    return dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError as exc:
                    raise NotANumber(raw, "不是有效日期") from exc
    raise NotANumber(raw, "不是有效日期（应为 YYYY-MM-DD）")
