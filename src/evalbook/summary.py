"""The bureau's summary workbook: ranked departments, every finding, native charts.

Every string that came from a returned workbook is written as a plain string cell, so text
such as ``=HYPERLINK(...)`` can never become a formula here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from evalbook.atomic import write_with

FONT = "宋体"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GRADE_FILLS = {"优": "C6EFCE", "良": "DDEBF7", "中": "FFEB9C", "差": "FFC7CE"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class SummaryFinding:
    code: str
    severity: str
    sheet: str | None
    cell: str | None
    message: str


@dataclass
class SummaryRow:
    """One returned workbook as the summary shows it."""

    file: str
    dept_name: str = ""
    budget_code: str = ""
    modified: dt.datetime | None = None
    total: Decimal | None = None
    grade: str = ""
    scores: dict[str, Decimal | None] = field(default_factory=dict)
    findings: list[SummaryFinding] = field(default_factory=list)
    readable: bool = True
    note: str = ""

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def status(self) -> str:
        if not self.readable:
            return "无法读取"
        return "需退回修改" if self.errors else "通过"


def put_text(cell: Cell | MergedCell, value: object) -> None:
    """Write untrusted text as a string cell, never as a formula."""
    if value is None or value == "":
        return
    cell.value = str(value)
    cell.data_type = "s"


def mark_duplicates(rows: Sequence[SummaryRow]) -> None:
    """Note resubmissions: two files with the same 预算编码, and which one is newer."""
    by_code: dict[str, list[SummaryRow]] = defaultdict(list)
    for row in rows:
        if row.budget_code:
            by_code[row.budget_code].append(row)
    for code, group in by_code.items():
        if len(group) < 2:
            continue
        newest = max(group, key=lambda r: (r.modified or dt.datetime.min, r.file))
        for row in group:
            others = "、".join(f"《{r.file}》" for r in group if r is not row)
            which = "本文件较新（以本文件为准）" if row is newest else f"《{newest.file}》较新"
            row.note = f"预算编码 {code} 与 {others} 相同，疑似重复报送；{which}"


def ranked(rows: Sequence[SummaryRow]) -> list[SummaryRow]:
    return sorted(rows, key=lambda r: (r.total is None, -(r.total or 0), r.file))


def _header(ws: Worksheet, row: int, labels: Sequence[str], widths: Sequence[int]) -> None:
    for col, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width


def _summary_sheet(ws: Worksheet, rows: list[SummaryRow], indicators: Sequence[tuple[str, str]],
                   title: str) -> None:
    ws.title = "汇总"
    labels = ["排名", "文件", "部门名称", "预算编码", "总分", "评价等次",
              *[name for _, name in indicators], "错误数", "警告数", "状态", "备注"]
    widths = [6, 28, 30, 10, 8, 8, *[9] * len(indicators), 7, 7, 10, 50]
    ws.cell(row=1, column=1, value=title).font = Font(name=FONT, bold=True, size=14)
    _header(ws, 2, labels, widths)
    for n, row in enumerate(rows, start=1):
        r = n + 2
        ws.cell(row=r, column=1, value=n if row.total is not None else None)
        put_text(ws.cell(row=r, column=2), row.file)
        put_text(ws.cell(row=r, column=3), row.dept_name)
        put_text(ws.cell(row=r, column=4), row.budget_code)
        ws.cell(row=r, column=5, value=None if row.total is None else float(row.total))
        put_text(ws.cell(row=r, column=6), row.grade)
        for c, (ind_id, _) in enumerate(indicators, start=7):
            value = row.scores.get(ind_id)
            ws.cell(row=r, column=c, value=None if value is None else float(value))
        c = 7 + len(indicators)
        ws.cell(row=r, column=c, value=row.errors)
        ws.cell(row=r, column=c + 1, value=row.warnings)
        put_text(ws.cell(row=r, column=c + 2), row.status)
        put_text(ws.cell(row=r, column=c + 3), row.note)
        for col in range(1, c + 4):
            ws.cell(row=r, column=col).border = BORDER
            ws.cell(row=r, column=col).font = Font(name=FONT)
    last = max(3, len(rows) + 2)
    last_col = get_column_letter(len(labels))
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{last_col}{last}"
    ws.conditional_formatting.add(f"E3:E{last}", ColorScaleRule(  # type: ignore[no-untyped-call]
        start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=80,
        mid_color="FFEB84", end_type="num", end_value=100, end_color="63BE7B"))
    for grade, color in GRADE_FILLS.items():
        ws.conditional_formatting.add(f"F3:F{last}", CellIsRule(  # type: ignore[no-untyped-call]
            operator="equal", formula=[f'"{grade}"'], fill=PatternFill("solid", bgColor=color)))
    err_col = get_column_letter(7 + len(indicators))
    ws.conditional_formatting.add(
        f"{err_col}3:{err_col}{last}", CellIsRule(  # type: ignore[no-untyped-call]
        operator="greaterThan", formula=["0"], fill=PatternFill("solid", bgColor="FFC7CE")))
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "2:2"


def _findings_sheet(ws: Worksheet, rows: list[SummaryRow]) -> None:
    _header(ws, 1, ["文件", "部门名称", "工作表", "单元格", "严重程度", "代码", "说明"],
            [28, 26, 14, 9, 9, 24, 80])
    r = 1
    for row in rows:
        for f in row.findings:
            r += 1
            for col, value in enumerate((row.file, row.dept_name, f.sheet, f.cell,
                                         SEVERITY_LABELS.get(f.severity, f.severity), f.code,
                                         f.message), start=1):
                put_text(ws.cell(row=r, column=col), value)
            ws.cell(row=r, column=7).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:G{max(r, 2)}"


def _charts_sheet(ws: Worksheet, rows: list[SummaryRow], grades: Sequence[str]) -> None:
    counts = Counter(r.grade for r in rows if r.total is not None)
    _header(ws, 1, ["评价等次", "部门数"], [12, 10])
    for n, grade in enumerate(grades, start=2):
        ws.cell(row=n, column=1, value=grade)
        ws.cell(row=n, column=2, value=counts.get(grade, 0))
    chart = BarChart()
    chart.title = "评价等次分布"
    chart.y_axis.title = "部门数"
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=len(grades) + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(grades) + 1))
    chart.legend = None
    ws.add_chart(chart, "D2")
    scored = [r for r in rows if r.total is not None]
    top = len(grades) + 3
    _header(ws, top, ["部门名称", "总分"], [12, 10])
    for n, row in enumerate(scored, start=top + 1):
        put_text(ws.cell(row=n, column=1), row.dept_name or row.file)
        ws.cell(row=n, column=2, value=float(row.total or 0))
    bars = BarChart()
    bars.type = "bar"
    bars.title = "各部门总分"
    bars.x_axis.title = "部门"
    bars.y_axis.title = "总分"
    bars.y_axis.scaling.min = 0
    bars.y_axis.scaling.max = 100
    bars.height = max(7.5, 0.5 * len(scored))
    if scored:
        bars.add_data(Reference(ws, min_col=2, min_row=top, max_row=top + len(scored)),
                      titles_from_data=True)
        bars.set_categories(Reference(ws, min_col=1, min_row=top + 1,
                                      max_row=top + len(scored)))
    bars.legend = None
    ws.add_chart(bars, "D20")


def write_summary(path: Path, rows: Sequence[SummaryRow], indicators: Sequence[tuple[str, str]],
                  grades: Sequence[str], title: str = "部门整体支出绩效自评校验汇总") -> Path:
    """Write the summary workbook atomically; ``indicators`` are (id, 三级指标) in order."""
    mark_duplicates(rows)
    ordered = ranked(rows)
    wb = Workbook()
    _summary_sheet(wb.active, ordered, indicators, title)  # type: ignore[arg-type]
    _findings_sheet(wb.create_sheet("问题清单"), ordered)
    _charts_sheet(wb.create_sheet("图表"), ordered, grades)
    return write_with(path, wb.save)
