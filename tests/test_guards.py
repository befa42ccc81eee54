"""Tests for evalbook.guards: every kind of bad upload is generated in tmp_path."""

from __future__ import annotations

import hashlib
import io
import pickle
import random
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import openpyxl
import pytest

from evalbook.guards import (
    GuardLimits,
    WorkbookRejected,
    check_workbook_file,
    read_member_limited,
)

MB = 1024 * 1024
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
MIN_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Override PartName="/xl/workbook.xml" ContentType="{XLSX_MAIN}"/></Types>'
).encode()
MIN_WB = b'<?xml version="1.0"?><workbook xmlns="urn:x"/>'


# --------------------------------------------------------------------------- helpers


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "收入支出决算表"
    ws.append(["项目", "金额"])
    ws.append(["基本支出", 1234.5])
    wb.save(path)
    return path


def rewrite_zip(
    src: Path,
    dst: Path,
    edit: Callable[[str, bytes], bytes] = lambda n, d: d,
    extra: Iterable[tuple[str, bytes]] = (),
) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit(info.filename, zin.read(info)))
        for name, data in extra:
            zout.writestr(name, data)
    return dst


# (name, method, crc, raw member bytes as stored, declared uncompressed size)
RawEntry = tuple[str, int, int, bytes, int]


def raw_zip(entries: list[RawEntry]) -> bytes:
    """Hand-built zip so that headers can lie."""
    out, central = bytearray(), bytearray()
    for name, method, crc, data, usize in entries:
        nb, offset = name.encode(), len(out)
        out += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), usize, len(nb), 0
        )
        out += nb + data
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            len(data),
            usize,
            len(nb),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += nb
    n = len(entries)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(central), len(out), 0)
    return bytes(out + central + eocd)


def deflated(data: bytes) -> RawEntry:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return ("", zipfile.ZIP_DEFLATED, zlib.crc32(data), co.compress(data) + co.flush(), len(data))


def entry(name: str, data: bytes) -> RawEntry:
    return (name, *deflated(data)[1:])


def zeros_entry(name: str, megabytes: int, declared: int | None = None) -> RawEntry:
    """Deflate stream of ``megabytes`` MB of zeros built by repeating one
    independently-decodable (Z_FULL_FLUSH) segment: fast and really inflatable."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(MB)
    segment = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    stream = segment * megabytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    size = megabytes * MB if declared is None else declared
    return (name, zipfile.ZIP_DEFLATED, crc, stream, size)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def reject(path: Path, code: str, limits: GuardLimits | None = None) -> WorkbookRejected:
    """Assert refusal with ``code``; message is Chinese and names the file;
    the input is not modified."""
    before = sha256(path) if path.is_file() else None
    with pytest.raises(WorkbookRejected) as info:
        check_workbook_file(path, limits or GuardLimits())
    exc = info.value
    assert exc.code == code, (exc.code, exc.message)
    assert path.name in exc.message
    assert f"《{path.name}》" in str(exc)
    assert CHINESE.search(exc.message)
    if before is not None:
        assert sha256(path) == before
    return exc


# --------------------------------------------------------------------------- accepted


def test_valid_xlsx(tmp_path: Path) -> None:
    p = make_xlsx(tmp_path / "部门决算.xlsx")
    before = sha256(p)
    assert check_workbook_file(p) == "xlsx"
    assert sha256(p) == before


def test_xlsm_by_content_type(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "a.xlsx")
    p = rewrite_zip(
        src,
        tmp_path / "宏.xlsm",
        lambda n, d: d.replace(XLSX_MAIN.encode(), XLSM_MAIN.encode()),
    )
    assert XLSM_MAIN.encode() in zipfile.ZipFile(p).read("[Content_Types].xml")
    before = sha256(p)
    assert check_workbook_file(p) == "xlsm"
    assert sha256(p) == before


def test_xlsm_by_vba_project(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "a.xlsx")
    p = rewrite_zip(
        src, tmp_path / "宏2.xlsm", extra=[("xl/vbaProject.bin", CFB_MAGIC + bytes(512))]
    )
    assert check_workbook_file(p) == "xlsm"


def test_accepts_str_path_and_utf16_content_types(tmp_path: Path) -> None:
    ct = MIN_CT.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    p = write(
        tmp_path / "u16.xlsx",
        raw_zip(
            [
                entry("[Content_Types].xml", "\ufeff".encode("utf-16-le") + ct.encode("utf-16-le")),
                entry("xl/workbook.xml", MIN_WB),
            ]
        ),
    )
    assert check_workbook_file(str(p)) == "xlsx"  # type: ignore[arg-type]


# --------------------------------------------------------------------------- simple refusals


def test_file_not_found(tmp_path: Path) -> None:
    reject(tmp_path / "不存在.xlsx", "file-not-found")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    d = tmp_path / "目录.xlsx"
    d.mkdir()
    reject(d, "file-not-found")


def test_empty(tmp_path: Path) -> None:
    reject(write(tmp_path / "空.xlsx", b""), "file-empty")


def test_too_large(tmp_path: Path) -> None:
    p = make_xlsx(tmp_path / "大.xlsx")
    exc = reject(p, "file-too-large", GuardLimits(max_file_bytes=100))
    assert "上限" in exc.message


def test_legacy_xls(tmp_path: Path) -> None:
    body = CFB_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(4096)
    exc = reject(write(tmp_path / "报表.xls", body), "legacy-xls")
    assert exc.message == (
        "文件《报表.xls》是旧版 Excel 97-2003 格式（.xls），"
        "请在 Excel 中“另存为” .xlsx 后重新报送。"
    )


@pytest.mark.parametrize(
    "streams", [("EncryptionInfo", "EncryptedPackage"), ("EncryptionInfo",), ("EncryptedPackage",)]
)
def test_encrypted(tmp_path: Path, streams: tuple[str, ...]) -> None:
    body = CFB_MAGIC + bytes(1024)
    for s in streams:
        body += s.encode("utf-16-le") + bytes(128 - 2 * len(s))
    exc = reject(write(tmp_path / "x.xlsx", body), "encrypted-workbook")
    assert exc.message == "文件《x.xlsx》已设置打开密码（加密），无法读取，请取消密码后重新报送。"


def test_encrypted_name_across_scan_chunk_boundary(tmp_path: Path) -> None:
    body = CFB_MAGIC + bytes(MB - 8 - 7) + "EncryptedPackage".encode("utf-16-le") + bytes(100)
    reject(write(tmp_path / "加密.xlsx", body), "encrypted-workbook")


@pytest.mark.parametrize(
    ("filename", "data", "hint"),
    [
        ("random.xlsx", random.Random(7).randbytes(8192), None),
        ("文本.xlsx", "项目,金额\n基本支出,1234.5\n".encode(), "CSV"),
        ("gbk.csv", "项目,金额\n基本支出,1\n".encode("gbk"), "CSV"),
        ("scan.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        ("导出.xls", b"<html><head><meta charset=utf-8></head><table><tr><td>1</td></tr>", "HTML"),
        ("2003.xml", b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>', "2003"),
    ],
)
def test_not_a_workbook(tmp_path: Path, filename: str, data: bytes, hint: str | None) -> None:
    assert not data.startswith((CFB_MAGIC, b"PK"))
    exc = reject(write(tmp_path / filename, data), "not-a-workbook")
    assert "不是有效的 Excel 工作簿（.xlsx）" in exc.message
    if hint:
        assert hint in exc.message


# --------------------------------------------------------------------------- zip-level refusals


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path / "a.xlsx").read_bytes()
    reject(write(tmp_path / "截断.xlsx", data[: len(data) // 2]), "corrupt-zip")


def test_crc_mismatch(tmp_path: Path) -> None:
    data = bytearray(make_xlsx(tmp_path / "a.xlsx").read_bytes())
    marker = b"xl/workbook.xml"
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(marker))  # central header of workbook.xml
    data[cd + 16] ^= 0xFF  # CRC-32 field
    reject(write(tmp_path / "坏.xlsx", bytes(data)), "corrupt-zip")


@pytest.mark.parametrize(
    ("members", "hint"),
    [
        ({"[Content_Types].xml": MIN_CT, "word/document.xml": b"<w:document/>"}, "Word"),
        ({"readme.txt": b"hello", "data.csv": b"a,b\n1,2\n"}, "压缩包"),
        ({"[Content_Types].xml": MIN_CT, "xl/workbook.bin": b"\x83\x01"}, "xlsb"),
        ({"xl/workbook.xml": MIN_WB}, None),  # no [Content_Types].xml
        ({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": MIN_WB}, None),
    ],
)
def test_not_xlsx_package(tmp_path: Path, members: dict[str, bytes], hint: str | None) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    exc = reject(write(tmp_path / "报告.docx", buf.getvalue()), "not-xlsx-package")
    if hint:
        assert hint in exc.message


def test_empty_zip(tmp_path: Path) -> None:
    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").close()
    reject(write(tmp_path / "empty.zip", buf.getvalue()), "not-xlsx-package")


def test_too_many_entries(tmp_path: Path) -> None:
    p = tmp_path / "多.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", MIN_CT)
        zf.writestr("xl/workbook.xml", MIN_WB)
        for i in range(20_000):
            zf.writestr(f"xl/junk/{i}.bin", b"")
    t0 = time.perf_counter()
    exc = reject(p, "zip-bomb")
    assert time.perf_counter() - t0 < 1.0
    assert "20002" in exc.message
    # EOCD record lying about the count: the parsed central directory still counts
    data = bytearray(p.read_bytes())
    data[-14:-10] = struct.pack("<2H", 2, 2)
    t0 = time.perf_counter()
    reject(write(tmp_path / "多2.xlsx", bytes(data)), "zip-bomb")
    assert time.perf_counter() - t0 < 1.0


def bomb_package(path: Path, *bomb: RawEntry) -> Path:
    return write(
        path,
        raw_zip([entry("[Content_Types].xml", MIN_CT), entry("xl/workbook.xml", MIN_WB), *bomb]),
    )


def test_real_zip_bomb_300mb(tmp_path: Path) -> None:
    p = bomb_package(tmp_path / "炸弹.xlsx", zeros_entry("xl/worksheets/sheet1.xml", 300))
    assert p.stat().st_size < 2 * MB
    t0 = time.perf_counter()
    exc = reject(p, "zip-bomb")
    assert time.perf_counter() - t0 < 1.0
    assert "疑似压缩炸弹（解压后体积异常）" in exc.message


def test_zip_bomb_ratio_total_and_real_data(tmp_path: Path) -> None:
    p = bomb_package(tmp_path / "ratio.xlsx", zeros_entry("xl/media/a.bin", 4))
    # the hand-built stream really inflates to 4 MB with a valid CRC
    with zipfile.ZipFile(p) as zf:
        assert read_member_limited(zf, "xl/media/a.bin", 5 * MB) == bytes(4 * MB)
    reject(p, "zip-bomb")  # 4 MB entry, ratio ~1000 > 200
    assert check_workbook_file(p, GuardLimits(max_ratio=10_000)) == "xlsx"
    reject(p, "zip-bomb", GuardLimits(max_ratio=10_000, max_total_uncompressed=3 * MB))
    reject(p, "zip-bomb", GuardLimits(max_ratio=10_000, max_entry_uncompressed=2 * MB))


def test_one_gigabyte_declared(tmp_path: Path) -> None:
    name, method, crc, data, _ = zeros_entry("xl/worksheets/sheet1.xml", 1)
    p = bomb_package(tmp_path / "1g.xlsx", (name, method, crc, data, 1 << 30))
    t0 = time.perf_counter()
    reject(p, "zip-bomb")
    assert time.perf_counter() - t0 < 1.0


def test_lying_header_small_declared_size(tmp_path: Path) -> None:
    # Directory says 20 KB (plausible ratio), data really inflates to 10 MB.
    lying = zeros_entry("xl/worksheets/sheet1.xml", 10, declared=20 * 1024)
    p = bomb_package(tmp_path / "谎报.xlsx", lying)
    t0 = time.perf_counter()
    exc = reject(p, "zip-bomb")
    assert time.perf_counter() - t0 < 1.0
    assert "超过声明" in exc.message
    with zipfile.ZipFile(p) as zf:
        # zipfile alone would silently stop at the declared 20 KB; the limited
        # reader looks past the lie and refuses at its own cap.
        with pytest.raises(WorkbookRejected) as info:
            read_member_limited(zf, "xl/worksheets/sheet1.xml", MB)
        assert info.value.code == "zip-bomb"
        assert "谎报.xlsx" in info.value.message
        assert read_member_limited(zf, "xl/workbook.xml", 1024) == MIN_WB
        with pytest.raises(WorkbookRejected) as info:
            read_member_limited(zf, "xl/workbook.xml", 10)
        assert info.value.code == "zip-bomb"


def test_lying_header_compressed_larger_than_declared(tmp_path: Path) -> None:
    lying = zeros_entry("xl/worksheets/sheet1.xml", 50, declared=100)
    reject(bomb_package(tmp_path / "谎报2.xlsx", lying), "zip-bomb")


def test_overlapping_entries(tmp_path: Path) -> None:
    data = bytearray(
        bomb_package(tmp_path / "o.xlsx", entry("xl/a.xml", b"<a/>" * 50)).read_bytes()
    )
    cd = data.rfind(b"PK\x01\x02")  # last central header -> point it at the first member
    data[cd + 42 : cd + 46] = struct.pack("<L", 0)
    reject(write(tmp_path / "重叠.xlsx", bytes(data)), "zip-bomb")


# --------------------------------------------------------------------------- XML attacks

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<workbook>&b;</workbook>'
)


def test_billion_laughs_in_workbook(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "a.xlsx")
    p = rewrite_zip(
        src,
        tmp_path / "laughs.xlsx",
        lambda n, d: BILLION_LAUGHS if n == "xl/workbook.xml" else d,
    )
    exc = reject(p, "xml-attack")
    assert "xl/workbook.xml" in exc.message


@pytest.mark.parametrize(
    ("part", "payload"),
    [
        ("[Content_Types].xml", b'<!DOCTYPE Types SYSTEM "http://evil/x.dtd"><Types/>'),
        ("xl/sharedStrings.xml", b'<?xml version="1.0"?><!ENTITY e SYSTEM "file:///etc/passwd">'),
        ("xl/_rels/workbook.xml.rels", b"<?xml version='1.0'?>\n<!doctype r [ ]><r/>"),
        ("xl/worksheets/sheet1.xml", "\ufeff<!DOCTYPE s>".encode("utf-16-le")),
        (
            "xl/styles.xml",  # DOCTYPE pushed past 4 KB by a long comment
            b"<?xml version='1.0'?><!--" + b"x" * 20_000 + b"--><!DOCTYPE s []><s/>",
        ),
        ("xl/theme/theme1.xml", b"<?xml version='1.0' encoding='utf-7'?>+ADw-!DOCTYPE t+AD4-"),
        ("xl/drawings/a.xml", b"<?xml version='1.0'?><!--" + b"y" * 70_000),  # endless prolog
    ],
)
def test_xml_attack_in_any_part(tmp_path: Path, part: str, payload: bytes) -> None:
    src = make_xlsx(tmp_path / "a.xlsx")
    with zipfile.ZipFile(src) as zf:
        present = part in zf.namelist()
    p = rewrite_zip(
        src,
        tmp_path / "xml.xlsx",
        lambda n, d: payload if n == part else d,
        extra=[] if present else [(part, payload)],
    )
    exc = reject(p, "xml-attack")
    assert part in exc.message


def test_entity_text_escaped_in_cells_is_fine(tmp_path: Path) -> None:
    p = tmp_path / "ok.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = '<!DOCTYPE x [<!ENTITY a "aaa">]>'
    wb.save(p)
    assert check_workbook_file(p) == "xlsx"


# --------------------------------------------------------------------------- exception object


def test_workbook_rejected_pickles() -> None:
    exc = WorkbookRejected("zip-bomb", "文件《x.xlsx》疑似压缩炸弹（解压后体积异常），已拒绝处理。")
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is WorkbookRejected
    assert (clone.code, clone.message) == (exc.code, exc.message)
    assert str(clone) == exc.message


def test_rejection_from_check_pickles(tmp_path: Path) -> None:
    exc = reject(write(tmp_path / "空.xlsx", b""), "file-empty")
    clone = pickle.loads(pickle.dumps(exc))
    assert (clone.code, clone.message) == ("file-empty", exc.message)
