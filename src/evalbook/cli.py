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
    lines.append(f"{pad('总分', 12)}{result.total:>8.2f} / {fmt(fw.total_max)}    评价等次：{result.grade}")
    if not result.complete:
        lines.append("注意：部分指标无法计算，总分仅合计了可计算的指标。")
    for note in fw.notes:
        lines.append(f"提示（评分框架）：{note.message}")
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
