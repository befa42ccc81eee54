"""`evalbook validate` and `evalbook score FILE.xlsx`: outputs, exit statuses, bad files,
annotated copies — and no text from a workbook ever becomes a formula."""

from __future__ import annotations

import hashlib
import json
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from evalbook.annotate import RESULTS_SHEET, annotate_copy
from evalbook.cli import main
from evalbook.engine import score
from evalbook.framework import load_framework
from evalbook.validator import validate_path
from tests.defects.bad_files import BAD_FILES
from tests.defects.builders import at, clean_inputs, copy_to, edit_cells, put, write_seed
from tests.helpers import OTHER_FRAMEWORK


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def seed(folder: Path) -> Path:
    return write_seed(folder / "seed.xlsx")


@pytest.fixture(scope="module")
def clean(folder: Path) -> Path:
    return write_seed(folder / "clean.xlsx", clean_inputs())


@pytest.fixture(scope="module")
def bad(folder: Path, clean: Path) -> Path:
    """A workbook with errors: a row total off and a judged score above its maximum."""
    path = copy_to(clean, folder, "bad.xlsx")

    def edit(wb: openpyxl.Workbook) -> None:
        put(wb, "EB_EXPENSE", 69, 1, 2)
        put(wb, "EB_SCORE_BENEFIT_ECONOMIC", 6)

    return edit_cells(path, edit)


def test_json_output_equals_the_python_api(seed: Path, bad: Path) -> None:
    code, out, _ = run("validate", str(seed), str(bad), "--format", "json")
    assert code == 1
    assert json.loads(out) == [validate_path(seed).to_json(), validate_path(bad).to_json()]
    first = json.loads(out)[0]
    assert set(first) == {"file", "ok", "score", "grade", "findings"}
    assert (first["ok"], first["score"], first["grade"]) == (True, 100, "优")
    assert set(first["findings"][0]) == {"code", "severity", "sheet", "cell", "message"}


def test_text_output_is_grouped_by_file_and_sheet(seed: Path) -> None:
    code, out, _ = run("validate", str(seed))
    assert code == 0  # warnings only
    lines = out.splitlines()
    assert lines[0] == f"{seed}：通过（总分 100，评价等次 优；4 个警告）"
    sheet, cell = at("EB_SUBMIT_DATE")
    assert lines[1] == f"  {sheet}"
    assert lines[2].startswith(f"    {cell}") and "报送日期 2020-07-30 早于报告日期" in lines[2]
    assert "  评分表" in lines and "  评价报告综述" in lines


@pytest.mark.parametrize(("names", "status"), [
    (("clean",), 0), (("seed",), 0), (("bad",), 1), (("clean", "bad"), 1),
    (("bad", "random-bytes.xlsx", "clean"), 2),
])
def test_exit_status(folder: Path, clean: Path, seed: Path, bad: Path, names: tuple[str, ...],
                     status: int) -> None:
    files = {"clean": clean, "seed": seed, "bad": bad, "random-bytes.xlsx": folder / "r.xlsx"}
    (folder / "r.xlsx").write_bytes(b"not a workbook at all")
    assert run("validate", *(str(files[n]) for n in names))[0] == status


def test_every_bad_file_gets_one_clear_finding_and_the_others_go_on(
        folder: Path, clean: Path, bad: Path) -> None:
    paths = []
    for name, build, _ in BAD_FILES:
        path = folder / name
        build(path, clean)
        paths.append(path)
    start = time.perf_counter()
    code, out, _ = run("validate", str(bad), *map(str, paths), str(clean), "--format", "json")
    elapsed = time.perf_counter() - start
    reports = json.loads(out)
    assert code == 2
    assert [r["file"] for r in reports] == [str(bad), *map(str, paths), str(clean)]
    assert reports[0]["ok"] is False and len(reports[0]["findings"]) > 1
    assert reports[-1]["ok"] is True
    for report, (name, _, expected) in zip(reports[1:-1], BAD_FILES, strict=True):
        [finding] = report["findings"]
        assert (finding["code"], finding["severity"], report["ok"]) == (expected, "error", False)
        assert f"《{name}》" in finding["message"] and re.search(r"[\u4e00-\u9fff]", finding[
            "message"])
    assert elapsed < 10


def test_a_zip_bomb_is_refused_in_under_a_second(folder: Path, clean: Path) -> None:
    build = dict((n, b) for n, b, _ in BAD_FILES)["bomb.xlsx"]
    path = folder / "bomb2.xlsx"
    build(path, clean)
    start = time.perf_counter()
    code, _, _ = run("validate", str(path))
    assert (code, time.perf_counter() - start < 1.0) == (2, True)


def test_framework_option(clean: Path, folder: Path) -> None:
    code, out, _ = run("validate", str(clean), "--framework", str(OTHER_FRAMEWORK))
    assert code == 1 and "framework-mismatch" in out
    code, _, err = run("validate", str(clean), "--framework", str(folder / "none.toml"))
    assert code == 2 and "评分框架" in err


# ---------------------------------------------------------------- annotated copies


def test_annotate_marks_every_finding_and_links_to_it(bad: Path, tmp_path: Path) -> None:
    before = sha(bad)
    code, _, _ = run("validate", str(bad), "--annotate", str(tmp_path / "out"))
    assert code == 1 and sha(bad) == before
    copy = tmp_path / "out" / "bad.xlsx"
    findings = validate_path(bad).findings
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == RESULTS_SHEET
    ws = wb[RESULTS_SHEET]
    assert str(ws["A1"].value).startswith("校验结果：")
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [(r[2], r[3], r[5]) for r in rows] == [
        (f.sheet or "（整个文件）", f.cell or None, f.code) for f in findings]
    for row, f in enumerate(findings, start=3):
        link = ws.cell(row=row, column=4).hyperlink
        if f.sheet is not None and f.cell is not None:
            assert link is not None and link.location == f"'{f.sheet}'!{f.cell}"
            target = wb[f.sheet][f.cell]
            assert target.comment is not None and f.message in target.comment.text
            assert target.fill.fgColor.rgb.endswith(("FFC7CE", "FFEB9C", "DDEBF7"))
    # the copy is still the same workbook: validating it finds the same problems
    assert [f.key() for f in validate_path(copy).findings] == [f.key() for f in findings]


def test_annotate_never_overwrites_the_source(bad: Path, tmp_path: Path) -> None:
    src = copy_to(bad, tmp_path, "x.xlsx")
    before = sha(src)
    code, _, _ = run("validate", str(src), "--annotate", str(tmp_path))
    assert code == 1 and sha(src) == before
    assert (tmp_path / "x_校验.xlsx").exists()
    with pytest.raises(ValueError):
        annotate_copy(src, [], src)
    assert sha(src) == before


INJECTED = '=HYPERLINK("http://x","y")'


def test_workbook_text_never_becomes_a_formula(clean: Path, tmp_path: Path) -> None:
    """Text that looks like a formula, in a text cell and in cells whose findings quote it."""
    path = copy_to(clean, tmp_path, "injected.xlsx")

    def edit(wb: openpyxl.Workbook) -> None:
        put(wb, "EB_DEPT_NAME", INJECTED)
        put(wb, "EB_FILLER_PHONE", INJECTED)
        put(wb, "EB_CHECK_ASSET_RULES", INJECTED, 1)
        put(wb, "EB_TARGETS", INJECTED, 1, 7)

    edit_cells(path, edit)
    report = validate_path(path)
    assert sum(INJECTED in f.message for f in report.findings) >= 3
    code, _, _ = run("validate", str(path), "--annotate", str(tmp_path / "out"))
    assert code == 1
    copy = tmp_path / "out" / "injected.xlsx"
    with zipfile.ZipFile(copy) as zf:
        for name in zf.namelist():
            text = zf.read(name).decode("utf-8", "replace")
            for formula in re.findall(r"<f[^>]*>(.*?)</f>", text, re.S):
                assert "HYPERLINK" not in formula and "http://x" not in formula, name
    wb = openpyxl.load_workbook(copy)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
    assert validate_path(copy).findings[0].code == report.findings[0].code


# ---------------------------------------------------------------- score FILE.xlsx


def test_score_a_workbook(clean: Path, tmp_path: Path) -> None:
    code, out, _ = run("score", str(clean), "--format", "json")
    assert code == 0
    assert json.loads(out) == score(clean_inputs(), load_framework()).to_json() | {
        "notes": json.loads(out)["notes"]}
    code, _, err = run("score", str(tmp_path / "missing.xlsx"))
    assert code == 2 and "《missing.xlsx》" in err
    (tmp_path / "x.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    code, _, err = run("score", str(tmp_path / "x.xls"))
    assert code == 2 and "旧版 Excel 97-2003" in err


def test_running_out_of_memory_is_that_files_finding(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("evalbook.validator.validate_scored", exhausted)
    seed = Path(__file__).resolve().parent.parent / "xlsx_templates/examples/yunxi_2020.xlsx"
    result = CliRunner().invoke(main, ["validate", str(seed), "--format", "json"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [report] = json.loads(result.stdout)
    assert [f["code"] for f in report["findings"]] == ["file-too-heavy"]
