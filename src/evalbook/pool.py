"""A small process pool that survives pathological inputs.

Each task runs in a worker process with an address-space limit; a task that runs past its
time limit or kills its worker is reported as a failure for that item only, the worker is
replaced and the rest of the batch goes on. Results come back in input order.

Every worker has its own pipe (no queue shared between workers): a worker killed in the
middle of a write can only break its own pipe, never hold a lock the others need. Each
worker is sent ``prefetch`` tasks ahead so that it never waits for the parent between two
tasks; the time limit of a task runs from the moment its worker could start it.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import multiprocessing as mp
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

try:  # not on Windows: there the pool runs without the memory limit
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Failed:
    """Why a task produced no result: ``timeout``, ``memory`` or ``crash``."""

    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Limits:
    """Per-task guards: wall-clock seconds and the worker's address space (0: no limit)."""

    seconds: float = 60.0
    memory_mb: int = 1024


DEFAULT_LIMITS = Limits()

def default_workers() -> int:
    """The cores this process may use (a container's CPU set, not the host's cores)."""
    with contextlib.suppress(AttributeError, OSError):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def start_method() -> str:
    """``fork`` where it is safe (Linux, a single-threaded parent): a worker starts in
    milliseconds with everything the parent imported. Otherwise ``forkserver`` (POSIX) or
    ``spawn`` (Windows), whose workers import the task's module afresh."""
    methods = mp.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0 and resource is not None:
        limit = memory_mb * 1024 * 1024
        # a platform that refuses the limit runs unguarded rather than not at all
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _answer(func: Callable[[Any], Any], arg: Any) -> Any:
    try:
        return func(arg)
    except MemoryError:
        return Failed("memory", "内存超出限制")
    except Exception as exc:  # one bad item must not end the batch
        return Failed("crash", f"{type(exc).__name__}: {exc}")


def _worker(func: Callable[[Any], Any], memory_mb: int, conn: Connection) -> None:
    # objects inherited from the parent live as long as the worker: keeping the collector
    # off them saves its time and spares their pages from being copied (less memory)
    gc.freeze()
    _limit_memory(memory_mb)
    parent = mp.parent_process()
    # a parent killed outright (no chance to say stop) must not leave workers behind
    watched: list[Any] = [conn] if parent is None else [conn, parent.sentinel]
    while True:
        if conn not in wait(watched):
            return
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        index, arg = item
        result = _answer(func, arg)
        try:
            conn.send((index, result))
        except (EOFError, OSError):
            return
        except Exception as exc:  # e.g. a result that cannot be pickled
            conn.send((index, Failed("crash", f"{type(exc).__name__}: {exc}")))


@dataclass
class _Slot(Generic[T]):
    proc: Any
    conn: Connection
    inflight: deque[int] = field(default_factory=deque)
    since: float = 0.0  # when the first task in flight could start


class _Pool(Generic[T, R]):
    """The bookkeeping of one :func:`run`: slots, pending indices, results not yet yielded."""

    def __init__(self, func: Callable[[T], R], items: Sequence[T], workers: int,
                 limits: Limits, prefetch: int, window: int) -> None:
        self.func, self.items, self.limits = func, items, limits
        self.prefetch, self.window = max(1, prefetch), max(1, window)
        method = start_method()
        self.ctx: Any = mp.get_context(method)
        if method == "forkserver":  # workers fork with the task's module already imported
            self.ctx.set_forkserver_preload([func.__module__])
        self.pending = list(range(len(items)))  # a heap: lowest index first
        self.done: dict[int, R | Failed] = {}
        self.next_out = 0
        self.slots = [self.start() for _ in range(workers)]

    def start(self) -> _Slot[T]:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(self.func, self.limits.memory_mb, child),
                                daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def feed(self) -> None:
        """Top every worker up to ``prefetch`` tasks, never running ``window`` ahead of the
        next result to yield (so results waiting for a slow task stay few)."""
        now = time.monotonic()
        for slot in self.slots:
            while (len(slot.inflight) < self.prefetch and self.pending
                   and self.pending[0] < self.next_out + self.window):
                index = heapq.heappop(self.pending)
                if not slot.inflight:
                    slot.since = now
                slot.inflight.append(index)
                try:
                    slot.conn.send((index, self.items[index]))
                except OSError:  # the worker is gone; check() notices and replaces it
                    break

    def receive(self, slot: _Slot[T]) -> None:
        try:
            while slot.inflight and slot.conn.poll():
                index, result = slot.conn.recv()
                self.done[index] = result
                if slot.inflight and slot.inflight[0] == index:
                    slot.inflight.popleft()
                slot.since = time.monotonic()
        except (EOFError, OSError):
            pass  # the worker died; check() sees that its process is no longer alive

    def overdue(self, slot: _Slot[T]) -> bool:
        return time.monotonic() - slot.since > self.limits.seconds

    def check(self, i: int) -> None:
        """Replace a worker that overran the time limit or died under its first task."""
        slot = self.slots[i]
        if not slot.inflight or (slot.proc.is_alive() and not self.overdue(slot)):
            return
        self.receive(slot)  # it may have answered just before dying or the deadline
        if not slot.inflight or (slot.proc.is_alive() and not self.overdue(slot)):
            return
        overdue = slot.proc.is_alive()
        slot.proc.kill()
        slot.proc.join()
        code = slot.proc.exitcode
        index = slot.inflight.popleft()
        self.done[index] = (
            Failed("timeout", f"超过 {self.limits.seconds:g} 秒") if overdue
            else Failed("memory" if code in (-9, 137) else "crash", f"处理进程异常退出（{code}）"))
        for waiting in slot.inflight:  # sent ahead but never started: run them elsewhere
            heapq.heappush(self.pending, waiting)
        slot.conn.close()
        self.slots[i] = self.start()

    def wait_timeout(self) -> float:
        deadlines = [s.since + self.limits.seconds for s in self.slots if s.inflight]
        left = min(deadlines, default=time.monotonic() + 1) - time.monotonic()
        return min(max(left, 0.0), 1.0) + 0.01

    def step(self) -> None:
        self.feed()
        busy = [s for s in self.slots if s.inflight]
        ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy],
                     timeout=self.wait_timeout())
        for slot in busy:
            if slot.conn in ready:
                self.receive(slot)
        for i in range(len(self.slots)):
            self.check(i)

    def close(self) -> None:
        for slot in self.slots:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
        deadline = time.monotonic() + 2
        for slot in self.slots:
            slot.proc.join(timeout=max(0.0, deadline - time.monotonic()))
            if slot.proc.is_alive():
                slot.proc.kill()
                slot.proc.join()
            slot.conn.close()


def run(func: Callable[[T], R], items: Sequence[T], workers: int = 0,
        limits: Limits = DEFAULT_LIMITS, *, prefetch: int = 2, window: int = 1024
        ) -> Iterator[tuple[int, R | Failed]]:
    """Apply ``func`` to every item; yield ``(index, result)`` in input order.

    ``func`` must be a module-level function (it is pickled to the workers). ``workers=0``
    uses one per core; ``workers=1`` still isolates tasks in a child process.
    """
    if not items:
        return
    pool: _Pool[T, R] = _Pool(func, items, min(workers or default_workers(), len(items)),
                              limits, prefetch, window)
    try:
        while pool.next_out < len(items):
            pool.step()
            while pool.next_out in pool.done:
                yield pool.next_out, pool.done.pop(pool.next_out)
                pool.next_out += 1
    finally:
        pool.close()
