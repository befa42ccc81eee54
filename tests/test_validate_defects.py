"""The golden defect corpus: real .xlsx files from ``evalbook template --fill``, one defect
each, put in the way a person or another program would; each asserts its exact
``(sheet, cell, code)`` list (frictionless style: the report flattened to tuples).

The base file is the seed example with its own problems corrected, so that each list shows
only what the defect causes (the framework's header notes, in every workbook of this
framework, aside). Addresses come from the template's defined names.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from evalbook.annotate import annotate_copy
from evalbook.cli import main
from evalbook.fill import make_workbook
from evalbook.framework import load_framework
from evalbook.inputs import known_names
from evalbook.reader import read_workbook
from evalbook.template import Options
from evalbook.validator import validate_path
from tests.defects.builders import at, clean_inputs, copy_to, edit_cells, put, rewrite_zip
from tests.helpers import OTHER_FRAMEWORK, ROOT, SEED_JSON, seed_inputs

NOTES = {"framework-header-mismatch", "framework-header-unknown"}
Key = tuple[str | None, str | None, str]
EXAMPLE = ROOT / "xlsx_templates" / "examples" / "yunxi_2020.xlsx"


def k(name: str, code: str, row: int = 0, col: int | str = 0) -> Key:
    return (*at(name, row, col), code)


def keys(path: Path) -> list[Key]:
    return [f.key() for f in validate_path(path).findings if f.code not in NOTES]


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``evalbook template --fill clean.json``: the seed example without its problems."""
    folder = tmp_path_factory.mktemp("corpus")
    inputs = folder / "clean.json"
    inputs.write_text(json.dumps(clean_inputs(), ensure_ascii=False), encoding="utf-8")
    out = folder / "clean.xlsx"
    result = CliRunner().invoke(main, ["template", "--fill", str(inputs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_clean_file_is_clean(clean_file: Path) -> None:
    report = validate_path(clean_file)
    assert (keys(clean_file), report.ok, str(report.score), report.grade) == ([], True, "100.00",
                                                                               "优")


def test_the_seed_example_reports_its_own_problems_and_nothing_false(tmp_path: Path) -> None:
    out = tmp_path / "yunxi_2020.xlsx"
    result = CliRunner().invoke(main, ["template", "--fill", str(SEED_JSON), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for path in (out, *([EXAMPLE] if EXAMPLE.exists() else [])):
        report = validate_path(path)
        assert [f.key() for f in report.findings] == [
            k("EB_SUBMIT_DATE", "submit-before-report"),
            (*at("EB_SCORE_DUTY_XIAOKANG", 0, -6), "framework-header-mismatch"),
            (*at("EB_SCORE_DUTY_XIAOKANG", 0, -5), "framework-header-mismatch"),
            k("EB_PROBLEMS", "problems-none"),
        ], path
        assert "公务卡刷卡率" in report.findings[-1].message
        assert "产出（20分）" in report.findings[1].message
        assert (report.ok, str(report.score), report.grade) == (True, "100.00", "优")


# ---------------------------------------------------------------- cell edits


def cells(*edits: tuple[str, object, int, int | str]) -> Callable[[Path], None]:
    """Type values into cells of defined names (row, column inside the name)."""
    from evalbook.contract import TABLES_BY_NAME

    def apply(path: Path) -> None:
        def edit(wb: openpyxl.Workbook) -> None:
            for name, value, row, col in edits:
                c = TABLES_BY_NAME[name].index(col) - 1 if isinstance(col, str) else col
                put(wb, name, value, row, c)

        edit_cells(path, edit)

    return apply


def error_value(name: str, value: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        def edit(wb: openpyxl.Workbook) -> None:
            sheet, cell = at(name)
            wb[sheet][cell].value = value  # openpyxl stores Excel error codes as errors
            assert wb[sheet][cell].data_type == "e"

        edit_cells(path, edit)

    return apply


def merged(name: str, row: int, first: str, last: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        def edit(wb: openpyxl.Workbook) -> None:
            sheet, a = at(name, row, first)
            _, b = at(name, row, last)
            wb[sheet].merge_cells(f"{a}:{b}")

        edit_cells(path, edit)

    return apply


FINANCE = "收支情况"
_FINANCE_REF = re.compile(r"'?收支情况'?!\$[A-Z]+\$\d+(:\$[A-Z]+\$\d+)?")


def renamed_by_other_program(path: Path) -> None:
    """openpyxl (like other tools) renames the sheet but leaves the defined names."""
    edit_cells(path, lambda wb: setattr(wb[FINANCE], "title", "收支"))


def renamed_in_excel(path: Path) -> None:
    """Excel renames the sheet and rewrites every reference to it, names included."""
    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        return data.decode().replace(f'name="{FINANCE}"', 'name="收支"').replace(
            f"'{FINANCE}'!", "'收支'!").encode()

    rewrite_zip(path, edit)


def deleted_in_excel(path: Path) -> None:
    """Excel deletes the sheet; names that pointed into it become #REF!."""
    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        text = re.sub(rf'<sheet name="{FINANCE}"[^>]*/>', "", data.decode())
        return _FINANCE_REF.sub("#REF!", text).encode()

    rewrite_zip(path, edit)


def inserted_row_above_tables(path: Path) -> None:
    """A row inserted above the tables, as Excel does it: cells and names move down."""
    sheet, first = at("EB_INCOME")
    top = int(first[1:]) - 2  # above the table's header rows

    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet].insert_rows(top)
        for dn in wb.defined_names.values():
            if dn.attr_text.startswith(f"'{sheet}'!"):
                dn.attr_text = re.sub(r"\$(\d+)", lambda m: f"${int(m[1]) + 1}"
                                      if int(m[1]) >= top else m[0], dn.attr_text)

    edit_cells(path, edit)


DEFECTS: list[tuple[str, Callable[[Path], None], list[Key]]] = [
    ("row total off", cells(("EB_EXPENSE", 69, 1, "basic")),
     [k("EB_EXPENSE", "summary-sum-mismatch", 0, "basic"),
      k("EB_EXPENSE", "row-sum-mismatch", 1, "total"),
      k("EB_EXPENSE", "row-sum-mismatch", 1, "basic")]),
    ("汇总 off", cells(("EB_ASSETS", 41.19, 0, "total"), ("EB_ASSETS", 41.19, 0, "in_use")),
     [k("EB_ASSETS", "summary-sum-mismatch", 0, "total"),
      k("EB_ASSETS", "summary-sum-mismatch", 0, "in_use")]),
    ("text in a number cell", cells(("EB_SATISFACTION", "约100", 0, 0)),
     [k("EB_SATISFACTION", "not-a-number"), k("EB_SCORE_SATISFACTION", "score-not-computed")]),
    ("full-width digits", cells(("EB_STAFF_QUOTA", "８", 0, 0)),
     [k("EB_STAFF_QUOTA", "text-number")]),
    ("negative amount", cells(("EB_GP_ACTUAL", -2, 0, 0)), [k("EB_GP_ACTUAL", "negative-amount")]),
    ("预算编码 of 5 digits", cells(("EB_BUDGET_CODE", "14400", 0, 0)),
     [k("EB_BUDGET_CODE", "invalid-budget-code")]),
    ("bad phone", cells(("EB_FILLER_PHONE", "123456", 0, 0)),
     [k("EB_FILLER_PHONE", "invalid-phone")]),
    ("是/否 cell with another word", cells(("EB_CHECK_DISCLOSURE", "对", 2, 0)),
     [k("EB_CHECK_DISCLOSURE", "invalid-choice", 2), k("EB_SCORE_DISCLOSURE",
                                                       "score-not-computed")]),
    ("judged score above max", cells(("EB_SCORE_BENEFIT_ECONOMIC", 6, 0, 0)),
     [k("EB_SCORE_BENEFIT_ECONOMIC", "score-out-of-range")]),
    ("missing 扣分原因", cells(("EB_SCORE_BENEFIT_SOCIAL", 4, 0, 0)),
     [k("EB_REASON_BENEFIT_SOCIAL", "reason-missing")]),
    ("formula overwritten with a constant", cells(("EB_SCORE_STAFF_CONTROL", 5, 0, 0)),
     [k("EB_SCORE_STAFF_CONTROL", "formula-overwritten")]),
    ("Excel error value", error_value("EB_STAFF_ACTUAL", "#DIV/0!"),
     [k("EB_STAFF_ACTUAL", "cell-error-value"), k("EB_SCORE_STAFF_CONTROL",
                                                  "score-not-computed")]),
    ("#NAME? in a table", error_value("EB_KEY_PROJECT_EXP", "#NAME?"),
     [k("EB_KEY_PROJECT_EXP", "cell-error-value"), k("EB_SCORE_KEY_SPENDING",
                                                     "score-not-computed")]),
    ("merged table cells", merged("EB_INCOME", 1, "special_account", "other"),
     [k("EB_INCOME", "merged-cells", 1, "special_account"),
      k("EB_INCOME", "missing-value", 1, "other")]),
    ("renamed sheet (other program)", renamed_by_other_program,
     [(FINANCE, None, "sheet-missing")]),
    ("renamed sheet (Excel)", renamed_in_excel, [("收支", None, "sheet-renamed")]),
    ("deleted sheet", deleted_in_excel, [(FINANCE, None, "sheet-missing")]),
    ("inserted row above a table", inserted_row_above_tables, []),
]


@pytest.mark.parametrize(("defect", "expected"), [d[1:] for d in DEFECTS],
                         ids=[d[0] for d in DEFECTS])
def test_defect(clean_file: Path, tmp_path: Path, defect: Callable[[Path], None],
                expected: list[Key]) -> None:
    path = copy_to(clean_file, tmp_path, "returned.xlsx")
    defect(path)
    assert keys(path) == expected


def test_deleted_sheet_lists_the_unreadable_fields(clean_file: Path, tmp_path: Path) -> None:
    path = copy_to(clean_file, tmp_path, "returned.xlsx")
    deleted_in_excel(path)
    report = validate_path(path)
    [finding] = [f for f in report.findings if f.code == "sheet-missing"]
    assert finding.message == ("找不到工作表“收支情况”（已被删除或改名），其中 4 项数据无法读取："
                               "年度收入情况、年度支出和结余情况、“三公”经费情况、固定资产情况。")
    assert report.score is None  # indicators that need the tables cannot be scored


def test_workbook_from_another_framework(tmp_path: Path) -> None:
    other = load_framework(OTHER_FRAMEWORK)
    inputs = {n: v for n, v in clean_inputs().items() if n in known_names(other)}
    path = tmp_path / "other.xlsx"
    make_workbook(path, other, Options(), inputs)
    report = validate_path(path)
    sheet, cell = "_evalbook", report.findings[0].cell
    assert [f.key() for f in report.findings] == [(sheet, cell, "framework-unknown")]
    assert "sample-other-region" in report.findings[0].message
    assert report.score is None
    # validated with its own framework it is scored
    assert validate_path(path, other).findings[0].code != "framework-unknown"


def test_xlsm_is_read_and_its_macros_never_run(clean_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "returned.xlsm"
    payload = b"Attribute VB_Name = \"Module1\"\nSub Auto_Open(): Shell \"calc\": End Sub"

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        return data

    copy_to(clean_file, tmp_path, path.name)
    rewrite_zip(path, edit)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", payload)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    report = validate_path(path)
    assert [f.key() for f in report.findings if f.code not in NOTES] == [
        (None, None, "macros-present")]
    assert report.ok and str(report.score) == "100.00"
    copy = annotate_copy(path, report.findings, tmp_path / "out.xlsm")
    with zipfile.ZipFile(copy) as zf:  # the department's macros are kept, never run
        assert zf.read("xl/vbaProject.bin") == payload
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_score_of_a_workbook_equals_score_of_its_inputs(clean_file: Path) -> None:
    from evalbook.engine import score
    from evalbook.reader import read_inputs

    fw = load_framework()
    from_book = score(read_inputs(clean_file, fw), fw).to_json()
    from_json = score(clean_inputs(), fw).to_json()
    assert from_book["indicators"] == from_json["indicators"]
    assert (from_book["total"], from_book["grade"]) == (100, "优")
    assert seed_inputs()["EB_DEPT_NAME"] in json.dumps(read_inputs(clean_file, fw),
                                                       ensure_ascii=False)


def test_udf_variant_validates_like_the_native_one(tmp_path: Path) -> None:
    native = tmp_path / "native.xlsx"
    udf = tmp_path / "udf.xlsx"
    make_workbook(native, load_framework(), Options(), seed_inputs())
    make_workbook(udf, load_framework(), Options(variant="udf"), seed_inputs())
    formulas = read_workbook(udf).names["EB_SCORE_STAFF_CONTROL"].formulas
    assert formulas is not None and str(formulas[0][0]).startswith('=EB_SCORE("staff_control"')
    assert [f.key() for f in validate_path(udf).findings] == [
        f.key() for f in validate_path(native).findings]
