"""Validating the seed example, against two yardsticks.

1. python-calamine reading every cell of the same workbook (the floor for any reader):
   target — validation takes at most 10x as long;
2. frictionless-py validating the same tables (the six tables of the workbook, each read
   from the .xlsx by frictionless as its users would, with a schema carrying the same type,
   required and minimum constraints): target — evalbook is at least 10x faster. The time of
   frictionless validating the tables from memory (rows already extracted, the most
   favourable case for it, not a like-for-like comparison) is printed for reference.

Timings are interleaved (calamine, evalbook, calamine, …) so that machine noise hits both
alike; the ratio uses the best run of each.

Run: .venv/bin/python benchmarks/bench_validate.py [WORKBOOK.xlsx]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from evalbook.contract import TABLES, Table
from evalbook.reader import read_workbook
from evalbook.validator import validate_path
from evalbook.workbook import WorkbookData

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "xlsx_templates" / "examples" / "yunxi_2020.xlsx"


def seed_workbook(folder: Path) -> Path:
    """The seed example; built from its JSON when the checked-in file is missing."""
    if SEED.exists():
        return SEED
    import json

    from evalbook import fill, template
    from evalbook.framework import load_framework

    fw = load_framework()
    wb, layout = template.build(fw)
    inputs = json.loads((SEED.with_suffix(".json")).read_text("utf-8"))
    fill.fill(wb, layout, fw, inputs)
    return template.save(wb, folder / SEED.name)


def calamine_all_cells(path: Path) -> int:
    book = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in book.sheet_names:
        cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    book.close()
    return cells


def interleaved(funcs: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for func in funcs.values():
        func()  # warm caches and imports
    for _ in range(rounds):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return times


# ---------------------------------------------------------------- frictionless


def frictionless_schema(table: Table, extra: int) -> Any:
    """The money-table constraints in frictionless terms (shared with bench_batch.py)."""
    from frictionless import Schema, fields

    out: list[Any] = []
    for col in table.columns:
        if col.type == "amount":
            constraints: dict[str, Any] = {"required": True}
            if table.has_summary_row:
                constraints["minimum"] = 0
            out.append(fields.NumberField(name=col.key, constraints=constraints))
        else:
            out.append(fields.StringField(name=col.key))
    out += [fields.AnyField(name=f"extra{i}") for i in range(extra)]
    return Schema(fields=out)


def frictionless_from_file(path: Path, data: WorkbookData) -> Callable[[], int]:
    """Each table validated by frictionless straight from the workbook: its sheet, with every
    row outside the table's data block marked as a comment row."""
    from frictionless import Dialect, Resource
    from frictionless.formats import ExcelControl

    jobs = []
    for table in TABLES:
        rng = data.names[table.name]
        rows = set(range(rng.first_row, rng.first_row + rng.rows))
        comments = [r for r in range(1, rng.first_row + rng.rows + 60) if r not in rows]
        leading = rng.first_col - 1
        if leading:
            continue  # every table of the template starts in column A
        jobs.append((rng.sheet, comments, frictionless_schema(table, extra=12)))

    def run() -> int:
        errors = 0
        for sheet, comments, schema in jobs:
            resource = Resource(path=path.name, basepath=str(path.parent),
                                control=ExcelControl(sheet=sheet),
                                dialect=Dialect(header=False, comment_rows=comments),
                                schema=schema)
            report = resource.validate()
            errors += sum(1 for e in report.flatten(["type"]) if e[0] != "extra-cell")
        return errors

    return run


def frictionless_from_memory(data: WorkbookData) -> Callable[[], int]:
    from frictionless import Resource

    jobs = [(frictionless_schema(t, 0), [[v for v in row] for row in data.names[t.name].values])
            for t in TABLES]

    def run() -> int:
        return sum(len(Resource(data=[[c.key for c in t.columns], *rows], schema=s)
                       .validate().flatten(["type"]))
                   for t, (s, rows) in zip(TABLES, jobs, strict=True))

    return run


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(sys.argv[1]) if len(sys.argv) > 1 else seed_workbook(Path(tmp))
        data = read_workbook(path)
        report = validate_path(path)
        print(f"workbook: {path.name}  ({calamine_all_cells(path)} cells; "
              f"{len(report.findings)} findings, total {report.score} {report.grade})")
        times = interleaved({
            "calamine": lambda: calamine_all_cells(path),
            "evalbook": lambda: validate_path(path),
        }, rounds=40)
        fl_file = interleaved({"frictionless": frictionless_from_file(path, data)}, rounds=5)
        fl_memory = interleaved({"memory": frictionless_from_memory(data)}, rounds=10)
    best = {k: min(v) for k, v in {**times, **fl_file, **fl_memory}.items()}
    median = {k: statistics.median(v) for k, v in {**times, **fl_file, **fl_memory}.items()}
    print(f"python-calamine, read all cells:          best {ms(best['calamine'])}   "
          f"median {ms(median['calamine'])}")
    print(f"evalbook validate (guard, read, schema,   best {ms(best['evalbook'])}   "
          f"median {ms(median['evalbook'])}")
    print("  rescore, rules):")
    print(f"frictionless, 6 tables from the .xlsx:    best {ms(best['frictionless'])}   "
          f"median {ms(median['frictionless'])}")
    print(f"frictionless, 6 tables from memory:       best {ms(best['memory'])}   "
          f"median {ms(median['memory'])}   (reference only)")
    ratio = best["evalbook"] / best["calamine"]
    speedup = best["frictionless"] / best["evalbook"]
    print(f"evalbook / calamine:     {ratio:5.1f}x   (target: at most 10x)")
    print(f"frictionless / evalbook: {speedup:5.1f}x   (target: at least 10x)")


if __name__ == "__main__":
    main()
