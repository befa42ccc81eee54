"""An open workbook (``xw.Book``) as :class:`~evalbook.workbook.WorkbookData`.

The same adapter serves the desktop add-in (COM) and the Office.js runtimes (xlwings Lite,
xlwings Server), so the 校验 macro sees exactly what ``evalbook validate`` sees in a file.
Each sheet is read once as a block and every defined name is cut out of it, which keeps
COM round trips to a few per sheet. Office.js sends no formulas and no merge state:
there every range's ``formulas`` is None and ``merged`` stays empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import xlwings as xw

from evalbook.workbook import NamedRange, WorkbookData, meta_from_names
from evalbook.xlsxutil import parse_range, split_sheet_ref

Grid = list[list[Any]]
MACRO_SUFFIXES = (".xlsm", ".xlsb", ".xlam")


def _grid(raw: Any) -> Grid:
    """A value or formula read of a range as a 2D list (COM gives tuples or a scalar)."""
    if isinstance(raw, list | tuple):
        if raw and isinstance(raw[0], list | tuple):
            return [list(row) for row in raw]
        return [list(raw)]
    return [[raw]]


def _value(value: Any) -> Any:
    # Excel has no date type apart from a format: a date cell arrives as midnight; the file
    # reader gives a date, and so must this adapter.
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


class SheetCache:
    """Each sheet's used block (from A1), read once: values and, where readable, formulas."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self.values: dict[str, Grid] = {}
        self.formulas: dict[str, Grid | None] = {}

    def load(self, sheet_name: str) -> None:
        if sheet_name in self.values:
            return
        sheet = self.book.sheets[sheet_name]
        last = sheet.used_range.last_cell
        block = sheet.range((1, 1), (last.row, last.column))
        values = _grid(block.options(ndim=2, err_to_str=True).value)
        self.values[sheet_name] = [[_value(v) for v in row] for row in values]
        try:
            self.formulas[sheet_name] = _grid(block.formula)
        except NotImplementedError:  # Office.js sends values only
            self.formulas[sheet_name] = None

    def cut(self, grid: Grid, r1: int, c1: int, r2: int, c2: int) -> Grid:
        rows = []
        for r in range(r1 - 1, r2):
            row = grid[r] if r < len(grid) else []
            rows.append([row[c] if c < len(row) else None for c in range(c1 - 1, c2)])
        return rows

    def named_range(self, name: str, sheet_name: str, ref: str) -> NamedRange:
        self.load(sheet_name)
        r1, c1, r2, c2 = parse_range(ref)
        values = self.cut(self.values[sheet_name], r1, c1, r2, c2)
        formula_grid = self.formulas[sheet_name]
        formulas = None
        if formula_grid is not None:
            formulas = [[f if isinstance(f, str) and f.startswith("=") else None for f in row]
                        for row in self.cut(formula_grid, r1, c1, r2, c2)]
        return NamedRange(name, sheet_name, r1, c1, values, formulas)


def _eb_names(book: xw.Book) -> list[tuple[str, str]]:
    """(name, refers_to) of the workbook-scoped EB_* names (sheet-scoped ones show "S!n")."""
    out = []
    for name in book.names:
        text = str(name.name)
        if text.startswith("EB_") and "!" not in text:
            out.append((text, str(name.refers_to)))
    return out


def _hidden(sheets: Sequence[Any]) -> list[str]:
    return [str(s.name) for s in sheets if not s.visible]


def workbook_data(book: xw.Book) -> WorkbookData:
    """Read an open workbook through its defined names, as the headless reader reads a file."""
    sheets = list(book.sheets)
    sheet_names = [str(s.name) for s in sheets]
    cache = SheetCache(book)
    names: dict[str, NamedRange] = {}
    broken: dict[str, str] = {}
    for name, refers_to in _eb_names(book):
        try:
            sheet_name, ref = split_sheet_ref(refers_to)
        except ValueError:
            broken[name] = refers_to
            continue
        if sheet_name not in sheet_names:
            broken[name] = refers_to
            continue
        names[name] = cache.named_range(name, sheet_name, ref)
    return WorkbookData(
        file=str(book.name), sheets=sheet_names, names=names, meta=meta_from_names(names),
        broken=broken, hidden=_hidden(sheets),
        macros=str(book.name).lower().endswith(MACRO_SUFFIXES),
    )
