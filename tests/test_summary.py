"""The bureau's summary workbook: ranking, duplicates, charts, no formula injection."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from evalbook.summary import SummaryFinding, SummaryRow, write_summary

EVIL = '=HYPERLINK("http://x","y")'


def rows() -> list[SummaryRow]:
    bad = SummaryFinding("row-total-mismatch", "error", "收支情况", "C7", "合计不等于各项之和")
    return [
        SummaryRow("b.xlsx", "乙局", "100002", dt.datetime(2021, 7, 1), Decimal("88.5"), "良",
                   {"x": Decimal("4.5")}, [bad]),
        SummaryRow("a.xlsx", EVIL, "100001", dt.datetime(2021, 7, 1), Decimal("95"), "优",
                   {"x": Decimal(5)}),
        SummaryRow("a2.xlsx", "甲局", "100001", dt.datetime(2021, 7, 9), Decimal("91"), "优",
                   {"x": Decimal(5)}),
        SummaryRow("broken.xlsx", readable=False, findings=[
            SummaryFinding("not-a-workbook", "error", None, None, EVIL)]),
    ]


def test_summary_content(tmp_path: Path) -> None:
    out = write_summary(tmp_path / "汇总.xlsx", rows(), [("x", "指标X")], ["优", "良", "中", "差"])
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "问题清单", "图表"]
    ws = wb["汇总"]
    table = [[c.value for c in r] for r in ws.iter_rows(min_row=3, max_col=11)]
    assert [(r[0], r[1], r[4], r[5], r[9]) for r in table] == [
        (1, "a.xlsx", 95, "优", "通过"), (2, "a2.xlsx", 91, "优", "通过"),
        (3, "b.xlsx", 88.5, "良", "需退回修改"), (None, "broken.xlsx", None, None, "无法读取")]
    assert table[0][10] == ("预算编码 100001 与 《a2.xlsx》 相同，疑似重复报送；《a2.xlsx》较新")
    assert table[1][10].endswith("本文件较新（以本文件为准）")
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref == "A2:K6"
    assert ws.conditional_formatting
    issues = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=2)]
    assert [r[0] for r in issues] == ["b.xlsx", "broken.xlsx"]
    assert len(wb["图表"]._charts) == 2
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert any(n.startswith("xl/charts/chart") for n in names)
        sheets = "".join(zf.read(n).decode() for n in names if n.startswith("xl/worksheets/"))
    assert "HYPERLINK" in sheets  # stored as text ...
    assert "<f>" not in sheets and "<f " not in sheets  # ... and no cell holds a formula
    assert ws["C3"].value == EVIL and ws["C3"].data_type == "s"
