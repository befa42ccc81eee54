"""Ribbon button 重新计算, run by the add-in evalbook.excel.ribbon.recalculate.xlam."""

from __future__ import annotations

from evalbook.excel.macros import run_desktop


def main() -> None:
    run_desktop("recalculate_scores")
