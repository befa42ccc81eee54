"""A1 references <-> (row, col), in Excel's own vocabulary. Rows and columns are 1-based.

Small and dependency-free so that every module addressing cells (template builder, reader,
validator, annotator) agrees on one tested implementation.
"""

from __future__ import annotations

import re

MAX_ROW = 1_048_576
MAX_COL = 16_384  # XFD

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def col_letter(col: int) -> str:
    """1 -> "A", 27 -> "AA", 16384 -> "XFD"."""
    if not 1 <= col <= MAX_COL:
        raise ValueError(f"column {col} is outside 1..{MAX_COL}")
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def col_index(letters: str) -> int:
    """"A" -> 1, "aa" -> 27, "XFD" -> 16384."""
    if not letters.isascii() or not letters.isalpha() or not 1 <= len(letters) <= 3:
        raise ValueError(f"not a column: {letters!r}")
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    if col > MAX_COL:
        raise ValueError(f"column {letters!r} is beyond XFD")
    return col


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """(3, 2) -> "B3"; absolute: "$B$3"."""
    if not 1 <= row <= MAX_ROW:
        raise ValueError(f"row {row} is outside 1..{MAX_ROW}")
    dollar = "$" if absolute else ""
    return f"{dollar}{col_letter(col)}{dollar}{row}"


def parse_cell(ref: str) -> tuple[int, int]:
    """"B3" or "$B$3" -> (3, 2)."""
    m = _CELL.match(ref.strip())
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    row, col = int(m[2]), col_index(m[1])
    if not 1 <= row <= MAX_ROW:
        raise ValueError(f"row {row} is outside 1..{MAX_ROW}")
    return row, col


def range_ref(first_row: int, first_col: int, last_row: int, last_col: int,
              absolute: bool = False) -> str:
    """(1, 1, 3, 2) -> "A1:B3"; a single cell gives "A1"."""
    if last_row < first_row or last_col < first_col:
        raise ValueError("a range's last cell must not precede its first cell")
    first = cell_ref(first_row, first_col, absolute)
    if (first_row, first_col) == (last_row, last_col):
        return first
    return f"{first}:{cell_ref(last_row, last_col, absolute)}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """"A1:B3" -> (1, 1, 3, 2); "B2" -> (2, 2, 2, 2)."""
    first, sep, last = ref.partition(":")
    r1, c1 = parse_cell(first)
    r2, c2 = parse_cell(last) if sep else (r1, c1)
    if r2 < r1 or c2 < c1:
        raise ValueError(f"not a normalised range: {ref!r}")
    return r1, c1, r2, c2


def quote_sheet(name: str) -> str:
    """A sheet name as a formula prefix: always quoted, quotes doubled ('评分表'!)."""
    return "'" + name.replace("'", "''") + "'"


def sheet_ref(sheet: str, ref: str) -> str:
    """Absolute reference on a sheet: ("评分表", "B3:C4") -> "'评分表'!$B$3:$C$4"."""
    r1, c1, r2, c2 = parse_range(ref)
    return f"{quote_sheet(sheet)}!{range_ref(r1, c1, r2, c2, absolute=True)}"


def split_sheet_ref(text: str) -> tuple[str, str]:
    """"'评分表'!$B$3" -> ("评分表", "B3"); the inverse of :func:`sheet_ref`."""
    sheet, sep, ref = text.lstrip("=").rpartition("!")
    if not sep or not sheet:
        raise ValueError(f"not a sheet reference: {text!r}")
    if sheet.startswith("'") and sheet.endswith("'") and len(sheet) >= 2:
        sheet = sheet[1:-1].replace("''", "'")
    r1, c1, r2, c2 = parse_range(ref)
    return sheet, range_ref(r1, c1, r2, c2)


def cells_in(ref: str) -> list[tuple[int, int]]:
    """Every (row, col) of a range, row by row."""
    r1, c1, r2, c2 = parse_range(ref)
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
