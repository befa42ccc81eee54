"""`evalbook template --fill` and the template CLI: values land where their names point,
strings never become formulas, and inputs that do not fit are refused with exit status 2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from evalbook.cli import main
from evalbook.contract import TABLES_BY_NAME
from evalbook.fill import FillError, fill, make_workbook
from evalbook.framework import load_framework
from evalbook.template import Options, build
from evalbook.xlsxutil import parse_range, split_sheet_ref
from tests.helpers import SEED_JSON, seed_inputs

FW = load_framework()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def values(wb: Workbook, name: str) -> Any:
    sheet, ref = split_sheet_ref(wb.defined_names[name].attr_text)
    r1, c1, r2, c2 = parse_range(ref)
    rows = [[wb[sheet].cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
    return rows[0][0] if (r1, c1) == (r2, c2) else rows


def filled(tmp_path: Path, inputs: dict[str, Any], **options: Any) -> tuple[Workbook, list[str]]:
    path = tmp_path / "filled.xlsx"
    _, warnings = make_workbook(path, FW, Options(**options), inputs)
    return load_workbook(path), warnings


# ---------------------------------------------------------------- the seed example


@pytest.fixture(scope="module")
def seed_book(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    path = tmp_path_factory.mktemp("seed") / "yunxi.xlsx"
    code, out, err = run("template", "-o", str(path), "--fill", str(SEED_JSON))
    assert (code, err) == (0, ""), err
    assert "已生成工作簿" in out and "已预填" in out
    return load_workbook(path)


SEED = seed_inputs()
SCALARS = [k for k, v in SEED.items() if not isinstance(v, list) and not k.endswith("_DATE")]


@pytest.mark.parametrize("name", SCALARS)
def test_seed_scalars_are_filled(seed_book: Workbook, name: str) -> None:
    assert values(seed_book, name) == SEED[name]


def test_seed_dates_become_real_dates(seed_book: Workbook) -> None:
    assert values(seed_book, "EB_REPORT_DATE") == dt.datetime(2021, 7, 30)
    assert values(seed_book, "EB_SUBMIT_DATE") == dt.datetime(2020, 7, 30)


@pytest.mark.parametrize("name", ["EB_INCOME", "EB_EXPENSE", "EB_SANGONG", "EB_ASSETS",
                                  "EB_TARGETS", "EB_EVALUATORS"])
def test_seed_tables_are_filled_row_by_row(seed_book: Workbook, name: str) -> None:
    rows = values(seed_book, name)
    given = SEED[name]
    width = len(TABLES_BY_NAME[name].columns)
    expected = [[None if v == "" else v for v in r] + [None] * (width - len(r)) for r in given]
    expected += [[None] * width] * (len(rows) - len(given))
    assert rows == expected


def test_seed_checklists_fill_their_vertical_ranges(seed_book: Workbook) -> None:
    for name in ("EB_CHECK_BUDGET_RULES", "EB_CHECK_DISCLOSURE", "EB_CHECK_ASSET_RULES"):
        assert values(seed_book, name) == [[v] for v in SEED[name]]


def test_seed_judged_scores_fill_their_cells_and_linked_ones_keep_formulas(
        seed_book: Workbook) -> None:
    assert values(seed_book, "EB_SCORE_BENEFIT_ECONOMIC") == 5
    assert values(seed_book, "EB_SCORE_DUTY_XIAOKANG") == 5
    assert values(seed_book, "EB_SCORE_DUTY_LIVELIHOOD").startswith("=IF(SUMPRODUCT(")
    assert values(seed_book, "EB_SCORE_STAFF_CONTROL").startswith("=IF(COUNT(")


def test_committed_example_is_the_seed_json(seed_book: Workbook) -> None:
    committed = load_workbook(SEED_JSON.with_suffix(".xlsx"))
    for name in SEED:
        assert values(committed, name) == values(seed_book, name), name


# ---------------------------------------------------------------- strings, dates, rows


def test_strings_that_look_like_formulas_stay_strings(tmp_path: Path) -> None:
    nasty = '=HYPERLINK("http://x","点我")'
    inputs = seed_inputs() | {"EB_DEPT_NAME": nasty, "EB_REASON_STAFF_CONTROL": "=1+1",
                              "EB_STAFF_QUOTA": "=A1"}
    inputs["EB_EVALUATORS"][0][0] = "=cmd|' /C calc'!A0"
    wb, _ = filled(tmp_path, inputs)
    for name, expected in (("EB_DEPT_NAME", nasty), ("EB_REASON_STAFF_CONTROL", "=1+1"),
                           ("EB_STAFF_QUOTA", "=A1")):
        sheet, ref = split_sheet_ref(wb.defined_names[name].attr_text)
        cell = wb[sheet][ref]
        assert (cell.value, cell.data_type) == (expected, "s")
    sheet, ref = split_sheet_ref(wb.defined_names["EB_EVALUATORS"].attr_text)
    first = wb[sheet][ref.split(":")[0]]
    assert first.data_type == "s"


@pytest.mark.parametrize(("given", "expected"), [
    ("2021-07-30", dt.datetime(2021, 7, 30)),
    ("2021年7月30日", dt.datetime(2021, 7, 30)),
    ("2021-02-30", "2021-02-30"),  # not a date: kept as typed, for the validator to report
    ("下周", "下周"),
])
def test_dates(tmp_path: Path, given: str, expected: object) -> None:
    wb, _ = filled(tmp_path, {"EB_REPORT_DATE": given})
    assert values(wb, "EB_REPORT_DATE") == expected


def test_text_numbers_are_written_as_typed(tmp_path: Path) -> None:
    inputs = seed_inputs()
    inputs["EB_INCOME"][0][1] = "88.00万元"
    wb, _ = filled(tmp_path, inputs | {"EB_SATISFACTION": "９５％"})
    assert values(wb, "EB_SATISFACTION") == "９５％"
    assert values(wb, "EB_INCOME")[0][1] == "88.00万元"


def test_fewer_rows_are_fine_and_more_units_take_more_rows(tmp_path: Path) -> None:
    inputs = seed_inputs()
    inputs["EB_INCOME"] = inputs["EB_INCOME"][:2]
    wb, _ = filled(tmp_path, inputs)
    assert values(wb, "EB_INCOME")[2] == ["二级机构1", None, None, None, None, None, None]
    six = seed_inputs()
    six["EB_EXPENSE"] += [["二级机构3", 1, 1, 1, 0, 0, 0, 0], ["二级机构4", 2]]
    wb, _ = filled(tmp_path, six, units=5)
    assert values(wb, "EB_EXPENSE")[5][:2] == ["二级机构4", 2]


@pytest.mark.parametrize(("name", "extra"), [
    ("EB_INCOME", [["二级机构3", 1, 0, 1, 0, 0, 0]]),
    ("EB_TARGETS", [["产出目标", "数量指标", f"指标{i}", 1, "个", "≥", 1, "已完成", ""]
                    for i in range(2)]),
    ("EB_EVALUATORS", [["甲", "科员", "某单位"]] * 3),
])
def test_more_rows_than_the_template_are_refused(tmp_path: Path, name: str,
                                                 extra: list[list[Any]]) -> None:
    inputs = seed_inputs()
    inputs[name] = inputs[name] + extra
    wb, layout = build(FW)
    with pytest.raises(FillError, match=name):
        fill(wb, layout, FW, inputs)
    path = tmp_path / "too_many.json"
    path.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    code, _, err = run("template", "--fill", str(path), "-o", str(out))
    assert code == 2
    assert name in err and "行" in err and err.startswith("错误：")
    assert not out.exists()


def test_checklist_with_too_many_items_is_refused() -> None:
    wb, layout = build(FW)
    with pytest.raises(FillError, match="EB_CHECK_ASSET_RULES"):
        fill(wb, layout, FW, {"EB_CHECK_ASSET_RULES": ["是", "是", "是"]})


def test_outputs_are_not_prefilled_and_say_so(tmp_path: Path) -> None:
    wb, warnings = filled(tmp_path, {"EB_SCORE_STAFF_CONTROL": 1, "EB_TOTAL_SCORE": 100,
                                     "EB_MANUAL_BENEFIT_SOCIAL": 3,
                                     "EB_MANUAL_STAFF_CONTROL": 2.5})
    assert values(wb, "EB_SCORE_STAFF_CONTROL").startswith("=")
    assert values(wb, "EB_TOTAL_SCORE").startswith("=ROUND(")
    assert values(wb, "EB_MANUAL_STAFF_CONTROL") == 2.5
    assert len(warnings) == 3
    assert all("已忽略" in w for w in warnings)


def test_typed_personalised_score_replaces_the_default_formula(tmp_path: Path) -> None:
    wb, _ = filled(tmp_path, {"EB_SCORE_DUTY_LIVELIHOOD": 1.5})
    assert values(wb, "EB_SCORE_DUTY_LIVELIHOOD") == 1.5


def test_long_text_rows_grow_to_show_their_text(tmp_path: Path) -> None:
    blank, _ = filled(tmp_path, {})
    wb, _ = filled(tmp_path, {"EB_PROBLEMS": "问题。" * 400})
    sheet, ref = split_sheet_ref(wb.defined_names["EB_PROBLEMS"].attr_text)
    row = parse_range(ref)[0]
    assert wb[sheet].row_dimensions[row].height > blank[sheet].row_dimensions[row].height


# ---------------------------------------------------------------- CLI


def test_default_output_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("template")[0] == 0
    assert run("template", "--udf")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evalbook_template.xlsx",
                                                          "evalbook_template_udf.xlsx"]
    meta = load_workbook(tmp_path / "evalbook_template_udf.xlsx")
    assert values(meta, "EB_META_VARIANT") == "udf"


def test_units_and_password_options(tmp_path: Path) -> None:
    out = tmp_path / "five.xlsx"
    code, stdout, _ = run("template", "-o", str(out), "--units", "5", "--password", "pw")
    assert code == 0 and "5 个单位行" in stdout
    wb = load_workbook(out)
    assert len(values(wb, "EB_ASSETS")) == 6
    assert values(wb, "EB_META_UNITS") == 5
    assert all(ws.protection.password for ws in wb.worksheets)


@pytest.mark.parametrize(("args", "message"), [
    (["--units", "0"], "--units"),
    (["--fill", "missing.json"], "找不到输入文件"),
    (["--framework", "missing.toml"], "无法读取文件"),
    (["-o", "no/such/dir/out.xlsx"], "无法写入"),
])
def test_bad_arguments_exit_2_with_chinese_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("template", *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_unknown_keys_in_the_fill_json_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"EB_NOT_A_NAME": 1}), encoding="utf-8")
    code, _, err = run("template", "--fill", str(path), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "EB_NOT_A_NAME" in err
