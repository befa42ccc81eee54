"""Pre-parse guard for untrusted workbooks returned by departments.

Before a file is handed to openpyxl / python-calamine it is classified here and
dangerous or non-workbook input is refused with a stable kebab-case code and a
Simplified-Chinese message written for accountants.  The guard only ever opens
the input read-only and never executes anything (macros included).

Order of work, cheapest first: stat -> magic bytes -> (CFB: scan for the
encryption stream names) -> zip end-of-central-directory entry count -> central
directory limits (entry count, declared sizes, ratios, lying/overlapping
headers) -> required parts -> one bounded decompression pass per member that
stops the moment output exceeds the declared size (lying headers), verifies the
CRC, and scans XML prologs for DOCTYPE/ENTITY.  Declared-size bombs are refused
from the directory alone, i.e. in milliseconds; the decompression pass costs at
most the declared total (``max_total_uncompressed``).

Codes raised (``WorkbookRejected.code``):

``file-not-found``, ``file-empty``, ``file-too-large``, ``legacy-xls``,
``encrypted-workbook``, ``not-a-workbook``, ``corrupt-zip``,
``not-xlsx-package``, ``zip-bomb``, ``xml-attack``.
"""

from __future__ import annotations

import codecs
import copy
import os
import re
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

__all__ = [
    "GuardLimits",
    "WorkbookRejected",
    "check_workbook_file",
    "read_member_limited",
]

_MB = 1024 * 1024


@dataclass(frozen=True)
class GuardLimits:
    """Hard limits applied before any parsing happens."""

    max_file_bytes: int = 100 * _MB
    max_entries: int = 10_000
    max_entry_uncompressed: int = 200 * _MB
    max_total_uncompressed: int = 500 * _MB
    # Per-entry uncompressed/compressed ratio, only for entries > 1 MB.
    max_ratio: float = 200


class WorkbookRejected(Exception):
    """The file was refused; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[WorkbookRejected], tuple[str, str]]:
        return (type(self), (self.code, self.message))


# --------------------------------------------------------------------------
# constants

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ENCRYPTION_STREAMS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)
_SCAN_CHUNK = _MB
_READ_CHUNK = _MB
_UNCLIPPED = 1 << 62

_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_PART = "xl/workbook.xml"
_CONTENT_TYPES_CAP = 16 * _MB
_RATIO_MIN_SIZE = _MB

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_XML_HEAD_BYTES = 4096
_XML_PROLOG_MAX = 64 * 1024

_CT_MACRO = (
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
)
_CT_PLAIN = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)

_ENCODING_DECL = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_UNICODE_CODECS = {
    "utf-8",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "ascii",
    "latin-1",
    "iso8859-1",
}

_RETRY = "请在 Excel 中打开原表格，“另存为” Excel 工作簿（.xlsx）后重新报送。"


# --------------------------------------------------------------------------
# helpers


def _reject(code: str, name: str, text: str) -> WorkbookRejected:
    return WorkbookRejected(code, f"文件《{name}》{text}")


def _fmt_size(n: int) -> str:
    if n >= _MB:
        return f"{n / _MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} 字节"


def _bomb(name: str, detail: str = "") -> WorkbookRejected:
    extra = f"（{detail}）" if detail else ""
    return _reject("zip-bomb", name, f"疑似压缩炸弹（解压后体积异常）{extra}，已拒绝处理。")


def _corrupt(name: str, detail: str = "") -> WorkbookRejected:
    extra = f"（{detail}）" if detail else ""
    return _reject(
        "corrupt-zip",
        name,
        f"已损坏或不完整{extra}，可能在传输过程中被截断，无法读取，请重新导出后再报送。",
    )


def _encrypted(name: str) -> WorkbookRejected:
    return _reject(
        "encrypted-workbook",
        name,
        "已设置打开密码（加密），无法读取，请取消密码后重新报送。",
    )


def _zip_display_name(zf: zipfile.ZipFile) -> str:
    fn = zf.filename
    return Path(fn).name if fn else "（未命名）"


def _open_unclipped(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    """Open a member without zipfile's clipping at the *declared* size.

    zipfile silently truncates output at the declared size (then fails the
    CRC); other readers (e.g. calamine) may not.  Raising the declared size on a
    private copy of the ZipInfo lets us see what the data really expands to.
    Callers read in small chunks and stop at their own cap, so memory and time
    stay bounded; an honest member still ends at the end of its deflate stream
    and gets its CRC checked.
    """
    probe = copy.copy(info)
    probe.file_size = _UNCLIPPED
    return zf.open(probe)


def read_member_limited(
    zf: zipfile.ZipFile,
    name: str | zipfile.ZipInfo,
    limit: int,
    *,
    display_name: str | None = None,
) -> bytes:
    """Read one member, refusing (``zip-bomb``) once more than ``limit`` bytes
    come out — whatever the (possibly lying) headers declare."""
    shown = display_name or _zip_display_name(zf)
    try:
        info = name if isinstance(name, zipfile.ZipInfo) else zf.getinfo(name)
    except KeyError:
        raise _reject(
            "not-xlsx-package",
            shown,
            f"缺少必要的部件“{name}”，不是有效的 Excel 工作簿（.xlsx）。",
        ) from None
    if info.flag_bits & 0x1:
        raise _encrypted(shown)
    limit = max(0, limit)
    chunks: list[bytes] = []
    total = 0
    try:
        with _open_unclipped(zf, info) as fh:
            while True:
                chunk = fh.read(min(64 * 1024, limit - total + 1))
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise _bomb(shown, f"部件 {info.filename} 解压后超过 {_fmt_size(limit)}")
                chunks.append(chunk)
    except WorkbookRejected:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, CRC, ...
        raise _corrupt(shown) from exc
    return b"".join(chunks)


# --------------------------------------------------------------------------
# sniffing of non-zip content


def _contains_any(fh: BinaryIO, needles: tuple[bytes, ...]) -> bool:
    """Chunked search of the whole file (bounded by max_file_bytes)."""
    overlap = max(len(n) for n in needles) - 1
    fh.seek(0)
    tail = b""
    while True:
        chunk = fh.read(_SCAN_CHUNK)
        if not chunk:
            return False
        window = tail + chunk
        if any(n in window for n in needles):
            return True
        tail = window[-overlap:]


def _not_workbook_hint(head: bytes) -> str:
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith(b"%pdf"):
        return "，实际是 PDF 文档"
    if low.startswith((b"rar!", b"7z\xbc\xaf")):
        return "，实际是 RAR/7z 压缩包"
    if low.startswith((b"\x89png", b"\xff\xd8\xff", b"gif8")):
        return "，实际是图片"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in low or b"excel.sheet" in low:
        return "，实际是 Excel 2003 XML 表格"
    if low.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in low:
        return "，实际是网页（HTML）格式（常见于业务系统导出的“伪 .xls”文件）"
    if b"\x00" not in head:
        for enc in ("utf-8", "gb18030"):
            try:
                head.decode(enc)
            except UnicodeDecodeError:
                continue
            return "，实际是纯文本或 CSV 文件"
    return ""


# --------------------------------------------------------------------------
# XML prolog inspection


def _sniff_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe\x00\x00", b"<\x00\x00\x00")):
        return "utf-32-le"
    if data.startswith((b"\x00\x00\xfe\xff", b"\x00\x00\x00<")):
        return "utf-32-be"
    if data.startswith((b"\xff\xfe", b"<\x00")):
        return "utf-16-le"
    if data.startswith((b"\xfe\xff", b"\x00<")):
        return "utf-16-be"
    return "latin-1"  # ASCII-compatible; markup characters survive as-is


def _decoded_views(data: bytes) -> list[str]:
    primary = data.decode(_sniff_encoding(data), errors="replace")
    views = [primary]
    m = _ENCODING_DECL.match(primary.lstrip("\ufeff"))
    if m:
        try:
            declared = codecs.lookup(m.group(1)).name
            if declared not in _UNICODE_CODECS:
                views.append(data.decode(declared, errors="replace"))
        except Exception:  # unknown/non-text codec: parsers will refuse it too
            pass
    return views


def _prolog_verdict(text: str) -> bool | None:
    """True: DOCTYPE/ENTITY-like declaration before the root element;
    False: root element reached safely; None: need more data."""
    i = 1 if text.startswith("\ufeff") else 0
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return None
        if text[i] != "<":
            return False  # not well-formed; the real parser will complain
        if n - i < 4:
            return None
        if text.startswith("<?", i):
            j = text.find("?>", i + 2)
            if j < 0:
                return None
            i = j + 2
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            if j < 0:
                return None
            i = j + 3
        else:
            return text[i + 1] == "!"


def _xml_verdict(data: bytes) -> bool | None:
    undecided = False
    for text in _decoded_views(data):
        low = text.lower()
        if "<!doctype" in low or "<!entity" in low:
            return True
        verdict = _prolog_verdict(text)
        if verdict:
            return True
        if verdict is None:
            undecided = True
    return None if undecided else False


def _inspect_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Decompress one member once, in bounded chunks, refusing as soon as the
    output exceeds the size declared in the central directory (lying headers),
    verifying the CRC at the end and, for XML parts, scanning the prolog for
    DOCTYPE/ENTITY declarations (first 4 KB; up to 64 KB of comments/PIs)."""
    scan_xml = info.filename.lower().endswith(_XML_SUFFIXES)
    declared = info.file_size
    head = b""
    total = 0
    try:
        with _open_unclipped(zf, info) as fh:
            while chunk := fh.read(_XML_HEAD_BYTES if scan_xml else _READ_CHUNK):
                total += len(chunk)
                if total > declared:
                    raise _bomb(
                        name,
                        f"部件 {info.filename} 实际解压后超过声明的 {_fmt_size(declared)}",
                    )
                if scan_xml:
                    head += chunk
                    verdict = _xml_verdict(head)
                    if verdict or (verdict is None and len(head) >= _XML_PROLOG_MAX):
                        raise _reject(
                            "xml-attack",
                            name,
                            f"包含不安全的 XML 声明（DOCTYPE/ENTITY，位于 {info.filename}），"
                            "可能是恶意构造的文件，已拒绝处理。",
                        )
                    scan_xml = verdict is None
    except WorkbookRejected:
        raise
    except Exception as exc:  # BadZipFile (bad CRC), zlib.error, EOFError, ...
        raise _corrupt(name, f"部件 {info.filename} 校验失败") from exc


# --------------------------------------------------------------------------
# zip inspection


def _eocd_entry_count(fh: BinaryIO, size: int) -> int | None:
    """Entry count from the end-of-central-directory record (cheap pre-check
    so a multi-million-entry directory is never fully parsed)."""
    tail_len = min(size, 22 + 65535 + 20)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        return None
    (count,) = struct.unpack_from("<H", tail, pos + 10)
    if count != 0xFFFF or pos < 20 or tail[pos - 20 : pos - 16] != b"PK\x06\x07":
        return int(count)
    (z64_offset,) = struct.unpack_from("<Q", tail, pos - 20 + 8)
    if z64_offset + 56 > size:
        return None
    fh.seek(z64_offset)
    rec = fh.read(56)
    if len(rec) < 56 or rec[:4] != b"PK\x06\x06":
        return None
    (count64,) = struct.unpack_from("<Q", rec, 32)
    return int(count64)


def _check_directory(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str, limits: GuardLimits
) -> None:
    if len(infos) > limits.max_entries:
        raise _bomb(name, f"包含 {len(infos)} 个部件，超过上限 {limits.max_entries}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        key = info.filename.casefold()
        if key in seen:
            raise _corrupt(name, f"部件 {info.filename} 重复出现")
        seen.add(key)
        if info.flag_bits & 0x1:
            raise _encrypted(name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _corrupt(name, "使用了不支持的压缩方式")
        usize, csize = info.file_size, info.compress_size
        if usize > limits.max_entry_uncompressed:
            raise _bomb(name, f"部件 {info.filename} 解压后 {_fmt_size(usize)}")
        total += usize
        if total > limits.max_total_uncompressed:
            raise _bomb(name, f"解压后总计超过 {_fmt_size(limits.max_total_uncompressed)}")
        if usize > _RATIO_MIN_SIZE and usize > limits.max_ratio * max(csize, 1):
            raise _bomb(name, f"部件 {info.filename} 压缩比异常")
        # Deflate never expands data by more than a few bytes per 16 KB, so a
        # compressed size far above the declared size means a lying header.
        if csize > usize + max(1024, usize // 100):
            raise _bomb(name, f"部件 {info.filename} 的大小声明与实际数据不符")
    # Overlapping members (one compressed kernel referenced many times).
    ordered = sorted(infos, key=lambda i: i.header_offset)
    bounds = [i.header_offset for i in ordered[1:]] + [zf.start_dir]
    for cur, bound in zip(ordered, bounds, strict=False):  # len(bounds) >= len(ordered)
        if cur.header_offset + 30 + cur.compress_size > bound:
            raise _bomb(name, "部件数据相互重叠")


def _package_hint(names: set[str]) -> str:
    lower = {n.lower() for n in names}
    if "xl/workbook.bin" in lower:
        return "，它是二进制工作簿（.xlsb），请另存为 .xlsx 后重新报送"
    if "mimetype" in lower:
        return "，它是 OpenDocument 表格（.ods 等），请另存为 .xlsx 后重新报送"
    if any(n.startswith("word/") for n in lower):
        return "，它实际是 Word 文档"
    if any(n.startswith("ppt/") for n in lower):
        return "，它实际是 PowerPoint 演示文稿"
    return "，可能是普通压缩包"


def _check_zip(fh: BinaryIO, size: int, name: str, limits: GuardLimits) -> str:
    count = _eocd_entry_count(fh, size)
    if count is not None and count > limits.max_entries:
        raise _bomb(name, f"包含 {count} 个部件，超过上限 {limits.max_entries}")
    fh.seek(0)
    try:
        zf = zipfile.ZipFile(fh, "r")
    except Exception as exc:  # BadZipFile, EOFError, struct.error, ...
        raise _corrupt(name) from exc
    with zf:
        try:
            infos = zf.infolist()
        except Exception as exc:
            raise _corrupt(name) from exc
        _check_directory(zf, infos, name, limits)

        names = {i.filename for i in infos}
        if _CONTENT_TYPES not in names or _WORKBOOK_PART not in names:
            raise _reject(
                "not-xlsx-package",
                name,
                f"不是有效的 Excel 工作簿（.xlsx）：缺少工作簿内容{_package_hint(names)}。",
            )

        for info in infos:
            if not info.is_dir():
                _inspect_member(zf, info, name)

        raw = read_member_limited(
            zf,
            _CONTENT_TYPES,
            min(limits.max_entry_uncompressed, _CONTENT_TYPES_CAP),
            display_name=name,
        )
        content_types = _decoded_views(raw)[0].lower()
        has_vba = any(n.lower() == "xl/vbaproject.bin" for n in names)
        if has_vba or any(ct in content_types for ct in _CT_MACRO):
            return "xlsm"
        if any(ct in content_types for ct in _CT_PLAIN):
            return "xlsx"
        raise _reject(
            "not-xlsx-package",
            name,
            "不是有效的 Excel 工作簿（.xlsx）：内容类型声明中没有 Excel 工作簿，" + _RETRY,
        )


# --------------------------------------------------------------------------
# entry point


def check_workbook_file(path: Path, limits: GuardLimits = GuardLimits()) -> str:
    """Classify ``path``; return ``"xlsx"`` or ``"xlsm"`` or raise
    :class:`WorkbookRejected`.  The file is only ever opened read-only."""
    path = Path(path)
    name = path.name or str(path)
    missing = _reject("file-not-found", name, "不存在或无法读取，请确认文件已正确上传。")
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError) as exc:  # ValueError: NUL byte in the path
        raise missing from exc
    if not stat.S_ISREG(mode):
        raise missing  # directory, FIFO, device...: never open those
    try:
        with open(path, "rb") as fh:
            return _classify(fh, name, limits)
    except WorkbookRejected:
        raise
    except OSError as exc:  # vanished or unreadable meanwhile, I/O error
        raise missing from exc


def _classify(fh: BinaryIO, name: str, limits: GuardLimits) -> str:
    size = os.fstat(fh.fileno()).st_size
    if size == 0:
        raise _reject("file-empty", name, "是空文件（0 字节），请检查后重新报送。")
    if size > limits.max_file_bytes:
        raise _reject(
            "file-too-large",
            name,
            f"过大（{_fmt_size(size)}），超过允许的上限 "
            f"{_fmt_size(limits.max_file_bytes)}，请删除无关内容后重新报送。",
        )
    head = fh.read(_XML_HEAD_BYTES)
    if head.startswith(_CFB_MAGIC):
        if _contains_any(fh, _ENCRYPTION_STREAMS):
            raise _encrypted(name)
        raise _reject(
            "legacy-xls",
            name,
            "是旧版 Excel 97-2003 格式（.xls），请在 Excel 中“另存为” .xlsx 后重新报送。",
        )
    if head.startswith(_ZIP_MAGICS):
        return _check_zip(fh, size, name, limits)
    raise _reject(
        "not-a-workbook",
        name,
        f"不是有效的 Excel 工作簿（.xlsx）{_not_workbook_hint(head)}。" + _RETRY,
    )
