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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from evalbook.atomic import write_with
from evalbook.findings import SEVERITY_LABELS, SeverityCounts

FONT = "宋体"
BODY = Font(name=FONT)
BOLD = Font(name=FONT, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
GRADE_FILLS = {"优": "C6EFCE", "良": "DDEBF7", "中": "FFEB9C", "差": "FFC7CE"}
STATUS_FILLS = {"通过": "C6EFCE", "需退回修改": "FFC7CE", "无法读取": "FFC7CE"}
MAX_CELL_TEXT = 32_767  # Excel's limit; longer text makes Excel "repair" the file
MAX_CHART_CM = 400.0  # a chart taller than this is refused by Excel
LABELS: dict[str, str] = {str(k): v for k, v in SEVERITY_LABELS.items()}
SUMMARY_SHEET, FINDINGS_SHEET, CHARTS_SHEET = "汇总", "问题清单", "图表"
SKIPPED_SHEET = "未校验文件"


@dataclass(frozen=True)
class SummaryFinding:
    code: str
    severity: str
    sheet: str | None
    cell: str | None
    message: str


@dataclass
class SummaryRow(SeverityCounts):
    """One returned workbook as the summary shows it.

    ``modified`` is the file's modification time; ``saved`` the time the workbook says it
    was last saved (docProps/core.xml), which survives copying the folder.
    """

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
    saved: dt.datetime | None = None

    @property
    def status(self) -> str:
        if not self.readable:
            return "无法读取"
        return "需退回修改" if self.errors else "通过"


def put_text(cell: Cell | MergedCell, value: object) -> None:
    """Write untrusted text as a string cell, never as a formula (control characters, which
    a worksheet cannot hold, are dropped; over-long text is cut at Excel's limit)."""
    if value is None or value == "":
        return
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_TEXT]
    cell.data_type = "s"


# ---------------------------------------------------------------- ranking and resubmissions


def _newness(row: SummaryRow) -> tuple[dt.datetime, dt.datetime, str]:
    """Newer first by the workbook's own saved time, then by the file's time, then name."""
    floor = dt.datetime.min
    return (row.saved or floor, row.modified or floor, row.file)


def _when(row: SummaryRow) -> str:
    if row.saved is not None:
        return f"工作簿保存于 {row.saved:%Y-%m-%d %H:%M}"
    if row.modified is not None:
        return f"文件修改于 {row.modified:%Y-%m-%d %H:%M}"
    return "时间不详"


def mark_duplicates(rows: Sequence[SummaryRow]) -> None:
    """Note resubmissions: two files with the same 预算编码, and which one is newer."""
    by_code: dict[str, list[SummaryRow]] = defaultdict(list)
    for row in rows:
        if row.budget_code:
            by_code[row.budget_code].append(row)
    for code, group in by_code.items():
        if len(group) < 2:
            continue
        newest = max(group, key=_newness)
        for row in group:
            others = "、".join(f"《{r.file}》" for r in group if r is not row)
            which = (f"本文件较新（{_when(row)}，以本文件为准）" if row is newest
                     else f"《{newest.file}》较新（{_when(newest)}）")
            row.note = f"预算编码 {code} 与 {others} 相同，疑似重复报送；{which}"


def ranked(rows: Sequence[SummaryRow]) -> list[SummaryRow]:
    """Highest total first; workbooks without a total last; ties in file order."""
    return sorted(rows, key=lambda r: (r.total is None, -(r.total or 0), r.file))


def ranks(rows: Sequence[SummaryRow]) -> list[int | None]:
    """Competition ranking of ranked rows (95, 91, 91, 88 -> 1, 2, 2, 4); None: no total."""
    out: list[int | None] = []
    for n, row in enumerate(rows):
        if row.total is None:
            out.append(None)
        elif n and rows[n - 1].total == row.total:
            out.append(out[-1])
        else:
            out.append(n + 1)
    return out


# ---------------------------------------------------------------- sheets


def _header(ws: Worksheet, row: int, labels: Sequence[str], widths: Sequence[float]) -> None:
    for col, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=col)
        put_text(cell, label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _summary_row(ws: Worksheet, r: int, rank: int | None, row: SummaryRow,
                 indicators: Sequence[tuple[str, str]]) -> None:
    scores = [_number(row.scores.get(i)) for i, _ in indicators]
    numbers: list[int | float | None] = [rank, None, None, None, _number(row.total), None,
                                         *scores, row.errors, row.warnings]
    for col, value in enumerate(numbers, start=1):
        ws.cell(row=r, column=col).value = value
    texts = {2: row.file, 3: row.dept_name, 4: row.budget_code, 6: row.grade,
             len(numbers) + 1: row.status, len(numbers) + 2: row.note}
    for col, text in texts.items():
        put_text(ws.cell(row=r, column=col), text)
    decimals = {5, *range(7, 7 + len(scores))}  # 总分 and the indicators' scores
    for col in range(1, len(numbers) + 3):
        cell = ws.cell(row=r, column=col)
        cell.border, cell.font = BORDER, BODY
        if col in decimals:
            cell.number_format = "0.00"
    ws.cell(row=r, column=len(numbers) + 2).alignment = WRAP


def _summary_formats(ws: Worksheet, last: int, n_indicators: int) -> None:
    ws.conditional_formatting.add(f"E3:E{last}", ColorScaleRule(  # type: ignore[no-untyped-call]
        start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=80,
        mid_color="FFEB84", end_type="num", end_value=100, end_color="63BE7B"))
    for grade, color in GRADE_FILLS.items():
        ws.conditional_formatting.add(f"F3:F{last}", CellIsRule(  # type: ignore[no-untyped-call]
            operator="equal", formula=[f'"{grade}"'], fill=PatternFill("solid", bgColor=color)))
    err_col = get_column_letter(7 + n_indicators)
    ws.conditional_formatting.add(
        f"{err_col}3:{err_col}{last}", CellIsRule(  # type: ignore[no-untyped-call]
            operator="greaterThan", formula=["0"], fill=PatternFill("solid", bgColor="FFC7CE")))
    status_col = get_column_letter(9 + n_indicators)
    for status, color in STATUS_FILLS.items():
        ws.conditional_formatting.add(
            f"{status_col}3:{status_col}{last}", CellIsRule(  # type: ignore[no-untyped-call]
                operator="equal", formula=[f'"{status}"'],
                fill=PatternFill("solid", bgColor=color)))


def _summary_sheet(ws: Worksheet, rows: list[SummaryRow], indicators: Sequence[tuple[str, str]],
                   title: str) -> None:
    ws.title = SUMMARY_SHEET
    labels = ["排名", "文件", "部门名称", "预算编码", "总分", "评价等次",
              *[name for _, name in indicators], "错误数", "警告数", "状态", "备注"]
    widths = [6, 28, 30, 10, 8, 8, *[10] * len(indicators), 7, 7, 11, 60]
    put_text(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = Font(name=FONT, bold=True, size=14)
    _header(ws, 2, labels, widths)
    ws.row_dimensions[2].height = 60
    for n, (rank, row) in enumerate(zip(ranks(rows), rows, strict=True), start=3):
        _summary_row(ws, n, rank, row, indicators)
    last = max(3, len(rows) + 2)
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(labels))}{last}"
    _summary_formats(ws, last, len(indicators))
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # all columns on one page wide
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    ws.print_title_rows = "2:2"


def _findings_sheet(ws: Worksheet, rows: list[SummaryRow]) -> None:
    _header(ws, 1, ["文件", "部门名称", "工作表", "单元格", "严重程度", "代码", "说明"],
            [28, 26, 14, 9, 9, 24, 80])
    r = 1
    for row in rows:
        for f in row.findings:
            r += 1
            for col, value in enumerate((row.file, row.dept_name, f.sheet, f.cell,
                                         LABELS.get(f.severity, f.severity), f.code,
                                         f.message), start=1):
                put_text(ws.cell(row=r, column=col), value)
            ws.cell(row=r, column=7).alignment = WRAP
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:G{max(r, 2)}"


def _grade_chart(ws: Worksheet, rows: list[SummaryRow], grades: Sequence[str]) -> None:
    counts = Counter(r.grade for r in rows if r.total is not None)
    _header(ws, 1, ["评价等次", "部门数"], [24, 10])
    for n, grade in enumerate(grades, start=2):
        put_text(ws.cell(row=n, column=1), grade)
        ws.cell(row=n, column=2, value=counts.get(grade, 0))
    chart = BarChart()
    chart.title = "评价等次分布"
    chart.y_axis.title = "部门数"
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=len(grades) + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(grades) + 1))
    chart.legend = None
    ws.add_chart(chart, "D2")


def _score_chart(ws: Worksheet, rows: list[SummaryRow], top: int) -> None:
    """A horizontal bar per department (ranked order), beside the grade chart."""
    scored = [r for r in rows if r.total is not None]
    _header(ws, top, ["部门名称", "总分"], [24, 10])
    for n, row in enumerate(scored, start=top + 1):
        put_text(ws.cell(row=n, column=1), row.dept_name or row.file)
        ws.cell(row=n, column=2, value=_number(row.total))
    bars = BarChart()
    bars.type = "bar"
    bars.title = "各部门总分"
    bars.x_axis.title = "部门"
    bars.y_axis.title = "总分"
    bars.x_axis.scaling.orientation = "maxMin"  # the best department at the top
    bars.y_axis.scaling.min = 0
    bars.y_axis.scaling.max = 100
    bars.height = min(MAX_CHART_CM, max(7.5, 0.5 * len(scored)))
    if scored:
        bars.add_data(Reference(ws, min_col=2, min_row=top, max_row=top + len(scored)),
                      titles_from_data=True)
        bars.set_categories(Reference(ws, min_col=1, min_row=top + 1,
                                      max_row=top + len(scored)))
    bars.legend = None
    ws.add_chart(bars, "L2")


def _skipped_sheet(ws: Worksheet, skipped: Sequence[tuple[str, str]]) -> None:
    _header(ws, 1, ["文件", "原因"], [40, 60])
    for r, (path, why) in enumerate(skipped, start=2):
        put_text(ws.cell(row=r, column=1), path)
        put_text(ws.cell(row=r, column=2), why)


def write_summary(path: Path, rows: Sequence[SummaryRow], indicators: Sequence[tuple[str, str]],
                  grades: Sequence[str], title: str = "部门整体支出绩效自评校验汇总",
                  skipped: Sequence[tuple[str, str]] = ()) -> Path:
    """Write the summary workbook atomically; ``indicators`` are (id, column header) in
    order, ``grades`` the grade labels best first, ``skipped`` (file, why) of files that
    were not validated (listed on a sheet of their own when there are any)."""
    mark_duplicates(rows)
    ordered = ranked(rows)
    wb = Workbook()
    _summary_sheet(wb.active, ordered, indicators, title)  # type: ignore[arg-type]
    _findings_sheet(wb.create_sheet(FINDINGS_SHEET), ordered)
    charts = wb.create_sheet(CHARTS_SHEET)
    _grade_chart(charts, ordered, grades)
    _score_chart(charts, ordered, len(grades) + 3)
    charts.page_setup.orientation = "landscape"
    charts.page_setup.fitToWidth, charts.page_setup.fitToHeight = 1, 0
    charts.sheet_properties.pageSetUpPr.fitToPage = True
    if skipped:
        _skipped_sheet(wb.create_sheet(SKIPPED_SHEET), skipped)
    return write_with(path, wb.save)
