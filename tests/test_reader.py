"""The reader: defined names -> values, formulas and error values; guards before parsing."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import DTDForbidden, EntitiesForbidden

from evalbook import reader as R
from evalbook.framework import load_framework
from evalbook.reader import WorkbookError, parse_reference, read_inputs, read_workbook
from tests.defects.bad_files import BAD_FILES
from tests.defects.builders import at, write_seed
from tests.helpers import seed_inputs


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_seed(tmp_path_factory.mktemp("reader") / "seed.xlsx")


@pytest.mark.parametrize(("text", "expected"), [
    ("'评分表'!$G$5", R.Target("评分表", 5, 7, 5, 7)),
    ("收支情况!$A$7:$G$10", R.Target("收支情况", 7, 1, 10, 7)),
    ("'It''s'!B2", R.Target("It's", 2, 2, 2, 2)),
    ("='封面与报送'!$C$20", R.Target("封面与报送", 20, 3, 20, 3)),
    ("#REF!", None),
    ("'收支情况'!#REF!", None),
    ("[1]Sheet1!$A$1", None),
    ("Sheet1!$A$1,Sheet1!$B$2", None),
    ("Sheet1!$A:$A", None),
    ('"text"', None),
    ("Sheet1!$B$5:$A$1", None),
    ("Sheet1!$A$1:$XFD$1048576", None),
])
def test_parse_reference(text: str, expected: R.Target | None) -> None:
    assert parse_reference(text) == expected


def test_values_formulas_and_dates_come_through_the_names(seed_file: Path) -> None:
    data = read_workbook(seed_file)
    assert data.scalar("EB_DEPT_NAME") == seed_inputs()["EB_DEPT_NAME"]
    assert data.scalar("EB_REPORT_DATE") == dt.date(2021, 7, 30)
    assert data.scalar("EB_FILLER_PHONE") == "13975097338"
    income = data.names["EB_INCOME"]
    assert (income.rows, income.cols) == (4, 7)
    assert income.values[0][:2] == ["局机关及二级机构汇总", 88]
    score = data.names["EB_SCORE_STAFF_CONTROL"]
    assert score.formulas is not None and score.formulas[0][0] is not None
    assert score.formulas[0][0].startswith("=IF(COUNT(EB_STAFF_ACTUAL,EB_STAFF_QUOTA)<2")
    assert score.scalar is None  # written by openpyxl: no cached value
    assert data.names["EB_REASON_STAFF_CONTROL"].formulas == [[None]]
    assert data.names["EB_DEPT_NAME"].formulas is None  # input sheets: not read
    assert data.meta["framework_id"] == load_framework().id
    assert data.hidden == ["_evalbook"] and not data.broken and not data.macros


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


def test_read_inputs_are_the_json_inputs(seed_file: Path) -> None:
    inputs = read_inputs(seed_file, load_framework())
    for key, value in seed_inputs().items():
        got = inputs[key]
        if isinstance(value, list) and value and isinstance(value[0], list):
            for row_json, row_book in zip(value, got, strict=False):
                assert [_blank_is_none(v) for v in row_json] == row_book[: len(row_json)], key
        else:
            assert got == value, key


def test_error_values_are_read_from_the_xml(seed_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "errors.xlsx"
    wb = openpyxl.load_workbook(seed_file)
    for name, error in (("EB_STAFF_ACTUAL", "#DIV/0!"), ("EB_SATISFACTION", "#NAME?")):
        sheet, cell = at(name)
        wb[sheet][cell] = error
    wb.save(path)
    data = read_workbook(path)
    assert (data.scalar("EB_STAFF_ACTUAL"), data.scalar("EB_SATISFACTION")) == ("#DIV/0!",
                                                                              "#NAME?")


def test_broken_names_are_reported_not_raised(seed_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    wb = openpyxl.load_workbook(seed_file)
    wb.defined_names["EB_DEPT_NAME"].attr_text = "#REF!"
    wb.defined_names["EB_CONTACT"].attr_text = "'没有这个表'!$B$2"
    wb.save(path)
    data = read_workbook(path)
    assert data.broken == {"EB_DEPT_NAME": "#REF!", "EB_CONTACT": "'没有这个表'!$B$2"}
    assert "EB_DEPT_NAME" not in data.names


@pytest.mark.parametrize(("name", "build", "code"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_raise_one_clear_error(seed_file: Path, tmp_path: Path, name: str,
                                         build: object, code: str) -> None:
    path = tmp_path / name
    build(path, seed_file)  # type: ignore[operator]
    start = time.perf_counter()
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert time.perf_counter() - start < 1.0
    assert caught.value.code == code
    assert f"《{name}》" in caught.value.message


def test_workbook_error_pickles() -> None:
    exc = pickle.loads(pickle.dumps(WorkbookError("zip-bomb", "文件《x》疑似压缩炸弹")))
    assert (exc.code, str(exc)) == ("zip-bomb", "文件《x》疑似压缩炸弹")


def test_reading_never_modifies_the_file(seed_file: Path) -> None:
    before = hashlib.sha256(seed_file.read_bytes()).hexdigest()
    read_workbook(seed_file)
    read_inputs(seed_file, load_framework())
    assert hashlib.sha256(seed_file.read_bytes()).hexdigest() == before


# ---------------------------------------------------------------- sheet XML


@pytest.mark.parametrize(("xml", "extent"), [
    (b'<sheetData><row r="3"><c r="B3"/><c r="AA7"/></row></sheetData>', (7, 27)),
    (b"<sheetData><row r='2'><c r='XFD1048576'/></row></sheetData>", (1048576, 16384)),
    (b"<sheetData><row><c/><c/><c/></row><row><c/></row></sheetData>", (2, 4)),
    (b'<x:sheetData><x:row r="1"><x:c r="C1"/></x:row></x:sheetData>', (1, 3)),
    (b"<sheetData/>", (0, 0)),
])
def test_extent_is_never_underestimated(xml: bytes, extent: tuple[int, int]) -> None:
    rows, cols = R._extent(xml)
    assert rows >= extent[0] and cols >= extent[1]
    assert rows * cols <= max(extent[0], 1) * (extent[1] + 8) + 8  # but stays close


SHEET = (b'<?xml version="1.0"?><worksheet xmlns="urn:s"><sheetData><row r="1">'
         b'<c r="A1"><f>SUM(B1:B2)&amp;"&lt;x"</f><v>3</v></c>'
         b'<c r="B1" t="e"><v>#DIV/0!</v></c><c r="C1" s="1"><f t="shared" si="0"/></c>'
         b'<c r="D1" t="inlineStr"><is><t>=HYPERLINK("x")</t></is></c></row></sheetData>'
         b"</worksheet>")
WANTED = {"A1", "B1", "C1", "D1"}


def test_formula_shortcut_agrees_with_the_parser() -> None:
    fast = R._formulas_fast(SHEET, WANTED)
    parsed = R._sheet_cells(SHEET, WANTED)
    assert fast is not None
    assert fast.formulas == parsed.formulas == {(1, 1): '=SUM(B1:B2)&"<x"', (1, 3): "="}
    assert parsed.errors == {(1, 2): "#DIV/0!"}


@pytest.mark.parametrize("variant", [
    SHEET.replace(b"<t>", b"<t><![CDATA[").replace(b"</t>", b"]]></t>"),
    SHEET.replace(b"<", b"<x:").replace(b"<x:/", b"</x:").replace(b"<x:?", b"<?"),
])
def test_formula_shortcut_steps_aside_for_unusual_xml(variant: bytes) -> None:
    assert R._formulas_fast(variant, WANTED) is None
    assert (1, 1) in R._sheet_cells(variant, WANTED).formulas


@pytest.mark.parametrize("xml", [
    b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    b'<!DOCTYPE x SYSTEM "http://example.com/x.dtd"><x/>',
])
def test_the_xml_parser_refuses_entities_and_dtds(xml: bytes) -> None:
    """The guard refuses such parts first; the parser would refuse them too."""
    with pytest.raises((DTDForbidden, EntitiesForbidden)):
        R._sheet_cells(xml, set())
    with pytest.raises((DTDForbidden, EntitiesForbidden)):
        R._elements(xml, frozenset({"x"}))


def test_sheet_xml_size_is_bounded(seed_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(R, "SHEET_XML_LIMIT", 1000)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(seed_file)
    assert caught.value.code == "sheet-too-large"
    assert zipfile.is_zipfile(seed_file)
