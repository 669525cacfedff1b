"""Parse normalised text into Facts: headers, goroutine buckets, gctrace, exit codes, kinds.

The input is split into blank-line separated blocks (C speed). Goroutine blocks are
bucketed by state and stack as panicparse does; identical stacks are recognised by a
dictionary lookup on their raw text before any per-frame work, so a dump of 100,000
goroutines blocked in a handful of places costs one regex match and one lookup per
goroutine. Everything else is scanned with whole-text regexes.

Go's output format drifts (`?` after arguments since 1.18, `created by X in goroutine N`
since 1.21, `goroutine N gp=... m=...` headers in newer crash dumps, elided frames): the
parser accepts all of those, and a goroutine header it does not understand is still
counted, with a note, rather than dropped silently.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

import re2

from .facts import Bucket, Facts, Frame, GcCycle, SchedLine
from .parse_forms import is_dump_writer, scan_panic_chain, scan_register_dump, scan_sanitizers, split_state
from .regex import compile_re2, linear

_GID = linear(re.compile(r"goroutine (\d{1,19})"), use="match")
_GHEADER_LOOSE = linear(re.compile(r"^goroutine (\d{1,19})\b[^\n]*(?:\n|$)", re.M))
_SPLIT_GOROUTINES = linear(re.compile(r"\n(?=goroutine \d+ )"))
_MINUTES = linear(re.compile(r"(\d{1,9}) minutes?"), use="match")
# "main.worker(0xc000012345, 0x5)" -> "main.worker(...)"; also strips traceback pc/sp.
# Two unambiguous alternatives (no parentheses inside; or parentheses only inside {...}
# groups without nested braces): a character can be read only one way, so a line cannot
# make the engine try exponentially many splits, as "(?:[^()]|\{[^}]*\})*" did on "{a}{a}...".
# Possessive (*+): nothing after a run can be given back usefully, and Python's engine
# otherwise keeps a backtracking record per character (130 bytes a character on one line).
_ARGS = linear(re.compile(r"\([^()\n]*+\)$|\((?:[^(){}\n]++|\{[^{}\n]*+\})*+\)$", re.M), seeds=("{a}", "{(a)}"))
_FPSP = linear(re.compile(r" fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+$", re.M))
_OFFSET = linear(re.compile(r" \+0x[0-9a-f]+$"))
_CREATED = linear(re.compile(r"^created by (\S+?)(?: in goroutine (\d+))?$"), use="match")
_PROFILE_BUCKET = linear(re.compile(r"^(\d{1,12}) @(?: 0x[0-9a-f]++)++\s*$"), use="match")
_PROFILE_FRAME = linear(re.compile(r"^#\s+0x[0-9a-f]+\s+(\S+?)\+0x[0-9a-f]+\s+(\S+)"), use="match")

_PANIC = linear(re.compile(r"^panic: (.*)$", re.M))
_FATAL = linear(re.compile(r"^fatal error: (.*)$", re.M))
_SIGNAL = linear(re.compile(r"^(?:\[signal (SIG\w[^\]\n]*)\]|(SIG[A-Z0-9]+: [a-z][^\n]*))$", re.M))
# RE2: case-insensitive alternations cost Python's engine ~200 ns a character on long text.
_EXIT = compile_re2(
    r"(?im)(?:exit status|Exit Code:|exited with code|exit code|exitCode[\"']?:)\s*(\d{1,3})\b"
    r"|^signal: (killed)$|\b(OOMKilled)\b"
)
# The rest of the line is group 8; "(forced)" at its end is tested in Python: an optional
# group before "[ \t]*$" made a run of spaces cost quadratic time.
_GC = linear(re.compile(
    r"^gc (\d{1,12}) @(\d{1,12}(?:\.\d{1,9})?)s (\d{1,3})%: [^\n]*? ms cpu, (\d{1,12}(?:\.\d+)?)->(\d{1,12}(?:\.\d+)?)->(\d{1,12}(?:\.\d+)?) MB, (\d{1,12}(?:\.\d+)?) MB goal"
    r"([^\n]*)",
    re.M,
))
_SCHED = linear(re.compile(
    r"^SCHED (\d{1,15})ms: gomaxprocs=(\d{1,9}) idleprocs=(\d{1,9}) threads=(\d{1,9})[^\n]*? runqueue=(\d{1,12})", re.M
))

# Markers used to classify the input, on RE2 (off the hot path, and some of them would
# backtrack: "^\s*" spans blank lines). Counted with whole-text finditer, up to MAX_MARKERS.
_KIND_MARKERS: dict[str, re2._Regexp] = {
    "race-report": compile_re2(r"(?m)^WARNING: DATA RACE$"),
    "goleak": compile_re2(r"(?m)found unexpected goroutines|^\[?Goroutine \d+ in state "),
    "goroutineleak-profile": compile_re2(r"(?m)^goroutineleak profile: total \d+"),
    "test-timeout": compile_re2(r"(?m)^panic: test timed out after"),
    "oom-kill": compile_re2(
        r"Out of memory: Kill(?:ed)? process|invoked oom-killer|Memory cgroup out of memory|oom-kill:|oom_reaper"),
    "kubernetes": compile_re2(
        r"(?m)\bOOMKilled\b|CrashLoopBackOff|Back-off restarting failed container|^\s*Last State:\s+Terminated"
        r"|^\s*Exit Code:\s+\d+|^\s*Reason:\s+\w+|^Events:$"),
}
MAX_MARKERS = 10_000
_GO_MARKERS = compile_re2(  # RE2 for the same reason as _EXIT; counted up to MAX_MARKERS
    r"(?m)^goroutine \d+ |^created by |^panic: |^fatal error: |\.go:\d+(?: \+0x[0-9a-f]+)?$|^runtime\.\w+\("
    r"|^goroutine profile: total|^gc \d+ @|^SCHED \d+ms|^WARNING: DATA RACE|^\[signal SIG|^exit status \d+"
    r"|^(?:---|===) (?:FAIL|RUN|PASS)|^FAIL\s"
)
_FOREIGN: dict[str, re2._Regexp] = {  # RE2: "java.lang." repeated made the Python version quadratic
    "python": compile_re2(r"(?m)^Traceback \(most recent call last\):|^\s*File \"[^\"]+\", line \d+"),
    "java": compile_re2(
        r"(?m)^Exception in thread |^\s*at [\w$.<>]+\((?:[\w$]+\.(?:java|kt|scala)(?::\d+)?|Native Method|Unknown Source)\)"
        r"|\bjava\.(?:lang|util|io|net)\.[\w.$]*(?:Error|Exception)\b|^Caused by: [\w.$]+(?:Error|Exception)"),
    "node": compile_re2(
        r"(?m)^\s+at .+ \(.+\.[cm]?[jt]s:\d+:\d+\)|node:internal|^\s+at [\w.<>]+ \(node:|UnhandledPromiseRejection"
        r"|JavaScript heap out of memory|\bv8::internal::|\bnode::\w+"),
    "rust": compile_re2(r"(?m)thread '[^']*' panicked at|RUST_BACKTRACE|^\s+\d+: (?:std|core)::"),
    "nginx": compile_re2(r"\[(?:emerg|alert|crit|error|warn|notice)\] \d+#\d+: "),
    "dotnet": compile_re2(r"(?m)Unhandled exception\. System\.|^\s+at [\w.]+\(.*\) in .+\.cs:line \d+"),
    "ruby": compile_re2(r"\.rb:\d+:in `"),
    "c": compile_re2(
        r"(?m)^==\d+==ERROR: AddressSanitizer|^#\d+\s+0x[0-9a-f]+ in [\w:~<>]+|^Program received signal SIG"
        r"|^\(gdb\) |\bstd::(?:__cxx11::|vector<|basic_string<)"),
    "php": compile_re2(r"(?m)PHP (?:Fatal|Warning|Parse) error|^(?:PHP )?Fatal error: .* on line \d+"),
}

# State inferred from the top of a stack, for formats that do not print it (debug=1 profiles).
_STATE_FROM_FRAME = [
    ("runtime.chansend", "chan send"),
    ("runtime.chanrecv", "chan receive"),
    ("runtime.selectgo", "select"),
    ("runtime.block", "select (no cases)"),
    ("sync.runtime_SemacquireRWMutexR", "sync.RWMutex.RLock"),
    ("sync.runtime_SemacquireRWMutex", "sync.RWMutex.Lock"),
    ("sync.runtime_SemacquireMutex", "sync.Mutex.Lock"),
    ("sync.runtime_SemacquireWaitGroup", "sync.WaitGroup.Wait"),
    ("sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait"),
    ("sync.runtime_notifyListWait", "sync.Cond.Wait"),
    ("sync.runtime_Semacquire", "semacquire"),
    ("internal/poll.runtime_pollWait", "IO wait"),
    ("time.Sleep", "sleep"),
    ("syscall.Syscall", "syscall"),
    ("syscall.RawSyscall", "syscall"),
    ("internal/runtime/syscall.Syscall6", "syscall"),
]

# Comment headers of saved outputs ('# source: <command>'): they describe the output,
# often in the failure's own words, and must never count as evidence for it.
_HEADER_COMMENTS = ("# source:", "# command:", "# note:", "# exit:", "# go:")

MAX_BUCKETS = 20000  # a dump of all-different stacks still stays bounded


class _DumpState:
    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], Bucket] = {}
        self.stack_cache: dict[str, tuple[str, list[Frame], Frame | None, bool, list[tuple[int, str]]]] = {}
        self.state_cache: dict[str | None, tuple[str, int, bool, bool]] = {}  # a few states repeat
        self.goroutines = 0
        self.unknown_headers = 0
        self.overflow = 0


def _parse_stack(rest: str) -> tuple[str, list[Frame], Frame | None, bool, list[tuple[int, str]]]:
    """Stack text after a goroutine header -> (normalised key, frames, created_by, elided, trailing lines)."""
    norm = rest
    # parse() already turned most argument lists into "(...)"; when every "(" left is one of
    # those, _ARGS would replace each by itself
    if "(" in norm and norm.count("(") != norm.count("(...)"):
        norm = _ARGS.sub("(...)", norm)
    if "fp=" in norm:
        norm = _FPSP.sub("", norm)
    frames: list[Frame] = []
    created: Frame | None = None
    elided = False
    trailing: list[tuple[int, str]] = []
    lines = norm.split("\n")
    i = 0
    n = len(lines)
    while i < n:
        ln = lines[i]
        s = ln.strip()
        if not s:
            i += 1
            continue
        if s.startswith("...") and "elided" in s:
            elided = True
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < n else ""
        is_file = nxt[:1] in ("\t", " ") and ":" in nxt and not nxt.strip().startswith(("goroutine ",))
        m = _CREATED.match(s)
        if m:
            loc = _OFFSET.sub("", nxt.strip()) if is_file else ""
            created = Frame(m.group(1), loc, i + 1)
            i += 2 if is_file else 1
            continue
        if (s.endswith(")") or s.endswith("(...)")) and "(" in s and not ln[:1].isspace() and " " not in s.split("(", 1)[0]:
            fn = s.split("(", 1)[0] if not s.startswith("(") else s
            # methods: "pkg.(*T).M(...)" -> keep through the method name
            if s.find(")(") > 0 or s.count("(") > 1:
                fn = s[: s.rfind("(")]
            loc = _OFFSET.sub("", nxt.strip()) if is_file else ""
            frames.append(Frame(fn, loc, i + 1))
            i += 2 if is_file else 1
            continue
        # anything else after the stack ("exit status 2", "FAIL pkg") belongs to the log
        trailing.append((i, ln))
        i += 1
    key = "\n".join(f"{f.function} {f.location}" for f in frames)
    if created:
        key += f"\n> {created.function} {created.location}"
    return key, frames, created, elided, trailing


def _parse_state(raw: str | None) -> tuple[str, int, bool, bool]:
    """'chan send (leaked), 37 minutes, locked to thread' -> (state, minutes, locked, leaked)."""
    if not raw:
        return "unknown", 0, False, False
    parts = [p.strip() for p in raw.split(",")]
    state, leaked = split_state(parts[0] or "unknown")
    wait = 0
    locked = False
    for p in parts[1:]:
        m = _MINUTES.match(p)
        if m:
            wait = int(m.group(1))
        elif p == "locked to thread":
            locked = True
    return state, wait, locked, leaked


def _add_goroutine(ds: _DumpState, block: str, line_no: int, other: list[tuple[int, str]]) -> None:
    """One goroutine from a block holding several (a dump pasted without blank lines)."""
    m = _GID.match(block)
    if m is None:
        return
    _add_group(ds, block[m.end():], 1, line_no, m.group(1), other)


def _add_profile_bucket(ds: _DumpState, block: str, line_no: int) -> bool:
    """A debug=1 goroutine profile record: 'N @ 0x...' then '#\t0x..\tfn+0x..\tfile:line'."""
    lines = block.split("\n")
    m = _PROFILE_BUCKET.match(lines[0])
    if not m:
        return False
    count = int(m.group(1))
    frames = []
    for ln in lines[1:]:
        fm = _PROFILE_FRAME.match(ln.strip())
        if fm:
            frames.append(Frame(fm.group(1), fm.group(2)))
    state = "unknown"
    for f in frames[:6]:
        for prefix, st in _STATE_FROM_FRAME:
            if f.function.startswith(prefix):
                state = st
                break
        if state != "unknown":
            break
    key = "\n".join(f"{f.function} {f.location}" for f in frames)
    b = ds.buckets.get((state, key))
    if b is None:
        b = Bucket(state=state, frames=frames, created_by=None, first_line=line_no)
        ds.buckets[(state, key)] = b
    b.count += count
    ds.goroutines += count
    return True


# A frame's argument list, when the next line is its file:line (tab or spaces):
# "main.worker(0xc000012345, 0x5)" -> "main.worker(...)". Applied to the whole text at C
# speed, so goroutines that differ only in arguments become identical text.
_ARGS_FAST = linear(re.compile(r"\([^()\n]*\)\n(?=\t| {2,}\S)"))
_REST_HEADER = linear(re.compile(r"(?: gp=\S+)?(?: m=\S+)?(?: mp=\S+)?(?: \[([^\]\n]*)\])?:?[ \t]*(?:\n|$)"), use="match")


def _add_group(ds: _DumpState, rest: str, count: int, line_no: int, gid: str,
               other: list[tuple[int, str]]) -> None:
    """`count` goroutines whose header (after the id) and stack are the same text."""
    m = _REST_HEADER.match(rest)
    if m is None:
        ds.unknown_headers += count
        raw_state, stack = None, rest.split("\n", 1)[1] if "\n" in rest else ""
    else:
        raw_state, stack = m.group(1), rest[m.end():]
        if raw_state is None:
            ds.unknown_headers += count
    parsed = ds.stack_cache.get(stack)
    if parsed is None and len(ds.buckets) >= MAX_BUCKETS:
        # No room for a new bucket: count it without parsing its stack, so that a dump of
        # a million different stacks costs a dictionary lookup per goroutine, not a parse.
        ds.goroutines += count
        ds.overflow += count
        return None
    if parsed is None:
        parsed = _parse_stack(stack)
        if len(ds.stack_cache) < 200000:  # all-different stacks must not grow memory without bound
            ds.stack_cache[stack] = parsed
    key, frames, created, elided, trailing = parsed
    parsed_state = ds.state_cache.get(raw_state)
    if parsed_state is None:
        parsed_state = _parse_state(raw_state)
        if len(ds.state_cache) < 10000:
            ds.state_cache[raw_state] = parsed_state
    state, wait, locked, leaked = parsed_state
    ds.goroutines += count
    for off, text in trailing:  # "exit status 2" right after the last frame
        other.append((line_no + 1 + off, text))
    bkey = (state + " (leaked)" if leaked else state, key)
    b = ds.buckets.get(bkey)
    if b is None:
        if len(ds.buckets) >= MAX_BUCKETS:
            ds.overflow += count
            return
        b = ds.buckets[bkey] = Bucket(state=state, frames=frames, created_by=created,
                                      first_line=line_no, elided=elided, leaked=leaked)
    b.count += count
    b.max_wait = max(b.max_wait, wait)
    b.min_wait = wait if b.min_wait is None else min(b.min_wait, wait)  # for '[5~12 minutes]'
    b.locked += count if locked else 0
    b.first_line = min(b.first_line, line_no)
    if len(b.ids) < 5 and gid.isdigit() and len(gid) < 20:
        b.ids.append(int(gid))
    return None


def parse(text: str) -> Facts:
    facts = Facts()
    ds = _DumpState()
    other: list[tuple[int, str]] = []  # (line number, text) of non-dump lines
    profile = "goroutine profile: total" in text or "goroutineleak profile: total" in text
    work = _ARGS_FAST.sub("(...)\n", text) if "(" in text else text
    if "fp=0x" in work:
        work = _FPSP.sub("", work)

    # Pass 1 (hot loop, no per-line work): group single-goroutine blocks by their text
    # after the goroutine id; everything else is handled below with line numbers.
    groups: dict[str, list] = {}
    slow: list[tuple[int, str]] = []
    off = 0
    for block in work.split("\n\n"):
        if block.startswith("goroutine ") and block[10:11].isdigit() and "\ngoroutine " not in block:
            i = block.find(" ", 10)
            if i < 0:
                i = len(block)
            key = block[i:]
            g = groups.get(key)
            if g is None:
                groups[key] = [1, off, block[10:i]]
            else:
                g[0] += 1
        else:
            slow.append((off, block))
        off += len(block) + 2

    # Offsets -> line numbers, counting newlines once over the whole text.
    wanted = sorted({g[1] for g in groups.values()} | {o for o, _ in slow})
    line_of: dict[int, int] = {}
    pos, line = 0, 1
    for o in wanted:
        line += work.count("\n", pos, o)
        pos = o
        line_of[o] = line
    for key, (count, o, gid) in groups.items():
        _add_group(ds, key, count, line_of[o], gid, other)
    for o, block in slow:
        line_no = line_of[o]
        if _GHEADER_LOOSE.search(block) and (block.startswith("goroutine ") or "\ngoroutine " in block):
            ln = line_no
            for part in _SPLIT_GOROUTINES.split(block):
                if part.startswith("goroutine ") and _GHEADER_LOOSE.match(part):
                    _add_goroutine(ds, part, ln, other)
                else:
                    for k, t in enumerate(part.split("\n")):
                        other.append((ln + k, t))
                ln += part.count("\n") + 1
        elif profile and block.startswith(("goroutine profile: total", "goroutineleak profile: total")):
            # the first record follows the total line without a blank line
            first, _, rest = block.partition("\n")
            other.append((line_no, first))
            if rest:
                _add_profile_bucket(ds, rest, line_no + 1)
        elif profile and block[:1].isdigit() and _add_profile_bucket(ds, block, line_no):
            pass
        else:
            for k, t in enumerate(block.split("\n")):
                other.append((line_no + k, t))
    line_no = line + work.count("\n", pos) + 1
    facts.total_lines = line_no - 1 if not text.endswith("\n") else line_no - 2
    facts.goroutines = ds.goroutines
    facts.buckets = sorted(ds.buckets.values(), key=lambda b: (-b.count, b.first_line))
    if profile and "goroutineleak profile: total" in text:
        for b in facts.buckets:  # every goroutine of a leak profile is one the collector proved leaked
            b.leaked = True
    if profile and any(b.state == "unknown" for b in ds.buckets.values()):
        facts.notes.append("a debug=1 goroutine profile has no goroutine states; "
                           "states were inferred from runtime frames where printed. "
                           "Use ?debug=2 for states and wait times")
    if ds.unknown_headers:
        facts.notes.append(
            f"{ds.unknown_headers} goroutine header(s) in a format this advisor does not know; "
            "counted, state not parsed")
    if ds.overflow:
        facts.notes.append(f"more than {MAX_BUCKETS} distinct stacks; {ds.overflow} goroutines not bucketed")

    other_text = "\n".join(t for _, t in other)
    other_lines = [n for n, _ in other]
    _scan_other(facts, other_text, other_lines)
    _collect_lines(facts, other, ds)
    _classify(facts, text if len(text) < 4_000_000 else other_text)
    return facts


class _LineIndex:
    """Offset in the joined non-dump text -> original line number, counted incrementally
    (matches of one finditer come in order, so the total work stays linear)."""

    def __init__(self, text: str, nums: list[int]) -> None:
        self.text, self.nums, self.pos, self.idx = text, nums, 0, 0

    def __call__(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.idx = 0, 0
        self.idx += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.nums[self.idx] if self.idx < len(self.nums) else 0


def _scan_other(facts: Facts, text: str, nums: list[int]) -> None:
    at = _LineIndex(text, nums)
    m = _FATAL.search(text)
    if m:
        facts.fatal = (at(m.start()), m.group(1).strip())
    m = _PANIC.search(text)
    if m:
        value = m.group(1).strip()
        facts.panic = (at(m.start()), value)
        facts.recovered = "[recovered" in text
    m = _SIGNAL.search(text)
    if m:
        facts.signal = (at(m.start()), (m.group(1) or m.group(2)).strip())
    for m in _EXIT.finditer(text):
        if m.group(1):
            code = int(m.group(1))
        else:
            code = 137
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        facts.exit_codes.append((at(m.start()), code, text[start: end if end >= 0 else len(text)].strip()))
        if len(facts.exit_codes) > 50:
            break
    if "gc " in text:
        for m in _GC.finditer(text):
            facts.gc.append(GcCycle(
                number=int(m.group(1)), at_seconds=float(m.group(2)), cpu_percent=float(m.group(3)),
                heap_start=float(m.group(4)), heap_end=float(m.group(5)), heap_live=float(m.group(6)),
                goal=float(m.group(7)), forced=m.group(8).rstrip().endswith("(forced)"), line=at(m.start()),
            ))
    if "SCHED " in text:
        for m in _SCHED.finditer(text):
            facts.sched.append(SchedLine(
                at_ms=int(m.group(1)), gomaxprocs=int(m.group(2)), idleprocs=int(m.group(3)),
                threads=int(m.group(4)), runqueue=int(m.group(5)), line=at(m.start()),
            ))
    facts.races = _count(_KIND_MARKERS["race-report"], text)
    _scan_forms(facts, text, at)


def _scan_forms(facts: Facts, text: str, at: _LineIndex) -> None:
    """Chained panics, sanitizer reports, register dumps (parse_forms.py)."""
    if "panic: " in text or "fatal error: " in text:
        scan_panic_chain(facts, text, lambda pos: at(pos))
    scan_sanitizers(facts, text, lambda pos: at(pos))
    scan_register_dump(facts, text)


def _collect_lines(facts: Facts, other: list[tuple[int, str]], ds: _DumpState) -> None:
    """Distinct lines with first line number and count; dump stacks appear once per bucket."""
    counts = Counter(t for _, t in other)
    lines: dict[str, list[int]] = {}
    for n, t in other:
        if t.startswith(_HEADER_COMMENTS):
            continue  # a fixture's or sample's own header ('# source: ...'): never evidence
        if t not in lines:
            lines[t] = [n, counts[t]]
    for b in ds.buckets.values():
        if is_dump_writer(b):
            continue  # the goroutine that wrote the dump: how it was taken, not what went wrong
        header = (f"goroutine {b.ids[0] if b.ids else 0} [{b.state}" + (" (leaked)" if b.leaked else "")
                  + (f", {b.max_wait} minutes" if b.max_wait else "") + "]:")
        rows = [(0, header)]
        for f in b.frames:
            rows.append((f.offset, f"{f.function}(...)"))
            if f.location:
                rows.append((f.offset + 1, f"\t{f.location}"))
        if b.created_by:
            rows.append((b.created_by.offset, f"created by {b.created_by.function}"))
        for off, t in rows:
            cur = lines.get(t)
            if cur is None:
                lines[t] = [b.first_line + off, b.count]
            else:
                cur[1] += b.count
    facts.lines = lines


def _count(rx, text: str | bytes, cap: int = MAX_MARKERS) -> int:
    """Matches of an RE2 pattern, up to cap (the classifier compares counts; it needs no more)."""
    return sum(1 for _ in islice(rx.finditer(text), cap))


def _classify(facts: Facts, text: str) -> None:
    kinds = facts.kinds
    if facts.panic:
        kinds.add("panic")
    if facts.fatal:
        kinds.add("fatal-error")
    if facts.signal:
        kinds.add("signal")
    if facts.goroutines >= 2 or (facts.goroutines and not (facts.panic or facts.fatal)):
        kinds.add("goroutine-dump")
    if facts.gc:
        kinds.add("gctrace")
    if facts.sched:
        kinds.add("schedtrace")
    for kind, rx in _KIND_MARKERS.items():
        if kind == "race-report":
            if facts.races:
                kinds.add(kind)
        elif rx.search(text):
            kinds.add(kind)
    # counted on UTF-8 bytes: the same matches (none is empty), but the RE2 binding then
    # skips mapping every match's byte offsets back to characters (3x faster on 10,000)
    raw = text.encode("utf-8")
    facts.go_evidence = _count(_GO_MARKERS, raw) + facts.goroutines
    for lang, rx in _FOREIGN.items():
        hits = _count(rx, raw)
        if hits:
            facts.foreign[lang] = hits
    structural = {"panic", "fatal-error", "signal", "goroutine-dump", "race-report", "gctrace", "schedtrace",
                  "oom-kill", "goleak", "goroutineleak-profile", "test-timeout", "sanitizer-report", "panic-chain"}
    if not kinds and facts.go_evidence == 0:
        kinds.add("free-text" if not facts.foreign else "not-go")
    elif facts.go_evidence == 0 and not (kinds & structural) and not facts.foreign and _is_prose(text):
        kinds.add("free-text")  # "memory climbs until the pod is OOMKilled"
    elif facts.foreign and sum(facts.foreign.values()) > 2 * facts.go_evidence and not (
        kinds & {"panic", "fatal-error", "goroutine-dump", "race-report", "gctrace"}
    ):
        kinds.add("not-go")


def _is_prose(text: str) -> bool:
    """A few lines of sentences, not a structured log (kubectl describe, a table)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines or len(lines) > 12:
        return False
    words = sum(len(ln.split()) for ln in lines)
    colons = sum(1 for ln in lines if ":" in ln[:40])
    return words >= 3 * len(lines) and colons <= len(lines) // 2
