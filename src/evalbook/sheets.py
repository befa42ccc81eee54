"""The sheets of the standard workbook (SPEC section 2), one function each.

Each function keeps its sheet's whole layout in one place and takes every label, field and
table from :mod:`evalbook.contract` or the framework; the 评分表 is in
:mod:`evalbook.scoresheet`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font

from evalbook import formulas as F
from evalbook import rules as R
from evalbook.contract import (
    COMPARATORS,
    COVER_FIELDS,
    EVALUATORS,
    GOAL_FIELDS,
    GRADE,
    MONEY_TABLES,
    OPINION_FIELDS,
    PROFILE_FIELDS,
    SUMMARY_FIELDS,
    SUMMARY_ROW_LABEL,
    TARGET_CATEGORIES,
    TARGET_KINDS,
    TARGET_STATUSES,
    TARGETS,
    TOTAL_SCORE,
    Field,
    Table,
)
from evalbook.framework import Framework, operands
from evalbook.xlsxform import (
    BASE,
    BODY,
    BOLD,
    CENTER,
    COVER,
    FINANCE,
    GOALS,
    HEADER_FILL,
    INPUT_FILL,
    LONG_TEXT_HEIGHT,
    OPINIONS,
    PROFILE,
    RIGHT,
    SUMMARY,
    TITLE_FONT,
    WRAP_LEFT,
    WRAP_TOP,
    Book,
    InputArea,
    Rule,
    Sheet,
    font,
    unit_labels,
    validation_rule,
)
from evalbook.xlsxutil import cell_ref, range_ref

# ---------------------------------------------------------------- small builders


def field_rule(f: Field, first: str, framework: Framework) -> Rule:
    minimum = None if f.min is None else Decimal(f.min)
    maximum = None if f.max is None else Decimal(f.max)
    # an amount read through ABS() (预算调整数: 调增或调减) may be entered as negative
    if f.type == "amount" and minimum is None and f.name not in framework.signed_fields():
        minimum = Decimal(0)
    return validation_rule(f.type, f.label, first, minimum=minimum, maximum=maximum,
                           unit=f.unit)


def long_text(sheet: Sheet, row: int, f: Field, height: float = LONG_TEXT_HEIGHT) -> int:
    """A caption row then a full-width merged text input; returns the next free row."""
    sheet.text(row, 1, f.label, span=sheet.ncols, font_=BOLD, fill=HEADER_FILL)
    sheet.ws.row_dimensions[row].height = 22
    sheet.input(row + 1, 1, f.name, "longtext", f.label, span=sheet.ncols)
    sheet.ws.row_dimensions[row + 1].height = height
    sheet.fit(row + 1)
    return row + 2


# ---------------------------------------------------------------- 封面与报送


def _areas_of_work(framework: Framework) -> str:
    return "、".join(dict.fromkeys(i.level2 for i in framework.indicators))


def cover_sheet(book: Book) -> None:
    """报送函 (page 1) and the report's cover (page 2), as in the seed."""
    s = Sheet(book, COVER, [14] * 6)
    fields = {f.name: f for f in COVER_FIELDS}
    s.title_row(2, f'"关于报送"&{F.year_text()}&"年度部门整体支出绩效评价自评报告"',
                size=15, formula=True)
    s.text(4, 1, "区财政局：", span=6, border=None)
    body = (f'"　　根据区财政局关于开展财政绩效评价工作的通知要求，"&{F.dept_text("我单位")}'
            f'&"认真组织开展了"&{F.year_text()}&"年度部门整体支出绩效评价自评工作，主要包括'
            f'{_areas_of_work(book.framework)}等指标完成情况。目前自评工作已完成，现予以报送。"')
    s.put(5, 1, f"={body}", span=6, border=None, align=WRAP_TOP)
    s.ws.row_dimensions[5].height = 75
    s.text(7, 1, "附件：1. 部门整体支出绩效评价自评报告", span=6, border=None)
    s.text(8, 1, "　　　2. 部门整体支出绩效评价评分表", span=6, border=None)
    s.formula(10, 4, F.dept_text(""), span=3, fill=None, border=None)
    s.text(11, 3, "报送日期：", border=None, align=RIGHT)
    submit = fields["EB_SUBMIT_DATE"]
    s.input(11, 4, submit.name, submit.type, submit.label, span=3, align=CENTER,
            rule=field_rule(submit, "D11", book.framework))
    s.text(14, 1, "附件2-1", span=6, border=None)
    s.put(16, 1, f'={F.year_text()}&"年度部门整体支出"', span=6, border=None, align=CENTER,
          font_=font(20, True, TITLE_FONT))
    s.text(17, 1, "绩效评价自评报告", span=6, border=None, align=CENTER,
           font_=font(20, True, TITLE_FONT))
    s.ws.row_dimensions[16].height = s.ws.row_dimensions[17].height = 36
    row = 20
    for f in COVER_FIELDS:
        if f.name == submit.name:
            continue
        s.text(row, 1, f"{f.label}：", span=2, border=None, align=RIGHT, font_=BOLD)
        s.input(row, 3, f.name, f.type, f.label, span=4, align=WRAP_LEFT,
                rule=field_rule(f, cell_ref(row, 3), book.framework))
        s.ws.row_dimensions[row].height = 26
        row += 2 if f.name != "EB_REPORT_DATE" else 3
    s.text(row + 1, 1, "区财政局（制）", span=6, border=None, align=CENTER, font_=font(14, True))
    s.finish(row + 1, breaks=(12,))


# ---------------------------------------------------------------- 一、基本概况


def profile_sheet(book: Book) -> None:
    s = Sheet(book, PROFILE, [16, 26, 16, 26])
    s.title_row(2, "一、部门（单位）基本概况")
    short = [f for f in PROFILE_FIELDS if f.type != "longtext"]
    row = 4
    for i in range(0, len(short), 2):
        for k, f in enumerate(short[i:i + 2]):
            label = f"{f.label}（{f.unit}）" if f.unit else f.label
            s.header(row, 1 + 2 * k, label)
            s.input(row, 2 + 2 * k, f.name, f.type, f.label,
                    rule=field_rule(f, cell_ref(row, 2 + 2 * k), book.framework))
        s.ws.row_dimensions[row].height = 26
        row += 1
    for f in PROFILE_FIELDS:
        if f.type == "longtext":
            s.header(row, 1, f.label)
            s.input(row, 2, f.name, f.type, f.label, span=3)
            s.ws.row_dimensions[row].height = LONG_TEXT_HEIGHT
            s.fit(row)
            row += 1
    s.finish(row - 1)


# ---------------------------------------------------------------- 二、收支情况


@dataclass(frozen=True)
class Head:
    """A multi-level column header: a label over its children (column keys or groups)."""

    label: str
    children: tuple[Head | str, ...]


# The seed's merged headers; tables without an entry get one flat header row.
HEADERS: dict[str, tuple[Head | str, ...]] = {
    "EB_INCOME": ("name", "total", Head("其中：", ("carryover", "public_finance", "gov_fund",
                                                  "special_account", "other"))),
    "EB_EXPENSE": ("name", "total",
                   Head("其中：", ("basic", Head("其中：", ("personnel", "public_use")),
                                  "project")),
                   Head("结余", ("balance_year", "balance_cumulative"))),
    "EB_SANGONG": ("name", "total", Head("其中：", ("reception", "vehicle_ops",
                                                   "vehicle_purchase", "overseas"))),
    "EB_ASSETS": ("name", "total", Head("其中：", ("in_use", "leased")), "other"),
}


def _depth(node: Head | str) -> int:
    return 1 if isinstance(node, str) else 1 + max(_depth(c) for c in node.children)


def _leaves(node: Head | str) -> list[str]:
    return [node] if isinstance(node, str) else [k for c in node.children for k in _leaves(c)]


def header_rows(s: Sheet, row: int, table: Table) -> int:
    """Write ``table``'s (merged, multi-level) header at ``row``; returns its height in rows."""
    tree = HEADERS.get(table.name, tuple(c.key for c in table.columns))
    if [k for n in tree for k in _leaves(n)] != [c.key for c in table.columns]:
        raise ValueError(f"header of {table.name} does not cover its columns in order")
    height = max(_depth(n) for n in tree)
    labels = {c.key: c.label for c in table.columns}

    def place(node: Head | str, r: int, c: int) -> int:
        if isinstance(node, str):
            s.header(r, c, labels[node], rows=height - (r - row))
            return 1
        span = 0
        for child in node.children:
            span += place(child, r + 1, c + span)
        s.header(r, c, node.label, span=span)
        return span

    col = 1
    for node in tree:
        col += place(node, row, col)
    for r in range(row, row + height):
        s.ws.row_dimensions[r].height = 30
    return height


def money_table(s: Sheet, row: int, table: Table, units: int, check_col: int) -> int:
    """Caption, merged header, 汇总 + unit rows, and the live ✓/✗ beside; returns next row."""
    ncols = len(table.columns)
    s.text(row, 1, f"{table.title}（{table.unit}）", span=ncols, border=None, font_=BOLD)
    first = row + 1 + header_rows(s, row + 1, table)
    last = first + units
    s.text(first, 1, SUMMARY_ROW_LABEL, font_=BOLD, align=WRAP_LEFT)
    for i, label in enumerate(unit_labels(units), start=1):
        s.put(first + i, 1, label, align=WRAP_LEFT, fill=INPUT_FILL, locked=False,
              number_format="@")
    s.validate(range_ref(first + 1, 1, last, 1),
               validation_rule("text", "机构名称", cell_ref(first + 1, 1)), "机构名称")
    s.book.layout.inputs.append(InputArea(table.name, s.title, range_ref(first + 1, 1, last, 1),
                                          "text", "机构名称"))
    s.input_block(first, 2, last, ncols, table.name, "amount", table.title,
                  rule=validation_rule("amount", table.title, cell_ref(first, 2),
                                       minimum=Decimal(0), unit=table.unit))
    s.book.name(table.name, s.title, range_ref(first, 1, last, ncols), "table", table.title, True)
    cells = F.TableCells(table, first, 1, units + 1)
    s.header(first - 1, check_col, "核对")
    s.header(first - 1, check_col + 1, "核对说明")
    for i in range(units + 1):
        s.ws.row_dimensions[first + i].height = 20
        s.formula(first + i, check_col, F.reconcile_row(cells, i))
        s.formula(first + i, check_col + 1, F.reconcile_note(cells, i), align=WRAP_LEFT,
                  font_=font(9))
    check_range = range_ref(first, check_col, last, check_col)
    s.formula(row, check_col, F.reconcile_table(check_range),
              name=f"EB_RECON_{table.name.removeprefix('EB_')}", kind="check",
              label=f"{table.title}核对")
    s.text(row, check_col + 1, "← 合计、汇总核对结果", border=None, font_=font(9))
    bad = FormulaRule(formula=[f'{cell_ref(first, check_col)}="{F.BAD_MARK}"'],  # type: ignore[no-untyped-call]
                      font=Font(color="C00000", bold=True))
    s.ws.conditional_formatting.add(check_range, bad)
    return last + 2


def finance_sheet(book: Book) -> None:
    widest = max(len(t.columns) for t in MONEY_TABLES)
    s = Sheet(book, FINANCE, [22] + [11.5] * (widest - 1) + [6, 30])
    s.title_row(2, "二、部门（单位）收支情况", span=widest)
    row = 4
    for table in MONEY_TABLES:
        row = money_table(s, row, table, book.options.units, widest + 1)
    s.finish(row - 2, print_cols=widest)


# ---------------------------------------------------------------- 基础数据


def _used_by(framework: Framework) -> dict[str, list[str]]:
    """Field name -> names of the indicators whose score reads it."""
    used: dict[str, list[str]] = {}
    for ind in framework.indicators:
        keys = {k.partition("#")[0] for k in operands(ind, framework.settings)}
        for key in keys:
            used.setdefault(key, []).append(ind.name)
    return used


def base_sheet(book: Book) -> None:
    """基础数据: the framework's declared fields, one row each; checklists item by item."""
    fw = book.framework
    s = Sheet(book, BASE, [6, 46, 14, 8, 34])
    s.title_row(2, "基础数据（用于计算评分指标）")
    s.text(3, 1, "以下数据用于自动计算“评分表”中的指标得分，请据实填写；金额单位为万元。",
           span=5, border=None, font_=font(10))
    for col, label in enumerate(("序号", "项目", "填报值", "单位", "说明"), start=1):
        s.header(4, col, label)
    used = _used_by(fw)
    row = 5
    for n, f in enumerate(fw.fields, start=1):
        note = "；".join(p for p in (f.hint, _used_text(used.get(f.name, []))) if p)
        s.text(row, 1, str(n), align=CENTER)
        s.text(row, 2, f.label, font_=BOLD if f.type == "checklist" else BODY)
        s.text(row, 5, note, font_=font(9))
        s.fit(row)
        if f.type != "checklist":
            s.input(row, 3, f.name, f.type, f.label, rule=field_rule(f, f"C{row}", fw))
            s.text(row, 4, f.unit, align=CENTER)
            row += 1
            continue
        s.text(row, 3, "逐项选择", align=CENTER, font_=font(9))
        s.text(row, 4, "")
        first = row + 1
        for i, item in enumerate(f.items):
            s.text(first + i, 1, "")
            s.text(first + i, 2, f"{R.CIRCLED[i] if i < len(R.CIRCLED) else ''}{item}")
            s.text(first + i, 4, "")
            s.text(first + i, 5, "")
            s.fit(first + i)
        last = first + len(f.items) - 1
        s.input_block(first, 3, last, 3, f.name, "checklist", f.label)
        for r in range(first, last + 1):
            s.ws.cell(row=r, column=3).alignment = CENTER
        book.name(f.name, s.title, range_ref(first, 3, last, 3), "checklist", f.label, True)
        row = last + 1
    s.finish(row - 1, title_rows="4:4", freeze="A5")


def _used_text(names: list[str]) -> str:
    return f"用于：{'、'.join(dict.fromkeys(names))}" if names else ""


# ---------------------------------------------------------------- 三、绩效目标


def link_choices(framework: Framework) -> list[str]:
    """关联评分指标 choices: personalised indicators by 三级指标 name, then by id."""
    personal = [i for i in framework.indicators if isinstance(i.rule, R.Personalised)]
    return [i.name for i in personal] + [i.id for i in personal]


def target_rules(framework: Framework, first_row: int) -> dict[str, Rule]:
    def choice(label: str, values: Sequence[str]) -> Rule:
        return validation_rule("choice", label, "", choices='"' + ",".join(values) + '"')

    links = link_choices(framework)
    rules = {
        "category": choice("目标类别", TARGET_CATEGORIES),
        "kind": choice("指标类型", TARGET_KINDS),
        "comparator": choice("比较方式", COMPARATORS),
        "status": choice("完成情况", TARGET_STATUSES),
        "indicator": (validation_rule("choice", "关联评分指标", "", choices="EB_LIST_LINKS")
                      if links else validation_rule("text", "关联评分指标", "")),
    }
    for col in TARGETS.columns:
        if col.key not in rules:
            first = cell_ref(first_row, TARGETS.index(col.key))
            kind = "number" if col.type == "amount" else col.type
            rules[col.key] = validation_rule(kind, col.label, first)
    return rules


def goals_sheet(book: Book) -> None:
    widths = [8.5, 8.5, 24, 8, 5, 5, 9, 8, 21, 8.5]
    s = Sheet(book, GOALS, widths)
    s.title_row(2, "三、部门（单位）整体支出绩效自评情况")
    s.text(4, 1, "（一）整体支出绩效定性目标及实施计划完成情况", span=10, border=None, font_=BOLD)
    expected, actual = GOAL_FIELDS
    s.header(5, 1, "预期目标", span=5)
    s.header(5, 6, "实际完成", span=5)
    s.input(6, 1, expected.name, "longtext", expected.label, span=5)
    s.input(6, 6, actual.name, "longtext", actual.label, span=5)
    s.ws.row_dimensions[6].height = LONG_TEXT_HEIGHT
    s.fit(6)
    s.text(8, 1, "（二）整体支出绩效定量目标及实施计划完成情况", span=10, border=None, font_=BOLD)
    for col in TARGETS.columns:
        s.header(9, TARGETS.index(col.key), col.label)
    rate_col = len(TARGETS.columns) + 1
    s.header(9, rate_col, "完成率")
    s.ws.row_dimensions[9].height = 32
    first, last = 10, 9 + book.options.target_rows
    rules = target_rules(book.framework, first)
    for col in TARGETS.columns:
        c = TARGETS.index(col.key)
        kind = "number" if col.type == "amount" else col.type
        s.input_block(first, c, last, c, TARGETS.name, kind, col.label, rule=rules[col.key])
    book.name(TARGETS.name, s.title, range_ref(first, 1, last, len(TARGETS.columns)), "table",
              TARGETS.title, True)
    for i in range(book.options.target_rows):
        s.formula(first + i, rate_col, F.target_rate(i + 1), number_format="0.00%")
        s.ws.row_dimensions[first + i].height = 22
    book.name(F.TARGETS_RATE, s.title, range_ref(first, rate_col, last, rate_col), "formula",
              "完成率", False)
    row = last + 2
    s.header(row, 1, "绩效自评综合得分", span=3)
    s.formula(row, 4, TOTAL_SCORE, span=3, number_format="0.00")
    s.header(row, 7, "评价等次", span=2)
    s.formula(row, 9, GRADE, span=2)
    s.ws.row_dimensions[row].height = 26
    s.text(row + 1, 1, "注：“关联评分指标”选定后，该评分指标按所关联目标的平均完成率自动计分；"
           "完成率由目标值、实际完成值和比较方式计算。", span=10, border=None, font_=font(9))
    s.finish(row + 1, title_rows="9:9")


# ---------------------------------------------------------------- 四、评价人员与意见

SIGNATURE = {"EB_DEPT_OPINION": "部门（单位）负责人（签章）：",
             "EB_FINANCE_OPINION": "财政部门归口业务科室负责人（签章）："}


def opinions_sheet(book: Book) -> None:
    s = Sheet(book, OPINIONS, [14, 18, 36, 16])
    s.title_row(2, "四、评价人员")
    for col, label in enumerate(("姓  名", "职务/职称", "单  位", "签  字"), start=1):
        s.header(3, col, label)
    first, last = 4, 3 + book.options.evaluator_rows
    for column in EVALUATORS.columns:
        c = EVALUATORS.index(column.key)
        s.input_block(first, c, last, c, EVALUATORS.name, column.type, column.label)
    for r in range(first, last + 1):
        s.put(r, 4, None)
        s.ws.row_dimensions[r].height = 24
    book.name(EVALUATORS.name, s.title, range_ref(first, 1, last, len(EVALUATORS.columns)),
              "table", EVALUATORS.title, True)
    row = last + 2
    for f in OPINION_FIELDS:
        row = opinion_block(s, row, f)
    s.formula(row + 1, 1, '"填报人（签名）："&EB_FILLER&"　　　　联系电话："&EB_FILLER_PHONE',
              span=4, fill=None, border=None, align=WRAP_LEFT)
    s.finish(row + 1)


def opinion_block(s: Sheet, row: int, f: Field) -> int:
    """评价组组长 / 部门意见 / 财政意见 and, for a date field, the date of the block above.

    Each block ends with a signature row whose last cell takes the date; returns the next
    free row.
    """
    fw = s.book.framework
    if f.type == "date":
        s.text(row - 1, 3, "日期：", align=RIGHT)
        s.input(row - 1, 4, f.name, f.type, f.label, align=CENTER,
                rule=field_rule(f, cell_ref(row - 1, 4), fw))
        return row + 1
    if f.type == "longtext":
        s.header(row, 1, f.label, span=4)
        s.input(row + 1, 1, f.name, f.type, f.label, span=4)
        s.ws.row_dimensions[row + 1].height = 90
        s.fit(row + 1)
        signature = row + 2
        s.text(signature, 1, SIGNATURE.get(f.name, "负责人（签章）："), span=2)
    else:
        s.header(row, 1, f"{f.label}（签字）", span=2)
        s.input(row, 3, f.name, f.type, f.label, span=2,
                rule=field_rule(f, cell_ref(row, 3), fw))
        s.ws.row_dimensions[row].height = 26
        signature = row + 1
        s.text(signature, 1, "", span=2)
    s.text(signature, 3, "")
    s.put(signature, 4, None)
    s.ws.row_dimensions[signature].height = 30
    return signature + 1


# ---------------------------------------------------------------- 五、评价报告综述


def summary_sheet(book: Book) -> None:
    s = Sheet(book, SUMMARY, [21, 21, 21, 21])
    s.title_row(2, "五、评价报告综述")
    row = 4
    for f in SUMMARY_FIELDS:
        row = long_text(s, row, f, height=100)
    s.paginate([(r, r + 1) for r in range(4, row, 2)], 4)
    s.finish(row - 1)


