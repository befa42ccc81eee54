"""合计与明细核对（row-sums）。

收支情况的每张表中，每一已填写的行（汇总行和各单位行）的合计必须等于其组成项之和：
收入合计 = 上年结转 + 公共财政拨款 + 政府基金拨款 + 纳入专户管理的非税收入拨款 + 其他收入；
支出合计 = 基本支出 + 项目支出，基本支出 = 人员支出 + 公用支出；三公经费合计 = 四项之和；
固定资产合计 = 在用 + 出租 + 其他。规则取自 ``contract.Table.sums``，按分（两位小数）比较，
空白的组成项按 0 计；无法识别的单元格已单独报告，所在规则不再核对。

通过的例子::

    支出合计 88.00 | 基本支出 68.00 | 人员支出 67.70 | 公用支出 0.30 | 项目支出 20.00

不通过的例子（报告在“基本支出”单元格，代码 ``row-sum-mismatch``）::

    支出合计 88.00 | 基本支出 68.00 | 人员支出 67.70 | 公用支出 3.00 | 项目支出 20.00
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook.checks.base import Context, cents, summed
from evalbook.contract import MONEY_TABLES, Table
from evalbook.findings import Finding, make
from evalbook.numbers import fmt
from evalbook.workbook import TypedCell, row_name

ID = "row-sums"
NEEDS_SCORES = False


def check(ctx: Context) -> Iterator[Finding]:
    for table in MONEY_TABLES:
        rows = ctx.sub.cells.get(table.name)
        if rows is None:
            continue
        for r in ctx.sub.used_rows[table.name]:
            yield from _row(table, rows[r], row_name(table, rows[r][0].value, r))


def _row(table: Table, row: list[TypedCell], name: str) -> Iterator[Finding]:
    def cell(key: str) -> TypedCell:
        return row[table.index(key) - 1]

    def label(key: str) -> str:
        return table.columns[table.index(key) - 1].label

    for total_key, parts in table.sums:
        total, expected = cell(total_key), summed([cell(p) for p in parts])
        if expected is None or not isinstance(total.value, Decimal):
            continue
        if cents(total.value) != cents(expected):
            yield make("row-sum-mismatch", total.sheet, total.cell, table=table.title, row=name,
                       total=label(total_key), found=fmt(total.value),
                       components="、".join(label(p) for p in parts),
                       expected=fmt(cents(expected)))
