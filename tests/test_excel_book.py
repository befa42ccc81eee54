"""The open-workbook adapter and the pure parts of the macros.

``workbook_data`` must see an open workbook exactly as the headless reader sees the file,
so that the 校验 macro and ``evalbook validate`` judge the same data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import tests.support.officejs as js  # first: enables xlwings' Office.js decorators
from evalbook.cli import main
from evalbook.excel.book import workbook_data
from evalbook.excel.macros import as_text, is_stale, marks_of
from evalbook.findings import Finding
from evalbook.reader import read_workbook
from evalbook.workbook import NamedRange
from tests.helpers import seed_inputs


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("book")
    fill = tmp / "seed.json"
    fill.write_text(json.dumps(seed_inputs(), ensure_ascii=False), encoding="utf-8")
    out = tmp / "seed_udf.xlsx"
    result = CliRunner().invoke(main, ["template", "--udf", "--fill", str(fill), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def read_open(path: Path) -> Any:
    book = js.open_book(js.book_json(path))
    try:
        return workbook_data(book)
    finally:
        book.close()


def test_an_open_workbook_reads_like_the_file(filled: Path) -> None:
    opened, read = read_open(filled), read_workbook(filled)
    assert (opened.sheets, opened.hidden, opened.meta, opened.broken) == (
        read.sheets, read.hidden, read.meta, read.broken)
    assert opened.names.keys() == read.names.keys() and len(read.names) > 150
    for name, rng in read.names.items():
        got = opened.names[name]
        assert (got.sheet, got.first_row, got.first_col, got.values) == (
            rng.sheet, rng.first_row, rng.first_col, rng.values), name
        assert got.formulas is None  # Office.js sends values only
    assert opened.names["EB_REPORT_DATE"].scalar == read.names["EB_REPORT_DATE"].scalar


def test_names_pointing_nowhere_are_broken(filled: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(filled)
    wb.defined_names["EB_STAFF_QUOTA"].attr_text = "'已删除'!$C$5"
    wb.defined_names["EB_STAFF_ACTUAL"].attr_text = "#REF!"
    wb.save(tmp_path / "broken.xlsx")
    data = read_open(tmp_path / "broken.xlsx")
    assert data.broken == {"EB_STAFF_QUOTA": "='已删除'!$C$5", "EB_STAFF_ACTUAL": "=#REF!"}
    assert "EB_STAFF_QUOTA" not in data.names


def rng(value: object, formula: str | None = None, known: bool = True) -> NamedRange:
    return NamedRange("EB_X", "评分表", 5, 7, [[value]], [[formula]] if known else None)


@pytest.mark.parametrize(("cell", "wanted", "expected"), [
    (rng(5.0, "=EB_SCORE(...)"), 4.0, False),   # a live formula is never overwritten
    (rng(5.0, known=False), 5.0, False),        # already right
    (rng(5, known=False), 5.0, False),
    (rng(1, known=False), 5.0, True),           # a typed number that is wrong
    (rng(None, None), 5.0, True),               # a deleted formula
    (rng("待填写", known=False), "待填写", False),
    (rng(None, known=False), "", False),        # blank shows blank
    (rng(True, known=False), 1.0, True),
])
def test_which_cells_recalculate_rewrites(cell: NamedRange, wanted: object,
                                          expected: bool) -> None:
    assert is_stale(cell, wanted) is expected


def test_findings_on_one_place_make_one_mark() -> None:
    findings = [
        Finding("a", "warning", "基本概况", "B5", "甲"),
        Finding("b", "error", "基本概况", "$B$5", "乙"),
        Finding("c", "info", "收支情况", "B7:H7", "丙"),
        Finding("d", "error", None, None, "整个文件"),
        Finding("e", "error", "已删除", "A1", "没有这张表"),
    ]
    marks = marks_of(findings, ["基本概况", "收支情况"])
    assert [(m.sheet, m.ref, m.severity, m.note_cell, m.messages) for m in marks] == [
        ("基本概况", "B5", "error", "B5", ("[警告] 甲", "[错误] 乙")),
        ("收支情况", "B7:H7", "info", "B7", ("[提示] 丙",)),
    ]


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
    ("“实有人数”填写为“六”", "“实有人数”填写为“六”"), (3, 3),
])
def test_text_from_a_workbook_never_becomes_a_formula(value: object, written: object) -> None:
    assert as_text(value) == written
