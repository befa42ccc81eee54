"""Building protected, validated print-ready forms with openpyxl, recording their layout.

The toolkit under the template builder: styles, writing (merged) cells, data-validation
rules in Excel's terms, row heights for wrapped CJK text, manual page breaks, sheet
protection, and the :class:`Layout` record of every named and input cell.
"""

from __future__ import annotations

import copy
import functools
import math
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from evalbook import formulas as F
from evalbook.framework import Framework
from evalbook.numbers import fmt
from evalbook.textwidth import width as text_width
from evalbook.xlsxutil import cell_ref, col_letter, range_ref, sheet_ref

# ---------------------------------------------------------------- sheet names

COVER = "封面与报送"
PROFILE = "基本概况"
FINANCE = "收支情况"
BASE = "基础数据"
GOALS = "绩效目标"
SCORING = "评分表"
OPINIONS = "评价人员与意见"
SUMMARY = "评价报告综述"
META = "_evalbook"
SHEETS = (COVER, PROFILE, FINANCE, BASE, GOALS, SCORING, OPINIONS, SUMMARY, META)

DEFAULT_UNITS = 3
DEFAULT_TARGET_ROWS = 12
DEFAULT_EVALUATOR_ROWS = 6
MAX_UNITS = 200

# ---------------------------------------------------------------- styles

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
FORMULA_FILL = PatternFill("solid", fgColor="E2EFDA")
HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

NUMBER_FORMATS = {
    "amount": "#,##0.00", "count": "0", "percent": "0.00", "date": 'yyyy"年"m"月"d"日"',
    "phone": "@", "code": "@", "year": "0", "text": "@", "longtext": "@", "yesno": "@",
    "checklist": "@", "score": "0.00", "number": "General",
}
LINE_SPACING = 1.35 # line height / font size for CJK text as LibreOffice and Excel render it
LONG_TEXT_HEIGHT = 120.0
MAX_ROW_HEIGHT = 409.0


@functools.cache
def font(size: float = 11, bold: bool = False, name: str = BODY_FONT,
         color: str | None = None) -> Font:
    return Font(name=name, size=size, bold=bold, color=color)


BODY = font()
BOLD = font(bold=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


# ---------------------------------------------------------------- layout record


@dataclass(frozen=True)
class Area:
    """A named cell or range: where it is and what it holds."""

    name: str
    sheet: str
    ref: str  # A1 without $, e.g. "C5" or "A10:I21"
    kind: str  # a contract FieldType, "table", "score", "formula", "meta" ...
    label: str
    input: bool


@dataclass(frozen=True)
class InputArea:
    """A rectangle of input cells of one type (a table contributes several)."""

    name: str  # the defined name it belongs to
    sheet: str
    ref: str
    kind: str
    label: str


@dataclass(frozen=True)
class Options:
    variant: F.Variant = "native"
    units: int = DEFAULT_UNITS
    password: str | None = None
    target_rows: int = DEFAULT_TARGET_ROWS
    evaluator_rows: int = DEFAULT_EVALUATOR_ROWS

    def __post_init__(self) -> None:
        if not 1 <= self.units <= MAX_UNITS:
            raise ValueError(f"单位行数应在 1-{MAX_UNITS} 之间，实际为 {self.units}")
        if self.variant not in ("native", "udf"):
            raise ValueError(f"unknown variant {self.variant!r}")


@dataclass(frozen=True)
class Pages:
    """How a sheet is cut into pages: groups of rows (first, last) kept on one page."""

    groups: tuple[tuple[int, int], ...]
    first: int  # first row of the paginated block (rows above it fill page 1)
    landscape: bool
    title_rows: tuple[int, ...] = ()


@dataclass
class Layout:
    """Everything later code needs to find cells: names, input areas, wrap widths."""

    options: Options
    areas: dict[str, Area] = field(default_factory=dict)
    inputs: list[InputArea] = field(default_factory=list)
    #: per sheet, rows whose height follows their wrapped text (refitted after filling)
    fit_rows: dict[str, set[int]] = field(default_factory=dict)
    pages: dict[str, Pages] = field(default_factory=dict)

    def area(self, name: str) -> Area:
        return self.areas[name]

    def inputs_of(self, name: str) -> list[InputArea]:
        return [a for a in self.inputs if a.name == name]


def unit_labels(units: int) -> list[str]:
    """局机关, 二级机构1, 二级机构2, … (the seed's rows)."""
    return ["局机关", *(f"二级机构{i}" for i in range(1, units))]


# ---------------------------------------------------------------- validation


ValidationType = Literal["whole", "decimal", "list", "date", "textLength", "custom"]
Operator = Literal["between", "lessThanOrEqual", "greaterThanOrEqual"]


@dataclass(frozen=True)
class Rule:
    """A data-validation rule in Excel's terms (formula relative to the first cell)."""

    type: ValidationType
    formula1: str | None = None
    formula2: str | None = None
    operator: Operator | None = None
    prompt: str = ""
    error: str = ""


def _custom(test: str, prompt: str, error: str) -> Rule:
    return Rule("custom", test, prompt=prompt, error=error)


def validation_rule(kind: str, label: str, first: str, *, minimum: Decimal | None = None,
                    maximum: Decimal | None = None, choices: str | None = None,
                    unit: str = "") -> Rule:
    """The validation of an input of ``kind`` whose top-left cell is ``first``."""
    x = first
    unit_text = f"（{unit}）" if unit else ""
    if kind == "amount":
        low = f",{x}>={fmt(minimum)}" if minimum is not None else ""
        lead = "不小于0的" if minimum == 0 else ""
        return _custom(f"AND(ISNUMBER({x}){low},ROUND({x},2)={x})",
                       f"请填写{lead}金额{unit_text}，最多两位小数。",
                       f"{label}应为{lead}数字{unit_text}，最多两位小数，不要输入单位或文字。")
    if kind in ("percent", "score"):
        lo = minimum if minimum is not None else Decimal(0)
        bounds = f",{x}>={fmt(lo)}" + (f",{x}<={fmt(maximum)}" if maximum is not None else "")
        span = f"{fmt(lo)}-{fmt(maximum)}" if maximum is not None else f"不小于{fmt(lo)}"
        what = "分" if kind == "score" else (unit or "")
        return _custom(f"AND(ISNUMBER({x}){bounds},ROUND({x},2)={x})",
                       f"请填写{span}{what}之间的数值，最多两位小数。",
                       f"{label}应为{span}{what}之间的数字，最多两位小数。")
    if kind == "count":
        return Rule("whole", "0", operator="greaterThanOrEqual",
                    prompt=f"请填写不小于0的整数{unit_text}。",
                    error=f"{label}应为不小于0的整数{unit_text}。")
    if kind == "year":
        return Rule("whole", "2000", "2100", "between", prompt="请填写4位年份，如 2020。",
                    error=f"{label}应为2000-2100之间的4位年份。")
    if kind == "date":
        return Rule("date", "36526", "73050", "between", prompt="请填写日期，如 2021-7-30。",
                    error=f"{label}应为有效日期（2000-2099年）。")
    if kind == "code":
        return _custom(f'AND(LEN({x})=6,TEXT(--{x},"000000")={x}&"")',
                       "请填写6位数字的预算编码，如 144001。", f"{label}应为6位数字。")
    if kind == "phone":
        digits = f'SUBSTITUTE({x},"-","")'
        return _custom(f'AND(LEN({digits})>=7,LEN({digits})<=15,'
                       f'TEXT(--{digits},REPT("0",LEN({digits})))={digits})',
                       "请填写电话号码：手机11位，或座机号码（可含区号和“-”）。",
                       f"{label}应为7-15位数字，可含“-”。")
    if kind in ("yesno", "checklist"):
        return Rule("list", '"是,否"', prompt="请选择“是”或“否”。",
                    error=f"{label}只能填写“是”或“否”。")
    if kind == "choice":
        return Rule("list", choices, prompt=f"请从下拉列表中选择{label}。",
                    error=f"{label}请从下拉列表中选择。")
    if kind == "number":
        return Rule("decimal", "-1000000000", "1000000000", "between",
                    prompt=f"请填写{label}（数字）。",
                    error=f"{label}应为数字，不要输入单位或文字。")
    limit = 32767 if kind == "longtext" else 255
    return Rule("textLength", str(limit), operator="lessThanOrEqual",
                prompt=f"请填写{label}。", error=f"{label}最多{limit}个字符。")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _data_validation(rule: Rule, title: str) -> DataValidation:
    dv = DataValidation(type=rule.type, formula1=rule.formula1, formula2=rule.formula2,
                        operator=rule.operator, allow_blank=True, showErrorMessage=True,
                        showInputMessage=True, errorStyle="stop")
    # Excel's limits: titles 32 characters, messages 255.
    dv.promptTitle = _clip(title, 32)
    dv.prompt = _clip(rule.prompt, 255)
    dv.errorTitle = _clip("输入有误", 32)
    dv.error = _clip(rule.error, 255)
    return dv


# ---------------------------------------------------------------- sheet helper


# Assigning a style makes openpyxl hash it against the workbook's style table, which
# dominates build time; a style combination is looked up once per workbook instead.
StyleCache = dict[tuple[object, ...], tuple[StyleArray, object]]
_STYLES: weakref.WeakKeyDictionary[Workbook, StyleCache] = weakref.WeakKeyDictionary()


def _style_cache(ws: Worksheet) -> StyleCache:
    if ws.parent is None:
        raise ValueError("worksheet is not part of a workbook")
    return _STYLES.setdefault(ws.parent, {})


def _get_style(cell: Any) -> StyleArray:
    style: StyleArray = copy.copy(cell._style)
    return style


def _set_style(cell: Any, style: StyleArray) -> None:
    cell._style = copy.copy(style)


def put(ws: Worksheet, row: int, col: int, value: object, *, span: int = 1, rows: int = 1,
        font_: Font = BODY, align: Alignment = WRAP_LEFT, fill: PatternFill | None = None,
        border: Border | None = BOX, number_format: str | None = None,
        locked: bool = True) -> None:
    """Write a value (a str starting with "=" is a formula) into a possibly merged area."""
    cell = ws.cell(row=row, column=col)
    cell.value = value  # type: ignore[assignment]
    if rows > 1 or span > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1,
                       end_column=col + span - 1)
    objects = (font_, align, fill, border)
    key = (*map(id, objects), number_format, locked)
    cache = _style_cache(ws)
    for r in range(row, row + rows):
        for c in range(col, col + span):
            target = ws.cell(row=r, column=c)
            known = cache.get(key)
            if known is not None:
                _set_style(target, known[0])
                continue
            target.font = font_
            target.alignment = align
            target.protection = LOCKED if locked else UNLOCKED
            if border is not None:
                target.border = border
            if fill is not None:
                target.fill = fill
            if number_format:
                target.number_format = number_format
            # keeping the objects referenced keeps their ids from being reused
            cache[key] = (_get_style(target), objects)


def put_text(ws: Worksheet, row: int, col: int, text: str, **style: Any) -> None:
    """A fixed label: always a string, never a formula."""
    put(ws, row, col, text, **style)
    ws.cell(row=row, column=col).data_type = "s"


class Sheet:
    """A worksheet with the few operations a form needs, recording names in the layout."""

    def __init__(self, book: Book, title: str, widths: Sequence[float], landscape: bool = False):
        self.book, self.title = book, title
        self.ws: Worksheet = book.wb.create_sheet(title)
        self.widths = list(widths)
        self.landscape = landscape
        self._validations: dict[tuple[Rule, str], DataValidation] = {}
        for i, w in enumerate(widths, start=1):
            self.ws.column_dimensions[col_letter(i)].width = w

    @property
    def ncols(self) -> int:
        return len(self.widths)

    # -- writing

    def put(self, row: int, col: int, value: object, **style: Any) -> None:
        put(self.ws, row, col, value, **style)

    def text(self, row: int, col: int, text: str, **style: Any) -> None:
        put_text(self.ws, row, col, text, **style)

    def header(self, row: int, col: int, text: str, span: int = 1, rows: int = 1) -> None:
        self.text(row, col, text, span=span, rows=rows, font_=BOLD, align=CENTER,
                  fill=HEADER_FILL)

    def formula(self, row: int, col: int, formula: str, *, name: str | None = None,
                kind: str = "formula", label: str = "", span: int = 1,
                number_format: str | None = None, align: Alignment = CENTER,
                font_: Font = BODY, fill: PatternFill | None = FORMULA_FILL,
                border: Border | None = BOX) -> None:
        self.put(row, col, f"={formula}", span=span, align=align, fill=fill, font_=font_,
                 number_format=number_format, border=border)
        if name:
            self.book.name(name, self.title, cell_ref(row, col), kind, label, False)

    def input(self, row: int, col: int, name: str, kind: str, label: str, *, span: int = 1,
              rows: int = 1, rule: Rule | None = None, value: object = None,
              number_format: str | None = None, align: Alignment | None = None) -> None:
        """An input cell (or merged area): unlocked, coloured, validated and named."""
        fmt_ = number_format or NUMBER_FORMATS.get(kind, "General")
        if align is None:
            align = RIGHT if kind in ("amount", "count", "percent", "score", "number") else (
                WRAP_TOP if kind == "longtext" else WRAP_LEFT)
        self.put(row, col, value, span=span, rows=rows, align=align, fill=INPUT_FILL,
                 number_format=fmt_, locked=False)
        ref = cell_ref(row, col)
        merged = range_ref(row, col, row + rows - 1, col + span - 1)
        self.validate(merged, rule or validation_rule(kind, label, ref), label)
        self.book.name(name, self.title, ref, kind, label, True)
        self.book.layout.inputs.append(InputArea(name, self.title, merged, kind, label))

    def input_block(self, first_row: int, first_col: int, last_row: int, last_col: int,
                    name: str, kind: str, label: str, rule: Rule | None = None) -> str:
        """A rectangle of inputs of one kind inside a named table."""
        ref = range_ref(first_row, first_col, last_row, last_col)
        first = cell_ref(first_row, first_col)
        fmt_ = NUMBER_FORMATS.get(kind, "General")
        align = RIGHT if kind in ("amount", "number") else WRAP_LEFT
        for r in range(first_row, last_row + 1):
            for c in range(first_col, last_col + 1):
                self.put(r, c, None, align=align, fill=INPUT_FILL, number_format=fmt_,
                         locked=False)
        self.validate(ref, rule or validation_rule(kind, label, first), label)
        self.book.layout.inputs.append(InputArea(name, self.title, ref, kind, label))
        return ref

    def validate(self, ref: str, rule: Rule, title: str) -> None:
        # Rules with relative formulas apply to one rectangle only; others are shared.
        key = (rule, ref if rule.type == "custom" else "")
        dv = self._validations.get(key)
        if dv is None:
            dv = self._validations[key] = _data_validation(rule, title)
            self.ws.add_data_validation(dv)
        dv.add(ref)

    # -- page

    def title_row(self, row: int, text: str, size: float = 16, formula: bool = False,
                  span: int | None = None) -> None:
        value = f"={text}" if formula else text
        self.put(row, 1, value, span=span or self.ncols, font_=font(size, True, TITLE_FONT),
                 align=CENTER, border=None)
        if not formula:
            self.ws.cell(row=row, column=1).data_type = "s"
        self.ws.row_dimensions[row].height = size * 2

    def fit(self, *rows: int) -> None:
        self.book.layout.fit_rows.setdefault(self.title, set()).update(rows)

    def paginate(self, groups: Sequence[tuple[int, int]], first: int,
                 title_rows: Sequence[int] = ()) -> None:
        """Keep each group of rows on one page (breaks are recomputed after filling)."""
        self.book.layout.pages[self.title] = Pages(tuple(groups), first, self.landscape,
                                                   tuple(title_rows))

    def finish(self, last_row: int, title_rows: str | None = None, print_cols: int | None = None,
               freeze: str | None = None, breaks: Iterable[int] = ()) -> None:
        ws = self.ws
        legend(ws)
        ws.print_area = f"A2:{col_letter(print_cols or self.ncols)}{last_row}"
        if title_rows:
            ws.print_title_rows = title_rows
        if freeze:
            ws.freeze_panes = freeze
        for row in breaks:
            ws.row_breaks.append(Break(id=row))
        page_setup(ws, self.landscape)
        protect(ws, self.book.options.password)
        fit_heights(ws, self.book.layout.fit_rows.get(self.title, ()))


class Book:
    def __init__(self, framework: Framework, options: Options) -> None:
        self.framework, self.options = framework, options
        self.wb = Workbook()
        default = self.wb.active
        if default is not None:
            self.wb.remove(default)
        self.layout = Layout(options)

    def name(self, name: str, sheet: str, ref: str, kind: str, label: str, is_input: bool
             ) -> None:
        if name in self.layout.areas:
            raise ValueError(f"defined name {name} is declared twice")
        self.wb.defined_names[name] = DefinedName(name, attr_text=sheet_ref(sheet, ref))
        self.layout.areas[name] = Area(name, sheet, ref, kind, label, is_input)


# ---------------------------------------------------------------- page, protection, heights


def legend(ws: Worksheet) -> None:
    """Row 1 (outside the print area) explains the colours."""
    ws["A1"] = "填写区"
    ws["A1"].fill = INPUT_FILL
    ws["A1"].font = font(9)
    ws["A1"].alignment = CENTER
    ws["B1"] = "自动计算"
    ws["B1"].fill = FORMULA_FILL
    ws["B1"].font = font(9)
    ws["B1"].alignment = CENTER
    ws["C1"] = ("说明：浅黄色单元格为填写区（鼠标停留可见填写提示）；浅绿色为自动计算，"
                "其余单元格已锁定。")
    ws["C1"].font = font(9, color="595959")
    ws.row_dimensions[1].height = 16


def page_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    footer = ws.oddFooter.center  # type: ignore[union-attr]
    footer.text = "第 &P 页，共 &N 页"
    footer.size = 9
    ws.sheet_view.showGridLines = False


def protect(ws: Worksheet, password: str | None) -> None:
    """Lock the sheet; unlocked inputs stay editable, rows and columns stay resizable."""
    p = ws.protection
    p.sheet = True
    p.selectLockedCells = False
    p.selectUnlockedCells = False
    p.formatColumns = False
    p.formatRows = False
    # the 校验 macro marks findings with a fill colour; Excel refuses that on cells of a
    # protected sheet unless formatting cells is allowed
    p.formatCells = False
    if password:
        p.password = password


def text_lines(text: str, chars: float) -> int:
    """Wrapped lines of ``text`` in a column ``chars`` wide (CJK characters count double)."""
    usable = max(chars - 1.0, 1.0)
    return sum(max(1, math.ceil(text_width(part) * 1.05 / usable)) for part in text.split("\n"))


def _merged_widths(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    """Top-left (row, col) of each merged range -> (columns, rows) it spans."""
    out = {}
    for rng in ws.merged_cells.ranges:
        out[(rng.min_row, rng.min_col)] = (rng.max_col - rng.min_col + 1,
                                           rng.max_row - rng.min_row + 1)
    return out


def fit_heights(ws: Worksheet, rows: Iterable[int]) -> None:
    """Row heights for wrapped text (Excel does not refit rows when it opens a file)."""
    merged = _merged_widths(ws)
    for row in sorted(set(rows)):
        needed = 0.0
        for cell in ws[row]:
            value, col = cell.value, cell.column
            if not isinstance(value, str) or cell.data_type == "f" or not value or col is None:
                continue
            span, height_rows = merged.get((row, col), (1, 1))
            if height_rows > 1:
                continue
            chars = sum(float(ws.column_dimensions[col_letter(c)].width or 8.43)
                        for c in range(col, col + span))
            size = float(cell.font.sz or 11) if cell.font else 11.0
            lines = text_lines(value, chars * 11 / size)
            needed = max(needed, lines * size * LINE_SPACING + 7)
        current = ws.row_dimensions[row].height or 0
        ws.row_dimensions[row].height = max(current, min(MAX_ROW_HEIGHT, needed))


# Printable height (points) of an A4 page with our margins: portrait, landscape.
PAGE_HEIGHT = {False: 741.0, True: 494.0}


def row_height(ws: Worksheet, row: int) -> float:
    return float(ws.row_dimensions[row].height or 15.0)


def paginate(ws: Worksheet, pages: Pages) -> list[int]:
    """Greedy manual page breaks keeping each group of rows on one page where it fits.

    Returns the rows after which a page ends. Rows 2..first-1 fill the top of page 1;
    repeated title rows the top of every later page; a group taller than 60% of a page is
    cut between its rows instead. Scaling to the page width only ever makes more fit.
    """
    limit = PAGE_HEIGHT[pages.landscape]
    titles = sum(row_height(ws, r) for r in pages.title_rows)
    used = sum(row_height(ws, r) for r in range(2, pages.first))
    breaks: list[int] = []
    for top, bottom in pages.groups:
        height = sum(row_height(ws, r) for r in range(top, bottom + 1))
        parts = [(r, r) for r in range(top, bottom + 1)] if height > 0.6 * limit else [
            (top, bottom)]
        for a, b in parts:
            part = sum(row_height(ws, r) for r in range(a, b + 1))
            if used + part > limit and used > titles:
                breaks.append(a - 1)
                used = titles
            used += part
    return breaks
