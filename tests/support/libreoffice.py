"""Helpers that let tests run workbooks through a real spreadsheet engine.

openpyxl writes formulas without cached values, so a workbook it produces has
never been *calculated*.  These helpers hand such workbooks to LibreOffice
(headless), which loads them, recalculates every formula and saves them again
as .xlsx, so that the cached values can be read back with
``openpyxl.load_workbook(..., data_only=True)``.

LibreOffice does not always recalculate OOXML files on load: by default it
trusts cached values of files that claim to be written by Excel (openpyxl
claims exactly that).  Each call therefore runs soffice with a private,
throwaway user profile whose ``registrymodifications.xcu`` sets
``/org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode`` (and
``ODFRecalcMode``) to 0 = "always recalculate".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

__all__ = [
    "LibreOfficeError",
    "pdf_to_pngs",
    "read_names",
    "recalculate",
    "soffice_path",
    "to_pdf",
]

_XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"

# 0 = always recalculate, 1 = never recalculate, 2 = prompt user.
_REGISTRY_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">\
<prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """soffice failed, timed out, or did not produce the expected output."""


def soffice_path() -> str | None:
    """Return the path of the LibreOffice executable, or None if absent."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _require_soffice() -> str:
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeError("LibreOffice (soffice) was not found on PATH")
    return exe


def _write_profile(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY_XCU, encoding="utf-8")


def _run_soffice(
    convert_to: str,
    inputs: list[Path],
    outdir: Path,
    expected: list[Path],
    timeout: float,
) -> None:
    """Run one headless soffice --convert-to over *inputs* in a fresh profile."""
    exe = _require_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="evalbook-lo-profile-") as tmp:
        profile = Path(tmp)
        _write_profile(profile)
        cmd = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            convert_to,
            "--outdir",
            str(outdir),
            *(str(p) for p in inputs),
        ]
        env = dict(os.environ)
        env.setdefault("HOME", tmp)
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(
                f"soffice timed out after {timeout:.0f}s converting "
                f"{len(inputs)} file(s) to {convert_to!r}"
            ) from exc
    missing = [p for p in expected if not p.is_file()]
    if proc.returncode != 0 or missing:
        shown = ", ".join(str(p) for p in missing[:5])
        more = f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""
        raise LibreOfficeError(
            f"soffice --convert-to {convert_to!r} failed "
            f"(exit code {proc.returncode}); missing output: {shown or 'none'}{more}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )


def _check_inputs(paths: list[Path], outdir: Path, suffix: str) -> list[Path]:
    """Validate inputs and return the output path each one will produce."""
    out_resolved = outdir.resolve()
    seen: dict[str, Path] = {}
    expected: list[Path] = []
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(p)
        if p.resolve().parent == out_resolved:
            raise ValueError(f"outdir must differ from the directory of input {p}")
        target = p.stem + suffix
        if target in seen:
            raise ValueError(f"{p} and {seen[target]} would both be written to {target}")
        seen[target] = p
        expected.append(outdir / target)
    return expected


def recalculate(paths: list[Path], outdir: Path, timeout: float | None = None) -> list[Path]:
    """Recalculate every workbook in *paths* with LibreOffice, in one soffice run.

    Each ``dir/name.xlsx`` becomes ``outdir/name.xlsx`` (so stems must be unique
    and *outdir* must not contain any of the inputs).  Returns the output paths
    in input order.  The default timeout is 60 s plus 2 s per workbook.
    """
    if not paths:
        return []
    expected = _check_inputs(paths, outdir, ".xlsx")
    for p in expected:
        p.unlink(missing_ok=True)
    limit = timeout if timeout is not None else 60.0 + 2.0 * len(paths)
    _run_soffice(_XLSX_FILTER, paths, outdir, expected, limit)
    return expected


def to_pdf(path: Path, outdir: Path, timeout: float = 120.0) -> Path:
    """Export *path* (any document soffice can open) to ``outdir/<stem>.pdf``."""
    expected = _check_inputs([path], outdir, ".pdf")
    expected[0].unlink(missing_ok=True)
    _run_soffice("pdf", [path], outdir, expected, timeout)
    return expected[0]


def pdf_to_pngs(pdf: Path, outdir: Path, dpi: int = 60, timeout: float = 120.0) -> list[Path]:
    """Rasterise every page of *pdf* with pdftoppm; returns the PNGs in page order."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise LibreOfficeError("pdftoppm (poppler-utils) was not found on PATH")
    outdir.mkdir(parents=True, exist_ok=True)
    prefix = outdir / pdf.stem
    for old in outdir.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    try:
        proc = subprocess.run(
            [exe, "-png", "-r", str(dpi), str(pdf), str(prefix)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LibreOfficeError(f"pdftoppm timed out after {timeout:.0f}s on {pdf}") from exc
    pngs = list(outdir.glob(f"{pdf.stem}-*.png"))
    if proc.returncode != 0 or not pngs:
        raise LibreOfficeError(
            f"pdftoppm failed on {pdf} (exit code {proc.returncode}):\n{proc.stderr}"
        )
    # pdftoppm zero-pads page numbers to a width depending on the page count.
    return sorted(pngs, key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def read_names(path: Path) -> dict[str, object]:
    """Return the cached values of the workbook-scoped defined names of *path*.

    A name referring to a single cell maps to that cell's value; a name
    referring to a rectangular range maps to a list of rows (lists of values).
    Names that are not a single reference on an existing sheet (constants,
    formulas, ``#REF!``, multi-area names) and built-in ``_xlnm.`` names are
    skipped.  Use on a recalculated workbook: values are read with
    ``data_only=True``.
    """
    wb = load_workbook(path, data_only=True)
    try:
        result: dict[str, object] = {}
        for name, defn in wb.defined_names.items():
            if name.startswith("_xlnm."):
                continue
            try:
                dests = list(defn.destinations)
            except Exception:  # unparsable or non-reference name
                continue
            if len(dests) != 1:
                continue
            sheet_name, ref = dests[0]
            if sheet_name not in wb.sheetnames:
                continue
            ws = wb[sheet_name]
            ref = ref.replace("$", "")
            if ":" not in ref:
                result[name] = ws[ref].value
                continue
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            if None in (min_col, min_row, max_col, max_row):
                continue  # whole-row / whole-column reference
            result[name] = [
                list(row)
                for row in ws.iter_rows(
                    min_row=min_row,
                    max_row=max_row,
                    min_col=min_col,
                    max_col=max_col,
                    values_only=True,
                )
            ]
        return result
    finally:
        wb.close()
