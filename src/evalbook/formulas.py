"""Excel formulas of the standard workbook, compiled from the framework — never hand-written.

* computed indicators: the native formula is the framework's own expression compiled with
  :meth:`Expr.excel` (``--native``), or a call of the add-in's UDF with the indicator's
  operands as explicit cell arguments (``--udf``), so Excel's dependency tree sees them;
* personalised indicators: the 完成率 of the targets linked to them on 绩效目标, compiled
  from :func:`evalbook.rules.completion_expr`;
* totals, 评价等次 and the ✓/✗ reconciliation of the money tables.

Formulas are returned without the leading ``=``; every reference goes through a defined
name (``excel_ref``) except the in-sheet sums, which take A1 ranges from the builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from evalbook import expr as E
from evalbook import rules as R
from evalbook.contract import TARGETS, TOTAL_SCORE, Table
from evalbook.framework import (
    Framework,
    Indicator,
    excel_ref,
    operands,
    score_expr,
    value_display_expr,
)

Variant = Literal["native", "udf"]

PENDING = "待填写"
NEEDS_JUDGEMENT = "需人工评分"
TARGETS_RATE = "EB_TARGETS_RATE"  # the 完成率 column beside EB_TARGETS (0..1 per row)
OK_MARK, BAD_MARK = "✓", "✗"


def year_text() -> str:
    """评价年度 as text for titles (blank-looking until it is filled in)."""
    return 'IF(ISNUMBER(EB_YEAR),TEXT(EB_YEAR,"0"),"　　　　")'


def dept_text(default: str) -> str:
    """部门(单位)名称 for titles and signatures, ``default`` while it is blank."""
    return f'IF(EB_DEPT_NAME="",{_string(default)},EB_DEPT_NAME)'


def value_name(indicator_id: str) -> str:
    """The 计算值 cell of an indicator."""
    return f"EB_VALUE_{indicator_id.upper()}"


def _string(text: str) -> str:
    return E.Const(text).excel(excel_ref)


@dataclass(frozen=True)
class IndicatorFormulas:
    """What the 评分表 row of one indicator holds.

    ``score`` is the formula of a locked score cell (computed indicators); ``default_score``
    the formula pre-set in an *input* score cell (personalised indicators: computed from
    linked targets until the evaluator types a score); both ``None`` for judged ones.
    """

    score: str | None
    value: str | None
    default_score: str | None = None


def indicator_formulas(ind: Indicator, framework: Framework, variant: Variant
                       ) -> IndicatorFormulas:
    if isinstance(ind.rule, R.Personalised):
        return IndicatorFormulas(None, personalised_value(ind), personalised_score(ind))
    score = score_expr(ind, framework.settings)
    value = value_display_expr(ind)
    if score is None:
        return IndicatorFormulas(None, None)
    if variant == "udf":
        args = "".join(f",{excel_ref(k)}" for k in operands(ind, framework.settings))
        quoted = _string(ind.id)
        return IndicatorFormulas(f"EB_SCORE({quoted}{args})",
                                 None if value is None else f"EB_VALUE({quoted}{args})")
    return IndicatorFormulas(score.excel(excel_ref),
                             None if value is None else value.excel(excel_ref))


# ---------------------------------------------------------------- personalised (targets)


def _column(key: str) -> str:
    return f"INDEX({TARGETS.name},0,{TARGETS.index(key)})"


def _is_any(ref: str, choices: Sequence[str]) -> str:
    tests = ",".join(f"TRIM({ref})={_string(c)}" for c in choices)
    return f"OR({tests})"


def target_rate(row: int) -> str:
    """完成率 of the ``row``-th (1-based) target row: blank until target and actual are numbers."""
    def cell(key: str) -> str:
        return f"INDEX({TARGETS.name},{row},{TARGETS.index(key)})"

    target, actual, comparator = cell("target"), cell("actual"), cell("comparator")

    def refs(key: str) -> str:
        return {"target": target, "actual": actual}[key]

    rate = {op: R.completion_expr(E.Ref("target"), E.Ref("actual"), op).excel(refs)
            for op in ("≥", "≤", "=")}
    aliases = {op: sorted(k for k, v in R.COMPARATOR_ALIASES.items() if v == op and k)
               for op in ("≤", "=")}
    dispatch = (f"IF({_is_any(comparator, aliases['≤'])},{rate['≤']},"
                f"IF({_is_any(comparator, aliases['='])},{rate['=']},{rate['≥']}))")
    return f'IF(COUNT({target},{actual})<2,"",{dispatch})'


def _linked(ind: Indicator) -> str:
    link = _column("indicator")
    return f"(({link}={_string(ind.id)})+({link}={_string(ind.name)}))"


def personalised_value(ind: Indicator) -> str:
    """目标完成率 (%) over the targets linked to ``ind`` (by id or 三级指标 name)."""
    linked = _linked(ind)
    count = f"SUMPRODUCT({linked})"
    ready = f"SUMPRODUCT({linked}*ISNUMBER({TARGETS_RATE}))"
    total = f"SUMPRODUCT({linked}*ISNUMBER({TARGETS_RATE}),{TARGETS_RATE})"

    def refs(key: str) -> str:
        return {"total": total, "count": count}[key]

    mean = R.completion_value(E.Ref("total"), E.Ref("count")).excel(refs)
    return f'IF({count}=0,"",IF({ready}<{count},"{PENDING}",{mean}))'


def personalised_score(ind: Indicator) -> str:
    """Score from linked targets; with none linked the cell asks for the evaluator's score."""
    vname = value_name(ind.id)
    body = E.rnd(E.clamp(ind.rule.score(E.Ref(vname), ind.max), E.num(0), E.num(ind.max)))
    count = f"SUMPRODUCT({_linked(ind)})"
    return (f'IF({count}=0,"{NEEDS_JUDGEMENT}",'
            f'IF(ISNUMBER({vname}),{body.excel(excel_ref)},"{PENDING}"))')


# ---------------------------------------------------------------- totals


def sum_scores(score_range: str) -> str:
    return f"ROUND(SUM({score_range}),2)"


def grade(framework: Framework, variant: Variant) -> str:
    if variant == "udf":
        return f"EB_GRADE({TOTAL_SCORE})"
    return framework.grade_expr(E.Ref(TOTAL_SCORE)).excel(excel_ref)


# ---------------------------------------------------------------- reconciliation (✓/✗)


@dataclass(frozen=True)
class TableCells:
    """A1 addresses of one money table: ``cell(row, key)`` with row 0 = 汇总."""

    table: Table
    first_row: int
    first_col: int
    rows: int  # 汇总 + unit rows

    def cell(self, row: int, key: str) -> str:
        from evalbook.xlsxutil import cell_ref

        return cell_ref(self.first_row + row, self.first_col + self.table.index(key) - 1)

    def column(self, key: str, first: int, last: int) -> str:
        return f"{self.cell(first, key)}:{self.cell(last, key)}"

    def amount_keys(self) -> list[str]:
        return [c.key for c in self.table.columns if c.type == "amount"]


def _zero(diff: str) -> str:
    return f"ROUND({diff},2)=0"


def _row_tests(cells: TableCells, row: int) -> list[tuple[str, str]]:
    """(test, Chinese label) per 合计 = Σ 组成项 rule of contract.Table.sums, blanks as 0."""
    tests = []
    for total, parts in cells.table.sums:
        parts_sum = ",".join(cells.cell(row, p) for p in parts)
        label = cells.table.columns[cells.table.index(total) - 1].label
        tests.append((_zero(f"N({cells.cell(row, total)})-SUM({parts_sum})"), f"{label}≠各项之和"))
    return tests


def _summary_tests(cells: TableCells) -> list[tuple[str, str]]:
    """汇总 row = Σ unit rows, column by column."""
    if cells.rows < 2:
        return []
    tests = []
    for key in cells.amount_keys():
        label = cells.table.columns[cells.table.index(key) - 1].label
        units = cells.column(key, 1, cells.rows - 1)
        tests.append((_zero(f"N({cells.cell(0, key)})-SUM({units})"), f"汇总{label}≠各单位之和"))
    return tests


def reconcile_row(cells: TableCells, row: int) -> str:
    """✓/✗ for one data row (the 汇总 row also checks it equals the sum of the unit rows)."""
    tests = _row_tests(cells, row) + (_summary_tests(cells) if row == 0 else [])
    return f'IF(AND({",".join(t for t, _ in tests)}),"{OK_MARK}","{BAD_MARK}")'


def reconcile_note(cells: TableCells, row: int) -> str:
    """Which rules of the row fail, as Chinese text (empty when all reconcile)."""
    tests = _row_tests(cells, row) + (_summary_tests(cells) if row == 0 else [])
    parts = [f'IF({t},"",{_string(label + "；")})' for t, label in tests]
    return "&".join(parts)


def reconcile_table(check_range: str) -> str:
    return f'IF(COUNTIF({check_range},"{BAD_MARK}")=0,"{OK_MARK}","{BAD_MARK}")'
