"""The batch pool: order, isolation of slow, memory-hungry and crashing items."""

from __future__ import annotations

import os
import time

from evalbook.pool import Failed, Limits, run


def work(item: str) -> str:
    if item == "slow":
        time.sleep(30)
    if item == "hog":
        blocks = [bytearray(50 * 1024 * 1024) for _ in range(100)]
        return str(len(blocks))
    if item == "die":
        os._exit(3)
    if item == "raise":
        raise ValueError("bad")
    return item.upper()


def test_results_in_order_and_failures_isolated() -> None:
    items = ["a", "slow", "b", "hog", "c", "die", "d", "raise", "e"]
    started = time.monotonic()
    out = list(run(work, items, workers=2, limits=Limits(seconds=2, memory_mb=400)))
    assert time.monotonic() - started < 20
    assert [i for i, _ in out] == list(range(len(items)))
    got = [r if isinstance(r, str) else r.reason for _, r in out]
    assert got == ["A", "timeout", "B", "memory", "C", "crash", "D", "crash", "E"]
    assert isinstance(out[7][1], Failed) and "ValueError" in out[7][1].detail


def test_single_worker_and_empty() -> None:
    assert list(run(work, [], workers=1)) == []
    assert [r for _, r in run(work, ["x", "y"], workers=1)] == ["X", "Y"]
