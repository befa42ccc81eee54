"""The bureau's summary workbook: ranking, duplicates, charts, no formula injection."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from evalbook.summary import (
    SummaryFinding,
    SummaryRow,
    mark_duplicates,
    ranked,
    ranks,
    write_summary,
)

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
    assert table[0][10] == ("预算编码 100001 与 《a2.xlsx》 相同，疑似重复报送；"
                            "《a2.xlsx》较新（文件修改于 2021-07-09 00:00）")
    assert table[1][10].endswith("本文件较新（文件修改于 2021-07-09 00:00，以本文件为准）")
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


@pytest.mark.parametrize(("totals", "expected"), [
    ([95, 91, 91, 88], [1, 2, 2, 4]),
    ([100, 100, None], [1, 1, None]),
    ([None, 60, 90.5], [1, 2, None]),
    ([], []),
])
def test_ranks_share_ties(totals: list[float | None], expected: list[int | None]) -> None:
    rows = [SummaryRow(f"{i}.xlsx", total=None if t is None else Decimal(str(t)))
            for i, t in enumerate(totals)]
    assert ranks(ranked(rows)) == expected


D1, D2 = dt.datetime(2021, 7, 1), dt.datetime(2021, 7, 9)


@pytest.mark.parametrize(("a", "b", "newer"), [
    ((None, D1), (None, D2), "b"),  # by the file's time
    ((D2, D1), (D1, D2), "a"),  # the workbook's own saved time wins over the file's
    ((D1, D1), (D1, D1), "b"),  # all equal: the later file name
    ((D1, None), (None, D2), "a"),
])
def test_which_resubmission_is_newer(a: tuple[dt.datetime | None, dt.datetime | None],
                                     b: tuple[dt.datetime | None, dt.datetime | None],
                                     newer: str) -> None:
    rows = [SummaryRow(f"{n}.xlsx", budget_code="100001", saved=s, modified=m)
            for n, (s, m) in (("a", a), ("b", b))]
    mark_duplicates(rows)
    by_name = {r.file[0]: r for r in rows}
    assert "本文件较新" in by_name[newer].note
    other = by_name["a" if newer == "b" else "b"]
    assert f"《{newer}.xlsx》较新" in other.note and other.note.startswith("预算编码 100001 与 《")
