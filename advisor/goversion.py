"""Which Go releases could have printed this paste?

Each piece of evidence bounds the release: a runtime message the catalogue dates (printed
only by some releases' source), and the output forms that changed over time. Every form
below was seen in output of the programs in tests/fixtures/forms/gen run under each
release 1.21-1.27 (the fixtures are the proof), or is cited where it predates 1.21:

| form | releases | shown by |
|---|---|---|
| `?` after traceback arguments | 1.18+ | Go 1.18 release notes (runtime) |
| `...N frames elided...` inside a deep stack | 1.21+ | stack-go1.21.13.log |
| `created by F in goroutine N` | 1.21+ (plain `created by F` before) | tbsystem-go1.21.13.log, Go 1.21 release notes |
| `goroutine N gp=0x.. m=N mp=0x..` | 1.22+ | tbsystem-go1.22.10.log vs -go1.21.13 |
| wait reason `coroutine` / `GC weak to strong wait` | 1.22+ / 1.23+ | runtime2.go of each release |
| `internal/sync.` frames, `internal/runtime/maps.` frames | 1.24+ | waits-go1.24.11.log, racemap-go1.24.11.log |
| `[sync.WaitGroup.Wait]` (`[semacquire]` above `sync.(*WaitGroup).Wait` before) | 1.24+ | waits-go1.24.11.log vs -go1.23.9 |
| `[recovered, repanicked]` (the value printed twice before) | 1.25+ | repanic-go1.25.5.log vs -go1.24.11 |
| `(durable)`, `cleanup wait`, `, synctest bubble N` | 1.25+ | runtime2.go / traceback.go of 1.25 |
| heap addresses outside 0xc000000000 | 1.26+ (non-race builds) | chain-go1.26.6.log vs -go1.25.5 |
| `panic: X` then `\\tfatal error: Y` | 1.26+ (only the fatal line before) | panicfatal-go1.26.6.log vs -go1.25.5 |
| `(leaked)` goroutine states | 1.26+ | runtime/traceback.go of 1.26 |

Evidence is strong (a form or message only some releases print) or weak (a default that
a build option changes: 0xc000 heap addresses, old map frames); weak evidence narrows the
range only where it agrees with the strong evidence. Contradicting strong evidence (two
programs pasted together) gives no range and a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .catalogue import Catalogue, minor_key
from .facts import Facts
from .regex import compile_re2
from .runtime_messages import MessageHit

SCAN_LIMIT = 256_000  # forms show in the first goroutines; a 23 MB dump needs no more


@dataclass
class VersionEvidence:
    line: int
    text: str
    lo: int | None  # minor version, inclusive (24 for 1.24)
    hi: int | None  # minor version, exclusive
    why: str
    strong: bool = True

    @property
    def says(self) -> str:
        return format_range(self.lo, self.hi) or "any"

    def as_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "says": self.says, "why": self.why, "strong": self.strong}


@dataclass
class VersionInference:
    range: str | None
    lo: int | None
    hi: int | None
    evidence: list[VersionEvidence]
    note: str | None = None

    def contains(self, minor: int) -> bool:
        return (self.lo is None or minor >= self.lo) and (self.hi is None or minor < self.hi)


def format_range(lo: int | None, hi: int | None) -> str | None:
    parts = []
    if lo is not None:
        parts.append(f">=1.{lo}")
    if hi is not None:
        parts.append(f"<1.{hi}")
    return ",".join(parts) or None


# (pattern over one line, lo, hi, why, strong). Searched only in lines that contain the key.
_LINE_FORMS: list[tuple[str, str, int | None, int | None, str, bool]] = [
    ("gp=", r"^goroutine \d+ gp=0x[0-9a-f]+ m=(?:\d+|nil)", 22, None, "goroutine header with gp= m= (Go 1.22+)", True),
    ("(leaked)", r"^goroutine \d+ .*\[[^\]]*\(leaked\)", 26, None, "goroutine-leak profile state '(leaked)' (Go 1.26+)",
     True),
    ("repanicked", r"\[recovered, repanicked\]$", 25, None, "'[recovered, repanicked]' (Go 1.25+)", True),
    ("synctest bubble", r"^goroutine \d+ .*, synctest bubble \d+\]", 25, None, "synctest bubble in a goroutine header "
     "(Go 1.25+)", True),
    ("frames elided", r"^\.\.\.\d+ frames elided\.\.\.$", 21, None, "'...N frames elided...' (Go 1.21+)", True),
    ("?", r"\(.*0x[0-9a-f]+\?[,)]", 18, None, "'?' after traceback arguments (Go 1.18+)", True),
    ("internal/sync.", r"^internal/sync\.", 24, None, "frames in internal/sync (Go 1.24+)", True),
    ("internal/runtime/maps.", r"^\s*internal/runtime/maps\.", 24, None, "frames in internal/runtime/maps (Go 1.24+)",
     True),
    ("sync.(*Mutex).", r"^sync\.\(\*Mutex\)\.(?:lockSlow|unlockSlow)\(", None, 24,
     "sync.(*Mutex) slow path outside internal/sync (before Go 1.24)", True),
    # map source files (race reports name the linknamed runtime.mapassign* functions in every
    # release; the files they point at tell the implementation apart)
    ("_swiss.go", r"(?:internal/runtime/maps/runtime_(?:fast32_|fast64_|faststr_)?swiss|runtime/map_(?:fast32_|fast64_|"
     r"faststr_)?swiss)\.go:\d", 24, 26, "a swiss-table map source file named *_swiss.go (Go 1.24-1.25)", True),
    ("internal/runtime/maps/runtime_fast", r"internal/runtime/maps/runtime_fast(?:32|64|str)\.go:\d", 26, None,
     "internal/runtime/maps/runtime_fast*.go without _swiss (Go 1.26+)", True),
    ("internal/runtime/maps/", r"internal/runtime/maps/(?:runtime_hash(?:32|64)|runtime_alg|memhash_\w+)\.go:\d", 27,
     None, "internal/runtime/maps hashing files (Go 1.27+)", True),
    ("_noswiss.go", r"runtime/(?:map_(?:fast32_|fast64_|faststr_)?noswiss|internal/runtime/maps/runtime_noswiss)\.go:\d",
     24, 26, "the old map implementation kept as GOEXPERIMENT=noswissmap (Go 1.24-1.25)", True),
    ("runtime/map", r"(?:^|[\s/])runtime/map(?:_fast32|_fast64|_faststr)?\.go:\d", None, 24,
     "runtime/map*.go, the map implementation before Go 1.24", True),
    ("iter.Pull", r"^iter\.Pull", 23, None, "iter.Pull (Go 1.23+)", True),
    ("runtime.AddCleanup", r"^runtime\.AddCleanup", 24, None, "runtime.AddCleanup (Go 1.24+)", True),
    ("weak.Make", r"^weak\.Make", 24, None, "weak.Make (Go 1.24+)", True),
    ("unique.Make", r"^unique\.Make", 23, None, "unique.Make (Go 1.23+)", True),
    ("testing/synctest.Test", r"^testing/synctest\.Test\(", 25, None, "testing/synctest.Test (Go 1.25+)", True),
]
_COMPILED: dict[int, object] = {}  # compiled on first use: most keys never occur in a paste


def _form_regex(i: int):
    rx = _COMPILED.get(i)
    if rx is None:
        rx = _COMPILED[i] = compile_re2(_LINE_FORMS[i][1])
    return rx

# wait reasons (bucket states) that only some releases print
_STATES = {
    "sync.WaitGroup.Wait": (24, None, "wait reason [sync.WaitGroup.Wait] (Go 1.24+)"),
    "coroutine": (22, None, "wait reason [coroutine] (Go 1.22+)"),
    "GC weak to strong wait": (23, None, "wait reason [GC weak to strong wait] (Go 1.23+)"),
    "synctest.Run": (24, None, "wait reason [synctest.Run] (Go 1.24+)"),
    "synctest.Wait": (24, None, "wait reason [synctest.Wait] (Go 1.24+)"),
    "cleanup wait": (25, None, "wait reason [cleanup wait] (Go 1.25+)"),
    "GOMAXPROCS updater (idle)": (25, None, "wait reason [GOMAXPROCS updater (idle)] (Go 1.25+)"),
}

# Heap addresses where the runtime prints them as pointers: gp=/mp= in goroutine headers
# and the receiver of a pointer method ('pkg.(*T).M(0x...'). Integer arguments (a
# duration, a size) could look like anything, so they are not read.
_POINTERS = compile_re2(r"(?:\bgp=|\bmp=|\.\(\*[^)\s]+\)\.[^(\s]+\()(0x[0-9a-f]{1,16})")


def _heap_kind(value: str) -> str | None:
    """'old' for the 0xc000000000 arena, 'random' for a Go 1.26+ randomised heap base
    (below 1<<46 on amd64, at least 1<<32), None for static data and other mappings."""
    v = int(value, 16)
    if 0xC000000000 <= v < 0xC100000000:
        return "old"
    if 1 << 32 <= v < 1 << 46:
        return "random"
    return None


def infer(facts: Facts, text: str, hits: Iterable[MessageHit], cat: Catalogue | None) -> VersionInference:
    ev: list[VersionEvidence] = []
    ev += _message_evidence(hits, cat)
    ev += _line_evidence(text[:SCAN_LIMIT])
    ev += _state_evidence(facts)
    ev += _chain_evidence(facts)
    if not ({"race-report", "sanitizer-report"} & facts.kinds):  # those builds never randomise the heap
        ev += _heap_evidence(text[:SCAN_LIMIT])
    return combine(ev)


def combine(ev: list[VersionEvidence]) -> VersionInference:
    lo, hi = _intersect(e for e in ev if e.strong)
    if lo is not None and hi is not None and lo >= hi:
        return VersionInference(None, None, None, ev, "the version evidence contradicts itself "
                                "(output of more than one program or release?)")
    for e in ev:
        if not e.strong:
            wlo, whi = _intersect([e], lo, hi)
            if wlo is None or whi is None or wlo < whi:
                lo, hi = wlo, whi
    return VersionInference(format_range(lo, hi), lo, hi, ev)


def _intersect(ev: Iterable[VersionEvidence], lo: int | None = None, hi: int | None = None):
    for e in ev:
        if e.lo is not None:
            lo = e.lo if lo is None else max(lo, e.lo)
        if e.hi is not None:
            hi = e.hi if hi is None else min(hi, e.hi)
    return lo, hi


def _message_evidence(hits: Iterable[MessageHit], cat: Catalogue | None) -> list[VersionEvidence]:
    """A catalogue message bounds the release where its first or last printing release is
    inside the catalogue's window (at the window's edges it may go on, older or newer)."""
    if cat is None:
        return []
    window = sorted(minor_key(m)[1] for m in cat.minors)
    if not window:
        return []
    out = []
    seen = set()
    for h in hits:
        m = h.message
        if m.id in seen:
            continue
        seen.add(m.id)
        rel = sorted(minor_key(r)[1] for r in m.releases)
        lo = rel[0] if rel[0] > window[0] else None
        hi = rel[-1] + 1 if rel[-1] < window[-1] else None
        if lo is None and hi is None:
            continue
        out.append(VersionEvidence(h.line, h.text, lo, hi, f"the runtime message '{m.id}' is printed by Go "
                                   f"{rel_text(m.releases)}"))
    return out


def rel_text(releases: Iterable[str]) -> str:
    from .catalogue import compress

    return compress(list(releases))


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start: end if end >= 0 else len(text)]


def _line_evidence(text: str) -> list[VersionEvidence]:
    out = []
    for i, (key, _, lo, hi, why, strong) in enumerate(_LINE_FORMS):
        pos = text.find(key)
        tries = 0
        while pos >= 0 and tries < 50:
            line = _line_at(text, pos)
            if _form_regex(i).search(line):
                out.append(VersionEvidence(_line_of(text, pos), line.strip()[:200], lo, hi, why, strong))
                break
            pos = text.find(key, pos + len(key))
            tries += 1
    created = text.find("\ncreated by ")
    if created >= 0 and " in goroutine " not in text:
        out.append(VersionEvidence(_line_of(text, created + 1), _line_at(text, created + 1).strip()[:200], None, 21,
                                   "'created by F' without 'in goroutine N' (before Go 1.21)"))
    elif created >= 0:
        pos = text.find(" in goroutine ")
        line = _line_at(text, pos)
        if line.startswith("created by "):
            out.append(VersionEvidence(_line_of(text, pos), line.strip()[:200], 21, None,
                                       "'created by F in goroutine N' (Go 1.21+)"))
    return out


def _state_evidence(facts: Facts) -> list[VersionEvidence]:
    out = []
    seen = set()
    for b in facts.buckets[:2000]:
        st = b.state
        if st in _STATES and st not in seen:
            seen.add(st)
            lo, hi, why = _STATES[st]
            out.append(VersionEvidence(b.first_line, f"[{st}]", lo, hi, why))
        elif st.endswith("(durable)") and "durable" not in seen:
            seen.add("durable")
            out.append(VersionEvidence(b.first_line, f"[{st}]", 25, None, "synctest '(durable)' wait reason (Go 1.25+)"))
        elif st == "semacquire" and "wg-sema" not in seen and any(
                f.function == "sync.(*WaitGroup).Wait" for f in b.frames[:6]):
            seen.add("wg-sema")
            out.append(VersionEvidence(b.first_line, "[semacquire] in sync.(*WaitGroup).Wait", None, 24,
                                       "WaitGroup.Wait shown as [semacquire] (before Go 1.24)"))
    return out


def _chain_evidence(facts: Facts) -> list[VersionEvidence]:
    out = []
    chain = facts.panic_chain
    for prev, link in zip(chain, chain[1:], strict=False):
        if link.kind == "fatal" and link.nested and prev.kind == "panic":
            out.append(VersionEvidence(link.line, f"\tfatal error: {link.value}", 26, None,
                                       "a panic line before a tab-indented fatal error (Go 1.26+)"))
        elif link.kind == "panic" and link.nested and prev.recovered and not prev.repanicked \
                and link.value == prev.value:
            out.append(VersionEvidence(link.line, f"\tpanic: {link.value}", None, 25,
                                       "the same value printed as a second panic, not [recovered, repanicked] "
                                       "(before Go 1.25)"))
    return out[:2]


def _heap_evidence(text: str) -> list[VersionEvidence]:
    """Go 1.26 randomised the heap base on 64-bit platforms (runtime/malloc.go mallocinit);
    before, heap and stack addresses start at 0xc000000000. Weak: -race, -asan and -msan
    builds and GOEXPERIMENT=norandomizedheapbase64 keep the old layout."""
    if "goroutine " not in text:
        return []
    first: dict[str, int] = {}
    for n, m in enumerate(_POINTERS.finditer(text)):
        kind = _heap_kind(m.group(1))
        if kind and kind not in first:
            first[kind] = m.start(1)
        if n >= 200 or len(first) == 2:
            break
    if set(first) == {"random"}:
        pos = first["random"]
        return [VersionEvidence(_line_of(text, pos), _line_at(text, pos).strip()[:200], 26, None,
                                "heap addresses outside 0xc000000000 (randomised heap base, Go 1.26+)", False)]
    if set(first) == {"old"}:
        pos = first["old"]
        return [VersionEvidence(_line_of(text, pos), _line_at(text, pos).strip()[:200], None, 26,
                                "heap addresses at 0xc000000000 (before Go 1.26, or a -race build)", False)]
    return []
