"""Ribbon button 校验, run by the add-in evalbook.excel.ribbon.validate.xlam."""

from __future__ import annotations

from evalbook.excel.macros import run_desktop


def main() -> None:
    run_desktop("validate_workbook")
