"""Reading a returned workbook through its defined names, never through fixed coordinates.

Order of work: :func:`evalbook.guards.check_workbook_file` refuses dangerous or
non-workbook files before anything is parsed; ``xl/workbook.xml`` and its relationships
give the sheets and the defined names (expat under defusedxml's policy: no DTDs, no
entities, no external references); each sheet that a name points to is measured (a sparse
sheet reaching XFD1048576 would make the value reader allocate its whole rectangle) and,
where formulas or error values matter, scanned for them; python-calamine then reads the
values. Everything is read directly from the package parts — a full openpyxl load would
take many times longer than the whole validation. Macros of ``.xlsm`` files are never run
and the input file is only ever opened for reading.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat as pyexpat

import defusedxml.ElementTree as SafeET
from python_calamine import CalamineWorkbook

from evalbook.contract import FORM_FIELDS, TABLES_BY_NAME
from evalbook.findings import CATALOGUE
from evalbook.framework import Framework
from evalbook.guards import WorkbookRejected, check_workbook_file, read_member_limited
from evalbook.inputs import known_names
from evalbook.workbook import META_NAMES, NamedRange, WorkbookData, is_blank, meta_from_names
from evalbook.xlsxutil import col_index, col_letter

_MB = 1024 * 1024
#: XML parts we parse ourselves are far smaller than the guard's per-part ceiling.
WORKBOOK_XML_LIMIT = 16 * _MB
SHEET_XML_LIMIT = 64 * _MB
#: Cells in a sheet's used rectangle beyond which the value reader is not started.
MAX_SHEET_CELLS = 2_000_000
#: Cells a defined name may span (the template's largest is a few hundred); a name over a
#: whole sheet is treated as broken rather than read cell by cell.
MAX_NAME_CELLS = 100_000


Area = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


class WorkbookError(WorkbookRejected):
    """A workbook that cannot be read; ``message`` is Chinese and names the file.

    The guard's refusals and the reader's own failures share one shape (a stable ``code``
    and a message; picklable for the batch pool), so the reader's error extends the guard's.
    """


def _error(code: str, **values: object) -> WorkbookError:
    text = CATALOGUE[code].template.format_map({k: str(v) for k, v in values.items()})
    return WorkbookError(code, text)


# ---------------------------------------------------------------- workbook.xml


@dataclass(frozen=True)
class SheetEntry:
    name: str
    part: str  # zip member, e.g. "xl/worksheets/sheet1.xml"
    hidden: bool


@dataclass(frozen=True)
class Target:
    """Where a defined name points: 1-based inclusive bounds on a sheet."""

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int


_REF = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!:\[\]]+))!"
    r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?$"
)


@functools.lru_cache(maxsize=4096)  # workbooks of one template share their ~170 references
def parse_reference(text: str) -> Target | None:
    """``'评分表'!$G$5`` or ``收支情况!$B$5:$H$8`` -> a target; anything else (``#REF!``,
    external or multi-area references, constants) -> None."""
    m = _REF.match(text.strip().lstrip("="))
    if m is None:
        return None
    sheet = m[1].replace("''", "'") if m[1] is not None else m[2]
    try:
        r1, c1 = int(m[4]), col_index(m[3])
        r2, c2 = (int(m[6]), col_index(m[5])) if m[5] else (r1, c1)
    except ValueError:
        return None
    if not (1 <= r1 <= r2 and 1 <= c1 <= c2):
        return None
    if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_NAME_CELLS:
        return None
    return Target(sheet if m[1] is not None else sheet.strip(), r1, c1, r2, c2)


Element = tuple[str, dict[str, str], str]  # local tag, attributes (local names), text


def _elements(raw: bytes, tags: frozenset[str]) -> list[Element]:
    """The ``tags`` elements of a small XML part, with their attributes and text."""
    found: list[Element] = []
    text: list[str] = []
    inside = False

    def start(tag: str, attrs: list[str]) -> None:
        nonlocal inside
        local = tag[tag.rfind(":") + 1:]
        if local in tags:
            keys = (k[k.rfind(":") + 1:] for k in attrs[::2])
            found.append((local, dict(zip(keys, attrs[1::2], strict=True)), ""))
            text.clear()
            inside = True

    def end(tag: str) -> None:
        nonlocal inside
        if inside:
            local, attrs, _ = found[-1]
            found[-1] = (local, attrs, "".join(text))
            inside = False

    def data(chunk: str) -> None:
        if inside:
            text.append(chunk)

    parser = _safe_expat()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = data
    parser.Parse(raw, True)
    return found


def _sheet_parts(zf: zipfile.ZipFile, shown: str) -> dict[str, str]:
    """Relationship id -> zip member of each sheet."""
    rels_xml = read_member_limited(zf, "xl/_rels/workbook.xml.rels", WORKBOOK_XML_LIMIT,
                                   display_name=shown)
    parts: dict[str, str] = {}
    for _, attrs, _ in _elements(rels_xml, frozenset({"Relationship"})):
        rid, target = attrs.get("Id"), attrs.get("Target")
        if rid and target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            parts[rid] = path
    return parts


def _workbook_xml(zf: zipfile.ZipFile, shown: str) -> tuple[list[SheetEntry], dict[str, str]]:
    """The sheets in tab order and the workbook-scoped ``EB_*`` names with their references."""
    raw = read_member_limited(zf, "xl/workbook.xml", WORKBOOK_XML_LIMIT, display_name=shown)
    parts = _sheet_parts(zf, shown)
    sheets: list[SheetEntry] = []
    names: dict[str, str] = {}
    for tag, attrs, text in _elements(raw, frozenset({"sheet", "definedName"})):
        if tag == "sheet":
            name, rid = attrs.get("name"), attrs.get("id")
            if name is not None and rid in parts:
                hidden = attrs.get("state", "visible") != "visible"
                sheets.append(SheetEntry(name, parts[rid], hidden))
        else:
            name = attrs.get("name", "")
            if name.upper().startswith("EB_") and "localSheetId" not in attrs:
                names[name.upper()] = text.strip()
    return sheets, names


# ---------------------------------------------------------------- sheet XML


# Every ``r="..."`` attribute: cells (letters and digits) and rows (digits only). Matching
# the attribute alone (literal prefix, one pass) is cheap, and can only overestimate.
_R_ATTR = re.compile(rb"""r=["']([A-Z]{0,3})([0-9]{1,7})["']""")
_ERROR_MARKS = (b't="e"', b"t='e'")  # error cells: t="e" (a cheap, generous test)


def _tags(raw: bytes, tag: bytes, prefixed: bool) -> int:
    """How many ``<tag`` elements the XML can hold, counted generously (``<c`` also counts
    ``<col``, ``<cfRule``…, which only loosens the bound)."""
    return raw.count(b"<" + tag) + (raw.count(b":" + tag) if prefixed else 0)


def _extent(raw: bytes) -> tuple[int, int]:
    """(last row, last column) the sheet's cells can reach: a cheap byte scan, so that a
    sparse sheet reaching XFD1048576 is refused before a reader allocates its rectangle.
    Cells and rows without an ``r`` attribute are counted as following the last one."""
    refs = _R_ATTR.findall(raw)
    last_row = max(map(int, {r for _, r in refs}), default=0)
    letters = {c for c, _ in refs}
    letters.discard(b"")
    last_col = max((col_index(c.decode()) for c in letters), default=0)
    cells = len(refs) - sum(not c for c, _ in refs)
    prefixed = b":row" in raw  # <x:row>, <x:c> from unusual writers
    unnamed_rows = max(_tags(raw, b"row", prefixed) - (len(refs) - cells), 0)
    unnamed_cells = max(_tags(raw, b"c", prefixed) - cells, 0)
    return last_row + unnamed_rows, last_col + unnamed_cells


@dataclass
class SheetCells:
    """What calamine does not tell: formulas and error values, by (row, col)."""

    formulas: dict[tuple[int, int], str]
    errors: dict[tuple[int, int], str]


_POSITION = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


class _CellScan:
    """Formulas and error values of the wanted cells, from expat events (no tree built)."""

    def __init__(self, wanted: set[str]) -> None:
        self.wanted = wanted
        self.cells = SheetCells({}, {})
        self.pos: tuple[int, int] | None = None
        self.error_cell = False
        self.text: list[str] | None = None

    def start(self, tag: str, attrs: list[str]) -> None:
        local = tag[tag.rfind(":") + 1:]
        if local == "c":
            self.pos = None
            try:
                ref = attrs[attrs.index("r") + 1]
            except (ValueError, IndexError):
                return
            m = _POSITION.match(ref) if ref in self.wanted else None
            if m:
                self.pos = (int(m[2]), col_index(m[1]))
                self.error_cell = "t" in attrs and attrs[attrs.index("t") + 1] == "e"
        elif self.pos is not None and (local == "f" or (local == "v" and self.error_cell)):
            self.text = []

    def end(self, tag: str) -> None:
        if self.text is None or self.pos is None:
            return
        local = tag[tag.rfind(":") + 1:]
        if local == "f":
            self.cells.formulas[self.pos] = "=" + "".join(self.text)
        elif local == "v":
            self.cells.errors[self.pos] = "".join(self.text).strip()
        self.text = None

    def data(self, chunk: str) -> None:
        if self.text is not None:
            self.text.append(chunk)


_F_START = re.compile(rb"<f[ >/]")
_C_R = re.compile(rb""" r=["']([A-Z]{1,3}[0-9]{1,7})["']""")
_F_TEXT_END = b"</f>"
_UNUSUAL_XML = (b"<![CDATA[", b":f")  # CDATA, or prefixed formula elements (<x:f>)


def _formulas_fast(raw: bytes, wanted: set[str]) -> SheetCells | None:
    """The formulas of a sheet without parsing it, or None when the shortcut does not apply.

    In well-formed XML a ``<`` never occurs inside attribute values or text (it must be
    escaped), so every ``<f>``/``<f ...>`` is a formula element and, as nothing inside a cell
    starts with ``<c``, the nearest ``<c`` before it is the start of its cell. CDATA
    sections and namespace-prefixed elements (unusual writers) break that reasoning: those
    sheets are parsed with expat instead. The values themselves come from calamine, which
    parses every sheet fully.
    """
    if any(mark in raw for mark in _UNUSUAL_XML):
        return None
    cells = SheetCells({}, {})
    for m in _F_START.finditer(raw):
        begin = raw.rfind(b"<c", 0, m.start())
        if begin < 0 or raw[begin + 2:begin + 3] not in (b" ", b">"):
            return None
        ref = _C_R.search(raw, begin, raw.find(b">", begin))
        if ref is None:
            return None
        name = ref[1].decode()
        if name not in wanted:
            continue
        text = b""
        if raw[m.end() - 1:m.end()] != b"/":
            open_end = raw.find(b">", m.start())
            if raw[open_end - 1:open_end] != b"/":
                text = raw[open_end + 1:raw.find(_F_TEXT_END, open_end)]
        pos = _POSITION.match(name)
        if pos:
            cells.formulas[(int(pos[2]), col_index(pos[1]))] = "=" + html.unescape(
                text.decode("utf-8"))
    return cells


def _sheet_cells(raw: bytes, wanted: set[str]) -> SheetCells:
    """Parse with an expat parser under defusedxml's policy (DTDs, entities and external
    references are refused) and plain handlers: building an element tree would be the
    slow part. Only the cells in ``wanted`` (A1 references) are recorded."""
    expat = _safe_expat()
    scan = _CellScan(wanted)
    expat.StartElementHandler, expat.EndElementHandler = scan.start, scan.end
    expat.CharacterDataHandler = scan.data
    expat.Parse(raw, True)
    return scan.cells


def _safe_expat() -> Any:
    """A bare expat parser (no tree, no namespace processing) under defusedxml's policy:
    document type declarations, entity declarations and external references are refused
    with defusedxml's own exceptions."""
    policy = SafeET.DefusedXMLParser(forbid_dtd=True, forbid_entities=True,
                                     forbid_external=True)
    parser = pyexpat.ParserCreate()
    parser.StartDoctypeDeclHandler = policy.defused_start_doctype_decl
    parser.EntityDeclHandler = policy.defused_entity_decl
    parser.UnparsedEntityDeclHandler = policy.defused_unparsed_entity_decl
    # (typeshed wants an int from this handler; defusedxml's raises instead of returning)
    parser.ExternalEntityRefHandler = policy.defused_external_entity_ref_handler  # type: ignore[assignment]
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.ordered_attributes = True
    parser.buffer_text = True
    return parser


# ---------------------------------------------------------------- reading


def read_workbook(path: Path | str) -> WorkbookData:
    """Read a returned workbook; raises :class:`WorkbookError` with a Chinese message."""
    path = Path(path)
    try:
        kind = check_workbook_file(path)
    except WorkbookRejected as exc:
        raise WorkbookError(exc.code, exc.message) from None
    try:
        return _read(path, kind)
    except WorkbookError:
        raise
    except WorkbookRejected as exc:
        raise WorkbookError(exc.code, exc.message) from None
    except MemoryError:  # not the file's content: the caller's guard reports it (batch pool)
        raise
    except Exception as exc:  # a parser's own error on malformed content
        raise _error("workbook-unreadable", file=path.name, detail=type(exc).__name__) from exc


#: Names every evalbook workbook has (one of them suffices to recognise one).
_CONTRACT_NAMES = frozenset({*(f.name for f in FORM_FIELDS), *TABLES_BY_NAME, *META_NAMES})

#: Names whose cells hold formulas in the template (their formulas are read).
FORMULA_PREFIXES = ("EB_SCORE_", "EB_VALUE_", "EB_SUBTOTAL_", "EB_TOTAL_SCORE", "EB_GRADE")


def _read(path: Path, kind: str) -> WorkbookData:
    shown = path.name
    with zipfile.ZipFile(path) as zf:
        sheets, refs = _workbook_xml(zf, shown)
        if not _CONTRACT_NAMES & refs.keys():
            raise _error("not-evalbook-workbook", file=shown)
        by_name = {s.name: s for s in sheets}
        targets: dict[str, Target] = {}
        broken: dict[str, str] = {}
        for name, text in refs.items():
            target = parse_reference(text)
            if target is None or target.sheet not in by_name:
                broken[name] = text
            else:
                targets[name] = target
        needed = sorted({t.sheet for t in targets.values()}, key=list(by_name).index)
        with_formulas = {t.sheet for n, t in targets.items() if n.startswith(FORMULA_PREFIXES)}
        extra = {s: _scan_sheet(zf, by_name[s], shown, s in with_formulas, targets)
                 for s in needed}
    values, merged = _calamine_values(path, needed, targets)
    names = {name: _named_range(name, t, values[t.sheet], extra[t.sheet])
             for name, t in targets.items()}
    return WorkbookData(
        file=shown, sheets=[s.name for s in sheets], names=names, meta=meta_from_names(names),
        broken=broken, hidden=[s.name for s in sheets if s.hidden], merged=merged,
        macros=kind == "xlsm",
    )


def _cells_of(sheet: str, targets: dict[str, Target]) -> set[str]:
    """A1 references of every named cell on ``sheet``."""
    out: set[str] = set()
    for t in targets.values():
        if t.sheet == sheet:
            out.update(f"{col_letter(c)}{r}" for r in range(t.first_row, t.last_row + 1)
                       for c in range(t.first_col, t.last_col + 1))
    return out


def _sheet_xml(zf: zipfile.ZipFile, sheet: SheetEntry, shown: str) -> bytes:
    """A sheet's XML. The guard has already inflated every member once and refused any whose
    data exceeds its declared size, and zipfile never returns more than the declared size,
    so checking the declared size bounds the memory (and is faster than re-reading in
    guarded chunks)."""
    try:
        info = zf.getinfo(sheet.part)
    except KeyError:
        return read_member_limited(zf, sheet.part, SHEET_XML_LIMIT, display_name=shown)
    if info.file_size > SHEET_XML_LIMIT:
        raise _error("sheet-too-large", file=shown, sheet_name=sheet.name,
                     extent=f"XML 部件 {info.file_size / (1024 * 1024):.0f} MB")
    return zf.read(info)


def _scan_sheet(zf: zipfile.ZipFile, sheet: SheetEntry, shown: str, formulas: bool,
                targets: dict[str, Target]) -> SheetCells | None:
    """Refuse a sheet whose used rectangle is huge; read formulas (if wanted) and error
    values. None: formulas were not read (unknown); the sheet has no error values."""
    raw = _sheet_xml(zf, sheet, shown)
    rows, cols = _extent(raw)
    if rows * cols > MAX_SHEET_CELLS:
        corner = f"{col_letter(min(max(cols, 1), 16384))}{max(rows, 1)}"
        raise _error("sheet-too-large", file=shown, sheet_name=sheet.name,
                     extent=f"已用区域 A1:{corner}，约 {rows * cols:,} 个单元格")
    has_errors = any(mark in raw for mark in _ERROR_MARKS)
    if formulas and not has_errors:
        return _formulas_fast(raw, _cells_of(sheet.name, targets)) or _sheet_cells(
            raw, _cells_of(sheet.name, targets))
    if formulas:
        return _sheet_cells(raw, _cells_of(sheet.name, targets))
    if has_errors:
        cells = _sheet_cells(raw, _cells_of(sheet.name, targets))
        return SheetCells({}, cells.errors) if cells.errors else None
    return None


def _calamine_values(path: Path, sheets: Iterable[str], targets: dict[str, Target]
                     ) -> tuple[dict[str, list[list[Any]]], dict[str, list[Area]]]:
    values: dict[str, list[list[Any]]] = {}
    merged: dict[str, list[Area]] = {}
    book = CalamineWorkbook.from_path(str(path))
    try:
        for sheet in sheets:
            last = max(t.last_row for t in targets.values() if t.sheet == sheet)
            ws = book.get_sheet_by_name(sheet)
            values[sheet] = ws.to_python(skip_empty_area=False, nrows=last)
            merged[sheet] = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                             for (r1, c1), (r2, c2) in ws.merged_cell_ranges or ()]
    finally:
        book.close()
    return values, merged


def _cell(grid: list[list[Any]], cells: SheetCells | None, row: int, col: int) -> object:
    error = None if cells is None else cells.errors.get((row, col))
    if error is not None:
        return error
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        value = grid[row - 1][col - 1]
        return None if value == "" else value
    return None


def _named_range(name: str, t: Target, grid: list[list[Any]], cells: SheetCells | None
                 ) -> NamedRange:
    rows = range(t.first_row, t.last_row + 1)
    cols = range(t.first_col, t.last_col + 1)
    values = [[_cell(grid, cells, r, c) for c in cols] for r in rows]
    formulas: list[list[str | None]] | None = None
    if cells is not None and (cells.formulas or name.startswith(FORMULA_PREFIXES)):
        formulas = [[cells.formulas.get((r, c)) for c in cols] for r in rows]
    return NamedRange(name, t.sheet, t.first_row, t.first_col, values, formulas)


# ---------------------------------------------------------------- the engine's inputs


def _as_input(value: object) -> object:
    """A cell as the JSON inputs would hold it (dates as ``YYYY-MM-DD``; blank as None)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def inputs_from_data(data: WorkbookData, framework: Framework) -> dict[str, Any]:
    """The SPEC section 5 inputs dict, values as typed in the cells."""
    checklists = {f.name for f in framework.fields if f.type == "checklist"}
    out: dict[str, Any] = {}
    for name in sorted(known_names(framework) & data.names.keys()):
        rng = data.names[name]
        table = TABLES_BY_NAME.get(name)
        if table is not None:
            width = len(table.columns)
            out[name] = [[_as_input(v) for v in (row + [None] * width)[:width]]
                         for row in rng.values]
        elif name in checklists:
            out[name] = [_as_input(v) for v in rng.flat()]
        else:
            out[name] = _as_input(rng.scalar)
    return out


def read_inputs(path: Path | str, framework: Framework) -> dict[str, Any]:
    """The inputs of a filled workbook for the engine (``evalbook score FILE.xlsx``)."""
    return inputs_from_data(read_workbook(path), framework)
