"""评分框架的提示（framework-notes）。

评分框架文件加载时发现并已更正的问题（如原表“产出（20分）”而其下各项之和为 25 分，
按各项之和计分）报告在评分表中该级指标的表头单元格上，提醒填表人和财政局核对原表。

通过的例子::

    表头“投入（15分）”，其下各项分值之和 15 分

不通过的例子（代码 ``framework-header-mismatch``）::

    表头“产出（20分）”，其下各项分值之和 25 分
"""

from __future__ import annotations

from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.contract import score_name
from evalbook.findings import CATALOGUE, Finding, make
from evalbook.scoresheet import COL_L1, COL_L2, COL_SCORE
from evalbook.xlsxform import SCORING
from evalbook.xlsxutil import cell_ref

ID = "framework-notes"
NEEDS_SCORES = True


def check(ctx: Context) -> Iterator[Finding]:
    for note in ctx.framework.notes:
        if note.code not in CATALOGUE:
            continue
        sheet, cell = _header_cell(ctx, note.key)
        yield make(note.code, sheet, cell, message=note.message)


def _header_cell(ctx: Context, key: str) -> tuple[str, str | None]:
    """The 一级/二级 header of ``key``: in the row of its first indicator, found through that
    indicator's score cell (the headers themselves carry no defined name)."""
    top, _, sub = key.partition("/")
    for ind in ctx.framework.indicators:
        if ind.level1 == top and (not sub or ind.level2 == sub):
            rng = ctx.data.names.get(score_name(ind.id))
            if rng is None:
                break
            col = rng.first_col - COL_SCORE + (COL_L2 if sub else COL_L1)
            return rng.sheet, cell_ref(rng.first_row, col) if col >= 1 else None
    return SCORING, None
