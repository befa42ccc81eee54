"""A1 references <-> (row, col): table-driven round trips and refusals."""

from __future__ import annotations

import pytest

from evalbook.xlsxutil import (
    MAX_COL,
    MAX_ROW,
    cell_ref,
    cells_in,
    col_index,
    col_letter,
    parse_cell,
    parse_range,
    quote_sheet,
    range_ref,
    sheet_ref,
    split_sheet_ref,
)

COLUMNS = [(1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (52, "AZ"), (53, "BA"), (702, "ZZ"),
           (703, "AAA"), (MAX_COL, "XFD")]


@pytest.mark.parametrize(("col", "letters"), COLUMNS)
def test_columns_both_ways(col: int, letters: str) -> None:
    assert col_letter(col) == letters
    assert col_index(letters) == col
    assert col_index(letters.lower()) == col


def test_every_column_round_trips() -> None:
    assert all(col_index(col_letter(c)) == c for c in range(1, MAX_COL + 1))


@pytest.mark.parametrize("bad", [0, -1, MAX_COL + 1])
def test_column_numbers_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        col_letter(bad)


@pytest.mark.parametrize("bad", ["", "A1", "XFE", "AAAA", "Ä", "1"])
def test_bad_column_letters(bad: str) -> None:
    with pytest.raises(ValueError):
        col_index(bad)


@pytest.mark.parametrize(("ref", "row", "col", "absolute"), [
    ("A1", 1, 1, "$A$1"), ("B3", 3, 2, "$B$3"), ("AA10", 10, 27, "$AA$10"),
    ("XFD1048576", MAX_ROW, MAX_COL, "$XFD$1048576"),
])
def test_cells_both_ways(ref: str, row: int, col: int, absolute: str) -> None:
    assert cell_ref(row, col) == ref
    assert cell_ref(row, col, absolute=True) == absolute
    assert parse_cell(ref) == (row, col)
    assert parse_cell(absolute) == (row, col)
    assert parse_cell(f" {ref.lower()} ") == (row, col)


@pytest.mark.parametrize("bad", ["", "A", "1", "A0", "A1048577", "1A", "A1:B2", "A-1", "$$A1"])
def test_bad_cells(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_cell(bad)


@pytest.mark.parametrize(("bounds", "ref"), [
    ((1, 1, 1, 1), "A1"), ((1, 1, 3, 2), "A1:B3"), ((5, 3, 9, 9), "C5:I9"),
])
def test_ranges_both_ways(bounds: tuple[int, int, int, int], ref: str) -> None:
    assert range_ref(*bounds) == ref
    assert parse_range(ref) == bounds
    assert parse_range(range_ref(*bounds, absolute=True)) == bounds


def test_reversed_ranges_are_refused() -> None:
    with pytest.raises(ValueError):
        range_ref(3, 1, 1, 1)
    with pytest.raises(ValueError):
        parse_range("B3:A1")


@pytest.mark.parametrize(("sheet", "ref", "text"), [
    ("评分表", "B3", "'评分表'!$B$3"),
    ("评分表", "A10:I21", "'评分表'!$A$10:$I$21"),
    ("O'Brien", "C1", "'O''Brien'!$C$1"),
    ("_evalbook", "C2", "'_evalbook'!$C$2"),
])
def test_sheet_references_both_ways(sheet: str, ref: str, text: str) -> None:
    assert sheet_ref(sheet, ref) == text
    assert split_sheet_ref(text) == (sheet, ref)
    assert split_sheet_ref("=" + text) == (sheet, ref)
    assert quote_sheet(sheet) == text.rpartition("!")[0]


def test_unquoted_sheet_reference() -> None:
    assert split_sheet_ref("Sheet1!$A$1:$B$2") == ("Sheet1", "A1:B2")


@pytest.mark.parametrize("bad", ["$A$1", "!A1", "'评分表'!", "'评分表'!A0"])
def test_bad_sheet_references(bad: str) -> None:
    with pytest.raises(ValueError):
        split_sheet_ref(bad)


def test_cells_in_a_range_row_by_row() -> None:
    assert cells_in("B2:C3") == [(2, 2), (2, 3), (3, 2), (3, 3)]
    assert cells_in("D4") == [(4, 4)]
