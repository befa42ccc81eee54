"""The standard workbook (SPEC sections 2 and 4), built with openpyxl from the framework.

Every field gets its workbook-scoped defined name from :mod:`evalbook.contract` or the
framework, and every named or input cell is recorded in the returned
:class:`~evalbook.xlsxform.Layout`, so that filling (:mod:`evalbook.fill`) and tests address
cells the way readers do: by name. The sheets are built by :mod:`evalbook.sheets` and
:mod:`evalbook.scoresheet`; inputs are unlocked, light yellow and validated, everything
else is locked; scores are live (native formulas or the add-in's UDFs).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from evalbook import TEMPLATE_VERSION
from evalbook.atomic import atomic_path
from evalbook.framework import Framework
from evalbook.scoresheet import level_labels, scoring_sheet
from evalbook.sheets import (
    base_sheet,
    cover_sheet,
    finance_sheet,
    goals_sheet,
    link_choices,
    opinions_sheet,
    profile_sheet,
    summary_sheet,
)
from evalbook.xlsxform import (
    MAX_UNITS,
    META,
    SCORING,
    SHEETS,
    Area,
    Book,
    InputArea,
    Layout,
    Options,
    fit_heights,
    paginate,
    protect,
)

__all__ = ["MAX_UNITS", "SHEETS", "Area", "InputArea", "Layout", "Options", "build",
           "fit_heights", "repaginate", "save"]

FIXED_TIME = dt.datetime(2026, 1, 1)  # document properties: a deterministic build

# ---------------------------------------------------------------- hidden meta sheet


def meta_sheet(book: Book) -> None:
    fw, opts = book.framework, book.options
    ws = book.wb.create_sheet(META)
    rows = (
        ("EB_META_TEMPLATE_VERSION", "模板版本", TEMPLATE_VERSION),
        ("EB_META_FRAMEWORK_ID", "评分框架标识", fw.id),
        ("EB_META_FRAMEWORK_SHA256", "评分框架 SHA-256", fw.sha256),
        ("EB_META_VARIANT", "得分公式", opts.variant),
        ("EB_META_UNITS", "单位行数", opts.units),
        ("EB_META_TARGET_ROWS", "定量目标行数", opts.target_rows),
        ("EB_META_EVALUATOR_ROWS", "评价人员行数", opts.evaluator_rows),
        ("EB_META_FRAMEWORK_NAME", "评分框架名称", fw.name),
    )
    ws["A1"], ws["B1"], ws["C1"] = "定义名称", "项目", "值"
    for i, (name, label, value) in enumerate(rows, start=2):
        ws.cell(row=i, column=1, value=name)
        ws.cell(row=i, column=2, value=label)
        cell = ws.cell(row=i, column=3, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        book.name(name, META, f"C{i}", "meta", label, False)
    ws["E1"] = "关联评分指标可选值"
    links = link_choices(fw)
    for i, text in enumerate(links, start=2):
        ws.cell(row=i, column=5, value=text).data_type = "s"
    if links:
        book.name("EB_LIST_LINKS", META, f"E2:E{len(links) + 1}", "list", "关联评分指标", False)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["E"].width = 40
    ws.sheet_state = "hidden"
    protect(ws, opts.password)


# ---------------------------------------------------------------- building and saving

SHEET_BUILDERS = (cover_sheet, profile_sheet, finance_sheet, base_sheet, goals_sheet,
                  scoring_sheet, opinions_sheet, summary_sheet, meta_sheet)


def repaginate(ws: Worksheet, layout: Layout, framework: Framework) -> None:
    """(Re)place the manual page breaks of a paginated sheet after its row heights changed."""
    pages = layout.pages.get(ws.title)
    if pages is None:
        return
    breaks = paginate(ws, pages)
    ws.row_breaks = RowBreak()
    for row in breaks:
        ws.row_breaks.append(Break(id=row))
    if ws.title == SCORING:
        level_labels(ws, framework, pages.first, breaks)


def build(framework: Framework, options: Options | None = None) -> tuple[Workbook, Layout]:
    """The blank standard workbook and the layout of its names and inputs."""
    book = Book(framework, options or Options())
    for make in SHEET_BUILDERS:
        make(book)
    for ws in book.wb.worksheets:
        repaginate(ws, book.layout, framework)
    wb = book.wb
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "evalbook"
    props.title = "部门整体支出绩效评价自评表"
    props.subject = framework.name
    props.keywords = f"evalbook {TEMPLATE_VERSION} {framework.id}"
    props.created = props.modified = FIXED_TIME
    wb.calculation.fullCalcOnLoad = True
    return wb, book.layout


def save(wb: Workbook, path: str | Path) -> Path:
    """Save atomically, keeping the fixed document times (openpyxl's save() resets them)."""
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return Path(path)
