"""Time to build the standard workbook (target: under 1 s), blank and filled, native and UDF.

Run: .venv/bin/python benchmarks/bench_template.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from evalbook.fill import fill, make_workbook
from evalbook.framework import load_framework
from evalbook.inputs import load_inputs
from evalbook.template import Options, build, save

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "xlsx_templates" / "examples" / "yunxi_2020.json"


def timed(func: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def main() -> None:
    fw = load_framework()
    inputs = load_inputs(EXAMPLE, fw)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "t.xlsx"
        make_workbook(out, fw)  # warm imports and caches
        rows: list[tuple[str, Callable[[], object]]] = [
            ("build in memory (native)", lambda: build(fw)),
            ("build + save (native, blank)", lambda: make_workbook(out, fw)),
            ("build + save (udf, blank)", lambda: make_workbook(out, fw, Options(variant="udf"))),
            ("build + fill + save (seed example)", lambda: make_workbook(out, fw, None, inputs)),
            ("build + save (--units 50)", lambda: make_workbook(out, fw, Options(units=50))),
        ]
        wb, layout = build(fw)
        fill(wb, layout, fw, inputs)
        rows.append(("save only (filled)", lambda: save(wb, out)))
        for label, func in rows:
            best, median = timed(func)
            print(f"{label:<38} best {best * 1e3:7.1f} ms   median {median * 1e3:7.1f} ms"
                  f"   (target: < 1000 ms)")


if __name__ == "__main__":
    main()
