"""当年结余核对（balance）。

年度支出和结余情况中每一行的“当年结余”必须等于同一单位的收入合计减去支出合计
（两张表的同一行：汇总行对汇总行，局机关对局机关……），按分比较。

通过的例子::

    收入合计 88.00；支出合计 88.00；当年结余 0

不通过的例子（报告在“当年结余”单元格，代码 ``balance-mismatch``）::

    收入合计 88.00；支出合计 80.00；当年结余 0（应为 8.00）
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook.checks.base import Context, cents
from evalbook.contract import EXPENSE, INCOME
from evalbook.findings import Finding, make
from evalbook.numbers import fmt
from evalbook.workbook import row_name

ID = "balance"
NEEDS_SCORES = False


def check(ctx: Context) -> Iterator[Finding]:
    income_rows = set(ctx.sub.used_rows.get(INCOME.name, []))
    expense = ctx.sub.cells.get(EXPENSE.name)
    if expense is None:
        return
    col = EXPENSE.index("balance_year") - 1
    for r in ctx.sub.used_rows[EXPENSE.name]:
        if r not in income_rows:
            continue
        income = ctx.table_number(INCOME.name, r, INCOME.index("total") - 1)
        spent = ctx.table_number(EXPENSE.name, r, EXPENSE.index("total") - 1)
        balance = expense[r][col]
        if income is None or spent is None or not isinstance(balance.value, Decimal):
            continue
        expected = cents(income - spent)
        if cents(balance.value) != expected:
            yield make("balance-mismatch", balance.sheet, balance.cell,
                       row=row_name(EXPENSE, expense[r][0].value, r), found=fmt(balance.value),
                       income=fmt(income), expense=fmt(spent), expected=fmt(expected))
