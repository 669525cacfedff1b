"""Which advice turns a runtime knob, so that the validator can insist it was run.

A `now` step or a fix that sets GOGC, GOMEMLIMIT, GOMAXPROCS, GOTRACEBACK, a GODEBUG
setting, a `debug.Set*` limit, a ulimit or an HTTP/database pool limit makes a claim
about the runtime that a run can check ("raising the limit stops the thrashing").
`knobs_turned(text)` names the knobs a piece of advice sets; the validator then
requires a `demonstration` or an `unverified` reason beside it.

Reading about a knob is not turning it: `GODEBUG=gctrace=1` and the other trace
settings only print, and "check GOMEMLIMIT in the environment" has no assignment.
"""

from __future__ import annotations

from .regex import compile_re2

# (knob, RE2) — an assignment or a call that changes the setting.
_KNOBS: tuple[tuple[str, str], ...] = (
    ("GOGC", r"\bGOGC=\S|SetGCPercent\(|name: *GOGC\b"),
    ("GOMEMLIMIT", r"\bGOMEMLIMIT=\S|SetMemoryLimit\(|name: *GOMEMLIMIT\b"),
    ("GOMAXPROCS", r"\bGOMAXPROCS=\S|runtime\.GOMAXPROCS\( *[^) ]|name: *GOMAXPROCS\b"),
    ("GOTRACEBACK", r"\bGOTRACEBACK=\S|SetTraceback\(|name: *GOTRACEBACK\b"),
    ("debug.SetMaxThreads", r"SetMaxThreads\("),
    ("debug.SetMaxStack", r"SetMaxStack\("),
    ("debug.SetPanicOnFault", r"SetPanicOnFault\("),
    ("ulimit", r"\bulimit -[a-zA-Z] +(\d|unlimited)|LimitNOFILE=|--ulimit\b|[Ss]etrlimit\(|"
               r"\bprlimit\b.*--[a-z]+="),
    ("http.Transport limit", r"\b(MaxConnsPerHost|MaxIdleConnsPerHost|MaxIdleConns|IdleConnTimeout|"
                             r"ResponseHeaderTimeout|TLSHandshakeTimeout|ExpectContinueTimeout)\b"),
    ("http.Client.Timeout", r"\bClient\{[^}]*\bTimeout:|\bclient\.Timeout *="),
    ("pool size", r"\bSet(MaxOpenConns|MaxIdleConns|ConnMaxLifetime|ConnMaxIdleTime)\(|"
                  r"\b(PoolSize|PoolTimeout|MinIdleConns) *:"),
)

# Advice in words: "set GOMEMLIMIT to 90 % of the limit", "raise `GOMAXPROCS`".
_VERB = compile_re2(r"\b(?i:set|sets|setting|raise|raising|lower|lowering|restore|increase|reduce|keep)\b"
                    r"[^.;:]{0,30}\b(GOGC|GOMEMLIMIT|GOMAXPROCS|GOTRACEBACK|SetMaxThreads|SetMaxStack|"
                    r"ulimit -[a-zA-Z]|LimitNOFILE)\b")

# GODEBUG settings that only print (or check) and change no behaviour worth demonstrating.
DIAGNOSTIC_GODEBUG = frozenset({
    "gctrace", "schedtrace", "scheddetail", "inittrace", "scavtrace", "http2debug",
    "tracebackancestors", "allocfreetrace", "gccheckmark", "clobberfree", "cgocheck",
})

_COMPILED = tuple((name, compile_re2(pattern)) for name, pattern in _KNOBS)
_GODEBUG = compile_re2(r"\bGODEBUG=['\"]?([A-Za-z0-9_.+=,-]+)")


def _godebug_knobs(text: str) -> list[str]:
    found: list[str] = []
    for m in _GODEBUG.finditer(text):
        for setting in m.group(1).split(","):
            key, _, value = setting.partition("=")
            if not key or key in DIAGNOSTIC_GODEBUG:
                continue
            if key == "netdns" and value.isdigit():
                continue  # netdns=1 or 2 only prints the resolver's decisions
            found.append(f"GODEBUG={key}")
    return found


def knobs_turned(text: str) -> list[str]:
    """The runtime knobs a piece of advice sets, in a stable order, without repeats."""
    names = [name for name, rx in _COMPILED if rx.search(text)]
    names += [m.group(1) for m in _VERB.finditer(text)]
    names += _godebug_knobs(text)
    return list(dict.fromkeys(names))
