"""The template through LibreOffice: round trips keep names, validation and protection; the
custom validation formulas accept and refuse what they should; the printed form is A4."""

from __future__ import annotations

import shutil
import struct
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from evalbook.fill import make_workbook
from evalbook.framework import load_framework
from evalbook.template import Layout, Options
from evalbook.xlsxform import validation_rule
from evalbook.xlsxutil import cells_in, split_sheet_ref
from scripts.regen_templates import content_signature
from tests.helpers import SEED_JSON
from tests.support.libreoffice import pdf_to_pngs, recalculate, soffice_path, to_pdf

pytestmark = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")

FW = load_framework()
D = Decimal

# (kind, options, typed value, valid?) for the custom validation formulas.
PROBES: list[tuple[str, dict[str, Any], object, bool]] = [
    ("code", {}, "144001", True), ("code", {}, "012345", True), ("code", {}, 144001, True),
    ("code", {}, "14400", False), ("code", {}, "1440011", False), ("code", {}, "14400a", False),
    ("code", {}, "12e+03", False), ("code", {}, " 14400", False), ("code", {}, "-14400", False),
    ("code", {}, "1234.5", False), ("code", {}, "１４４００１", False),
    ("phone", {}, "13975097338", True), ("phone", {}, "0730-8422334", True),
    ("phone", {}, 13975097338, True), ("phone", {}, "8422334", True), ("phone", {}, "123", False),
    ("phone", {}, "1397509733a", False), ("phone", {}, "电话8422334", False),
    ("amount", {"minimum": D(0)}, 12.34, True), ("amount", {"minimum": D(0)}, 0, True),
    ("amount", {"minimum": D(0)}, 12.345, False), ("amount", {"minimum": D(0)}, -1, False),
    ("amount", {"minimum": D(0)}, "88万元", False), ("amount", {}, -10.01, True),
    ("percent", {"minimum": D(0), "maximum": D(100)}, 94.99, True),
    ("percent", {"minimum": D(0), "maximum": D(100)}, 100.5, False),
    ("score", {"maximum": D(5)}, 4.55, True), ("score", {"maximum": D(5)}, 5, True),
    ("score", {"maximum": D(5)}, 5.01, False), ("score", {"maximum": D(5)}, 4.555, False),
    ("score", {"maximum": D(5)}, -0.5, False),
]


def probe_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row, (kind, options, value, _) in enumerate(PROBES, start=1):
        cell = ws.cell(row, 1, value)
        if isinstance(value, str):
            cell.data_type = "s"
        rule = validation_rule(kind, "测试", f"A{row}", **options)
        assert rule.type == "custom" and rule.formula1
        ws.cell(row, 2, "=" + rule.formula1)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def through_libreoffice(tmp_path_factory: pytest.TempPathFactory
                        ) -> tuple[Path, Layout, Path, Path]:
    root = tmp_path_factory.mktemp("roundtrip")
    (root / "in").mkdir()
    blank = root / "in" / "blank.xlsx"
    layout, _ = make_workbook(blank, FW, Options())
    probe = probe_workbook(root / "in" / "probe.xlsx")
    saved, probed = recalculate([blank, probe], root / "out")  # one soffice run
    return blank, layout, saved, probed


def test_validation_formulas_accept_and_refuse_in_a_real_engine(
        through_libreoffice: tuple[Path, Layout, Path, Path]) -> None:
    ws = load_workbook(through_libreoffice[3], data_only=True).active
    assert ws is not None
    shown = [(kind, value, ws.cell(row, 2).value is True)
             for row, (kind, _, value, _) in enumerate(PROBES, start=1)]
    assert shown == [(kind, value, valid) for kind, _, value, valid in PROBES]


def test_openpyxl_round_trip_keeps_names_validation_and_protection(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    make_workbook(path, FW)
    again = tmp_path / "again.xlsx"
    load_workbook(path).save(again)
    assert content_signature(again) == content_signature(path)


def test_libreoffice_round_trip_keeps_names(
        through_libreoffice: tuple[Path, Layout, Path, Path]) -> None:
    blank, _, saved, _ = through_libreoffice
    before, after = load_workbook(blank), load_workbook(saved)
    names_before = {n: split_sheet_ref(d.attr_text) for n, d in before.defined_names.items()}
    names_after = {n: split_sheet_ref(d.attr_text) for n, d in after.defined_names.items()
                   if not n.startswith("_xlnm")}
    assert names_after == names_before
    assert [ws.sheet_state for ws in after.worksheets][-1] == "hidden"


def test_libreoffice_round_trip_keeps_validation_and_protection(
        through_libreoffice: tuple[Path, Layout, Path, Path]) -> None:
    _, layout, saved, _ = through_libreoffice
    wb = load_workbook(saved)
    assert all(ws.protection.sheet for ws in wb.worksheets)
    problems = []
    for area in layout.inputs:
        ws = wb[area.sheet]
        covered = {rc for dv in ws.data_validations.dataValidation
                   for rng in str(dv.sqref).split() for rc in cells_in(rng)}
        for row, col in cells_in(area.ref):
            if ws.cell(row, col).protection.locked or (row, col) not in covered:
                problems.append((area.sheet, ws.cell(row, col).coordinate))
    assert problems == []
    kinds = {dv.type for ws in wb.worksheets for dv in ws.data_validations.dataValidation}
    assert kinds == {"custom", "whole", "date", "list", "textLength", "decimal"}


def _png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("pdf")
    example = root / "yunxi_2020.xlsx"
    shutil.copy(SEED_JSON.with_suffix(".xlsx"), example)
    pdf = to_pdf(example, root / "pdf")
    return pdf_to_pngs(pdf, root / "png", dpi=40)


def test_every_printed_page_is_a4(printed: list[Path]) -> None:
    a4 = (round(8.27 * 40), round(11.69 * 40))
    sizes = [_png_size(p) for p in printed]
    assert all(max(abs(w - a), abs(h - b)) <= 2 or max(abs(w - b), abs(h - a)) <= 2
               for w, h in sizes for a, b in [a4]), sizes
    landscape = [s for s in sizes if s[0] > s[1]]
    assert 3 <= len(landscape) <= 5  # the 评分表, its level names repeated on each page
    assert 10 <= len(printed) <= 16


def test_every_sheet_prints_fit_to_one_page_width() -> None:
    wb = load_workbook(SEED_JSON.with_suffix(".xlsx"))
    for ws in wb.worksheets[:-1]:
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
