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
from concurrent.futures import ProcessPoolExecutor


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


def fork_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` forked processes."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
