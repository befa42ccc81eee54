"""汇总行核对（summary-rows）。

收支情况每张表的汇总行（局机关及二级机构汇总）的每个金额，必须等于已填写的各单位行之和。
未填写任何单位行时不核对（只报送汇总数的部门）。空白按 0 计，按分比较。

通过的例子::

    汇总   收入合计 88.00
    局机关 收入合计 88.00

不通过的例子（报告在汇总行的单元格，代码 ``summary-sum-mismatch``）::

    汇总      收入合计 90.00
    局机关    收入合计 88.00
    二级机构1 收入合计  1.00
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook.checks.base import Context, cents, summed
from evalbook.contract import MONEY_TABLES
from evalbook.findings import Finding, make
from evalbook.numbers import fmt

ID = "summary-rows"
NEEDS_SCORES = False


def check(ctx: Context) -> Iterator[Finding]:
    for table in MONEY_TABLES:
        rows = ctx.sub.cells.get(table.name)
        units = [r for r in ctx.sub.used_rows.get(table.name, []) if r > 0]
        if rows is None or not units:
            continue
        for c, col in enumerate(table.columns):
            if col.type != "amount":
                continue
            summary, expected = rows[0][c], summed([rows[r][c] for r in units])
            if expected is None or not isinstance(summary.value, Decimal):
                continue
            if cents(summary.value) != cents(expected):
                yield make("summary-sum-mismatch", summary.sheet, summary.cell,
                           table=table.title, column=col.label, found=fmt(summary.value),
                           expected=fmt(cents(expected)))
