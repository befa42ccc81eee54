"""A read workbook as plain data: its sheets and the cells behind its defined names.

:class:`WorkbookData` is what every reader produces — the headless reader
(:mod:`evalbook.reader`, from a file) and the add-in's 校验 macro (from an open workbook) —
and all the validator ever looks at. Values are as the cells hold them (numbers, text,
dates, booleans, Excel error texts such as ``"#DIV/0!"``; ``None`` for blank); formulas are
kept where the reader knows them, so that a formula replaced by a typed number can be told
apart from a live one. Everything is addressed by defined name, never by coordinates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evalbook.contract import Table
from evalbook.xlsxutil import cell_ref, range_ref

if TYPE_CHECKING:
    import pandas as pd

#: Error values a cell can hold (what Excel shows; the reader keeps them as this text).
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})

#: Defined names of the hidden template-information sheet -> keys of :attr:`WorkbookData.meta`.
META_NAMES = {
    "EB_META_TEMPLATE_VERSION": "template_version",
    "EB_META_FRAMEWORK_ID": "framework_id",
    "EB_META_FRAMEWORK_SHA256": "framework_sha256",
    "EB_META_VARIANT": "variant",
    "EB_META_UNITS": "units",
}


def is_error(value: object) -> bool:
    return isinstance(value, str) and value in EXCEL_ERRORS


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


@dataclass
class NamedRange:
    """The cells of one defined name; ``first_row``/``first_col`` are 1-based.

    ``values[r][c]`` is the cell at offset (r, c); ``formulas`` has the same shape with the
    formula text (``"=..."``) or ``None``, or is ``None`` as a whole when unknown.
    """

    name: str
    sheet: str
    first_row: int
    first_col: int
    values: list[list[object]]
    formulas: list[list[str | None]] | None = None

    @property
    def rows(self) -> int:
        return len(self.values)

    @property
    def cols(self) -> int:
        return len(self.values[0]) if self.values else 0

    @property
    def ref(self) -> str:
        """The A1 range, e.g. ``"B5:H8"``."""
        return range_ref(self.first_row, self.first_col, self.first_row + max(self.rows, 1) - 1,
                         self.first_col + max(self.cols, 1) - 1)

    def address(self, row: int = 0, col: int = 0) -> str:
        """A1 address of the cell at 0-based offset (row, col) inside the range."""
        return cell_ref(self.first_row + row, self.first_col + col)

    def value(self, row: int = 0, col: int = 0) -> object:
        if row < len(self.values) and col < len(self.values[row]):
            return self.values[row][col]
        return None

    def formula(self, row: int = 0, col: int = 0) -> str | None:
        if self.formulas is None or row >= len(self.formulas) or col >= len(self.formulas[row]):
            return None
        return self.formulas[row][col]

    @property
    def scalar(self) -> object:
        return self.value(0, 0)

    def flat(self) -> list[object]:
        """All values row by row (checklists are one column)."""
        return [v for row in self.values for v in row]


@dataclass
class WorkbookData:
    """One read workbook.

    ``names`` holds the readable workbook-scoped ``EB_*`` names; ``broken`` those whose
    reference cannot be followed (``#REF!``, a deleted or renamed sheet) with the reference
    text; ``meta`` the hidden sheet's template information (keys of :data:`META_NAMES`);
    ``merged`` the merged areas per sheet as (first_row, first_col, last_row, last_col).
    A range whose ``formulas`` is None was read without formulas: its score cells are then
    compared by value only (a typed number cannot be told from a formula result).
    """

    file: str
    sheets: list[str]
    names: dict[str, NamedRange]
    meta: dict[str, str] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    merged: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    macros: bool = False

    def get(self, name: str) -> NamedRange | None:
        return self.names.get(name)

    def scalar(self, name: str) -> object:
        rng = self.names.get(name)
        return None if rng is None else rng.scalar

    def where(self, name: str, row: int = 0, col: int = 0) -> tuple[str | None, str | None]:
        """(sheet, A1 cell) of a cell inside a name; (None, None) if the name is unreadable."""
        rng = self.names.get(name)
        if rng is None:
            return None, None
        return rng.sheet, rng.address(row, col)


def meta_from_names(names: dict[str, NamedRange]) -> dict[str, str]:
    """The template information read through the ``EB_META_*`` names."""
    meta: dict[str, str] = {}
    for name, key in META_NAMES.items():
        rng = names.get(name)
        if rng is not None and not is_blank(rng.scalar):
            meta[key] = cell_text(rng.scalar)
    return meta


def cell_text(value: object) -> str:
    """A cell as text: integral floats without ``.0``, dates as ``YYYY-MM-DD``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


# ---------------------------------------------------------------- the typed submission


@dataclass(frozen=True)
class TypedCell:
    """One input cell after per-cell typing: ``value`` is a ``Decimal``, ``str``, ``date``
    or ``None`` (blank, or unreadable — then ``bad`` is True and a finding was made)."""

    value: object
    raw: object
    sheet: str
    cell: str
    label: str
    bad: bool = False

    @property
    def blank(self) -> bool:
        return self.value is None and not self.bad


@dataclass
class Submission:
    """A workbook's inputs, typed: scalars by defined name (checklist items as ``NAME#i``)
    and the cells of each table's used rows (``cells[name][row]``, row = offset inside the
    named range, so 0 is the 汇总 row of money tables; unused rows are empty lists)."""

    scalars: dict[str, TypedCell] = field(default_factory=dict)
    cells: dict[str, list[list[TypedCell]]] = field(default_factory=dict)
    used_rows: dict[str, list[int]] = field(default_factory=dict)

    def frame(self, table: Table) -> pd.DataFrame:
        """The typed used rows of a table as a DataFrame: columns are the contract's column
        keys, the index is the row offset inside the named range."""
        import pandas as pd

        rows = self.cells.get(table.name, [])
        used = self.used_rows.get(table.name, [])
        return pd.DataFrame([[c.value for c in rows[r]] for r in used], index=used,
                            columns=[c.key for c in table.columns])

    def cell(self, table: str, row: int, col: int) -> TypedCell | None:
        rows = self.cells.get(table)
        if rows is None or row >= len(rows) or col >= len(rows[row]):
            return None
        return rows[row][col]


def row_name(table: Table, first: object, row: int) -> str:
    """How messages name a table row: 汇总, the unit's name, or 第n行."""
    if table.has_summary_row and row == 0:
        return "汇总"
    if table.has_summary_row and isinstance(first, str) and first.strip():
        return first.strip()
    return f"第{row + 1}行"
