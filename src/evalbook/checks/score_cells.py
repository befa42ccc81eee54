"""计算得分的单元格（score-cells）。

每个指标的得分都由评分框架从原始数据重新计算（从不采信单元格中的数字），再与工作簿中的
单元格比较：

* 由公式计算的“自评得分”“计算值”单元格，公式被改成了数字（或被清空）：错误
  ``formula-overwritten``，并给出重新计算的值；
* 公式仍在、但保存的显示值与重新计算的值不同：警告 ``stale-value``（工作簿未重新计算）；
  用 openpyxl 等程序生成、从未在电子表格软件中打开过的文件没有保存显示值，不算过期；
* 无法看到公式时（加载项从打开的工作簿读取），显示值不同：错误 ``score-mismatch``；
* 关联了定量目标的个性化指标按目标完成率计分；手工填写的得分与之不同：``score-mismatch``；
* 规则无法计算（如分母为 0）时须人工评分：``manual-score-missing``；因输入有误而无法计算：
  警告 ``score-not-computed``（输入单元格的问题另行报告）。

通过的例子::

    自评得分 =IF(COUNT(EB_STAFF_ACTUAL,EB_STAFF_QUOTA)<2,"待填写",…)   （公式仍在）

不通过的例子（代码 ``formula-overwritten``）::

    自评得分 5   （公式被改成了数字）
"""

from __future__ import annotations

from collections.abc import Iterator

from evalbook import rules as R
from evalbook.checks.base import Context, cents, output_cell, shown_number, unreadable
from evalbook.contract import manual_name, score_name
from evalbook.engine import IndicatorResult, target_links
from evalbook.findings import Finding, make
from evalbook.formulas import value_name
from evalbook.framework import Framework, Indicator, score_expr, value_display_expr
from evalbook.numbers import fmt
from evalbook.workbook import cell_text

ID = "score-cells"
NEEDS_SCORES = True


_FORMULA_CELLS: dict[int, tuple[Framework, dict[str, tuple[bool, bool]]]] = {}


def formula_cells(framework: Framework) -> dict[str, tuple[bool, bool]]:
    """Indicator id -> (score cell holds a formula, value cell holds a formula), computed
    once per framework (building the expressions is not free)."""
    cached = _FORMULA_CELLS.get(id(framework))
    if cached is None or cached[0] is not framework:
        kinds = {i.id: (score_expr(i, framework.settings) is not None,
                        value_display_expr(i) is not None) for i in framework.indicators}
        cached = _FORMULA_CELLS[id(framework)] = (framework, kinds)
    return cached[1]


def check(ctx: Context) -> Iterator[Finding]:
    assert ctx.result is not None
    results = ctx.result.by_id()
    links = target_links(ctx.inputs)
    kinds = formula_cells(ctx.framework)
    for ind in ctx.framework.indicators:
        res = results[ind.id]
        if isinstance(ind.rule, R.Personalised):
            if ind.id in links or ind.name in links:
                yield from _linked(ctx, ind, res)
            continue
        has_score, has_value = kinds[ind.id]
        if not has_score:
            continue  # judged: see judged-scores
        yield from output_cell(ctx, score_name(ind.id), f"{ind.name}自评得分", res.score, ind.id)
        if has_value:
            yield from output_cell(ctx, value_name(ind.id), f"{ind.name}计算值", res.value,
                                   ind.id)
        yield from _status(ctx, ind, res)


def _linked(ctx: Context, ind: Indicator, res: IndicatorResult) -> Iterator[Finding]:
    """A personalised indicator scored from its targets; its cell holds a default formula
    that the evaluator may overwrite — with the same score only."""
    rng = ctx.data.names.get(score_name(ind.id))
    yield from output_cell(ctx, value_name(ind.id), f"{ind.name}计算值", res.value, ind.id)
    if rng is not None and rng.formula() is None and rng.formulas is not None:
        shown = shown_number(rng.scalar)
        if shown is None or res.score is None or cents(shown) != res.score:
            found = fmt(shown) if shown is not None else (cell_text(rng.scalar) or "（空白）")
            yield make("score-mismatch", rng.sheet, rng.address(), indicator=ind.id,
                       label=f"{ind.name}自评得分", found=found,
                       expected="无法计算" if res.score is None else fmt(res.score))
    else:
        yield from output_cell(ctx, score_name(ind.id), f"{ind.name}自评得分", res.score,
                               ind.id)
    yield from _status(ctx, ind, res)


def _status(ctx: Context, ind: Indicator, res: IndicatorResult) -> Iterator[Finding]:
    if res.status == "ok" or unreadable(ctx, res.keys):
        return
    manual = ctx.data.names.get(manual_name(ind.id))
    if res.status == "needs-judgement" and manual is not None:
        yield make("manual-score-missing", manual.sheet, manual.address(), indicator=ind.id,
                   label=ind.name, why=res.reason)
        return
    rng = ctx.data.names.get(score_name(ind.id))
    if rng is not None:
        yield make("score-not-computed", rng.sheet, rng.address(), indicator=ind.id,
                   label=f"{ind.name}自评得分", why=res.reason)
