"""Regenerate the committed workbooks under xlsx_templates/ (or check that they are current).

    python scripts/regen_templates.py          # rewrite the three workbooks
    python scripts/regen_templates.py --check  # exit 1 if a committed workbook is out of date

The check compares CONTENT, not bytes (zip entries carry timestamps): every cell's value or
formula, defined names, data validations, merged cells, protection, print setup.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from evalbook.fill import make_workbook
from evalbook.framework import load_framework
from evalbook.inputs import load_inputs
from evalbook.template import Options

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "xlsx_templates"
EXAMPLE_JSON = TEMPLATES / "examples" / "yunxi_2020.json"


@dataclass(frozen=True)
class Target:
    path: Path
    options: Options
    inputs: Path | None = None


TARGETS = (
    Target(TEMPLATES / "evalbook_template.xlsx", Options(variant="native")),
    Target(TEMPLATES / "evalbook_template_udf.xlsx", Options(variant="udf")),
    Target(TEMPLATES / "examples" / "yunxi_2020.xlsx", Options(variant="native"), EXAMPLE_JSON),
)


def generate(target: Target, out: Path) -> None:
    framework = load_framework()
    inputs = None if target.inputs is None else load_inputs(target.inputs, framework)
    make_workbook(out, framework, target.options, inputs)


def _validations(ws: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, dv.allow_blank,
         dv.prompt, dv.promptTitle, dv.error, dv.errorTitle, dv.showErrorMessage)
        for dv in ws.data_validations.dataValidation
    )


def _protection(ws: Any) -> tuple[Any, ...]:
    p = ws.protection
    unlocked = sorted(c.coordinate for row in ws.iter_rows() for c in row
                      if c.protection is not None and not c.protection.locked)
    return (p.sheet, p.password, p.selectLockedCells, p.selectUnlockedCells, p.formatRows,
            p.formatColumns, tuple(unlocked))


def content_signature(path: Path) -> dict[str, Any]:
    """What must not change between a committed workbook and a fresh build."""
    wb = load_workbook(path)
    sig: dict[str, Any] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "names": {name: dn.attr_text for name, dn in wb.defined_names.items()},
    }
    for ws in wb.worksheets:
        sig[f"{ws.title}:cells"] = {c.coordinate: (c.data_type, repr(c.value))
                                    for row in ws.iter_rows() for c in row if c.value is not None}
        sig[f"{ws.title}:merged"] = sorted(str(r) for r in ws.merged_cells.ranges)
        sig[f"{ws.title}:validations"] = _validations(ws)
        sig[f"{ws.title}:protection"] = _protection(ws)
        sig[f"{ws.title}:print"] = (ws.print_area, ws.print_title_rows,
                                    ws.page_setup.orientation, ws.page_setup.fitToWidth,
                                    sorted(b.id for b in ws.row_breaks.brk))
    wb.close()
    return sig


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


def check(report: Callable[[str], None]) -> int:
    stale = 0
    with tempfile.TemporaryDirectory(prefix="evalbook-regen-") as tmp:
        for target in TARGETS:
            fresh = Path(tmp) / target.path.name
            generate(target, fresh)
            shown = target.path.relative_to(ROOT)
            if not target.path.is_file():
                report(f"缺少 {shown}")
                stale += 1
                continue
            diff = differences(content_signature(target.path), content_signature(fresh))
            if diff:
                report(f"{shown} 已过期（不同：{', '.join(diff[:8])}）")
                stale += 1
    if stale:
        report("请运行 make templates（python scripts/regen_templates.py）重新生成并提交。")
        return 1
    report(f"xlsx_templates/ 中的 {len(TARGETS)} 个工作簿均为最新。")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新生成 xlsx_templates/ 下的工作簿")
    parser.add_argument("--check", action="store_true",
                        help="只检查已提交的工作簿是否与当前代码生成的内容一致")
    args = parser.parse_args(argv)
    if args.check:
        return check(print)
    for target in TARGETS:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        generate(target, target.path)
        print(f"已生成：{target.path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
