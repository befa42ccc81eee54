"""Files that are not usable workbooks (SPEC section 6), generated on the fly."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.defects.builders import rewrite_zip

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MB = 1024 * 1024


def random_bytes(path: Path, clean: Path) -> None:
    path.write_bytes(bytes((i * 7919) % 251 for i in range(4096)))


def empty_file(path: Path, clean: Path) -> None:
    path.write_bytes(b"")


def truncated(path: Path, clean: Path) -> None:
    data = clean.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def legacy_xls(path: Path, clean: Path) -> None:
    path.write_bytes(CFB_MAGIC + b"\x00" * 2048)


def password_protected(path: Path, clean: Path) -> None:
    """What Excel writes for a workbook with an open password: a CFB container."""
    path.write_bytes(CFB_MAGIC + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le")
                     + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le"))


def word_document(path: Path, clean: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")


def empty_workbook(path: Path, clean: Path) -> None:
    openpyxl.Workbook().save(path)


def zip_bomb(path: Path, clean: Path) -> None:
    """A sheet that inflates 1000-fold (a small bomb; the guard measures ratios and sizes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(clean) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data + b" " * (64 * MB)
            zo.writestr(info.filename, data)
    path.write_bytes(buffer.getvalue())


def entity_attack(path: Path, clean: Path) -> None:
    """The billion-laughs prologue in a sheet."""
    shutil.copyfile(clean, path)
    doctype = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet2.xml":
            return doctype + data.split(b"?>", 1)[-1]
        return data

    rewrite_zip(path, edit)


def huge_sheet(path: Path, clean: Path) -> None:
    """One stray value in the last cell of a sheet (XFD1048576)."""
    wb = openpyxl.load_workbook(clean)
    wb["基本概况"]["XFD1048576"] = "x"
    wb.save(path)


#: (name, builder, the code of the one finding it gets)
BAD_FILES: list[tuple[str, Callable[[Path, Path], None], str]] = [
    ("random-bytes.xlsx", random_bytes, "not-a-workbook"),
    ("empty.xlsx", empty_file, "file-empty"),
    ("truncated.xlsx", truncated, "corrupt-zip"),
    ("legacy.xls", legacy_xls, "legacy-xls"),
    ("password.xlsx", password_protected, "encrypted-workbook"),
    ("report.docx.xlsx", word_document, "not-xlsx-package"),
    ("blank-workbook.xlsx", empty_workbook, "not-evalbook-workbook"),
    ("bomb.xlsx", zip_bomb, "zip-bomb"),
    ("entities.xlsx", entity_attack, "xml-attack"),
    ("huge.xlsx", huge_sheet, "sheet-too-large"),
]
