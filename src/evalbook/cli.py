"""Command line: ``evalbook score | template | validate | batch``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from evalbook.engine import ScoreResult, score
from evalbook.framework import Framework, FrameworkError, load_framework
from evalbook.inputs import InputsError, load_inputs
from evalbook.numbers import fmt
from evalbook.textwidth import clip, pad

CONTEXT = {"help_option_names": ["-h", "--help"]}
FRAMEWORK_HELP = "评分框架文件（TOML）；默认使用内置的岳阳市云溪区 2020 年评分表"


def fail(message: str, code: int = 2) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def get_framework(path: Path | None) -> Framework:
    try:
        fw = load_framework(path)
    except FrameworkError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
    return fw


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="evalbook", message="evalbook %(version)s")
def main() -> None:
    """evalbook：部门整体支出绩效评价自评工作簿的生成、实时评分与校验。"""


def render_score_text(result: ScoreResult) -> str:
    fw = result.framework
    lines = [f"评分框架：{fw.name}（{fw.id}）", ""]
    head = (pad("指标", 34) + pad("计算值", 10, True) + pad("得分", 8, True) + pad("分值", 6, True)
            + "  说明")
    lines += [head, "-" * 90]
    for r in result.indicators:
        value = "" if r.value is None else fmt(r.value)
        shown = "—" if r.score is None else f"{r.score:.2f}"
        note = r.reason if r.status == "ok" else f"[{r.status}] {r.reason}"
        lines.append(pad(clip(r.name, 34), 34) + pad(value, 10, True) + pad(shown, 8, True)
                     + pad(fmt(r.max), 6, True) + "  " + note)
    lines.append("-" * 90)
    for s in result.subtotals:
        if s.level == 1:
            lines.append(f"{pad(s.name, 12)}{s.score:>8.2f} / {fmt(s.max)}")
    lines.append(f"{pad('总分', 12)}{result.total:>8.2f} / {fmt(fw.total_max)}"
                 f"    评价等次：{result.grade}")
    if not result.complete:
        lines.append("注意：部分指标无法计算，总分仅合计了可计算的指标。")
    for fw_note in fw.notes:
        lines.append(f"提示（评分框架）：{fw_note.message}")
    for n in result.notes:
        lines.append(f"{'错误' if n.severity == 'error' else '提示'}（{n.key}）：{n.message}")
    return "\n".join(lines)


@main.command("score", context_settings=CONTEXT)
@click.argument("workbook", required=False, type=click.Path(path_type=Path))
@click.option("--inputs", "inputs_path", type=click.Path(path_type=Path),
              help="输入数据 JSON 文件（键为工作簿的定义名称）")
@click.option("--framework", "framework_path", type=click.Path(path_type=Path), help=FRAMEWORK_HELP)
@click.option("--format", "fmt_", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式")
def score_cmd(workbook: Path | None, inputs_path: Path | None, framework_path: Path | None,
              fmt_: str) -> None:
    """按评分框架计算各指标得分、总分和评价等次。

    输入为 --inputs FILE.json，或一个已填写的工作簿 FILE.xlsx。
    """
    framework = get_framework(framework_path)
    if (workbook is None) == (inputs_path is None):
        fail("请给出 --inputs FILE.json 或一个工作簿文件（二者选一）")
    data: dict[str, Any]
    if inputs_path is not None:
        try:
            data = load_inputs(inputs_path, framework)
        except InputsError as exc:
            fail(str(exc))
            return
    else:
        assert workbook is not None
        data = read_workbook_inputs(workbook, framework)
    result = score(data, framework)
    if fmt_ == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_score_text(result))


def read_workbook_inputs(path: Path, framework: Framework) -> dict[str, Any]:
    """Inputs from a filled workbook (through its defined names)."""
    try:
        from evalbook.reader import WorkbookError, read_inputs
    except ImportError:  # pragma: no cover - reader arrives with the validator
        fail("读取工作簿的功能尚未安装")
        raise
    try:
        return read_inputs(path, framework)
    except WorkbookError as exc:
        fail(str(exc))
        raise


@main.command("validate", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt_", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式")
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=Path, file_okay=False),
              help="把每个工作簿的标注副本（问题单元格着色并加批注，另附“校验结果”工作表）写入此目录")
@click.option("--framework", "framework_path", type=click.Path(path_type=Path),
              help="评分框架文件（TOML）；默认按工作簿记录的框架选用内置框架")
def validate_cmd(files: tuple[Path, ...], fmt_: str, annotate_dir: Path | None,
                 framework_path: Path | None) -> None:
    """校验报送的工作簿：从原始数据重新计算得分，指出每个问题所在的工作表和单元格。

    退出码：0 无错误；1 发现错误；2 有文件无法读取。
    """
    from evalbook.report import exit_status, render_json, render_text

    framework = get_framework(framework_path) if framework_path is not None else None
    reports = [validate_guarded(path, framework) for path in files]
    status = exit_status(reports)
    if annotate_dir is not None:
        status = max(status, annotate_all(files, reports, annotate_dir))
    click.echo(render_json(reports) if fmt_ == "json" else render_text(reports))
    sys.exit(status)


def validate_guarded(path: Path, framework: Framework | None) -> Any:
    """validate_path, with running out of memory reported as that file's finding."""
    from evalbook.batch import failed_report
    from evalbook.pool import Failed
    from evalbook.validator import validate_path

    try:
        return validate_path(path, framework)
    except MemoryError:
        return failed_report(str(path), Failed("memory", "内存不足"))


def annotate_all(files: tuple[Path, ...], reports: list[Any], folder: Path) -> int:
    """Write an annotated copy of each readable workbook; 2 if any copy failed."""
    from evalbook.annotate import annotate_copy

    status = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"无法创建目录《{folder}》：{exc.strerror or exc}")
    for path, report in zip(files, reports, strict=True):
        if not report.readable:
            continue
        dest = folder / path.name
        if dest.exists() and dest.resolve() == path.resolve():
            dest = folder / f"{path.stem}_校验{path.suffix}"
        try:
            annotate_copy(path, report.findings, dest)
        except Exception as exc:  # one unwritable copy must not stop the others
            click.echo(f"错误：无法写出《{path.name}》的标注副本：{exc}", err=True)
            status = 2
    return status


@main.command("batch", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("校验汇总.xlsx"), show_default=True,
              help="汇总工作簿（排名、问题清单、图表）；默认写在当前目录")
@click.option("--workers", type=click.IntRange(min=0), default=0,
              help="并行校验的进程数（默认：CPU 核数）")
@click.option("--format", "fmt_", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式（json：每个工作簿一个对象，同 validate）")
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=Path, file_okay=False),
              help="把每个需修改的工作簿的标注副本写入此目录（保持子文件夹结构）")
@click.option("-q", "--quiet", is_flag=True, help="不显示进度条")
@click.option("--framework", "framework_path", type=click.Path(path_type=Path),
              help="评分框架文件（TOML）；默认按工作簿记录的框架选用内置框架")
def batch_cmd(folder: Path, output: Path, workers: int, fmt_: str, annotate_dir: Path | None,
              quiet: bool, framework_path: Path | None) -> None:
    """批量校验文件夹（含子文件夹）中报送的工作簿，生成排名汇总工作簿。

    退出码：0 无错误；1 有工作簿发现错误；2 有文件无法读取。
    """
    from evalbook import batch
    from evalbook.report import render_json

    if not folder.is_dir():
        fail(f"找不到文件夹《{folder}》")
    framework = get_framework(framework_path)
    result = batch.validate_folder(folder, workers=workers, framework_path=framework_path,
                                   annotate_dir=annotate_dir,
                                   progress=batch.terminal_progress(quiet), exclude=[output])
    if fmt_ == "json":
        click.echo(render_json(result.reports))
        for line in batch.notes(result):
            click.echo(line, err=True)
    else:
        click.echo(batch.render_batch_text(result))
    try:
        batch.write_batch_summary(result, folder, output, framework)
    except OSError as exc:
        fail(f"无法写入汇总工作簿《{output}》：{exc.strerror or exc}")
    if fmt_ == "text":
        click.echo(f"汇总工作簿：{output}")
    sys.exit(result.exit_status)


@main.command("template", context_settings=CONTEXT)
@click.option("-o", "--output", "output", type=click.Path(path_type=Path),
              help="输出文件（默认 evalbook_template.xlsx；--udf 时 evalbook_template_udf.xlsx）")
@click.option("--framework", "framework_path", type=click.Path(path_type=Path), help=FRAMEWORK_HELP)
@click.option("--udf/--native", "udf", default=False,
              help="得分公式：--native 原生公式（默认，Excel/WPS/LibreOffice 均实时计算）；"
                   "--udf 调用 evalbook 加载项的 EB_ 自定义函数")
@click.option("--units", type=int, default=3, show_default=True,
              help="收支情况各表的单位行数（局机关、二级机构1、……）")
@click.option("--fill", "fill_path", type=click.Path(path_type=Path),
              help="用输入数据 JSON 预先填写（格式同 score --inputs）")
@click.option("--password", default=None, help="工作表保护密码（默认不设密码）")
def template_cmd(output: Path | None, framework_path: Path | None, udf: bool, units: int,
                 fill_path: Path | None, password: str | None) -> None:
    """生成标准工作簿：各表、定义名称、数据验证、工作表保护和实时得分公式。"""
    from evalbook.fill import FillError, make_workbook
    from evalbook.template import MAX_UNITS, Options

    framework = get_framework(framework_path)
    if not 1 <= units <= MAX_UNITS:
        fail(f"--units 应为 1-{MAX_UNITS} 之间的整数，实际为 {units}")
    inputs = None
    if fill_path is not None:
        try:
            inputs = load_inputs(fill_path, framework)
        except InputsError as exc:
            fail(str(exc))
    out = output or Path("evalbook_template_udf.xlsx" if udf else "evalbook_template.xlsx")
    options = Options(variant="udf" if udf else "native", units=units, password=password or None)
    try:
        _, warnings = make_workbook(out, framework, options, inputs)
    except FillError as exc:
        fail(f"无法按《{fill_path}》填写工作簿：{exc}")
        return
    except OSError as exc:
        fail(f"无法写入《{out}》：{exc.strerror or exc}")
        return
    for warning in warnings:
        click.echo(f"提示：{warning}", err=True)
    kind = "加载项 UDF 公式" if udf else "原生公式"
    click.echo(f"已生成工作簿：{out}（{kind}，{units} 个单位行{'，已预填' if inputs else ''}）")


@main.group("addin", context_settings=CONTEXT)
def addin_group() -> None:
    """Excel 加载项：桌面版安装（Windows）与 xlwings Lite 文件生成。"""


@addin_group.command("install", context_settings=CONTEXT)
def addin_install_cmd() -> None:
    """安装桌面版加载项（仅 Windows）：xlwings 加载项、“绩效自评”功能区和 EB_ 函数配置。"""
    from evalbook.addin import install

    sys.exit(install(click.echo))


@addin_group.command("lite", context_settings=CONTEXT)
@click.option("-o", "--output", "outdir", type=click.Path(path_type=Path),
              default=Path("addin/lite"), show_default=True,
              help="输出目录（写入 main.py 和 requirements.txt）")
def addin_lite_cmd(outdir: Path) -> None:
    """生成 xlwings Lite 用的 main.py 和 requirements.txt（内嵌 evalbook 源代码）。"""
    from evalbook.excel.lite import BundleError, write_lite

    try:
        for path in write_lite(outdir):
            click.echo(f"已生成：{path}")
    except BundleError as exc:
        fail(str(exc))
