"""实有人数与编制（staffing）。

基本概况中的实有人数超过人员编制时提示（财政供养人员控制率将因此扣分，应确认数字无误）。

通过的例子::

    人员编制 8；实有人数 6

不通过的例子（报告在“实有人数”单元格，代码 ``staff-over-quota``）::

    人员编制 8；实有人数 10
"""

from __future__ import annotations

from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.findings import Finding, make
from evalbook.numbers import fmt

ID = "staffing"
NEEDS_SCORES = False


def check(ctx: Context) -> Iterator[Finding]:
    quota, actual = ctx.number("EB_STAFF_QUOTA"), ctx.number("EB_STAFF_ACTUAL")
    if quota is None or actual is None or actual <= quota:
        return
    cell = ctx.sub.scalars["EB_STAFF_ACTUAL"]
    yield make("staff-over-quota", cell.sheet, cell.cell, found=fmt(actual), expected=fmt(quota))
