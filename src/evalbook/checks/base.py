"""What every rule sees: the read workbook, its typed inputs and the recomputed scores."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from evalbook.engine import ScoreResult
from evalbook.findings import Finding, make
from evalbook.framework import Framework
from evalbook.numbers import fmt, round_half_up, to_decimal
from evalbook.workbook import Submission, TypedCell, WorkbookData, cell_text


@dataclass
class Context:
    """Input of every rule.

    ``scored`` is False when the workbook was built from another framework than the one
    validating it: the framework's fields, scores and totals are then not checked and
    ``result`` is None. ``data`` is the workbook without the ranges that cannot be read by
    position (a table with the wrong number of columns); ``original`` is all of it.
    """

    original: WorkbookData
    data: WorkbookData
    framework: Framework
    sub: Submission
    inputs: dict[str, Any]
    result: ScoreResult | None

    @property
    def scored(self) -> bool:
        return self.result is not None

    def number(self, key: str) -> Decimal | None:
        """A typed scalar's number (None if blank, unreadable or not a number)."""
        cell = self.sub.scalars.get(key)
        return cell.value if cell is not None and isinstance(cell.value, Decimal) else None

    def table_number(self, table: str, row: int, col: int) -> Decimal | None:
        cell = self.sub.cell(table, row, col)
        return cell.value if cell is not None and isinstance(cell.value, Decimal) else None


class Rule(Protocol):
    """A rule module: ``ID``, a docstring (its documentation) and ``check``."""

    ID: str
    NEEDS_SCORES: bool
    __doc__: str | None

    def check(self, ctx: Context) -> Iterator[Finding]: ...


def cents(value: Decimal) -> Decimal:
    return round_half_up(value, 2)


def summed(cells: list[TypedCell | None]) -> Decimal | None:
    """The sum of some input cells, blanks counting 0; None if any is unreadable."""
    total = Decimal(0)
    for cell in cells:
        if cell is None or cell.bad:
            return None
        if isinstance(cell.value, Decimal):
            total += cell.value
    return total


def shown_number(value: object) -> Decimal | None:
    """What a cell shows, if it is a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return to_decimal(value)


def unreadable(ctx: Context, keys: tuple[str, ...]) -> bool:
    """Whether every input behind a status is unreadable (already reported as structure)."""
    names = {key.partition(".")[0].partition("@")[0].partition("#")[0] for key in keys}
    return bool(names) and all(n not in ctx.data.names for n in names)


def output_cell(ctx: Context, name: str, label: str, expected: Decimal | str | None,
                indicator: str | None = None) -> Iterator[Finding]:
    """Compare a formula cell with its recomputed value.

    No formula where the template has one: ``formula-overwritten``. A formula whose cached
    value differs: ``stale-value`` (no cached value — files written by openpyxl — is not
    stale). Formulas unknown (a live workbook): a differing value is ``score-mismatch``.
    """
    rng = ctx.data.names.get(name)
    if rng is None:
        return
    value = rng.scalar
    wanted = _shown(expected)
    if rng.formulas is not None and rng.formula() is None:
        yield make("formula-overwritten", rng.sheet, rng.address(), indicator=indicator,
                   label=label, found="空白" if value is None else _shown(value),
                   expected=wanted)
        return
    if _differs(value, expected):
        code = "stale-value" if rng.formulas is not None else "score-mismatch"
        yield make(code, rng.sheet, rng.address(), indicator=indicator, label=label,
                   found=_shown(value), expected=wanted)


def _shown(value: object) -> str:
    if value is None:
        return "无法计算"
    number = shown_number(value)
    return fmt(number) if number is not None else cell_text(value).strip()


def _differs(value: object, expected: Decimal | str | None) -> bool:
    """A cached number or text that disagrees with the recomputed one (blanks never do)."""
    number = shown_number(value)
    if isinstance(expected, str):
        return isinstance(value, str) and value.strip() != "" and value.strip() != expected
    if number is None:
        return False
    return expected is None or cents(number) != cents(expected)
