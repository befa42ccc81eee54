"""Pre-filling a built workbook from the JSON inputs of SPEC section 5 (``template --fill``).

Cells are found through the builder's :class:`~evalbook.template.Layout` (that is, by
defined name). Values are written as a person would have typed them: numbers as numbers,
``YYYY-MM-DD`` dates as real dates, and every string as a string — never as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell

from evalbook.contract import FORM_FIELDS, GRADE, TABLES_BY_NAME, TOTAL_SCORE
from evalbook.framework import Framework
from evalbook.numbers import NotANumber, parse_date
from evalbook.template import Layout, Options, build, fit_heights, repaginate, save
from evalbook.xlsxutil import parse_range


class FillError(Exception):
    """The inputs do not fit the workbook (e.g. more table rows than the template has)."""


def write_value(cell: Cell | MergedCell, value: object, kind: str) -> None:
    """Write one input value; strings stay strings even when they start with "="."""
    if value is None or value == "":  # an empty string is a blank cell, not a text cell
        return
    if isinstance(value, str):
        if kind == "date":
            try:
                cell.value = parse_date(value)
                return
            except NotANumber:
                pass
        cell.value = value
        cell.data_type = "s"
        return
    if isinstance(value, bool | int | float | dt.date):
        cell.value = value
        return
    cell.value = str(value)
    cell.data_type = "s"


def _kinds(framework: Framework) -> dict[str, str]:
    kinds: dict[str, str] = {f.name: f.type for f in FORM_FIELDS}
    kinds.update({f.name: f.type for f in framework.fields})
    return kinds


def fill(wb: Workbook, layout: Layout, framework: Framework, inputs: Mapping[str, Any]
         ) -> list[str]:
    """Write ``inputs`` into their cells; returns Chinese warnings for keys left unwritten.

    Raises :class:`FillError` when a table or checklist has more rows than the workbook.
    """
    kinds = _kinds(framework)
    warnings: list[str] = []
    touched: dict[str, set[int]] = {}
    for name, value in inputs.items():
        area = layout.areas.get(name)
        if name in (TOTAL_SCORE, GRADE) or (area is not None and not area.input):
            warnings.append(f"{name} 是计算结果，不能预填，已忽略")
            continue
        if area is None:
            warnings.append(f"工作簿中没有 {name}（如计算得出的指标没有“自评得分”输入格），已忽略")
            continue
        ws = wb[area.sheet]
        r1, c1, r2, c2 = parse_range(area.ref)
        if name in TABLES_BY_NAME:
            _fill_table(ws, name, value, (r1, c1, r2, c2))
        elif area.kind == "checklist":
            _fill_column(ws, name, value, (r1, c1, r2, c2))
        else:
            write_value(ws.cell(row=r1, column=c1), value, kinds.get(name, area.kind))
        touched.setdefault(area.sheet, set()).update(range(r1, r2 + 1))
    for sheet, rows in touched.items():
        fit_heights(wb[sheet], rows & layout.fit_rows.get(sheet, set()) | _table_rows(
            layout, sheet, rows))
        repaginate(wb[sheet], layout, framework)
    return warnings


def _table_rows(layout: Layout, sheet: str, rows: set[int]) -> set[int]:
    """Rows of filled tables whose text may wrap (target names, evaluators)."""
    out: set[int] = set()
    for name in ("EB_TARGETS", "EB_EVALUATORS"):
        area = layout.areas.get(name)
        if area is not None and area.sheet == sheet:
            r1, _, r2, _ = parse_range(area.ref)
            out |= rows & set(range(r1, r2 + 1))
    return out


def _fill_table(ws: Any, name: str, rows: object, box: tuple[int, int, int, int]) -> None:
    table = TABLES_BY_NAME[name]
    r1, c1, r2, c2 = box
    if not isinstance(rows, list):
        raise FillError(f"{name} 应为行的列表")
    capacity = r2 - r1 + 1
    if len(rows) > capacity:
        raise FillError(f"{name}（{table.title}）有 {len(rows)} 行，但工作簿只有 {capacity} 行；"
                        f"请用 --units 增加单位行数" if table.has_summary_row else
                        f"{name}（{table.title}）有 {len(rows)} 行，但工作簿只有 {capacity} 行")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) > c2 - c1 + 1:
            raise FillError(f"{name} 第{i + 1}行应为最多 {c2 - c1 + 1} 个值的列表")
        for j, value in enumerate(row):
            write_value(ws.cell(row=r1 + i, column=c1 + j), value, table.columns[j].type)


def _fill_column(ws: Any, name: str, items: object, box: tuple[int, int, int, int]) -> None:
    r1, c1, r2, _ = box
    values = items if isinstance(items, list) else [items]
    if len(values) > r2 - r1 + 1:
        raise FillError(f"{name} 有 {len(values)} 项，但工作簿只有 {r2 - r1 + 1} 项")
    for i, value in enumerate(values):
        write_value(ws.cell(row=r1 + i, column=c1), value, "checklist")


def make_workbook(path: str | Path, framework: Framework, options: Options | None = None,
                  inputs: Mapping[str, Any] | None = None) -> tuple[Layout, list[str]]:
    """Build the standard workbook, optionally pre-filled, and save it atomically."""
    wb, layout = build(framework, options)
    warnings = fill(wb, layout, framework, inputs) if inputs else []
    save(wb, path)
    return layout, warnings
