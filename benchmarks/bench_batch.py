"""`evalbook batch` on N generated returns (default 1,000), with 1 and 2 workers.

Prints, per workbook:

* the floor: python-calamine merely reading the same files (every sheet, every cell), in
  one process;
* evalbook's validator called in-process, one file after another (no pool: the pool's
  overhead is the difference to the 1-worker batch);
* the batch (``validate_folder``: guarded pool, ordered results, no summary) with 1 and 2
  workers — workbooks per second, the 2-worker speed-up, the ratio to the floor;
* frictionless-py validating the same tables: the four money tables (年度收入, 年度支出和
  结余, 三公经费, 固定资产) of each workbook, read by frictionless' own excel plugin from the
  .xlsx (sheet 收支情况, every row outside the table's data block marked as a comment row)
  against a schema with the same type, required and minimum constraints; measured on a
  sample of readable files and given per workbook;

and the end-to-end command (``evalbook batch DIR -o SUMMARY --workers 2``, a subprocess:
interpreter start, validation, summary workbook) with its peak memory: the whole process
tree's RSS sampled every 20 ms from /proc by a separate sampler process, and the largest
single process (``getrusage(RUSAGE_CHILDREN).ru_maxrss``) next to this script's own
(``RUSAGE_SELF``).

Targets: >= 60 workbooks/s with 2 workers; batch time <= 8x the calamine floor; 2-worker
speed-up >= 1.6x; peak memory < 500 MB whatever N.

Run: .venv/bin/python benchmarks/bench_batch.py [-n 1000] [--folder DIR] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from evalbook.batch import collect, validate_folder
from evalbook.contract import TABLES_BY_NAME
from evalbook.reader import read_workbook
from evalbook.validator import validate_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import frictionless_schema
from gen_returns import generate

MONEY_TABLES = ("EB_INCOME", "EB_EXPENSE", "EB_SANGONG", "EB_ASSETS")
EVALBOOK = Path(sys.executable).with_name("evalbook")
MB = 1024 * 1024


# ---------------------------------------------------------------- yardsticks


def calamine_all_cells(path: Path) -> int:
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception:  # corrupt files: calamine refuses them (as fast as it can)
        return 0
    cells = 0
    try:
        for name in book.sheet_names:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    except Exception:
        pass
    book.close()
    return cells


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children: the workers."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def frictionless_jobs(sample: Path) -> list[tuple[str, list[int], Any]]:
    """(sheet, comment rows, schema) of each money table (the layout is the template's)."""
    data = read_workbook(sample)
    jobs = []
    for name in MONEY_TABLES:
        rng = data.names[name]
        rows = set(range(rng.first_row, rng.first_row + rng.rows))
        comments = [r for r in range(1, rng.first_row + rng.rows + 60) if r not in rows]
        assert rng.first_col == 1, "the money tables start in column A"
        jobs.append((rng.sheet, comments, frictionless_schema(TABLES_BY_NAME[name], extra=12)))
    return jobs


def frictionless_validate(path: Path, jobs: list[tuple[str, list[int], Any]]) -> int:
    from frictionless import Dialect, Resource
    from frictionless.formats import ExcelControl

    errors = 0
    for sheet, comments, schema in jobs:
        resource_ = Resource(path=path.name, basepath=str(path.parent),
                             control=ExcelControl(sheet=sheet),
                             dialect=Dialect(header=False, comment_rows=comments), schema=schema)
        report = resource_.validate()
        errors += sum(1 for e in report.flatten(["type"]) if e[0] != "extra-cell")
    return errors


# ---------------------------------------------------------------- memory of a process tree


def tree(root: int, skip: int) -> set[int]:
    """``root`` and all its descendants but ``skip`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except OSError:
                continue
    found, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in found and pid not in found and pid != skip:
                found.add(pid)
                grew = True
    return found


def memory(pids: set[int]) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over ``pids``. Forked workers share the parent's pages
    until they write to them: the RSS sum counts a shared page once per process, the PSS
    (proportional set size) sum counts it once in all."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith(b"Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def sampler(root: int) -> None:
    """Run as a separate process (a thread here would change how the pool starts workers):
    print the peak RSS and PSS sums of ``root``'s tree when told to stop."""
    import select

    peak_rss = peak_pss = 0
    while True:
        rss, pss = memory(tree(root, skip=os.getpid()))
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        ready, _, _ = select.select([sys.stdin], [], [], 0.02)
        if ready:
            break
    print(peak_rss, peak_pss, flush=True)


class PeakMemory:
    def __init__(self, root: int) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--sample", str(root)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def stop(self) -> tuple[int, int]:
        out, _ = self.proc.communicate("x")
        rss, pss = out.split()
        return int(rss), int(pss)


# ---------------------------------------------------------------- runs


def mb(n: float) -> str:
    return f"{n / MB:6.1f} MB"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:7.2f} ms"


def run_batch(folder: Path, workers: int) -> float:
    # the sampler (a separate process) watches this process and its workers
    return timed(lambda: validate_folder(folder, workers=workers))


def run_cli(folder: Path, out: Path) -> tuple[float, tuple[int, int], int]:
    start = time.perf_counter()
    proc = subprocess.Popen([str(EVALBOOK), "batch", str(folder), "-o", str(out),
                             "--workers", "2", "-q", "--format", "json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = PeakMemory(proc.pid)
    code = proc.wait()
    wall = time.perf_counter() - start
    return wall, peak.stop(), code


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--sample":
        sampler(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description="evalbook batch benchmark")
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--folder", type=Path, help="use these returns instead of generating")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--sample", type=int, default=20, help="files for frictionless")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp) / "returns"
        if args.folder is None:
            gen = timed(lambda: generate(folder, args.n))
            print(f"generated {args.n} workbooks in {gen:.1f} s")
        report(folder, Path(tmp), args.rounds, args.sample)


def report(folder: Path, tmp: Path, rounds: int, sample: int) -> None:
    files, skipped = collect(folder)
    n = len(files)
    print(f"folder: {folder} — {n} workbooks, {len(skipped)} other files; {os.cpu_count()} cores")
    # Interleaved rounds: this machine's speed drifts by +-30 % from minute to minute, so
    # every round measures each configuration back to back; the speed-up is the median of
    # the rounds' ratios (and, for reference, best over best). No memory sampling here.
    best: dict[str, float] = {}
    ratios: list[float] = []
    cpu: dict[str, list[float]] = {"batch-1": [], "batch-2": []}
    peaks: list[tuple[int, int]] = []
    best["in-process"] = timed(lambda: [validate_path(f) for f in files])
    for _ in range(rounds):
        took: dict[str, float] = {}
        for name, func in (
            ("calamine", lambda: [calamine_all_cells(f) for f in files]),
            ("batch-1", lambda: validate_folder(folder, workers=1)),
            ("batch-2", lambda: validate_folder(folder, workers=2)),
        ):
            before = children_cpu()
            took[name] = timed(func)
            best[name] = min(best.get(name, float("inf")), took[name])
            if name in cpu:
                cpu[name].append(children_cpu() - before)
        ratios.append(took["batch-1"] / took["batch-2"])
        print(f"  round: calamine {took['calamine']:.1f} s, batch 1 worker "
              f"{took['batch-1']:.1f} s (workers' CPU {cpu['batch-1'][-1]:.1f} s), 2 workers "
              f"{took['batch-2']:.1f} s (CPU {cpu['batch-2'][-1]:.1f} s); speed-up "
              f"{ratios[-1]:.2f}x", flush=True)
    # memory apart from timing: the sampler takes a little CPU, which would slow the runs
    for workers in (1, 2):
        watch = PeakMemory(os.getpid())
        validate_folder(folder, workers=workers)
        peaks.append(watch.stop())
    readable: list[Path] = []
    for f in files:  # frictionless is given readable, well-formed workbooks only
        if len(readable) < sample and validate_path(f).readable:
            readable.append(f)
    jobs = frictionless_jobs(readable[0])
    fl = timed(lambda: [frictionless_validate(f, jobs) for f in readable]) / len(readable)
    cli_wall, cli_peak, code = run_cli(folder, tmp / "校验汇总.xlsx")
    per = {k: v / n for k, v in best.items()}
    print()
    print(f"python-calamine, read all cells (floor):   {ms(per['calamine'])} per workbook")
    print(f"evalbook validate_path, in-process:        {ms(per['in-process'])} per workbook")
    for w in (1, 2):
        t = best[f"batch-{w}"]
        print(f"evalbook batch, {w} worker{'s' if w > 1 else ' '}:                  "
              f"{ms(t / n)} per workbook   {n / t:6.1f} workbooks/s   "
              f"{t / best['calamine']:4.1f}x the floor")
    print(f"frictionless, 4 money tables from .xlsx:   {ms(fl)} per workbook "
          f"(sample of {len(readable)})")
    speedup = statistics.median(ratios)
    print(f"2-worker speed-up:                          {speedup:4.2f}x (median of {rounds} "
          f"rounds; best over best {best['batch-1'] / best['batch-2']:.2f}x)")
    print(f"pool overhead (batch-1 - in-process):       {ms(per['batch-1'] - per['in-process'])}"
          f" per workbook")
    inflation = statistics.median(cpu["batch-2"]) / statistics.median(cpu["batch-1"])
    print(f"workers' CPU time, 2 workers vs 1:          {inflation:4.2f}x (1.00 = no contention: "
          f"the speed-up is then bounded by 2 / this)")
    print(f"end-to-end `evalbook batch -o SUMMARY --workers 2`: {cli_wall:.1f} s "
          f"(exit {code}; interpreter start, validation, summary workbook)")
    print()
    rss, pss = max(p[0] for p in peaks), max(p[1] for p in peaks)
    print("peak memory of the process tree, sampled every 20 ms (sum of RSS / sum of PSS):")
    print(f"  validate_folder in this process, 1-2 workers: {mb(rss)} / {mb(pss)}")
    print(f"  evalbook batch (CLI), 2 workers:             {mb(cli_peak[0])} / {mb(cli_peak[1])}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"largest single process (RUSAGE_CHILDREN): {mb(children)};  this script "
          f"(RUSAGE_SELF, incl. calamine/frictionless runs): {mb(own)}")
    print()
    rate = n / best["batch-2"]
    ratio = best["batch-2"] / best["calamine"]
    peak = max(rss, cli_peak[0])  # the RSS sum: the larger, more cautious figure
    for ok, text in ((rate >= 60, f"{rate:.1f} workbooks/s with 2 workers (target >= 60)"),
                     (ratio <= 8, f"batch (2 workers) {ratio:.1f}x the calamine floor "
                                  f"(target <= 8x; 1 worker: "
                                  f"{best['batch-1'] / best['calamine']:.1f}x)"),
                     (speedup >= 1.6, f"2-worker speed-up {speedup:.2f}x (target >= 1.6x)"),
                     (peak < 500 * MB, f"peak memory {mb(peak).strip()} (RSS sum of parent and "
                                       f"workers; target < 500 MB)")):
        print(f"[{'met' if ok else 'MISSED'}] {text}")


if __name__ == "__main__":
    main()
