"""Forked worker processes for CPU work that touches no store (parsing files, scoring
blocks of the Monte Carlo): whether a fork is safe here, and the pool.

A forked child inherits the parent's memory (the prepared matrices, the parsed codebook)
without pickling it, and returns only its result. It never uses the parent's database
connections (it exits without closing them: `os._exit`, as multiprocessing's workers do).
A fork is not used where the platform does not fork, or once JAX (the latent model) is
loaded in the process: JAX's threads make a fork unsafe.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor


def platform_forks() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def fork_safe() -> bool:
    """The platform forks and nothing loaded in the process makes a fork unsafe."""
    return platform_forks() and "jax" not in sys.modules


def cores() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def two_shares(items: Iterable, cost: Callable[[object], float]) -> tuple[list, list]:
    """`items` in two shares of about equal total `cost` for two processes: the costliest
    first, each to the share with less so far (the first on a tie)."""
    shares: tuple[list, list] = ([], [])
    loads = [0.0, 0.0]
    for item in sorted(items, key=lambda i: -cost(i)):
        side = 0 if loads[0] <= loads[1] else 1
        shares[side].append(item)
        loads[side] += cost(item)
    return shares


def fork_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` forked processes."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


_JOB: tuple[Callable, Sequence] | None = None  # the job being forked, read by its workers


def _run_item(i: int):
    fn, items = _JOB
    return fn(items[i])


def start(fn: Callable, items: Sequence, workers: int
          ) -> tuple[ProcessPoolExecutor, list[Future]]:
    """`fn(item)` for every item in `workers` forked processes: the pool (shut it down
    when done) and a future per item, in order. `fn` and the items are inherited at the
    fork, not pickled (closures over the parent's data are fine); only results travel
    back. Every worker is forked here, so the next job does not disturb this one. JAX, if
    loaded, warns at any fork: the workers never call it (see the module doc), so the
    warning is silenced for these forks."""
    global _JOB
    _JOB = (fn, items)
    pool = fork_pool(max(1, min(workers, len(items))))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called")
        futures = [pool.submit(_run_item, i) for i in range(len(items))]
    return pool, futures


def map_forked(fn: Callable, items: Sequence, workers: int) -> list:
    """`fn(item)` for every item in forked processes, the results in order (`start`)."""
    pool, futures = start(fn, items, workers)
    with pool:
        return [f.result() for f in futures]


class Forked:
    """One call running in a forked process (`fork_call`): `result()` waits for it."""

    def __init__(self, process, conn) -> None:
        self._process, self._conn = process, conn

    def result(self):
        """The call's result, or None when the worker failed or died (the caller then
        computes it itself, where an error is raised as usual)."""
        try:
            status, value = self._conn.recv()
        except (EOFError, OSError):
            status, value = "failed", None
        finally:
            self._conn.close()
            self._process.join()
        return value if status == "ok" else None


def _call_and_send(fn: Callable, conn) -> None:
    try:
        payload = ("ok", fn())
    except BaseException as exc:  # noqa: BLE001 - reported as a failure, redone by the caller
        payload = ("failed", repr(exc))
    try:
        conn.send(payload)
    except Exception as exc:  # noqa: BLE001 - a result that does not pickle
        conn.send(("failed", repr(exc)))
    finally:
        conn.close()


def fork_call(fn: Callable) -> Forked | None:
    """`fn()` started in a forked process (no thread is started in this one, so this
    process can go on forking others while it runs), or None where no fork is safe or
    one core is all there is. The result travels back pickled through a pipe."""
    if not fork_safe() or cores() < 2:
        return None
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_call_and_send, args=(fn, send), daemon=True)
    process.start()
    send.close()
    return Forked(process, receive)
