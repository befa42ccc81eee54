"""A small process pool that survives pathological inputs.

Each task runs in a worker process with an address-space limit; a task that runs past its
time limit or kills its worker is reported as a failure for that item only, the worker is
replaced and the rest of the batch goes on. Results come back in input order.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Failed:
    """Why a task produced no result: ``timeout``, ``memory`` or ``crash``."""

    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Limits:
    seconds: float = 60.0
    memory_mb: int = 1024


def _worker(func: Callable[[Any], Any], memory_mb: int, tasks: Any, results: Any) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        # a platform that refuses the limit runs unguarded rather than not at all
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        item = tasks.get()
        if item is None:
            return
        index, arg = item
        try:
            results.put((index, func(arg)))
        except MemoryError:
            results.put((index, Failed("memory", "内存超出限制")))
        except Exception as exc:  # one bad item must not end the batch
            results.put((index, Failed("crash", f"{type(exc).__name__}: {exc}")))


def _drain(results: Any, done: dict[int, Any]) -> None:
    try:
        while True:
            index, result = results.get_nowait()
            done[index] = result
    except queue.Empty:
        pass


def run(func: Callable[[T], R], items: Sequence[T], workers: int = 0,
        limits: Limits = Limits()) -> Iterator[tuple[int, R | Failed]]:
    """Apply ``func`` to every item; yield ``(index, result)`` in input order.

    ``func`` must be a module-level function (it is pickled to the workers). ``workers=0``
    uses one per core; ``workers=1`` still isolates tasks in a child process.
    """
    if not items:
        return
    n = min(workers or os.cpu_count() or 1, len(items))
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx: Any = mp.get_context(method)
    results: Any = ctx.Queue()
    pending = list(range(len(items)))[::-1]
    done: dict[int, R | Failed] = {}
    slots: list[dict[str, Any]] = []

    def start() -> dict[str, Any]:
        tasks: Any = ctx.Queue()
        proc = ctx.Process(target=_worker, args=(func, limits.memory_mb, tasks, results),
                           daemon=True)
        proc.start()
        return {"proc": proc, "tasks": tasks, "index": None, "since": 0.0}

    def feed(slot: dict[str, Any]) -> None:
        if pending:
            index = pending.pop()
            slot["index"], slot["since"] = index, time.monotonic()
            slot["tasks"].put((index, items[index]))
        else:
            slot["index"] = None

    slots = [start() for _ in range(n)]
    for slot in slots:
        feed(slot)
    next_out = 0
    try:
        while next_out < len(items):
            try:
                index, result = results.get(timeout=0.05)
                done[index] = result
                for slot in slots:
                    if slot["index"] == index:
                        feed(slot)
            except queue.Empty:
                pass
            now = time.monotonic()
            for i, slot in enumerate(slots):
                index = slot["index"]
                if index is None:
                    continue
                overdue = now - slot["since"] > limits.seconds
                if not overdue and slot["proc"].is_alive():
                    continue
                if not overdue:  # it may have answered just before dying
                    _drain(results, done)
                if index not in done:
                    slot["proc"].kill()
                    slot["proc"].join()
                    code = slot["proc"].exitcode
                    done[index] = (Failed("timeout", f"超过 {limits.seconds:g} 秒") if overdue
                                   else Failed("memory" if code in (-9, 137) else "crash",
                                               f"处理进程异常退出（{code}）"))
                slots[i] = start()
                feed(slots[i])
            while next_out in done:
                yield next_out, done.pop(next_out)
                next_out += 1
    finally:
        for slot in slots:
            if slot["proc"].is_alive():
                slot["tasks"].put(None)
        for slot in slots:
            slot["proc"].join(timeout=2)
            if slot["proc"].is_alive():
                slot["proc"].kill()
