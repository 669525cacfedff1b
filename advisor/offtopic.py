"""What the knowledge base does not cover, as sentences the embedding can compare against.

An embedding ranks the entries of a text about a flaky CI runner or a Linux kernel panic
the same way it ranks those of a Go failure: something always comes first, and when two
retrievers happen to agree on it the candidate would be labelled `medium`. The honest
reference point is not "how close is the best entry" (MiniLM puts every technical text
at 0.3-0.6 from some entry) but "is the text closer to a problem we do not cover than to
any problem we do". These prototypes describe the neighbouring problems, by kind and
ecosystem, in our own words; they are not test items. The policy that uses the margin
is `policy.leads_only`.

The vectors are computed once per model and cached beside the entry index (0.1 s to
build), so a query pays one matrix-vector product.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from .kb import cache_dir, find_cached

# One sentence per neighbouring kind of problem, with the name a note shows. Broad on
# purpose: a kind, not a thread. Text that is not about software at all is left to
# `policy.off_topic` (nothing close, few shared words): MiniLM reads Chinese poorly, and in a
# draft a "not about software" prototype was the nearest one for Chinese Go questions.
PROTOTYPES: dict[str, str] = {
    "a JVM memory error": "A Java application on the JVM throws java.lang.OutOfMemoryError: Java heap space, "
                          "the garbage collector overhead limit is exceeded",
    "a Node.js heap limit": "Node.js runs out of JavaScript heap memory during an npm, yarn or webpack build",
    "a Python MemoryError": "A Python program raises MemoryError with a traceback while pip installs a package",
    "a .NET exception": "A C# .NET application throws an exception, a StackOverflowException in Visual Studio",
    "an operating-system kernel panic": "Linux kernel panic - not syncing: the machine fails to boot after "
                                        "installing the operating system",
    "CI pipeline trouble": "The GitHub Actions or Jenkins CI pipeline is flaky: the runner hangs and the job "
                           "has to be rerun",
    "a mobile app crash": "An Android app written in Kotlin or Java crashes on the phone",
    "a Rust panic": "A Rust program panics and cargo build fails",
    "a front-end bug": "A React or browser front-end page renders wrong and the UI freezes",
    "another language's client library": "A Java, Python or .NET client library for Redis or gRPC throws a "
                                         "timeout exception",
    "another language's cache": "An in-memory cache in a Java, Python or JavaScript service keeps growing "
                                "and should have a size limit",
}
NAMES: tuple[str, ...] = tuple(PROTOTYPES)


def _path(model_id: str) -> Path:
    digest = hashlib.sha256("\n".join(PROTOTYPES.values()).encode("utf-8")).hexdigest()[:16]
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_id)
    return cache_dir() / f"offtopic-{digest}-{safe}.npy"


def prototype_vectors(embedder) -> np.ndarray:
    """(len(PROTOTYPES), dim) L2-normalised vectors for this model, cached on disk."""
    path = _path(embedder.model_id)
    found = find_cached(path.name)
    if found is not None:
        try:
            vectors = np.load(found, allow_pickle=False)
            if vectors.shape[0] == len(PROTOTYPES):
                return vectors
        except (OSError, ValueError):
            pass  # corrupt: rebuild
    vectors = np.asarray(embedder.encode(list(PROTOTYPES.values())), dtype=np.float32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs the 0.1 s again
    return vectors


def margin(query_vec: np.ndarray, prototypes: np.ndarray, best_entry: float) -> tuple[float, int]:
    """How much closer the nearest prototype is than the nearest entry (cosine; > 0: the
    text reads like a problem we do not cover), and which prototype that is."""
    sims = prototypes @ query_vec
    at = int(np.argmax(sims))
    return float(sims[at]) - best_entry, at
