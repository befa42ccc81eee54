"""Returned workbooks for the validator's tests, in memory and on disk.

* :func:`data_from_inputs` — a :class:`WorkbookData` exactly as the reader would return it
  for the standard template filled with JSON inputs, built in memory from the template's
  layout (fast: rules can be tested table-driven without writing files);
* :func:`seed_file` — the seed example as a real ``.xlsx`` file (the template filled with
  ``--fill``), written once per test session and copied per test;
* small editors that put one defect into such a file, the way a person or another program
  would: through openpyxl, or by rewriting the zip's XML.
"""

from __future__ import annotations

import copy
import functools
import shutil
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell

from evalbook.contract import TABLES_BY_NAME
from evalbook.fill import make_workbook
from evalbook.framework import Framework, load_framework
from evalbook.numbers import NotANumber, parse_date
from evalbook.template import Layout, Options, build
from evalbook.workbook import NamedRange, WorkbookData, meta_from_names
from evalbook.xlsxutil import parse_range
from tests.helpers import seed_inputs

# ---------------------------------------------------------------- in memory


@functools.cache
def blank(framework: Framework | None = None) -> tuple[WorkbookData, Layout]:
    """The unfilled template as the reader sees it (formulas, but no cached values)."""
    fw = framework or load_framework()
    wb, layout = build(fw, Options())
    names: dict[str, NamedRange] = {}
    for area in layout.areas.values():
        ws = wb[area.sheet]
        r1, c1, r2, c2 = parse_range(area.ref)
        cells = [[ws.cell(row=r, column=c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        formulas = [[_formula(c) for c in row] for row in cells]
        values = [[None if _formula(c) else c.value for c in row] for row in cells]
        names[area.name] = NamedRange(area.name, area.sheet, r1, c1, values, formulas)
    merged = {ws.title: [(m.min_row, m.min_col, m.max_row, m.max_col)
                         for m in ws.merged_cells.ranges] for ws in wb.worksheets}
    data = WorkbookData(file="内存中的工作簿.xlsx", sheets=list(wb.sheetnames), names=names,
                        meta=meta_from_names(names), merged=merged,
                        hidden=[ws.title for ws in wb.worksheets if ws.sheet_state != "visible"])
    return data, layout


def _formula(cell: Cell) -> str | None:
    return str(cell.value) if cell.data_type == "f" else None


def _typed(value: object, kind: str) -> object:
    """A JSON value as a cell would hold it once typed (``template --fill`` semantics)."""
    if kind == "date" and isinstance(value, str):
        try:
            return parse_date(value)
        except NotANumber:
            return value
    return value


def data_from_inputs(inputs: Mapping[str, Any], framework: Framework | None = None
                     ) -> WorkbookData:
    """The template filled with ``inputs`` (SPEC section 5 JSON), as read back."""
    base, layout = blank(framework)
    data = copy.deepcopy(base)
    for name, value in inputs.items():
        rng, area = data.names.get(name), layout.areas.get(name)
        if rng is None or area is None or value is None:
            continue
        if name in TABLES_BY_NAME:
            for r, row in enumerate(value):
                for c, cell in enumerate(row):
                    if cell is not None:
                        rng.values[r][c] = cell
        elif isinstance(value, list):
            for i, item in enumerate(value):
                rng.values[i][0] = item
        else:
            rng.values[0][0] = _typed(value, area.kind)
            if rng.formulas is not None:
                rng.formulas[0][0] = None  # a typed value replaces a default formula
    return data


def clean_inputs(**changes: Any) -> dict[str, Any]:
    """The seed example with its own three problems corrected (报送日期 and 存在的主要问题;
    the framework's 产出 header stays, it is the framework's)."""
    inputs = seed_inputs()
    inputs["EB_SUBMIT_DATE"] = "2021-07-30"
    inputs["EB_PROBLEMS"] = "公务卡刷卡率未达到 100% 的目标。"
    inputs.update(changes)
    return inputs


def seed_data(**changes: Any) -> WorkbookData:
    """The seed example in memory, with some inputs changed."""
    inputs = seed_inputs()
    inputs.update(changes)
    return data_from_inputs(inputs)


# ---------------------------------------------------------------- on disk


def write_seed(path: Path, inputs: Mapping[str, Any] | None = None,
               framework: Framework | None = None) -> Path:
    """The template filled like ``evalbook template --fill yunxi_2020.json``."""
    make_workbook(path, framework or load_framework(), Options(),
                  seed_inputs() if inputs is None else inputs)
    return path


def copy_to(src: Path, folder: Path, name: str) -> Path:
    dest = folder / name
    shutil.copyfile(src, dest)
    return dest


def edit_cells(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    """Change a workbook through openpyxl (strings stay strings, as a person typed them)."""
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def put(wb: openpyxl.Workbook, name: str, value: object, row: int = 0, col: int = 0) -> str:
    """Type ``value`` into the cell at (row, col) of a defined name; returns its address."""
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    r1, c1, _, _ = parse_range(ref.replace("$", ""))
    ws = wb[sheet.strip("'")]
    cell = ws.cell(row=r1 + row, column=c1 + col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return str(cell.coordinate)


def rewrite_zip(path: Path, edit: Callable[[str, bytes], bytes]) -> Path:
    """Rewrite every member of the package through ``edit(name, data)``."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            zout.writestr(info.filename, edit(info.filename, data))
    return path


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding ``sheet``."""
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet)
    wb.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


def at(name: str, row: int = 0, col: int | str = 0) -> tuple[str, str]:
    """(sheet, A1 cell) of a cell of a defined name in the standard template; ``col`` may
    be a table column key."""
    rng = blank()[0].names[name]
    if isinstance(col, str):
        col = TABLES_BY_NAME[name].index(col) - 1
    return rng.sheet, rng.address(row, col)
