"""`evalbook batch`: a mixed folder of returns — every file accounted for, exit statuses,
the summary workbook, annotated copies, and no workbook text ever becoming a formula."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from evalbook.batch import (
    APPLE_DOUBLE,
    LOCK_FILE,
    NOT_A_WORKBOOK,
    BatchResult,
    collect,
    render_batch_text,
    terminal_progress,
    validate_folder,
    write_batch_summary,
)
from evalbook.cli import main
from evalbook.framework import load_framework
from evalbook.pool import Limits
from evalbook.summary import CHARTS_SHEET, FINDINGS_SHEET, SKIPPED_SHEET, SUMMARY_SHEET
from tests.defects.bad_files import legacy_xls, truncated, zip_bomb
from tests.defects.builders import clean_inputs, edit_cells, put, rewrite_zip, write_seed
from tests.helpers import seed_inputs

EVIL = '=HYPERLINK("http://evil.example/","点这里")'
LOCK, NOTE, APPLE = "~$clean.xlsx", "说明.txt", "._bad.xlsx"


def saved_at(path: Path, stamp: str) -> Path:
    """Set the time the workbook says it was saved (docProps/core.xml), as Excel does."""
    def edit(name: str, data: bytes) -> bytes:
        if name == "docProps/core.xml":
            return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
        return data

    return rewrite_zip(path, edit)


def make_returns(folder: Path) -> Path:
    """good, a resubmission of it, defective, corrupt, a zip bomb, legacy .xls, a lock file,
    a text file and a workbook whose 部门名称 is a formula-looking text, in nested folders."""
    folder.mkdir(parents=True, exist_ok=True)
    clean = write_seed(folder / "clean.xlsx", clean_inputs(EB_BUDGET_CODE="100001",
                                                          EB_DEPT_NAME="甲局"))
    saved_at(clean, "2021-07-20T08:00:00Z")
    again = write_seed(folder / "clean（修改稿）.xlsx", clean_inputs(
        EB_BUDGET_CODE="100001", EB_DEPT_NAME="甲局", EB_SATISFACTION=90))
    saved_at(again, "2021-07-25T08:00:00Z")
    os.utime(again, (1_600_000_000, 1_600_000_000))  # older on disk: the workbook's own date wins
    (folder / "乡镇" / "街道").mkdir(parents=True)
    write_seed(folder / "乡镇" / "街道" / "seed.xlsx", dict(seed_inputs(), EB_BUDGET_CODE="100003",
                                                        EB_DEPT_NAME="丙局"))
    bad = write_seed(folder / "乡镇" / "bad.xlsx", clean_inputs(EB_BUDGET_CODE="100002",
                                                             EB_DEPT_NAME="乙局"))
    edit_cells(bad, lambda wb: (put(wb, "EB_EXPENSE", 69, 1, 2),
                                put(wb, "EB_SCORE_BENEFIT_ECONOMIC", 6)))
    evil = write_seed(folder / "乡镇" / "evil.xlsx", clean_inputs(EB_BUDGET_CODE="100004"))
    edit_cells(evil, lambda wb: (put(wb, "EB_DEPT_NAME", EVIL), put(wb, "EB_FILLER_PHONE", EVIL)))
    truncated(folder / "truncated.xlsx", clean)
    zip_bomb(folder / "乡镇" / "bomb.xlsx", clean)
    legacy_xls(folder / "old.xls", clean)
    (folder / LOCK).write_bytes(b"\x00" * 165)
    (folder / "乡镇" / NOTE).write_text("请查收", encoding="utf-8")
    (folder / "乡镇" / APPLE).write_bytes(b"\x00\x05\x16\x07" + b"\x00" * 60)  # from a Mac's zip
    return folder


#: relative path -> (readable, ok, the code of one of its errors, or None: no error)
EXPECTED = {
    "clean.xlsx": (True, True, None),
    "clean（修改稿）.xlsx": (True, True, None),
    "old.xls": (False, False, "legacy-xls"),
    "truncated.xlsx": (False, False, "corrupt-zip"),
    "乡镇/bad.xlsx": (True, False, "row-sum-mismatch"),
    "乡镇/bomb.xlsx": (False, False, "zip-bomb"),
    "乡镇/evil.xlsx": (True, False, "invalid-phone"),
    "乡镇/街道/seed.xlsx": (True, True, None),
}


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_returns(tmp_path_factory.mktemp("returns") / "回收")


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("annotated") / "退回"


@pytest.fixture(scope="module")
def result(returns: Path, annotated: Path) -> BatchResult:
    return validate_folder(returns, workers=2, annotate_dir=annotated)


def test_every_file_is_accounted_for(result: BatchResult) -> None:
    assert [r.file for r in result.reports] == list(EXPECTED)
    for r in result.reports:
        readable, ok, code = EXPECTED[r.file]
        errors = {f.code for f in r.findings if f.severity == "error"}
        assert (r.readable, r.ok, code in errors if code else not errors) == (
            readable, ok, True), r.file
    assert [(s.path, s.why) for s in result.skipped] == [
        (LOCK, LOCK_FILE), (f"乡镇/{APPLE}", APPLE_DOUBLE), (f"乡镇/{NOTE}", NOT_A_WORKBOOK)]
    assert result.exit_status == 2
    by_file = {r.file: r for r in result.reports}
    assert (by_file["clean.xlsx"].score, by_file["clean（修改稿）.xlsx"].score) == (100, 98)
    assert by_file["clean（修改稿）.xlsx"].scores["satisfaction"] == 3
    assert (by_file["clean.xlsx"].dept_name, by_file["clean.xlsx"].budget_code) == (
        "甲局", "100001")


def test_collect_skips_our_own_outputs(returns: Path, tmp_path: Path) -> None:
    folder = shutil.copytree(returns, tmp_path / "r")
    (folder / "退回").mkdir()
    shutil.copy(folder / "clean.xlsx", folder / "退回" / "clean.xlsx")
    shutil.copy(folder / "clean.xlsx", folder / "校验汇总.xlsx")
    files, _ = collect(folder, [folder / "退回", folder / "校验汇总.xlsx"])
    assert [f.relative_to(folder).as_posix() for f in files] == list(EXPECTED)


def copy_some(returns: Path, folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir()
    for name in names:
        shutil.copy(returns / name, folder / Path(name).name)
    return folder


@pytest.mark.parametrize(("names", "status"), [
    ((), 0),
    (("clean.xlsx", "乡镇/街道/seed.xlsx"), 0),
    (("clean.xlsx", "乡镇/bad.xlsx"), 1),
    (("clean.xlsx", "乡镇/bad.xlsx", "truncated.xlsx"), 2),
    (("乡镇/bomb.xlsx",), 2),
    (("old.xls",), 2),
])
def test_exit_status(returns: Path, tmp_path: Path, names: tuple[str, ...], status: int) -> None:
    folder = copy_some(returns, tmp_path / "r", names)
    out = tmp_path / "汇总.xlsx"
    code = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--workers", "1"])
    assert (code.exit_code, out.exists()) == (status, True), code.output


def test_cli_json_equals_the_python_api(returns: Path, result: BatchResult,
                                        tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    run = CliRunner().invoke(main, ["batch", str(returns), "--format", "json", "-o", str(out),
                                    "--workers", "2"])
    assert run.exit_code == 2
    assert json.loads(run.stdout) == [r.to_json() for r in validate_folder(returns).reports]
    assert json.loads(run.stdout) == [r.to_json() for r in result.reports]
    assert f"已跳过《{LOCK}》" in run.stderr  # notes go to stderr: stdout stays pure JSON


def test_cli_text_output_and_default_summary(returns: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(main, ["batch", str(returns), "-q"])
    lines = run.stdout.splitlines()
    assert run.exit_code == 2
    assert lines[0] == "clean.xlsx：通过（总分 100，评价等次 优；2 个警告）"
    assert "乡镇/bomb.xlsx：无法读取" in lines
    assert "共 8 个工作簿：3 个通过，2 个有错误，3 个无法读取；跳过 3 个其他文件。" in lines
    assert lines[-1] == "汇总工作簿：校验汇总.xlsx" and (tmp_path / "校验汇总.xlsx").exists()


def test_cli_refuses_a_missing_folder(tmp_path: Path) -> None:
    run = CliRunner().invoke(main, ["batch", str(tmp_path / "无")])
    assert run.exit_code == 2 and "找不到文件夹" in run.stderr


# ---------------------------------------------------------------- the summary workbook


@pytest.fixture(scope="module")
def summary(result: BatchResult, returns: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("summary") / "校验汇总.xlsx"
    return write_batch_summary(result, returns, out, load_framework())


def test_summary_rows_ranking_and_resubmission_note(summary: Path, result: BatchResult) -> None:
    wb = openpyxl.load_workbook(summary)
    assert wb.sheetnames == [SUMMARY_SHEET, FINDINGS_SHEET, CHARTS_SHEET, SKIPPED_SHEET]
    ws = wb[SUMMARY_SHEET]
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert sorted(r["文件"] for r in rows) == sorted(EXPECTED)  # one row per workbook
    totals = [r["总分"] for r in rows if r["总分"] is not None]
    assert totals == sorted(totals, reverse=True) and len(totals) == sum(
        r.score is not None for r in result.reports)
    # ranked by the recomputed total, whatever must still be fixed; ties share a rank
    # (bad.xlsx has a score out of range: its total cannot be computed, it is not ranked)
    assert [(r["排名"], r["文件"], r["总分"]) for r in rows] == [
        (1, "clean.xlsx", 100), (1, "乡镇/evil.xlsx", 100), (1, "乡镇/街道/seed.xlsx", 100),
        (4, "clean（修改稿）.xlsx", 98), (None, "old.xls", None), (None, "truncated.xlsx", None),
        (None, "乡镇/bad.xlsx", None), (None, "乡镇/bomb.xlsx", None)]
    assert [r["状态"] for r in rows[4:]] == ["无法读取", "无法读取", "需退回修改", "无法读取"]
    by_file = {r["文件"]: r for r in rows}
    assert by_file["乡镇/bad.xlsx"]["状态"] == "需退回修改" and by_file["乡镇/bad.xlsx"]["错误数"] >= 2
    assert by_file["clean.xlsx"]["财政供养人员控制率"] == 5
    assert by_file["clean（修改稿）.xlsx"]["社会公众或服务对象满意度"] == 3
    assert "管理制度健全性（预算管理）" in header and "管理制度健全性（资产管理）" in header
    note = by_file["clean.xlsx"]["备注"]
    assert note.startswith("预算编码 100001 与 《clean（修改稿）.xlsx》 相同，疑似重复报送；")
    assert "《clean（修改稿）.xlsx》较新（工作簿保存于 2021-07-25" in note
    assert "本文件较新" in by_file["clean（修改稿）.xlsx"]["备注"]
    assert by_file["乡镇/bad.xlsx"]["备注"] is None
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref.startswith("A2:")
    assert len(ws.conditional_formatting) >= 3


def test_summary_findings_charts_and_skipped(summary: Path, result: BatchResult) -> None:
    wb = openpyxl.load_workbook(summary)
    issues = list(wb[FINDINGS_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(issues) == sum(len(r.findings) for r in result.reports)
    assert ("乡镇/bomb.xlsx", None, None, None, "错误", "zip-bomb") in [r[:6] for r in issues]
    assert len(wb[CHARTS_SHEET]._charts) == 2
    with zipfile.ZipFile(summary) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2 and all(b"<barChart>" in zf.read(n) for n in charts)
    assert [r for r in wb[SKIPPED_SHEET].iter_rows(min_row=2, values_only=True)] == [
        (LOCK, LOCK_FILE), (f"乡镇/{APPLE}", APPLE_DOUBLE), (f"乡镇/{NOTE}", NOT_A_WORKBOOK)]


def formulas_in(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [f for name in zf.namelist() if name.endswith(".xml")
                for f in re.findall(r"<f[^>]*>(.*?)</f>", zf.read(name).decode(), re.S)]


def test_hyperlink_text_never_becomes_a_formula(summary: Path, annotated: Path,
                                                result: BatchResult) -> None:
    evil = next(r for r in result.reports if r.file == "乡镇/evil.xlsx")
    assert evil.dept_name == EVIL
    assert not any("HYPERLINK" in f or "evil.example" in f for f in formulas_in(summary))
    wb = openpyxl.load_workbook(summary)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    copy = annotated / "乡镇" / "evil.xlsx"
    assert not any("HYPERLINK" in f or "evil.example" in f for f in formulas_in(copy))
    marked = openpyxl.load_workbook(copy)
    assert any(c.value == EVIL and c.data_type == "s" for ws in marked.worksheets
               for row in ws.iter_rows() for c in row)


def test_annotated_copies_mirror_the_folder(annotated: Path, returns: Path) -> None:
    written = sorted(p.relative_to(annotated).as_posix() for p in annotated.rglob("*")
                     if p.is_file())
    assert written == ["乡镇/bad.xlsx", "乡镇/evil.xlsx"]  # only the workbooks with errors
    assert openpyxl.load_workbook(annotated / "乡镇" / "bad.xlsx").sheetnames[0] == "校验结果"


def test_annotating_into_the_returns_folder_keeps_the_originals(returns: Path,
                                                                tmp_path: Path) -> None:
    folder = copy_some(returns, tmp_path / "r", ("乡镇/bad.xlsx", "clean.xlsx"))
    before = (folder / "bad.xlsx").read_bytes()
    result = validate_folder(folder, workers=1, annotate_dir=folder)
    assert (folder / "bad.xlsx").read_bytes() == before
    assert (folder / "bad_校验.xlsx").exists() and not result.annotate_errors


def test_an_unwritable_annotation_folder_is_reported(returns: Path, tmp_path: Path) -> None:
    folder = copy_some(returns, tmp_path / "r", ("乡镇/bad.xlsx",))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = validate_folder(folder, workers=1, annotate_dir=blocker / "sub")
    assert list(result.annotate_errors) == ["bad.xlsx"] and result.exit_status == 2
    assert "无法写出标注副本" in render_batch_text(result)


# ---------------------------------------------------------------- guards and progress


def test_a_file_over_the_time_limit_is_reported_and_the_batch_goes_on(
        returns: Path, tmp_path: Path) -> None:
    folder = copy_some(returns, tmp_path / "r", ("clean.xlsx", "乡镇/bad.xlsx"))
    result = validate_folder(folder, workers=2, limits=Limits(seconds=0.001))
    assert [(r.file, r.readable, [f.code for f in r.findings]) for r in result.reports] == [
        ("bad.xlsx", False, ["file-timeout"]), ("clean.xlsx", False, ["file-timeout"])]
    assert "校验超时" in result.reports[0].findings[0].message and result.exit_status == 2


def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setattr("sys.stderr", tty)
    show = terminal_progress(quiet=False)
    assert show is not None and terminal_progress(quiet=True) is None
    show(1, 4)
    show(4, 4)
    assert tty.getvalue().endswith("[" + "#" * 30 + "] 4/4\n")
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert terminal_progress(quiet=False) is None


def test_summary_handles_control_characters_and_long_text(tmp_path: Path) -> None:
    from evalbook.summary import SummaryRow, write_summary

    rows = [SummaryRow("a.xlsx", "甲\x01局" + "长" * 40_000, "100001", total=Decimal(90),
                       grade="优")]
    wb = openpyxl.load_workbook(write_summary(tmp_path / "s.xlsx", rows, [], ["优", "差"]))
    name = wb[SUMMARY_SHEET]["C3"].value
    assert name.startswith("甲局长") and len(name) == 32_767


@pytest.mark.parametrize(("reason", "code", "words"), [
    ("timeout", "file-timeout", "校验超时"),
    ("memory", "file-too-heavy", "占用内存过多"),
    ("crash", "internal-error", "内部错误"),
])
def test_a_failed_task_becomes_one_file_level_finding(reason: str, code: str,
                                                      words: str) -> None:
    from evalbook.batch import failed_report
    from evalbook.pool import Failed

    report = failed_report("乡镇/某局.xlsx", Failed(reason, "详情"))
    [finding] = report.findings
    assert (report.file, report.readable, report.ok, finding.code, finding.severity,
            finding.sheet, finding.cell) == ("乡镇/某局.xlsx", False, False, code, "error",
                                             None, None)
    assert "《某局.xlsx》" in finding.message and words in finding.message


@pytest.mark.parametrize("where", ["evalbook.reader._read", "evalbook.validator.validate_scored"])
def test_running_out_of_memory_is_left_to_the_pool(where: str, returns: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A MemoryError is not the file's fault nor a bug: it reaches the pool, which reports
    file-too-heavy (rather than workbook-unreadable or internal-error)."""
    from evalbook.validator import validate_path

    def exhausted(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(where, exhausted)
    with pytest.raises(MemoryError):
        validate_path(returns / "clean.xlsx")
