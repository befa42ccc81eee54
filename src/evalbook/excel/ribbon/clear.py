"""Ribbon button 清除标记, run by the add-in evalbook.excel.ribbon.clear.xlam."""

from __future__ import annotations

from evalbook.excel.macros import run_desktop


def main() -> None:
    run_desktop("clear_marks")
