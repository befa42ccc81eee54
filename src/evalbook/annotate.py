"""An annotated copy of a returned workbook: every finding marked on its cell, and a
校验结果 sheet listing them all with links to their cells.

The source is only ever read; the copy is written atomically. Every string that came from
a workbook (or quotes it, like finding messages) is written as a string cell — text such as
``=HYPERLINK(...)`` can never become a formula. Links are internal hyperlinks (a location
attribute), not HYPERLINK formulas.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import openpyxl.xml
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from evalbook.atomic import write_with
from evalbook.findings import SEVERITY_LABELS, Finding, Severity
from evalbook.guards import check_workbook_file
from evalbook.xlsxutil import col_letter, quote_sheet

RESULTS_SHEET = "校验结果"
FILLS: dict[Severity, PatternFill] = {
    "error": PatternFill("solid", fgColor="FFC7CE"),
    "warning": PatternFill("solid", fgColor="FFEB9C"),
    "info": PatternFill("solid", fgColor="DDEBF7"),
}
RANK: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}
HEADERS = ("序号", "严重程度", "工作表", "单元格", "说明", "代码")
WIDTHS = (6, 8, 16, 9, 90, 24)
AUTHOR = "evalbook 校验"

if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
    raise ImportError("openpyxl must parse with defusedxml (pip install defusedxml)")


def put_text(cell: Cell | MergedCell, text: str) -> None:
    """Write text as a string cell: never a formula, whatever it starts with."""
    cell.value = text
    cell.data_type = "s"


def annotate_copy(src: Path, findings: Sequence[Finding], dest: Path) -> Path:
    """Write ``dest``: a copy of ``src`` with the findings marked. ``src`` is never modified.

    Raises :class:`evalbook.guards.WorkbookRejected` for a file the guard refuses and
    ValueError when ``dest`` is ``src`` itself.
    """
    src, dest = Path(src), Path(dest)
    if dest.exists() and dest.resolve() == src.resolve():
        raise ValueError(f"标注副本不能覆盖原文件《{src.name}》")
    kind = check_workbook_file(src)
    wb = openpyxl.load_workbook(src, keep_vba=kind == "xlsm", keep_links=False)
    mark_cells(wb, findings)
    results_sheet(wb, findings)
    return write_with(dest, wb.save)


# ---------------------------------------------------------------- marks on the cells


def _anchor(ws: Worksheet, ref: str) -> Cell | None:
    """The writable cell of ``ref``: the top-left cell when it is inside a merged area."""
    try:
        cell = ws[ref]
    except (ValueError, IndexError):
        return None
    if isinstance(cell, MergedCell):
        for area in ws.merged_cells.ranges:
            if ref in area:
                top = ws.cell(row=area.min_row, column=area.min_col)
                return top if isinstance(top, Cell) else None
        return None
    return cell if isinstance(cell, Cell) else None


def mark_cells(wb: Workbook, findings: Sequence[Finding]) -> None:
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet is not None and f.cell is not None and f.sheet in wb.sheetnames:
            by_cell[(f.sheet, f.cell)].append(f)
    for (sheet, ref), found in by_cell.items():
        cell = _anchor(wb[sheet], ref)
        if cell is None:
            continue
        worst = min((f.severity for f in found), key=RANK.__getitem__)
        cell.fill = FILLS[worst]
        text = "\n".join(f"【{SEVERITY_LABELS[f.severity]}】{f.message}" for f in found)
        if cell.comment is not None and cell.comment.author != AUTHOR:
            text = f"{cell.comment.text}\n{text}"
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 360, min(60 + 40 * len(found), 400)
        cell.comment = comment


# ---------------------------------------------------------------- the 校验结果 sheet


def results_sheet(wb: Workbook, findings: Sequence[Finding]) -> Worksheet:
    if RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]
    ws: Worksheet = wb.create_sheet(RESULTS_SHEET, 0)
    counts = "，".join(f"{sum(f.severity == s for f in findings)} 个{label}"
                      for s, label in SEVERITY_LABELS.items())
    title = f"校验结果：{counts}" if findings else "校验结果：未发现问题"
    put_text(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        put_text(ws.cell(row=2, column=col), title)
        ws.cell(row=2, column=col).font = Font(bold=True)
        ws.column_dimensions[col_letter(col)].width = width
    for n, f in enumerate(findings, start=1):
        _result_row(ws, n + 2, n, f, f.sheet in wb.sheetnames)
    ws.freeze_panes = "A3"
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    return ws


def _result_row(ws: Worksheet, row: int, n: int, f: Finding, linkable: bool) -> None:
    ws.cell(row=row, column=1, value=n)
    put_text(ws.cell(row=row, column=2), SEVERITY_LABELS[f.severity])
    ws.cell(row=row, column=2).fill = FILLS[f.severity]
    put_text(ws.cell(row=row, column=3), f.sheet or "（整个文件）")
    where = ws.cell(row=row, column=4)
    put_text(where, f.cell or "")
    if linkable and f.sheet is not None:
        target = f"{quote_sheet(f.sheet)}!{f.cell or 'A1'}"
        where.hyperlink = Hyperlink(ref=where.coordinate, location=target, display=f.cell)
        where.font = Font(color="0563C1", underline="single")
    put_text(ws.cell(row=row, column=5), f.message)
    ws.cell(row=row, column=5).alignment = Alignment(wrap_text=True, vertical="top")
    put_text(ws.cell(row=row, column=6), f.code)
