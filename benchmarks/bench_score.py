"""Time to load the framework and to score one department's inputs (target: well under 1 ms).

Run: .venv/bin/python benchmarks/bench_score.py
"""

from __future__ import annotations

import json
import statistics
import timeit
from pathlib import Path

from evalbook.engine import Scorer, score
from evalbook.framework import load_framework

ROOT = Path(__file__).resolve().parent.parent
INPUTS = json.loads((ROOT / "xlsx_templates/examples/yunxi_2020.json").read_text("utf-8"))


def best_per_call(func: object, number: int, repeat: int = 7) -> tuple[float, float]:
    runs = [t / number for t in timeit.repeat(func, number=number, repeat=repeat)]  # type: ignore[arg-type]
    return min(runs), statistics.median(runs)


def main() -> None:
    load_best, load_median = best_per_call(load_framework, number=50)
    fw = load_framework()
    compile_best, _ = best_per_call(lambda: Scorer(fw), number=50)
    score(INPUTS, fw)  # warm the compiled cache
    score_best, score_median = best_per_call(lambda: score(INPUTS, fw), number=2000)
    text_inputs = INPUTS | {"EB_SANGONG_PREV": "0.15万元", "EB_SATISFACTION": "９５％"}
    text_best, _ = best_per_call(lambda: score(text_inputs, fw), number=2000)
    print(f"load framework (TOML -> validated Framework): best {load_best * 1e3:.2f} ms, "
          f"median {load_median * 1e3:.2f} ms")
    print(f"compile framework to closures:                best {compile_best * 1e3:.2f} ms")
    print(f"score one department (seed example):          best {score_best * 1e6:.0f} µs, "
          f"median {score_median * 1e6:.0f} µs  (target: well under 1000 µs)")
    print(f"score with text-typed numbers:                best {text_best * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
