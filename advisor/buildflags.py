"""What an entry may ask of `go build` and of the environment its reproducer runs in.

`advisor repro` builds code from the KB with the entry's `repro.build_flags`. Some go
flags run other programs (`-toolexec=/bin/sh -c ...` ran a shell during the build,
`-exec`, `-ldflags=-extld=...`, `-compiler=gccgo`) or read and write files anywhere
(`-overlay`, `-modfile`, `-pkgdir`, `-o`, `-gcflags=-cpuprofile=~/.bashrc`). A reviewer
reads main.go, not the flags, so the flags are an allow-list: the schema refuses
anything else at its position, and `advisor repro` checks again before it builds.
Likewise `repro.env` may not set variables that load code into the program or that the
runner owns (LD_PRELOAD, PATH, the Go toolchain's variables).
"""

from __future__ import annotations

import re

from .regex import linear

# Flags that take no value, or a value from a closed set.
_EXACT = {
    "-race", "-msan", "-asan", "-cover", "-a", "-trimpath", "-v",
    "-buildvcs=false", "-buildvcs=true", "-mod=mod", "-mod=readonly", "-mod=vendor",
    "-pgo=off", "-pgo=auto", "-covermode=set", "-covermode=count", "-covermode=atomic",
    "-buildmode=default", "-buildmode=exe", "-buildmode=pie",
}
_TAGS = linear(re.compile(r"-tags=[A-Za-z0-9_.]{1,64}(?:,[A-Za-z0-9_.]{1,64}){0,31}"), use="match",
               reads="an entry's build flags")
_PROCS = linear(re.compile(r"-p=[1-9][0-9]{0,2}"), use="match", reads="an entry's build flags")
# -gcflags=[pattern=]-N -l -m -m=2 -S -B -d=checkptr=1 ... (no paths, no profiles, no output files)
_GC_VALUE = linear(re.compile(r"(?:(?:all|std|main|\./\.\.\.)=)?(?:-[NlmSB]|-m=[0-9]|-d=[a-z0-9_,=]{1,80})"
                              r"(?: (?:-[NlmSB]|-m=[0-9]|-d=[a-z0-9_,=]{1,80})){0,15}"),
                   use="match", reads="an entry's build flags")
# -ldflags=-s -w -X importpath.name=value (no external linker, no output or profile files)
_LD_TOKEN = r"(?:-s|-w|-X(?:=| )[A-Za-z0-9_./-]{1,200}=[A-Za-z0-9_.:/+-]{0,200})"
_LD_VALUE = linear(re.compile(rf"{_LD_TOKEN}(?: {_LD_TOKEN}){{0,15}}"), use="match",
                   reads="an entry's build flags")

ALLOWED_HINT = ("allowed: -race, -msan, -asan, -cover, -covermode=..., -tags=a,b, -gcflags=[all=]-N -l -m -S "
                "-d=..., -ldflags=-s -w -X name=value, -trimpath, -buildvcs=..., -mod=..., -pgo=off|auto, "
                "-p=N, -buildmode=default|exe|pie")
# For the JSON Schema (editors): the flag names only; the validator checks the values.
BUILD_FLAG_SCHEMA_PATTERN = (r"^-(race|msan|asan|cover|a|trimpath|v|buildvcs=.*|mod=.*|pgo=.*|covermode=.*|"
                             r"buildmode=.*|tags=.*|p=.*|gcflags=.*|ldflags=.*)$")


def build_flag_problem(flag: str) -> str | None:
    """Why a build flag is refused, or None when it is allowed."""
    if flag in _EXACT or _TAGS.fullmatch(flag) or _PROCS.fullmatch(flag):
        return None
    name, _, value = flag.partition("=")
    if name == "-gcflags" and _GC_VALUE.fullmatch(value):
        return None
    if name == "-ldflags" and _LD_VALUE.fullmatch(value):
        return None
    if name in ("-toolexec", "-exec", "-compiler", "-gccgoflags", "-asmflags") or (
            name == "-ldflags" and ("extld" in value or "linkmode" in value)):
        why = "it can run another program during the build"
    elif name in ("-overlay", "-modfile", "-pkgdir", "-o", "-C", "-coverpkg", "-pgo") or name.endswith("flags"):
        why = "it reads or writes files outside the build, or its value is not one the runner allows"
    else:
        why = "it is not on the list of flags the runner allows"
    return f"build flag {flag!r} is refused: {why}; {ALLOWED_HINT}"


def check_build_flag(flag: str) -> str:
    reason = build_flag_problem(flag)
    if reason is not None:
        raise ValueError(reason)
    return flag


# Environment of the reproducer: the runner owns these (or they load code into the program).
RESERVED_ENV = {"PATH", "HOME", "TMPDIR", "SHELL", "IFS", "CGO_ENABLED"}
_ENV_NAME = linear(re.compile(r"[A-Z][A-Z0-9_]{0,63}"), use="match", reads="an entry's repro env")


def env_problem(name: str) -> str | None:
    if not _ENV_NAME.fullmatch(name):
        return f"environment variable {name!r} is refused: names are upper-case letters, digits and '_'"
    if name in RESERVED_ENV or name.startswith(("LD_", "DYLD_", "ADVISOR_", "GOFLAGS", "GOTOOLCHAIN",
                                                 "GOPROXY", "GOCACHE", "GOPATH", "GOMODCACHE", "GOENV")):
        return (f"environment variable {name!r} is refused: the runner sets it, or it loads code "
                "into the program; runtime settings such as GODEBUG, GOGC, GOMEMLIMIT, GOMAXPROCS "
                "and GOTRACEBACK are fine")
    return None


def check_env(env: dict[str, str]) -> dict[str, str]:
    for name in env:
        reason = env_problem(name)
        if reason is not None:
            raise ValueError(reason)
    return env
