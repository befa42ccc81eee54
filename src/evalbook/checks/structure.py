"""工作表与定义名称（structure）。

工作簿的每一项数据都通过定义名称读取，而不是固定的单元格地址，所以插入行、移动区域都
不影响校验。但工作表被删除或改名（其他软件改名时不会同步更新定义名称），或定义名称被删除、
指向 #REF!，相应的数据就无法读取。每个工作表报告一次，列出无法读取的数据：工作表已不存在
是 ``sheet-missing``，工作表还在是 ``fields-unreadable``。Excel 中改名时定义名称会随之
更新，数据仍可读取，只提示 ``sheet-renamed``。表格区域的列数（或清单的项数）与模板不符是
``range-shape``（该表格不再按列读取）；表格中的单元格被合并是 ``merged-cells``；启用宏的
工作簿（.xlsm）提示 ``macros-present``——校验从不运行宏。

通过的例子::

    定义名称 EB_INCOME -> '收支情况'!$A$7:$G$10，工作表“收支情况”存在

不通过的例子（代码 ``sheet-missing``）::

    工作表“收支情况”被删除：EB_INCOME 等定义名称指向 #REF!
"""

from __future__ import annotations

from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.contract import (
    COVER_FIELDS,
    EVALUATORS,
    GOAL_FIELDS,
    GRADE,
    MONEY_TABLES,
    OPINION_FIELDS,
    PROFILE_FIELDS,
    SUMMARY_FIELDS,
    TABLES_BY_NAME,
    TARGETS,
    TOTAL_SCORE,
    Field,
    reason_name,
    score_name,
)
from evalbook.findings import Finding, make
from evalbook.framework import Framework
from evalbook.workbook import NamedRange, WorkbookData
from evalbook.xlsxform import (
    BASE,
    COVER,
    FINANCE,
    GOALS,
    OPINIONS,
    PROFILE,
    SCORING,
    SUMMARY,
)
from evalbook.xlsxutil import range_ref

ID = "structure"
NEEDS_SCORES = False
MAX_LISTED = 6


def expected_names(framework: Framework | None) -> dict[str, tuple[str, str]]:
    """Defined name -> (the sheet the template puts it on, its Chinese label). The
    framework's names (base data, scores) only when the workbook is scored with it."""
    out: dict[str, tuple[str, str]] = {}

    def add(sheet: str, fields: tuple[Field, ...]) -> None:
        out.update({f.name: (sheet, f.label) for f in fields})

    add(COVER, COVER_FIELDS)
    add(PROFILE, PROFILE_FIELDS)
    out.update({t.name: (FINANCE, t.title) for t in MONEY_TABLES})
    add(GOALS, GOAL_FIELDS)
    out[TARGETS.name] = (GOALS, TARGETS.title)
    add(OPINIONS, OPINION_FIELDS)
    out[EVALUATORS.name] = (OPINIONS, EVALUATORS.title)
    add(SUMMARY, SUMMARY_FIELDS)
    if framework is not None:
        add(BASE, framework.fields)
        for ind in framework.indicators:
            out[score_name(ind.id)] = (SCORING, f"{ind.name}自评得分")
            out[reason_name(ind.id)] = (SCORING, f"{ind.name}扣分原因")
        out[TOTAL_SCORE] = (SCORING, "总分")
        out[GRADE] = (SCORING, "评价等次")
    return out


def misshapen(data: WorkbookData, framework: Framework | None) -> dict[str, Finding]:
    """Tables whose column count, and checklists whose size, differ from the template."""
    sizes: dict[str, tuple[str, int, bool]] = {
        name: (t.title, len(t.columns), True) for name, t in TABLES_BY_NAME.items()}
    if framework is not None:
        sizes.update({f.name: (f.label, f.size, False) for f in framework.fields
                      if f.type == "checklist"})
    out: dict[str, Finding] = {}
    for name, (label, size, by_columns) in sizes.items():
        rng = data.names.get(name)
        if rng is None:
            continue
        actual = rng.cols if by_columns else rng.rows * rng.cols
        if actual != size:
            shape = f"{rng.rows}行×{rng.cols}列"
            wanted = f"{size}列" if by_columns else f"{size}个单元格"
            out[name] = make("range-shape", rng.sheet, rng.address(), label=label,
                             found=rng.ref, size=shape, expected=wanted)
    return out


def check(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    if data.macros:
        yield make("macros-present")
    framework = ctx.framework if ctx.scored else None
    yield from misshapen(ctx.original, framework).values()
    expected = expected_names(framework)
    by_sheet: dict[str, list[str]] = {}
    for name, (sheet, _) in expected.items():
        by_sheet.setdefault(sheet, []).append(name)
    for sheet, names in by_sheet.items():
        yield from _sheet(ctx, sheet, names, expected)
    yield from _merged(ctx)


def _sheet(ctx: Context, sheet: str, names: list[str],
           expected: dict[str, tuple[str, str]]) -> Iterator[Finding]:
    readable = [n for n in names if n in ctx.original.names]
    lost = [n for n in names if n not in ctx.original.names]
    if lost:
        labels = [expected[n][1] for n in lost]
        listed = "、".join(labels[:MAX_LISTED]) + ("等" if len(labels) > MAX_LISTED else "")
        code = "fields-unreadable" if sheet in ctx.original.sheets else "sheet-missing"
        yield make(code, sheet, None, sheet_name=sheet, count=len(lost), fields=listed)
    moved = {ctx.original.names[n].sheet for n in readable} - {sheet}
    if sheet not in ctx.original.sheets and moved:
        for found in sorted(moved):
            yield make("sheet-renamed", found, None, expected=sheet, found=found)


def _merged(ctx: Context) -> Iterator[Finding]:
    for name, rng in ctx.original.names.items():
        if rng.rows * rng.cols < 2:
            continue  # a merge cannot hide a second cell of a one-cell range
        for area in ctx.original.merged.get(rng.sheet, ()):
            cell = _inside(rng, area)
            if cell is not None:
                label = TABLES_BY_NAME[name].title if name in TABLES_BY_NAME else name
                yield make("merged-cells", rng.sheet, cell, label=label,
                           found=_ref(area))


def _inside(rng: NamedRange, area: tuple[int, int, int, int]) -> str | None:
    """The first cell of a merged area that spans two or more cells of a named range."""
    r1, c1, r2, c2 = area
    top, left = max(r1, rng.first_row), max(c1, rng.first_col)
    bottom = min(r2, rng.first_row + rng.rows - 1)
    right = min(c2, rng.first_col + rng.cols - 1)
    if bottom < top or right < left or (bottom - top + 1) * (right - left + 1) < 2:
        return None
    return rng.address(top - rng.first_row, left - rng.first_col)


def _ref(area: tuple[int, int, int, int]) -> str:
    return range_ref(*area)
