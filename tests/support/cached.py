"""Give an openpyxl-written workbook the cached formula results Excel would have saved.

openpyxl writes formulas without results. A UDF workbook returned by an accountant was saved
by Excel with the add-in loaded, so each formula cell also holds its result. Such a file
is made here: the formulas of one workbook plus, as cached values, the results of the same
cells in another workbook (the native-formula twin recalculated by LibreOffice, whose cells
show what the UDFs show — see test_excel_parity).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from defusedxml import ElementTree as SafeET

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*)>(<f[^>]*>.*?</f>)'
                           r"(?:<v ?/>|<v>[^<]*</v>)?</c>", re.S)
_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part path inside the package."""
    book = SafeET.fromstring(z.read("xl/workbook.xml"))
    rels = SafeET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", _NS)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets[sheet.get(f"{{{_NS['r']}}}id")] or ""
        out[sheet.get("name") or ""] = (target.lstrip("/") if target.startswith("/")
                                        else posixpath.join("xl", target))
    return out


def _cell_xml(ref: str, attrs: str, formula: str, value: object) -> str:
    attrs = re.sub(r' t="[^"]*"', "", attrs)
    if value is None:
        return f'<c r="{ref}"{attrs}>{formula}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{attrs} t="b">{formula}<v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{attrs}>{formula}<v>{value!r}</v></c>'
    kind = "e" if value in _ERRORS else "str"
    return f'<c r="{ref}"{attrs} t="{kind}">{formula}<v>{escape(str(value))}</v></c>'


def with_cached_values(formulas_from: Path, values_from: Path, out: Path) -> Path:
    """A copy of ``formulas_from`` whose formula cells cache the values of ``values_from``."""
    values = openpyxl.load_workbook(values_from, data_only=True)
    with zipfile.ZipFile(formulas_from) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = {part: name for name, part in _sheet_parts(src).items()}
        for item in src.infolist():
            data = src.read(item)
            if item.filename in parts and parts[item.filename] in values.sheetnames:
                ws = values[parts[item.filename]]
                text = _FORMULA_CELL.sub(
                    lambda m, ws=ws: _cell_xml(m[1], m[2], m[3], ws[m[1]].value),
                    data.decode("utf-8"))
                data = text.encode("utf-8")
            dst.writestr(item, data)
    return out
