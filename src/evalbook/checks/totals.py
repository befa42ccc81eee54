"""总分、分项得分和评价等次（totals）。

评分表的总分（EB_TOTAL_SCORE）、各一级和二级指标的分项得分（EB_SUBTOTAL_<n>、
EB_SUBTOTAL_<n>_<m>）和评价等次（EB_GRADE）都由公式计算；与单个指标的得分一样，与按原始
数据重新计算的结果比较：公式被改为常量是错误 ``formula-overwritten``，保存的显示值不同是
警告 ``stale-value``。

通过的例子::

    总分 =ROUND(SUM(G5:G29),2) 显示 100；评价等次 显示 优

不通过的例子（代码 ``formula-overwritten``）::

    总分 100   （公式被改成了数字）
"""

from __future__ import annotations

from collections.abc import Iterator

from evalbook.checks.base import Context, output_cell
from evalbook.contract import GRADE, TOTAL_SCORE
from evalbook.findings import Finding
from evalbook.framework import Framework

ID = "totals"
NEEDS_SCORES = True


def subtotal_names(framework: Framework) -> dict[str, str]:
    """EB_SUBTOTAL_<n>[_<m>] -> the level it sums ("投入", "投入/预算配置"), in the order
    the levels first appear among the indicators."""
    level1: list[str] = []
    level2: dict[str, list[str]] = {}
    for ind in framework.indicators:
        if ind.level1 not in level1:
            level1.append(ind.level1)
        children = level2.setdefault(ind.level1, [])
        if f"{ind.level1}/{ind.level2}" not in children:
            children.append(f"{ind.level1}/{ind.level2}")
    out: dict[str, str] = {}
    for n, top in enumerate(level1, start=1):
        out[f"EB_SUBTOTAL_{n}"] = top
        out.update({f"EB_SUBTOTAL_{n}_{m}": key for m, key in enumerate(level2[top], start=1)})
    return out


def check(ctx: Context) -> Iterator[Finding]:
    result = ctx.result
    assert result is not None
    subtotals = {s.name: s.score for s in result.subtotals}
    for name, level in subtotal_names(ctx.framework).items():
        if level in subtotals:
            yield from output_cell(ctx, name, f"{level}分项得分", subtotals[level])
    yield from output_cell(ctx, TOTAL_SCORE, "总分", result.total)
    yield from output_cell(ctx, GRADE, "评价等次", result.grade)
