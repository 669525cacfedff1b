"""What the parser learns from an input: the facts rules are evaluated against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .heap import HeapFacts

# Frames in these packages are machinery, not the code that caused the state; buckets
# are grouped and reported by their first frame outside them.
MACHINERY_PREFIXES = ("runtime.", "runtime/internal", "internal/", "sync.", "sync/atomic.", "syscall.",
                      "time.Sleep", "reflect.", "unique.", "weak.")


@dataclass
class Frame:
    function: str
    location: str = ""  # "file.go:42", without the +0x offset
    offset: int = 0  # lines below the goroutine header (for evidence line numbers)

    @property
    def short_location(self) -> str:
        return self.location.rsplit("/", 1)[-1]


@dataclass
class Bucket:
    """Goroutines with the same state and the same stack (arguments ignored)."""

    state: str
    frames: list[Frame]
    created_by: Frame | None
    count: int = 0
    max_wait: int = 0  # minutes, from "[chan send, 37 minutes]"
    min_wait: int | None = None  # shortest wait in minutes (0: under a minute); None: not parsed
    locked: int = 0  # "locked to thread"
    first_line: int = 0  # line of the first goroutine header of this bucket
    ids: list[int] = field(default_factory=list)  # a few goroutine ids, for the report
    elided: bool = False
    leaked: bool = False  # "[chan send (leaked)]": the goroutine-leak profile proved it unreachable

    @property
    def culprit(self) -> Frame | None:
        """First frame outside the runtime and sync machinery: the code that is waiting."""
        for f in self.frames:
            if f.function != "panic" and not f.function.startswith(MACHINERY_PREFIXES):
                return f
        return self.frames[0] if self.frames else None


@dataclass
class GcCycle:
    number: int
    at_seconds: float
    cpu_percent: float
    heap_start: float  # MB at GC start
    heap_end: float  # MB at GC end
    heap_live: float  # MB marked live
    goal: float  # MB goal
    forced: bool
    line: int


@dataclass
class SchedLine:
    at_ms: int
    gomaxprocs: int
    idleprocs: int
    threads: int
    runqueue: int
    line: int


@dataclass
class PanicLink:
    """One panic (or the fatal error) of a chain the runtime printed for one crash."""

    line: int
    kind: str  # "panic" or "fatal"
    value: str  # after "panic: " / "fatal error: ", without the [recovered] marks
    nested: bool  # tab-indented: raised while the previous one was unwinding
    recovered: bool = False  # "[recovered]"
    repanicked: bool = False  # "[recovered, repanicked]" (Go 1.25+)


@dataclass
class SanitizerReport:
    """A report of AddressSanitizer, LeakSanitizer or MemorySanitizer (-asan / -msan builds)."""

    line: int
    tool: str  # asan, lsan, msan, tsan
    error: str  # heap-use-after-free, detected memory leaks, use-of-uninitialized-value ...
    text: str  # the whole headline after the tool name
    frames: list[str] = field(default_factory=list)  # function names, innermost first
    go_frames: int = 0  # frames in Go code (a .go file, main., runtime.)
    cgo: bool = False  # the stack passes through cgo glue (_cgo_, _Cfunc_)
    summary: str = ""


@dataclass
class Facts:
    kinds: set[str] = field(default_factory=set)
    total_lines: int = 0
    panic: tuple[int, str] | None = None  # (line, value after "panic: ")
    fatal: tuple[int, str] | None = None  # (line, message after "fatal error: ")
    recovered: bool = False
    signal: tuple[int, str] | None = None  # (line, "SIGSEGV: segmentation violation ...")
    exit_codes: list[tuple[int, int, str]] = field(default_factory=list)  # (line, code, line text)
    goroutines: int = 0
    buckets: list[Bucket] = field(default_factory=list)
    gc: list[GcCycle] = field(default_factory=list)
    sched: list[SchedLine] = field(default_factory=list)
    races: int = 0
    go_evidence: int = 0
    foreign: dict[str, int] = field(default_factory=dict)  # language -> marker count
    notes: list[str] = field(default_factory=list)
    panic_chain: list[PanicLink] = field(default_factory=list)  # only when chained or recovered
    repanicked: bool = False
    sanitizers: list[SanitizerReport] = field(default_factory=list)
    register_dump: int = 0  # register lines after a fatal signal
    # every distinct line (dump frames appear once per bucket): text -> [first line no, count]
    lines: dict[str, list[int]] = field(default_factory=dict)
    # heap/allocs profile facts (advisor.heap), when the input is or holds a memory profile
    heap: HeapFacts | None = None

    def first_line_of(self, text: str) -> int:
        entry = self.lines.get(text)
        return entry[0] if entry else 0
