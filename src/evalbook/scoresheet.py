"""The 评分表 (附件3-1): one row per indicator with its live score, then totals and grade.

Score and value cells hold formulas compiled from the framework (:mod:`evalbook.formulas`);
the merged 一级/二级 level cells are split at the page breaks so that every printed page
names its levels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from evalbook import formulas as F
from evalbook.contract import GRADE, TOTAL_SCORE, manual_name, reason_name, score_name
from evalbook.framework import Framework, Indicator
from evalbook.numbers import fmt
from evalbook.xlsxform import (
    BODY,
    BOLD,
    CENTER,
    SCORING,
    WRAP_LEFT,
    Book,
    Sheet,
    font,
    put_text,
    validation_rule,
)
from evalbook.xlsxutil import cell_ref, range_ref

# ---------------------------------------------------------------- 评分表

SCORE_COLS = ("一级指标", "二级指标", "三级指标", "评分标准", "分值", "计算值", "自评得分",
              "人工评分", "扣分原因和其他说明")
COL_L1, COL_L2, COL_NAME, COL_CRITERIA, COL_MAX, COL_VALUE, COL_SCORE, COL_MANUAL, COL_REASON = (
    range(1, 10))


def _runs(items: Sequence[Indicator], key: str) -> list[tuple[str, int, int]]:
    """Consecutive runs of equal ``key`` values: (value, first index, last index)."""
    runs: list[tuple[str, int, int]] = []
    for i, ind in enumerate(items):
        value = ind.level1 if key == "level1" else f"{ind.level1}/{ind.level2}"
        if runs and runs[-1][0] == value:
            runs[-1] = (value, runs[-1][1], i)
        else:
            runs.append((value, i, i))
    return runs


def _value_format(ind: Indicator, framework: Framework) -> str:
    spec = ind.value
    if spec.kind == "checklist":
        return '0.00"分"'
    field_type = next((f.type for f in framework.fields if f.name == spec.field), "")
    number = "0" if field_type == "count" else "0.00"
    return f'{number}"{spec.unit}"' if spec.unit else number


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_row(s: Sheet, row: int, ind: Indicator) -> None:
    fw, variant = s.book.framework, s.book.options.variant
    cells = F.indicator_formulas(ind, fw, variant)
    s.text(row, COL_NAME, ind.name, align=CENTER)
    s.text(row, COL_CRITERIA, ind.criteria_text(), align=WRAP_LEFT, font_=font(10))
    s.put(row, COL_MAX, _number(ind.max), align=CENTER)
    if cells.value is not None:
        s.formula(row, COL_VALUE, cells.value, name=F.value_name(ind.id), kind="value",
                  label=f"{ind.name}计算值", number_format=_value_format(ind, fw))
    else:
        s.put(row, COL_VALUE, None)
        s.book.name(F.value_name(ind.id), s.title, cell_ref(row, COL_VALUE), "value",
                    f"{ind.name}计算值", False)
    rule = validation_rule("score", f"{ind.name}得分", cell_ref(row, COL_SCORE), maximum=ind.max)
    if cells.score is not None:
        s.formula(row, COL_SCORE, cells.score, name=score_name(ind.id), kind="score",
                  label=f"{ind.name}得分", number_format="0.00")
        manual = validation_rule("score", f"{ind.name}人工评分", cell_ref(row, COL_MANUAL),
                                 maximum=ind.max)
        manual = dataclasses.replace(manual, prompt="仅在得分显示“需人工评分”时填写（0-"
                                     f"{fmt(ind.max)}分），并在右栏说明原因。")
        s.input(row, COL_MANUAL, manual_name(ind.id), "score", f"{ind.name}人工评分",
                rule=manual, align=CENTER)
    else:
        default = None
        if cells.default_score is not None:
            default = f"={cells.default_score}"
            rule = dataclasses.replace(rule, prompt="在“绩效目标”表关联了定量目标的，本格按完成率"
                                       f"自动计分；未关联的请填写0-{fmt(ind.max)}分。")
        s.input(row, COL_SCORE, score_name(ind.id), "score", f"{ind.name}得分", rule=rule,
                value=default, align=CENTER)
        s.put(row, COL_MANUAL, None)
    s.input(row, COL_REASON, reason_name(ind.id), "text", f"{ind.name}扣分原因")
    s.fit(row)


def scoring_sheet(book: Book) -> None:
    fw = book.framework
    s = Sheet(book, SCORING, [8, 9, 16, 45, 6, 10, 9, 9, 21], landscape=True)
    s.text(2, 1, "附件3-1", span=9, border=None)
    s.title_row(3, f'{F.dept_text("")}&"部门整体支出绩效评价评分表"', formula=True)
    for col, label in enumerate(SCORE_COLS, start=1):
        s.header(4, col, label)
    s.ws.row_dimensions[4].height = 30
    first = 5
    inds = fw.indicators
    for i, ind in enumerate(inds):
        indicator_row(s, first + i, ind)
    last = first + len(inds) - 1
    s.paginate([(first + a, first + b) for _, a, b in _runs(inds, "level2")], first, (4,))
    row = totals_rows(s, first, last)
    for note in fw.notes:
        s.text(row, 1, f"注：{note.message}", span=9, border=None, font_=font(9))
        row += 1
    printed = row - 1
    subtotal_rows(s, row + 2, first)
    status = FormulaRule(formula=  # type: ignore[no-untyped-call]
                         [f"ISTEXT({cell_ref(first, COL_SCORE)})"],
                         font=Font(color="C00000"))
    s.ws.conditional_formatting.add(range_ref(first, COL_VALUE, last, COL_SCORE), status)
    s.finish(printed, title_rows="4:4", freeze="A5")


def level_labels(ws: Worksheet, framework: Framework, first: int, breaks: Sequence[int]) -> None:
    """Merged 一级/二级 cells, split at page breaks so every page shows its level names."""
    inds = framework.indicators
    last = first + len(inds) - 1
    for rng in list(ws.merged_cells.ranges):
        if rng.max_col <= COL_L2 and first <= rng.min_row <= last:
            ws.unmerge_cells(str(rng))
    maxima = framework.level_max()
    for col, key in ((COL_L1, "level1"), (COL_L2, "level2")):
        for value, a, b in _runs(inds, key):
            label = f"{value.split('/', 1)[-1]}\n（{fmt(maxima[value])}分）"
            for top, bottom in _segments(first + a, first + b, breaks):
                put_text(ws, top, col, label, rows=bottom - top + 1, align=CENTER,
                         font_=BOLD if key == "level1" else BODY)


def _segments(top: int, bottom: int, breaks: Sequence[int]) -> list[tuple[int, int]]:
    cuts = [b for b in sorted(breaks) if top <= b < bottom]
    starts = [top] + [b + 1 for b in cuts]
    ends = [*cuts, bottom]
    return list(zip(starts, ends, strict=True))


def totals_rows(s: Sheet, first: int, last: int) -> int:
    fw = s.book.framework
    row = last + 1
    s.header(row, 1, "总  分", span=4)
    s.put(row, COL_MAX, _number(fw.total_max), align=CENTER, font_=BOLD)
    s.put(row, COL_VALUE, None)
    scores = range_ref(first, COL_SCORE, last, COL_SCORE)
    s.formula(row, COL_SCORE, F.sum_scores(scores), name=TOTAL_SCORE, kind="total",
              label="总分", number_format="0.00", font_=BOLD)
    s.put(row, COL_MANUAL, None, span=2)
    s.header(row + 1, 1, "评价等次", span=4)
    s.put(row + 1, COL_MAX, None, span=2)
    s.formula(row + 1, COL_SCORE, F.grade(fw, s.book.options.variant), name=GRADE,
              kind="grade", label="评价等次", font_=BOLD)
    s.put(row + 1, COL_MANUAL, None, span=2)
    grades = "，".join(f"{g.label}≥{fmt(g.min)}" for g in
                      sorted(fw.grades, key=lambda g: g.min, reverse=True))
    s.text(row + 2, 1, f"评价等次：{grades}分。得分栏显示“待填写”表示缺少计算所需数据，"
           "“需人工评分”表示无法按规则计算，须由评价人员在“人工评分”或“自评得分”栏评分并说明原因。",
           span=9, border=None, font_=font(9))
    s.fit(row + 2)
    s.ws.row_dimensions[row].height = s.ws.row_dimensions[row + 1].height = 24
    return row + 3


def subtotal_rows(s: Sheet, row: int, first: int) -> int:
    """分项得分 below the printed form: every 一级 and 二级 level (EB_SUBTOTAL_<n>[_<m>])."""
    inds = s.book.framework.indicators
    maxima = s.book.framework.level_max()
    s.header(row, 1, "分项得分（不打印）", span=4)
    s.header(row, COL_MAX, "分值")
    s.header(row, COL_VALUE, "")
    s.header(row, COL_SCORE, "得分")
    row += 1
    level2 = _runs(inds, "level2")
    for n, (name, a, b) in enumerate(_runs(inds, "level1"), start=1):
        children = [r for r in level2 if a <= r[1] and r[2] <= b]
        entries = [(name, a, b, f"EB_SUBTOTAL_{n}", True)] + [
            (key, x, y, f"EB_SUBTOTAL_{n}_{m}", False)
            for m, (key, x, y) in enumerate(children, start=1)]
        for key, x, y, defined, top in entries:
            label = key if top else f"　　{key.split('/', 1)[1]}"
            s.text(row, 1, label, span=4, font_=BOLD if top else BODY)
            s.put(row, COL_MAX, _number(maxima[key]), align=CENTER)
            s.put(row, COL_VALUE, None)
            scores = range_ref(first + x, COL_SCORE, first + y, COL_SCORE)
            s.formula(row, COL_SCORE, F.sum_scores(scores), name=defined, kind="subtotal",
                      label=key, number_format="0.00", font_=BOLD if top else BODY)
            row += 1
    return row


