"""The validator against a real spreadsheet engine's cached values (LibreOffice headless).

openpyxl-written workbooks carry no cached values; once LibreOffice has recalculated them
every formula cell holds one, which the validator compares with the engine's recomputation:
a recalculated workbook must validate exactly like the file it came from, and a workbook
whose inputs changed without recalculation must show stale values — in the cells that
depend on the change, and only there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evalbook.validator import validate_path
from tests.defects.builders import at, clean_inputs, rewrite_zip, sheet_part, write_seed
from tests.support.libreoffice import recalculate, soffice_path

pytestmark = pytest.mark.skipif(soffice_path() is None,
                                reason="LibreOffice (soffice) is not installed")
NOTES = {"framework-header-mismatch", "framework-header-unknown"}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("engine")
    seed = write_seed(folder / "seed.xlsx")
    clean = write_seed(folder / "clean.xlsx", clean_inputs())
    out = recalculate([seed, clean], folder / "recalculated")
    return {"seed": seed, "clean": clean, "seed_calc": out[0], "clean_calc": out[1]}


def test_a_recalculated_workbook_validates_like_its_source(recalculated: dict[str, Path]
                                                           ) -> None:
    for name in ("seed", "clean"):
        source = validate_path(recalculated[name])
        calc = validate_path(recalculated[f"{name}_calc"])
        assert [f.key() for f in calc.findings] == [f.key() for f in source.findings]
        assert (calc.score, calc.grade) == (source.score, source.grade)


def test_changed_input_without_recalculation_shows_stale_values(
        recalculated: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "stale.xlsx"
    path.write_bytes(recalculated["clean_calc"].read_bytes())
    sheet, cell = at("EB_STAFF_ACTUAL")
    part = sheet_part(path, sheet)

    def edit(name: str, data: bytes) -> bytes:  # 实有人数 6 -> 10, as if typed with calc off
        if name != part:
            return data
        pattern = rf'(<c r="{cell}"[^>]*>(?:<f>[^<]*</f>)?<v>)6(</v>)'.encode()
        new, count = re.subn(pattern, rb"\g<1>10\g<2>", data)
        assert count == 1
        return new

    rewrite_zip(path, edit)
    keys = [f.key() for f in validate_path(path).findings if f.code not in NOTES]
    assert keys == [
        (*at("EB_STAFF_ACTUAL"), "staff-over-quota"),
        (*at("EB_VALUE_STAFF_CONTROL"), "stale-value"),
        (*at("EB_SCORE_STAFF_CONTROL"), "stale-value"),
        (*at("EB_TOTAL_SCORE"), "stale-value"),
        (*at("EB_SUBTOTAL_1"), "stale-value"),
        (*at("EB_SUBTOTAL_1_1"), "stale-value"),
    ]
