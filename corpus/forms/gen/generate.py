"""Run the programs in this folder (svc, cgosvc) under several Go releases and save the
output as corpus items: `.venv/bin/python corpus/forms/gen/generate.py [--only NAME]`.

The corpus measures how the advisor generalises, so these programs were written apart
from the test fixtures' programs (tests/fixtures/forms/gen) and the rules were not tuned
on their output. The build-and-run machinery is the fixtures' generator, reused.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
_spec = importlib.util.spec_from_file_location("fixture_gen", ROOT / "tests/fixtures/forms/gen/generate.py")
gen = importlib.util.module_from_spec(_spec)
sys.modules["fixture_gen"] = gen
_spec.loader.exec_module(gen)
Run = gen.Run

RUNS = [
    # known failures, in forms the entries' samples lack
    Run("mutex-pileup", "svc", ["mutexpile"], ("1.21.13", "1.27.3")),
    Run("waitgroup-deadlock", "svc", ["wgdeadlock"], ("1.23.9", "1.25.5")),
    Run("cond-deadlock", "svc", ["conddead"], ("1.26.6",)),
    Run("cyclic-recursion", "svc", ["recursion"], ("1.24.11",)),
    Run("cache-oom", "svc", ["oom"], ("1.22.10",), address_space=768 << 20),
    Run("middleware-repanic", "svc", ["repanic"], ("1.24.11", "1.27.3")),
    Run("defer-unlock-fatal", "svc", ["deferfatal"], ("1.26.6",)),
    Run("cleanup-panics", "svc", ["nested"], ("1.25.5",)),
    Run("map-iterate-write", "svc", ["mapiter"], ("1.23.9",)),
    Run("map-read-write", "svc", ["mapread"], ("1.27.3",)),
    Run("goexit-main", "svc", ["goexit"], ("1.22.10",)),
    Run("thread-cap", "svc", ["threadcap"], ("1.25.5",)),
    Run("thread-ulimit", "svc", ["threads"], ("1.23.9",), nproc=16),
    Run("race-cache", "svc", ["racecache"], ("1.24.11", "1.26.6"), build_flags=["-race"], cgo=True),
    Run("send-after-close", "svc", ["closedsend"], ("1.21.13",)),
    Run("slice-bounds", "svc", ["slicebounds"], ("1.26.6",)),
    Run("divide-config", "svc", ["divide"], ("1.22.10",), env={"GOTRACEBACK": "all"}),
    Run("leak-profile", "svc", ["leakchan"], ("1.26.6",), build_env={"GOEXPERIMENT": "goroutineleakprofile"}),
    Run("leak-profile", "svc", ["leakchan"], ("1.27.3",)),
    Run("asan-double-free", "cgosvc", ["doublefree"], ("1.26.6",), cgo=True, build_flags=["-asan"]),
    Run("asan-overflow", "cgosvc", ["overflow"], ("1.25.5",), cgo=True, build_flags=["-asan"]),
    Run("lsan-strdup", "cgosvc", ["leakname"], ("1.27.3",), cgo=True, build_flags=["-asan"]),
    Run("asan-go-slice", "cgosvc", ["badsize"], ("1.27.3",), cgo=True, build_flags=["-asan"]),
    # Go failures no entry covers
    Run("unhashable-key", "svc", ["unhashable"], ("1.27.3",)),
    Run("uncomparable-keys", "svc", ["uncomp"], ("1.24.11",)),
    Run("makeslice-cap", "svc", ["makecap"], ("1.26.6",)),
    Run("mmap-truncated", "svc", ["mmaptrunc"], ("1.25.5",)),
    Run("pinner-nonpointer", "svc", ["pinner"], ("1.23.9",)),
    Run("finalizer-twice", "svc", ["finalizer2"], ("1.27.3",)),
    Run("reflect-unaddressable", "svc", ["reflectset"], ("1.21.13",)),
    Run("gomemlimit-units", "svc", ["divide"], ("1.25.5",), env={"GOMEMLIMIT": "512M"}),
]

if __name__ == "__main__":
    gen.main(RUNS, HERE, HERE.parent)
