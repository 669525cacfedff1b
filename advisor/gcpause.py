"""Pause Python's cyclic garbage collector while one input is parsed and matched.

Parsing a dump of all-different stacks builds tens of thousands of small objects (buckets,
frames, lists) that all survive until the answer is written. Each time enough of them pile
up, the collector walks every one of them looking for reference cycles they do not form:
on 1 MB of distinct stacks that was a quarter of the CPU time. Reference counting still
frees everything as usual; cycles made meanwhile are collected once the pause ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Thread-safe enough: only the caller that found the collector on turns it back on, so
    overlapping pauses leave it on once the first one ends."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
