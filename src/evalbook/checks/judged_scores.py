"""评价人员评分（judged-scores）。

由评价人员评分的指标（如经济效益、社会效益、生态效益，以及未关联定量目标的个性化指标）：
得分必须填写，且在 0 到分值之间；得分低于分值时必须填写扣分原因。得分单元格中仍是模板
预置的公式（显示“需人工评分”）时视为未评分。计算得分的指标填写了“人工评分”的
（规则无法计算时使用），同样须在 0 到分值之间、低于分值时说明原因。

通过的例子::

    经济效益 分值 5 | 自评得分 4 | 扣分原因：招商引资目标完成 80%

不通过的例子（代码 ``reason-missing``，报告在扣分原因单元格）::

    经济效益 分值 5 | 自评得分 4 | 扣分原因：（空白）

（自评得分 6：``score-out-of-range``；空白：``score-missing``。）
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook.checks.base import Context, shown_number
from evalbook.contract import manual_name, reason_name, score_name
from evalbook.engine import target_links
from evalbook.findings import Finding, make, make_with
from evalbook.framework import Indicator
from evalbook.numbers import fmt
from evalbook.schemas import coerce
from evalbook.workbook import is_blank

ID = "judged-scores"
NEEDS_SCORES = True


def check(ctx: Context) -> Iterator[Finding]:
    links = target_links(ctx.inputs)
    for ind in ctx.framework.indicators:
        if ind.judged and ind.id not in links and ind.name not in links:
            yield from _indicator(ctx, ind, score_name(ind.id), f"{ind.name}自评得分", True)
        elif not ind.judged:
            yield from _indicator(ctx, ind, manual_name(ind.id), f"{ind.name}人工评分", False)


def _indicator(ctx: Context, ind: Indicator, name: str, label: str, required: bool
               ) -> Iterator[Finding]:
    rng = ctx.data.names.get(name)
    if rng is None:
        return
    raw = rng.scalar
    if rng.formula() is not None and shown_number(raw) is None:
        raw = None  # the template's default formula, showing 需人工评分
    if raw is None and not required:
        return
    sheet, cell = rng.sheet, rng.address()
    value, problem = coerce(raw, "score")
    if problem is not None:
        yield make_with(problem.code, sheet, cell, {"label": label, **problem.values}, ind.id)
    if not isinstance(value, Decimal):
        if problem is None:
            yield make("score-missing", sheet, cell, indicator=ind.id, label=label,
                       expected=fmt(ind.max))
        return
    if not Decimal(0) <= value <= ind.max:
        yield make("score-out-of-range", sheet, cell, indicator=ind.id, label=label,
                   found=fmt(value), expected=fmt(ind.max))
    elif value < ind.max:
        yield from _reason(ctx, ind, value, (sheet, cell))


def _reason(ctx: Context, ind: Indicator, value: Decimal, fallback: tuple[str, str]
            ) -> Iterator[Finding]:
    reason = ctx.data.names.get(reason_name(ind.id))
    if reason is not None and not is_blank(reason.scalar):
        return
    sheet, cell = (reason.sheet, reason.address()) if reason is not None else fallback
    yield make("reason-missing", sheet, cell, indicator=ind.id, label=ind.name,
               found=fmt(value), expected=fmt(ind.max))


