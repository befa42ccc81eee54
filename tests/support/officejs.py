"""Calling the add-in through xlwings' own Office.js dispatch (what xlwings Lite and Server run).

Import this module before anything imports xlwings: xlwings chooses its decorators once, at
its first import, and only ``XLWINGS_ON_SERVER=true`` gives the Office.js ones. The
license key ``noncommercial`` is set here, for tests only (xlwings PRO's dispatch code is
free for non-commercial use; evalbook's runtime never imports it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

if "xlwings" in sys.modules and os.environ.get("XLWINGS_ON_SERVER") != "true":
    raise RuntimeError("xlwings was imported before tests.support.officejs: "
                       "its Office.js decorators can no longer be enabled")
os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
# xlwings probes ``pyodide.ffi`` twice per call; a None entry makes the import fail fast.
sys.modules.setdefault("pyodide", None)  # type: ignore[arg-type]

import openpyxl  # noqa: E402
import xlwings as xw  # noqa: E402
from openpyxl.comments import Comment  # noqa: E402
from openpyxl.styles import PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from xlwings.server import (  # noqa: E402
    custom_functions_call,
    custom_functions_meta,
    custom_scripts_call,
    custom_scripts_meta,
)

from tests.support.cached import with_cached_values  # noqa: E402

__all__ = ["actions_of", "apply_actions", "book_json", "call", "call_async", "cell_range",
           "custom_functions_meta", "custom_scripts_meta", "open_book", "payload", "run_script",
           "xw"]

_LOOP = asyncio.new_event_loop()


def payload(func_name: str, *args: Any) -> dict[str, Any]:
    """What Office.js posts for ``=FUNC(args)``: each argument a 2D matrix; a list argument
    stands for a repeating parameter (one matrix per cell)."""
    def matrix(value: Any) -> Any:
        if isinstance(value, list) and value and isinstance(value[0], list):
            return value
        return [[value]]

    encoded = [[matrix(v) for v in a] if isinstance(a, tuple) else matrix(a) for a in args]
    return {"func_name": func_name, "args": encoded, "version": xw.__version__,
            "runtime": "1.4", "client": "Office.js", "caller_address": "[t.xlsx]评分表!H10",
            "content_language": "zh-CN", "culture_info_name": "zh-CN"}


async def call_async(module: ModuleType, func_name: str, *args: Any) -> Any:
    result = await custom_functions_call(payload(func_name, *args), module)
    return result


def call(module: ModuleType, func_name: str, *args: Any) -> Any:
    """The 2D result Office.js receives; pass repeating arguments as a tuple."""
    return _LOOP.run_until_complete(call_async(module, func_name, *args))


def _cell_json(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z")
    return value


def book_json(path: Path, values_from: Path | None = None) -> dict[str, Any]:
    """The workbook data Office.js sends to a script, for an .xlsx file.

    Values are the cached ones of ``values_from`` (e.g. a LibreOffice-recalculated copy) or
    of ``path``; names and sheets come from ``path``. Office.js sends no formulas.
    """
    wb = openpyxl.load_workbook(values_from or path, data_only=True)
    wb_notes = openpyxl.load_workbook(path)  # notes (legacy comments) come from the file itself
    names = []
    for name, dn in wb.defined_names.items():
        sheet, _, address = dn.attr_text.rpartition("!")
        sheet = sheet.strip("'").replace("''", "'")
        index = wb.sheetnames.index(sheet) if sheet in wb.sheetnames else None
        names.append({"name": name, "refers_to": f"={dn.attr_text}", "sheet_index": index,
                      "address": address.replace("$", "") if index is not None else None,
                      "scope_sheet_name": None, "scope_sheet_index": None, "book_scope": True})
    sheets = []
    for ws in wb.worksheets:
        rows, cols = max(ws.max_row, 1), max(ws.max_column, 1)
        values = [[_cell_json(v) for v in row] for row in
                  ws.iter_rows(min_row=1, max_row=rows, max_col=cols, values_only=True)]
        notes = [{"address": f"${cell.column_letter}${cell.row}"}
                 for row in wb_notes[ws.title].iter_rows() for cell in row if cell.comment]
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": [],
                       "notes": notes, "shapes": [], "charts": [], "pivot_tables": [],
                       "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
                       "used_range_address": f"A1:{get_column_letter(cols)}{rows}"})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": names, "sheets": sheets}


def open_book(data: dict[str, Any]) -> xw.Book:
    return xw.Book(json=data)


def run_script(module: ModuleType, name: str, book: xw.Book) -> list[dict[str, Any]]:
    """Run a script as xlwings Lite/Server do; returns the actions sent back to Excel."""
    result = _LOOP.run_until_complete(
        custom_scripts_call(module, name, typehint_to_value={xw.Book: book}))
    return actions_of(result)


def actions_of(book: xw.Book) -> list[dict[str, Any]]:
    return list(book.json()["actions"])


# ---------------------------------------------------------------- applying actions to a file


def _apply(wb: Any, action: dict[str, Any]) -> None:
    func, args = action["func"], action["args"]
    if func == "addSheet":
        wb.create_sheet(args[1], args[0])
        return
    ws = wb.worksheets[action["sheet_position"]]
    r0, c0 = (action["start_row"] or 0) + 1, (action["start_column"] or 0) + 1
    area = [(r0 + r, c0 + c) for r in range(action["row_count"] or 0)
            for c in range(action["column_count"] or 0)]
    if func == "setValues":
        for r, row in enumerate(action["values"]):
            for c, value in enumerate(row):
                cell = ws.cell(r0 + r, c0 + c)
                cell.value = value
                if isinstance(value, str):  # Office.js writes text as typed: never a formula
                    cell.data_type = "s"
    elif func == "setRangeColor":
        fill = (PatternFill(fill_type=None) if args[0] is None
                else PatternFill("solid", fgColor=args[0].lstrip("#").upper()))
        for r, c in area:
            ws.cell(r, c).fill = fill
    elif func == "addNote":
        ws.cell(r0, c0).comment = Comment(args[1], "evalbook")
    elif func == "deleteNote":
        ws.cell(r0, c0).comment = None
    elif func == "sheetClear":
        ws.delete_rows(1, ws.max_row)
    elif func == "sheetDelete":
        wb.remove(ws)


IGNORED = {"activateSheet", "alert", "setFontProperty"}


def apply_actions(path: Path, actions: list[dict[str, Any]], out: Path) -> Path:
    """What Excel does with the actions a script returns, done to a copy of ``path``.

    Formula cells keep their cached results (openpyxl would drop them on saving).
    """
    wb = openpyxl.load_workbook(path)
    for action in actions:
        if action["func"] not in IGNORED:
            _apply(wb, action)
    staged = out.with_name(f".staged-{out.name}")
    wb.save(staged)
    with_cached_values(staged, path, out)
    staged.unlink()
    return out


def cell_range(action: dict[str, Any]) -> str:
    """The A1 range an action applies to."""
    r1, c1 = action["start_row"] + 1, action["start_column"] + 1
    r2, c2 = r1 + (action["row_count"] or 1) - 1, c1 + (action["column_count"] or 1) - 1
    first = f"{get_column_letter(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{get_column_letter(c2)}{r2}"
