"""日期（dates）。

报送函的日期（报送日期）不得早于自评报告的日期（报告日期）；表中的各个日期（报告日期、
报送日期、签字和意见日期）都应在评价年度结束之后。同一单元格只报告一个问题。

通过的例子::

    评价年度 2020；报告日期 2021-07-30；报送日期 2021-07-30

不通过的例子（报告在“报送日期”单元格，代码 ``submit-before-report``）::

    评价年度 2020；报告日期 2021-07-30；报送日期 2020-07-30

（评价年度 2020 而报告日期为 2020-12-01：代码 ``date-in-eval-year``。）
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.contract import FORM_FIELDS
from evalbook.findings import Finding, make
from evalbook.numbers import fmt

ID = "dates"
NEEDS_SCORES = False

REPORT, SUBMIT, YEAR = "EB_REPORT_DATE", "EB_SUBMIT_DATE", "EB_YEAR"


def _date(ctx: Context, name: str) -> dt.date | None:
    cell = ctx.sub.scalars.get(name)
    return cell.value if cell is not None and isinstance(cell.value, dt.date) else None


def check(ctx: Context) -> Iterator[Finding]:
    flagged: set[str] = set()
    report, submit = _date(ctx, REPORT), _date(ctx, SUBMIT)
    if report is not None and submit is not None and submit < report:
        cell = ctx.sub.scalars[SUBMIT]
        flagged.add(SUBMIT)
        yield make("submit-before-report", cell.sheet, cell.cell, found=submit.isoformat(),
                   expected=report.isoformat())
    year = ctx.number(YEAR)
    if year is None or year != year.to_integral_value():
        return
    for f in FORM_FIELDS:
        day = _date(ctx, f.name)
        if f.type != "date" or f.name in flagged or day is None or day.year > year:
            continue
        cell = ctx.sub.scalars[f.name]
        yield make("date-in-eval-year", cell.sheet, cell.cell, label=f.label,
                   found=day.isoformat(), expected=fmt(year))
