"""The batch pool: order, isolation of slow, memory-hungry and crashing items."""

from __future__ import annotations

import faulthandler
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evalbook.pool import Failed, Limits, run, start_method


def work(item: str) -> object:
    if item == "slow":
        time.sleep(30)
    if item == "hog":
        blocks = [bytearray(50 * 1024 * 1024) for _ in range(100)]
        return str(len(blocks))
    if item == "die":
        os._exit(3)
    if item == "segv":
        faulthandler.disable()  # pytest's handler, inherited by the worker, would print a dump
        os.kill(os.getpid(), signal.SIGSEGV)
    if item == "oom-killed":  # what the kernel's OOM killer does
        os.kill(os.getpid(), signal.SIGKILL)
    if item == "raise":
        raise ValueError("bad")
    if item == "unpicklable":
        return lambda: None
    if item == "nap":
        time.sleep(0.2)
    return item.upper()


def outcome(result: object) -> object:
    return result.reason if isinstance(result, Failed) else result


def test_results_in_order_and_failures_isolated() -> None:
    items = ["a", "slow", "b", "hog", "c", "die", "d", "raise", "e"]
    started = time.monotonic()
    out = list(run(work, items, workers=2, limits=Limits(seconds=2, memory_mb=400)))
    assert time.monotonic() - started < 20
    assert [i for i, _ in out] == list(range(len(items)))
    got = [outcome(r) for _, r in out]
    assert got == ["A", "timeout", "B", "memory", "C", "crash", "D", "crash", "E"]
    assert isinstance(out[7][1], Failed) and "ValueError" in out[7][1].detail


@pytest.mark.parametrize(("item", "reason", "detail"), [
    ("segv", "crash", "-11"),
    ("oom-killed", "memory", "-9"),
    ("unpicklable", "crash", "pickle"),
])
def test_how_a_task_failed(item: str, reason: str, detail: str) -> None:
    got = [r for _, r in run(work, [item, "ok"], workers=1)]
    assert [outcome(r) for r in got] == [reason, "OK"]  # the next task still runs
    assert isinstance(got[0], Failed) and detail in got[0].detail.lower()


def test_tasks_sent_ahead_to_a_killed_worker_run_elsewhere() -> None:
    """With one worker and two tasks in flight, the task queued behind a slow one is not
    lost (nor reported as failed) when the slow one's worker is killed."""
    out = [outcome(r) for _, r in run(work, ["slow", "a", "b"], workers=1,
                                      limits=Limits(seconds=1), prefetch=2)]
    assert out == ["timeout", "A", "B"]


@pytest.mark.parametrize(("workers", "prefetch", "window"), [(2, 1, 1), (2, 3, 5), (1, 2, 1024)])
def test_many_items_come_back_in_order(workers: int, prefetch: int, window: int) -> None:
    items = [f"x{i}" for i in range(60)]
    out = list(run(work, items, workers=workers, prefetch=prefetch, window=window))
    assert out == [(i, f"X{i}") for i in range(60)]


def test_single_worker_and_empty() -> None:
    assert list(run(work, [], workers=1)) == []
    assert [r for _, r in run(work, ["x", "y"], workers=1)] == ["X", "Y"]


def test_start_method_is_available() -> None:
    import multiprocessing as mp

    assert start_method() in mp.get_all_start_methods()


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid and stat[0] != b"Z":
                found.append(int(entry))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_the_parent_is_killed() -> None:
    """A parent killed outright (SIGKILL: no cleanup) leaves no worker behind."""
    root = Path(__file__).resolve().parent.parent
    code = ("from evalbook.pool import run\nfrom tests.test_pool import work\n"
            "if __name__ == '__main__':\n    for _ in run(work, ['nap'] * 200, workers=2): pass\n")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)})
    deadline = time.monotonic() + 30
    while len(workers := children(parent.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) == 2
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while any(running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(w) for w in workers)
