"""Atomic output: the target holds the old or the complete new content, never a partial file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from evalbook.atomic import atomic_path, write_bytes, write_text, write_with


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_writes_a_new_file_without_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "报告.txt"
    write_text(target, "评价等次：优")
    assert target.read_text(encoding="utf-8") == "评价等次：优"
    assert leftovers(tmp_path) == []


def test_replaces_an_existing_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = write_bytes(tmp_path / "b.bin", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failing_writer_leaves_the_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "summary.xlsx"
    target.write_bytes(b"complete old workbook")

    def half_write(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_with(target, half_write)
    assert target.read_bytes() == b"complete old workbook"
    assert leftovers(tmp_path) == []


def test_temporary_file_is_beside_the_target_with_its_suffix(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.suffix == ".xlsx"
        assert not target.exists()  # not visible until the body completes
        tmp.write_bytes(b"data")
    assert target.read_bytes() == b"data"


def test_missing_directory_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_text(tmp_path / "no" / "such" / "dir.txt", "x")
