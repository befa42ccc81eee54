"""Batch validation of a folder of returned workbooks (the finance bureau's run).

Files are validated in a guarded process pool (:mod:`evalbook.pool`); results come back in
a deterministic order (sorted relative paths) and nothing holds all workbooks at once: a
worker reads one workbook, returns its small :class:`FileReport` and forgets the workbook.
Annotated copies are written by the workers too, so a workbook is read in one process only.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evalbook.findings import make
from evalbook.framework import Framework, bundled, load_framework
from evalbook.guards import WorkbookRejected, read_member_limited
from evalbook.pool import DEFAULT_LIMITS, Failed, Limits, run
from evalbook.report import exit_status
from evalbook.summary import SummaryFinding, SummaryRow, write_summary
from evalbook.validator import FileReport, validate_path

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
ANNOTATED_SUFFIX = "_校验"
LOCK_FILE = "Excel 临时锁定文件（~$ 开头，工作簿正被打开时生成）"
NOT_A_WORKBOOK = "不是 Excel 工作簿（.xlsx/.xlsm）"
APPLE_DOUBLE = "macOS 附带的元数据文件（._ 开头，不是工作簿本身）"


@dataclass(frozen=True)
class Skipped:
    """A file under the folder that is not validated, and why (shown as a note)."""

    path: str
    why: str


@dataclass
class BatchResult:
    reports: list[FileReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: relative path -> why its annotated copy could not be written
    annotate_errors: dict[str, str] = field(default_factory=dict)

    @property
    def exit_status(self) -> int:
        """SPEC section 5; an annotated copy that could not be written also counts as 2."""
        return 2 if self.annotate_errors else exit_status(self.reports)


# ---------------------------------------------------------------- finding the files


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and (path == folder or folder in path.parents)


def collect(folder: Path, exclude: Iterable[Path] = ()) -> tuple[list[Path], list[Skipped]]:
    """Workbooks under ``folder`` (recursive, sorted by relative path); Excel lock files and
    other files are noted. Paths in ``exclude`` (our own outputs: the summary workbook, the
    folder of annotated copies) are passed over silently. Symbolic links to folders are not
    followed (no cycles)."""
    excluded = [p.resolve() for p in exclude]
    files: list[Path] = []
    skipped: list[Skipped] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not any(_inside((Path(root) / d).resolve(), e)
                                              for e in excluded)]
        for name in names:
            path = Path(root) / name
            if any(_inside(path.resolve(), e) for e in excluded) or not path.is_file():
                continue
            rel = path.relative_to(folder).as_posix()
            if name.startswith("~$"):
                skipped.append(Skipped(rel, LOCK_FILE))
            elif name.startswith("._"):
                skipped.append(Skipped(rel, APPLE_DOUBLE))
            elif path.suffix.lower() in WORKBOOK_SUFFIXES:
                files.append(path)
            else:
                skipped.append(Skipped(rel, NOT_A_WORKBOOK))
    key: Callable[[Path], tuple[str, ...]] = lambda p: p.relative_to(folder).parts  # noqa: E731
    return sorted(files, key=key), sorted(skipped, key=lambda s: s.path.split("/"))


# ---------------------------------------------------------------- one file, in a worker


@dataclass(frozen=True)
class _Task:
    path: Path
    shown: str
    framework: str | None
    annotate_to: Path | None


@dataclass(frozen=True)
class _Checked:
    report: FileReport
    annotate_error: str | None = None


@functools.cache
def _framework(path: str) -> Framework:
    return load_framework(path)  # once per worker, not once per file


def needs_annotation(report: FileReport) -> bool:
    """A copy goes back to a department that must fix something: a readable workbook with
    an error (status 需退回修改). Warnings alone do not send a workbook back; they are in the
    summary's 问题清单."""
    return report.readable and not report.ok


def annotated_path(source: Path, dest: Path) -> Path:
    """Never write over the returned file itself (when --annotate is the input folder)."""
    if dest.exists() and dest.resolve() == source.resolve():
        return dest.with_name(f"{dest.stem}{ANNOTATED_SUFFIX}{dest.suffix}")
    return dest


def _check(task: _Task) -> _Checked:
    report = validate_path(task.path, _framework(task.framework) if task.framework else None)
    report.file = task.shown
    if task.annotate_to is None or not needs_annotation(report):
        return _Checked(report)
    from evalbook.annotate import annotate_copy

    try:
        dest = annotated_path(task.path, task.annotate_to)
        dest.parent.mkdir(parents=True, exist_ok=True)
        annotate_copy(task.path, report.findings, dest)
    except Exception as exc:  # the report still counts; the copy's failure is reported apart
        log.exception("annotating %s failed", task.shown)
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return _Checked(report, f"无法写出标注副本：{detail or type(exc).__name__}")
    return _Checked(report)


def failed_report(shown: str, failure: Failed) -> FileReport:
    code = {"timeout": "file-timeout", "memory": "file-too-heavy"}.get(failure.reason,
                                                                         "internal-error")
    finding = make(code, file=Path(shown).name, detail=failure.detail)
    return FileReport(shown, False, None, None, [finding], readable=False)


# ---------------------------------------------------------------- the folder


def validate_folder(folder: Path, *, workers: int = 0, framework_path: Path | None = None,
                    annotate_dir: Path | None = None, limits: Limits = DEFAULT_LIMITS,
                    progress: Callable[[int, int], None] | None = None,
                    exclude: Iterable[Path] = ()) -> BatchResult:
    """Validate every workbook under ``folder``; reports in sorted relative-path order,
    ``file`` being the path relative to ``folder``."""
    # absolute paths: a worker forks from a server whose working directory may differ
    folder = folder.absolute()
    annotate_to = None if annotate_dir is None else annotate_dir.absolute()
    framework = None if framework_path is None else str(framework_path.absolute())
    # annotated copies written inside the folder are not returns (unless written beside them)
    own = [annotate_to] if annotate_to is not None and folder in annotate_to.parents else []
    files, skipped = collect(folder, [*exclude, *own])
    tasks = [
        _Task(path, path.relative_to(folder).as_posix(), framework,
              None if annotate_to is None else annotate_to / path.relative_to(folder))
        for path in files
    ]
    result = BatchResult(skipped=skipped)
    if progress is not None:
        progress(0, len(tasks))
    for n, (index, checked) in enumerate(run(_check, tasks, workers, limits), start=1):
        shown = tasks[index].shown
        if isinstance(checked, Failed):
            result.reports.append(failed_report(shown, checked))
        else:
            result.reports.append(checked.report)
            if checked.annotate_error is not None:
                result.annotate_errors[shown] = checked.annotate_error
        if progress is not None:
            progress(n, len(tasks))
    return result


# ---------------------------------------------------------------- the summary workbook


_SAVED = re.compile(rb"<dcterms:modified[^>]*>([^<]{10,40})</dcterms:modified>")


def saved_time(path: Path) -> dt.datetime | None:
    """When the workbook says it was last saved (docProps/core.xml, written by Excel, WPS
    and LibreOffice on every save), in local time; None when it does not say."""
    try:
        with zipfile.ZipFile(path) as zf:
            core = read_member_limited(zf, "docProps/core.xml", 256 * 1024)
    except (OSError, zipfile.BadZipFile, WorkbookRejected):
        return None
    found = _SAVED.search(core)
    if found is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(found.group(1).decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None
    return stamp.astimezone().replace(tzinfo=None) if stamp.tzinfo else stamp


def _file_time(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return None


def summary_rows(result: BatchResult, folder: Path) -> list[SummaryRow]:
    codes = Counter(r.budget_code for r in result.reports if r.budget_code)
    rows = []
    for r in result.reports:
        # only a resubmission needs its dates (to tell which file is newer)
        again = r.readable and codes[r.budget_code or ""] > 1
        rows.append(SummaryRow(
            file=r.file, dept_name=r.dept_name or "", budget_code=r.budget_code or "",
            modified=_file_time(folder / r.file), total=r.score, grade=r.grade or "",
            scores=dict(r.scores),
            findings=[SummaryFinding(f.code, f.severity, f.sheet, f.cell, f.message)
                      for f in r.findings],
            readable=r.readable, saved=saved_time(folder / r.file) if again else None,
        ))
    return rows


def indicator_columns(reports: Sequence[FileReport], framework: Framework
                      ) -> list[tuple[str, str]]:
    """(id, column header) of every indicator: the framework's, then those of any other
    bundled framework a workbook was scored with. Two indicators with the same 三级指标
    (管理制度健全性 under 预算管理 and 资产管理) are told apart by their 二级指标."""
    frameworks = [framework]
    known = bundled()
    for fw_id in dict.fromkeys(r.framework for r in reports if r.framework):
        if fw_id != framework.id and fw_id in known:
            frameworks.append(known[fw_id])
    indicators = list({i.id: i for fw in frameworks for i in fw.indicators}.values())
    names = [i.name for i in indicators]
    return [(i.id, f"{i.name}（{i.level2}）" if names.count(i.name) > 1 else i.name)
            for i in indicators]


def write_batch_summary(result: BatchResult, folder: Path, out: Path,
                        framework: Framework) -> Path:
    grades = [g.label for g in sorted(framework.grades, key=lambda g: g.min, reverse=True)]
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_summary(out, summary_rows(result, folder),
                         indicator_columns(result.reports, framework), grades,
                         skipped=[(s.path, s.why) for s in result.skipped])


# ---------------------------------------------------------------- progress on a terminal


def terminal_progress(quiet: bool) -> Callable[[int, int], None] | None:
    """A one-line progress bar on stderr, only when stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r校验进度 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
        sys.stderr.flush()

    return show


# ---------------------------------------------------------------- what the command prints


def notes(result: BatchResult) -> list[str]:
    """Lines about files that were not validated and copies that could not be written."""
    lines = [f"已跳过《{s.path}》：{s.why}" for s in result.skipped]
    lines += [f"错误：《{path}》{why}" for path, why in result.annotate_errors.items()]
    return lines


def render_batch_text(result: BatchResult) -> str:
    """One line per workbook (the details are in the summary workbook and in JSON), the
    notes, and the counts."""
    from evalbook.report import render_file

    reports = result.reports
    lines = [render_file(r)[0] for r in reports] + notes(result)
    unread = sum(not r.readable for r in reports)
    failed = sum(r.readable and not r.ok for r in reports)
    lines.append(f"共 {len(reports)} 个工作簿：{len(reports) - unread - failed} 个通过，"
                 f"{failed} 个有错误，{unread} 个无法读取；跳过 {len(result.skipped)} 个其他文件。")
    return "\n".join(lines)
