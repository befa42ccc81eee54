"""Tests for tests/support/libreoffice.py: a real engine recalculating openpyxl output."""

from __future__ import annotations

import re
import time
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tests.support.libreoffice import (
    LibreOfficeError,
    pdf_to_pngs,
    read_names,
    recalculate,
    soffice_path,
    to_pdf,
)

needs_soffice = pytest.mark.skipif(
    soffice_path() is None, reason="LibreOffice (soffice) is not installed"
)

SHEET = "评分表"


def _add_name(wb: Workbook, name: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _formula_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = "姓名"
    ws["B2"] = 7.35
    ws["B3"] = 0.1
    ws["C1"] = 10
    ws["D1"] = 20
    ws["E1"] = 30
    ws["C2"] = 1
    ws["D2"] = "x"
    ws["E2"] = 3
    _add_name(wb, "EB_A", f"'{SHEET}'!$B$2")
    _add_name(wb, "EB_F", f"'{SHEET}'!$B$3")
    _add_name(wb, "EB_ROW", f"'{SHEET}'!$C$1:$E$1")
    _add_name(wb, "EB_GRID", f"'{SHEET}'!$C$1:$E$2")

    out = wb.create_sheet("结果")
    formulas = {
        "A1": "=ROUND(EB_A*EB_F,2)",  # 0.735 -> 0.74 (Excel-like)
        "A2": '=IF(EB_A>5,"通过","不通过")',
        "A3": "=INDEX(EB_ROW,1,2)",
        "A4": "=INDEX(EB_GRID,2,3)",
        "A5": "=COUNT(EB_GRID)",
        "A6": "=MIN(EB_GRID)",
        "A7": "=MAX(EB_GRID)",
        "A8": "=ROUNDUP(EB_A,1)",
        "A9": "=ROUNDDOWN(EB_A,1)",
        "A10": f'=\'{SHEET}\'!A1&"-"&TEXT(EB_A,"0.00")',
        "A11": "=1/0",
        "A12": "=SUM(EB_ROW)/COUNT(EB_ROW)",
        "A13": "=A12*2",
    }
    for ref, formula in formulas.items():
        out[ref] = formula
    _add_name(wb, "EB_R_ROUND", "'结果'!$A$1")
    _add_name(wb, "EB_R_IF", "'结果'!$A$2")
    _add_name(wb, "EB_R_INDEX", "'结果'!$A$3")
    _add_name(wb, "EB_R_INDEX2", "'结果'!$A$4")
    _add_name(wb, "EB_R_COUNT", "'结果'!$A$5")
    _add_name(wb, "EB_R_MIN", "'结果'!$A$6")
    _add_name(wb, "EB_R_MAX", "'结果'!$A$7")
    _add_name(wb, "EB_R_UP", "'结果'!$A$8")
    _add_name(wb, "EB_R_DOWN", "'结果'!$A$9")
    _add_name(wb, "EB_R_TEXT", "'结果'!$A$10")
    _add_name(wb, "EB_R_ERR", "'结果'!$A$11")
    _add_name(wb, "EB_R_CHAIN", "'结果'!$A$12:$A$13")
    _add_name(wb, "EB_CONST", "42")  # not a reference: skipped by read_names
    ws.defined_names["EB_LOCAL"] = DefinedName("EB_LOCAL", attr_text=f"'{SHEET}'!$A$1")
    wb.save(path)
    return path


@needs_soffice
def test_recalculate_formulas_and_read_names(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    src = _formula_workbook(tmp_path / "in" / "book.xlsx")
    [out] = recalculate([src], tmp_path / "out")
    assert out == tmp_path / "out" / "book.xlsx"

    names = read_names(out)
    assert names["EB_A"] == 7.35
    assert names["EB_ROW"] == [[10, 20, 30]]
    assert names["EB_GRID"] == [[10, 20, 30], [1, "x", 3]]
    assert names["EB_R_ROUND"] == 0.74
    assert names["EB_R_IF"] == "通过"
    assert names["EB_R_INDEX"] == 20
    assert names["EB_R_INDEX2"] == 3
    assert names["EB_R_COUNT"] == 5
    assert names["EB_R_MIN"] == 1
    assert names["EB_R_MAX"] == 30
    assert names["EB_R_UP"] == 7.4
    assert names["EB_R_DOWN"] == 7.3
    assert names["EB_R_TEXT"] == "姓名-7.35"
    assert names["EB_R_ERR"] == "#DIV/0!"
    assert names["EB_R_CHAIN"] == [[20], [40]]
    assert "EB_CONST" not in names  # constant, not a cell reference
    assert "EB_LOCAL" not in names  # sheet-scoped


def _inject_stale_cache(src: Path, dst: Path) -> None:
    """Copy src to dst, giving every `A1*21` formula a bogus cached value 999."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = re.sub(
                    r"<f>A1\*21</f>(<v\s*/>|<v></v>)?", "<f>A1*21</f><v>999</v>", data.decode()
                )
                data = text.encode()
            zout.writestr(item, data)


@needs_soffice
def test_stale_cached_values_are_recalculated(tmp_path: Path) -> None:
    """With the default profile LibreOffice keeps this 999; OOXMLRecalcMode=0 fixes it."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = 2
    ws["B1"] = "=A1*21"
    wb.save(tmp_path / "fresh.xlsx")
    (tmp_path / "in").mkdir()
    stale = tmp_path / "in" / "stale.xlsx"
    _inject_stale_cache(tmp_path / "fresh.xlsx", stale)
    assert load_workbook(stale, data_only=True).active["B1"].value == 999  # type: ignore[index]

    [out] = recalculate([stale], tmp_path / "out")
    assert load_workbook(out, data_only=True).active["B1"].value == 42  # type: ignore[index]


# (formula, value LibreOffice 7.4 computes).  Python's round() gives the other
# answer for most of these; LibreOffice, like Excel, rounds half away from zero
# after compensating binary representation error (rtl::math::round).
ROUND_PROBES: list[tuple[str, float]] = [
    ("ROUND(0.1*7.35,2)", 0.74),
    ("ROUND(0.735,2)", 0.74),
    ("ROUND(2.675,2)", 2.68),
    ("ROUND(-2.675,2)", -2.68),
    ("ROUND(1.005,2)", 1.01),
    ("ROUND(1.115,2)", 1.12),
    ("ROUND(0.285,2)", 0.29),
    ("ROUND(0.125,2)", 0.13),
    ("ROUND(1.45,1)", 1.5),
    ("ROUND(0.5*12.5,1)", 6.3),
    ("ROUND(0.5*12.5,0)", 6),
    ("ROUND(2.5,0)", 3),
    ("ROUND(-2.5,0)", -3),
    ("ROUND(12.5*0.1*0.5,2)", 0.63),
    ("ROUNDUP(0.1+0.2,1)", 0.3),  # not 0.4
    ("ROUNDUP(1.1*3,1)", 3.3),  # not 3.4
    ("ROUNDDOWN(0.29*100,0)", 29),  # not 28
    ("ROUNDDOWN(2.675,2)", 2.67),
    ("ROUNDUP(2.675,2)", 2.68),
    ("INT(0.29*100)", 29),  # not 28
    ("29-0.29*100", 0),  # LibreOffice snaps near-zero differences to 0
]


@pytest.fixture(scope="module")
def round_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("round")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row, (formula, _) in enumerate(ROUND_PROBES, start=1):
        ws.cell(row, 1, formula)
        ws.cell(row, 2, "=" + formula)
    (base / "in").mkdir()
    wb.save(base / "in" / "round.xlsx")
    [out] = recalculate([base / "in" / "round.xlsx"], base / "out")
    sheet = load_workbook(out, data_only=True).active
    assert sheet is not None
    return {
        str(sheet.cell(r, 1).value): sheet.cell(r, 2).value for r in range(1, len(ROUND_PROBES) + 1)
    }


@needs_soffice
@pytest.mark.parametrize(("formula", "expected"), ROUND_PROBES)
def test_round_is_half_away_from_zero_with_float_compensation(
    round_results: dict[str, object], formula: str, expected: float
) -> None:
    assert round_results[formula] == expected


@needs_soffice
def test_cached_values_have_15_significant_digits(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "=1/3"
    ws["A2"] = "=0.1+0.2"
    (tmp_path / "in").mkdir()
    wb.save(tmp_path / "in" / "p.xlsx")
    [out] = recalculate([tmp_path / "in" / "p.xlsx"], tmp_path / "out")
    sheet = load_workbook(out, data_only=True).active
    assert sheet is not None
    assert sheet["A1"].value == 0.333333333333333  # not 1/3: written with 15 digits
    assert sheet["A1"].value == pytest.approx(1 / 3)
    assert sheet["A2"].value == 0.3


@needs_soffice
def test_round_trip_keeps_names_validation_and_protection(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["B2"] = 5
    ws["B3"] = "=B2*2"
    ws["B2"].protection = Protection(locked=False)
    whole = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="10",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="错误",
        error="0-10",
    )
    choice = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(whole)
    ws.add_data_validation(choice)
    whole.add("B2:B10")
    choice.add("D2")
    ws.protection.sheet = True
    ws.protection.password = "secret"
    expected_hash = ws.protection.password
    _add_name(wb, "EB_IN", f"'{SHEET}'!$B$2")
    _add_name(wb, "EB_OUT", f"'{SHEET}'!$B$3")
    ws.defined_names["EB_LOCAL"] = DefinedName("EB_LOCAL", attr_text=f"'{SHEET}'!$B$2")
    (tmp_path / "in").mkdir()
    wb.save(tmp_path / "in" / "rt.xlsx")

    [out] = recalculate([tmp_path / "in" / "rt.xlsx"], tmp_path / "out")
    assert read_names(out) == {"EB_IN": 5, "EB_OUT": 10}

    back = load_workbook(out)
    sheet = back[SHEET]
    assert "EB_LOCAL" in sheet.defined_names  # sheet scope survives too
    assert sheet.protection.sheet is True
    assert str(sheet.protection.password).upper() == str(expected_hash).upper()
    assert sheet["B2"].protection.locked is False
    assert sheet["B3"].protection.locked is True
    dvs = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert set(dvs) == {"B2:B10", "D2"}
    assert (dvs["B2:B10"].type, dvs["B2:B10"].operator) == ("whole", "between")
    assert (dvs["B2:B10"].formula1, dvs["B2:B10"].formula2) == ("0", "10")
    assert dvs["B2:B10"].showErrorMessage is True
    assert (dvs["B2:B10"].errorTitle, dvs["B2:B10"].error) == ("错误", "0-10")
    assert (dvs["D2"].type, dvs["D2"].formula1) == ("list", '"是,否"')


@needs_soffice
def test_recalculate_many_workbooks_in_one_call(tmp_path: Path) -> None:
    count = 50
    src_dir = tmp_path / "in"
    src_dir.mkdir()
    paths: list[Path] = []
    for i in range(count):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = SHEET
        ws["A1"] = i
        ws["A2"] = "=ROUND(A1*1.005,2)"
        _add_name(wb, "EB_V", f"'{SHEET}'!$A$2")
        path = src_dir / f"book_{i:02d}.xlsx"
        wb.save(path)
        paths.append(path)

    start = time.perf_counter()
    outs = recalculate(paths, tmp_path / "out")
    elapsed = time.perf_counter() - start
    print(f"recalculated {count} workbooks in {elapsed:.1f}s")

    assert [p.name for p in outs] == [p.name for p in paths]
    for i, out in enumerate(outs):
        expected = (Decimal(i) * Decimal("1.005")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert read_names(out)["EB_V"] == float(expected)
    assert elapsed < 120


@needs_soffice
def test_pdf_and_png_export(tmp_path: Path) -> None:
    src = _formula_workbook(tmp_path / "book.xlsx")
    pdf = to_pdf(src, tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    pngs = pdf_to_pngs(pdf, tmp_path / "png", dpi=40)
    assert len(pngs) >= 2  # one page per sheet at least
    for png in pngs:
        assert png.read_bytes().startswith(b"\x89PNG")


@needs_soffice
def test_unloadable_file_raises(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    bad = tmp_path / "in" / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LibreOfficeError, match=r"bad\.xlsx"):
        recalculate([bad], tmp_path / "out")


def test_input_validation(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.xlsx").write_bytes(b"")
    (tmp_path / "b" / "x.xlsx").write_bytes(b"")
    with pytest.raises(ValueError, match="both be written"):
        recalculate([tmp_path / "a" / "x.xlsx", tmp_path / "b" / "x.xlsx"], tmp_path / "out")
    with pytest.raises(ValueError, match="outdir must differ"):
        recalculate([tmp_path / "a" / "x.xlsx"], tmp_path / "a")
    with pytest.raises(FileNotFoundError):
        recalculate([tmp_path / "missing.xlsx"], tmp_path / "out")
    assert recalculate([], tmp_path / "out") == []
