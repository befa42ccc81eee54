"""绩效目标完成情况（targets）。

定量目标表中每一已填写的行，按比较方式（≥ ≤ =）比较实际完成值与目标值，得出是否完成，
与所填的“完成情况”（已完成/未完成）核对；“关联评分指标”须为评分表中的个性化指标
（按三级指标名称或指标编号），否则该目标不会计入任何指标。

通过的例子::

    公务卡刷卡率 | 目标值 100 | ≥ | 实际完成值 99 | 未完成

不通过的例子（报告在“完成情况”单元格，代码 ``target-status-mismatch``）::

    公务卡刷卡率 | 目标值 100 | ≥ | 实际完成值 99 | 已完成
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook import rules as R
from evalbook.checks.base import Context
from evalbook.contract import TARGET_STATUSES, TARGETS
from evalbook.findings import Finding, make
from evalbook.framework import Framework
from evalbook.numbers import fmt
from evalbook.workbook import TypedCell

ID = "targets"
DONE, NOT_DONE = TARGET_STATUSES  # 已完成, 未完成
NEEDS_SCORES = False


def _cell(row: list[TypedCell], key: str) -> TypedCell:
    return row[TARGETS.index(key) - 1]


def met(row: list[TypedCell]) -> bool | None:
    """Whether a target row reached its target; None if it cannot be told."""
    target, actual = _cell(row, "target").value, _cell(row, "actual").value
    comparator = _cell(row, "comparator").value
    if not (isinstance(target, Decimal) and isinstance(actual, Decimal)
            and isinstance(comparator, str) and comparator in R.COMPARATOR_ALIASES):
        return None
    return R.target_completion(target, actual, comparator) >= 1


def check(ctx: Context) -> Iterator[Finding]:
    rows = ctx.sub.cells.get(TARGETS.name)
    if rows is None:
        return
    links = _link_choices(ctx.framework) if ctx.scored else None
    for r in ctx.sub.used_rows[TARGETS.name]:
        yield from _status(rows[r])
        link = _cell(rows[r], "indicator")
        if links is not None and isinstance(link.value, str) and link.value not in links:
            yield make("invalid-choice", link.sheet, link.cell, label=link.label,
                       found=link.value, expected="、".join(f"“{c}”" for c in links))


def _status(row: list[TypedCell]) -> Iterator[Finding]:
    reached, status = met(row), _cell(row, "status")
    goal, actual = _cell(row, "target").value, _cell(row, "actual").value
    if reached is None or status.value not in TARGET_STATUSES:
        return
    assert isinstance(goal, Decimal) and isinstance(actual, Decimal)  # met() checked them
    expected = DONE if reached else NOT_DONE
    if status.value != expected:
        yield make("target-status-mismatch", status.sheet, status.cell,
                   target=_cell(row, "name").value or "", goal=fmt(goal),
                   comparator=R.normalise_comparator(str(_cell(row, "comparator").value)),
                   actual=fmt(actual), expected=expected, found=status.value)


def _link_choices(framework: Framework) -> list[str]:
    """Targets count toward personalised indicators, named by 三级指标 or id."""
    personal = [i for i in framework.indicators if isinstance(i.rule, R.Personalised)]
    return [i.name for i in personal] + [i.id for i in personal]
