"""Output forms beyond the plain panic and dump: chained panics, goroutine-state
decorations, sanitizer reports, register dumps. Called from parse.py; each function
reads text the parser already set aside (non-dump lines) and adds facts.

The forms, as the runtime (or the sanitizer runtime linked by -asan/-msan) prints them:

- `panic: first [recovered]` then a tab-indented `\\tpanic: second`: a panic raised by a
  deferred call while the first was unwinding; `[recovered, repanicked]` (Go 1.25+) when
  the same value was panicked again; a tab-indented `\\tfatal error: ...` when a fatal
  error hit a panicking goroutine; `panic: ... [recovered]` alone when a recovered panic
  was re-raised by a framework.
- `goroutine 7 [chan send (leaked)]:` from the goroutine-leak profile (Go 1.26+), and
  `(scan)`, `(durable)`, `, synctest bubble 3` decorations.
- `==1234==ERROR: AddressSanitizer: heap-use-after-free on address ...`, LeakSanitizer's
  `detected memory leaks` and MemorySanitizer's `WARNING: ... use-of-uninitialized-value`,
  with `#0 0x... in fn file:line` frames.
- the register dump after a fatal signal (`rax    0x0`), printed by GOTRACEBACK=crash or
  when C code aborts.
"""

from __future__ import annotations

from functools import cache

from .facts import Facts, PanicLink, SanitizerReport
from .regex import compile_re2

# "[chan send (leaked)]" -> state "chan send", leaked. The runtime appends these after the
# wait reason (traceback.go goroutineheader); "(durable)" is part of some synctest wait
# reasons themselves and stays in the state.
_DECORATIONS = (" (leaked)", " (scan)")


def split_state(state: str) -> tuple[str, bool]:
    """'chan send (leaked)' -> ('chan send', True)."""
    leaked = False
    for deco in _DECORATIONS:
        if deco in state:
            leaked = leaked or deco == " (leaked)"
            state = state.replace(deco, "")
    return state, leaked


# RE2 (linear time) for everything that reads the paste.
# The goroutine that wrote a dump shows up in it, running inside the dump-writing code.
# Its frames say how the dump was taken, not what went wrong, so they are no evidence.
DUMP_WRITERS = ("runtime/pprof.writeGoroutineStacks", "runtime/pprof.writeGoroutine", "runtime.Stack",
                "runtime/debug.Stack", "runtime/debug.PrintStack", "runtime/pprof.writeRuntimeProfile",
                "runtime.goroutineProfileWithLabels", "runtime/pprof.writeGoroutineLeak")


def is_dump_writer(bucket) -> bool:
    """The running goroutine that printed this dump (pprof's debug=2 writer, runtime.Stack)."""
    return bucket.state == "running" and bucket.count == 1 and any(
        f.function in DUMP_WRITERS for f in bucket.frames[:4])


_PANIC_LINE = compile_re2(r"(?m)^(\t?)(panic|fatal error): ([^\n]*)$")
_RECOVERED = compile_re2(r" \[recovered(, repanicked)?\]$")


def scan_panic_chain(facts: Facts, text: str, at) -> None:
    """The chain of panics (and a fatal error) the runtime printed for one crash.

    `at(offset)` maps an offset of `text` to its line number in the paste."""
    chain: list[PanicLink] = []
    for m in _PANIC_LINE.finditer(text):
        nested = bool(m.group(1))
        if not nested and chain:
            break  # a second, independent crash report: not part of this chain
        kind = "panic" if m.group(2) == "panic" else "fatal"
        value = m.group(3).strip()
        rec = _RECOVERED.search(value)
        recovered = rec is not None
        repanicked = bool(rec and rec.group(1))
        if rec:
            value = value[: rec.start()]
        chain.append(PanicLink(at(m.start()), kind, value, nested, recovered, repanicked))
        if len(chain) >= 20:
            break
    if len(chain) > 1 or any(link.recovered for link in chain):
        facts.panic_chain = chain
        facts.kinds.add("panic-chain")
    for link in chain:
        if link.kind == "fatal" and link.nested and facts.fatal is None:
            facts.fatal = (link.line, link.value)  # "\tfatal error: ..." after a panic
        facts.repanicked = facts.repanicked or link.repanicked


_SAN_HEAD_RX = (
    r"(?m)^==(\d{1,10})==(ERROR|WARNING): (AddressSanitizer|LeakSanitizer|MemorySanitizer|ThreadSanitizer): "
    r"([^\n]*)$")
_SAN_FRAME_RX = r"(?m)^[ \t]*#(\d{1,4}) 0x[0-9a-f]{1,16} in (\S+)(?: ([^\n]*))?$"
_SAN_SUMMARY_RX = r"(?m)^SUMMARY: (AddressSanitizer|LeakSanitizer|MemorySanitizer|ThreadSanitizer): ([^\n]*)$"
_TOOL = {"AddressSanitizer": "asan", "LeakSanitizer": "lsan", "MemorySanitizer": "msan", "ThreadSanitizer": "tsan"}
_CGO_FRAME_RX = r"_cgo_|_Cfunc_|cgo-gcc-prolog|runtime\.(?:asm)?cgocall|runtime/cgo"


@cache
def _rx(pattern: str):
    """Compiled on first use: most pastes hold no sanitizer report or register dump."""
    return compile_re2(pattern)
MAX_FRAMES = 40


def scan_sanitizers(facts: Facts, text: str, at) -> None:
    """Sanitizer reports: the tool, the error kind, and whose code the failing access is in.

    Only the report's first stack counts (the bad access, or a leak's allocation); later
    stacks say where the memory was allocated or freed. A frame is Go code when its name
    is a Go symbol (has a '.': main.overrun, runtime.cgocall); cgo's C preamble lives in a
    .go file too but has C names (use_after_free, _cgo_..._Cfunc_x)."""
    if "Sanitizer" not in text:
        return
    heads = list(_rx(_SAN_HEAD_RX).finditer(text))
    for i, m in enumerate(heads[:10]):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end():end]
        error = m.group(4).strip()
        frames = _first_stack(body)
        go = sum(1 for fn, _ in frames if "." in fn and not fn.startswith(("_cgo_", "__")) and "::" not in fn)
        cgo = any(_rx(_CGO_FRAME_RX).search(fn + " " + loc) for fn, loc in frames)
        summary = _rx(_SAN_SUMMARY_RX).search(body)
        facts.sanitizers.append(SanitizerReport(
            line=at(m.start()), tool=_TOOL[m.group(3)], error=_error_kind(error), text=error,
            frames=[fn for fn, _ in frames], go_frames=go, cgo=cgo,
            summary=summary.group(2).strip() if summary else "",
        ))
    if facts.sanitizers:
        facts.kinds.add("sanitizer-report")


def _first_stack(body: str) -> list[tuple[str, str]]:
    """(function, location) of the consecutive '#N 0x.. in fn loc' lines that come first."""
    frames: list[tuple[str, str]] = []
    last_end = None
    for f in _rx(_SAN_FRAME_RX).finditer(body):
        if last_end is not None and body[last_end:f.start()].strip():
            break  # text between frames: the next stack ("freed by thread T0 here:")
        frames.append((f.group(2), (f.group(3) or "").strip()))
        last_end = f.end()
        if len(frames) >= MAX_FRAMES:
            break
    return frames


def _error_kind(error: str) -> str:
    """'heap-use-after-free on address 0x602...' -> 'heap-use-after-free'."""
    cut = len(error)
    for sep in (" on ", " at ", ": ", " ("):
        i = error.find(sep)
        if 0 < i < cut:
            cut = i
    return error[:cut].strip() or error


_REGISTER_RX = r"(?m)^(?:r[a-z0-9]{1,3}|rip|rflags|cs|fs|gs|pc|sp|lr|ctr|fault|trap|err|oldmask)\s+0x[0-9a-f]+$"


def scan_register_dump(facts: Facts, text: str) -> None:
    """`rax    0x0` lines after a fatal signal: the runtime's, not the program's output."""
    if "0x" in text and "\nr" in text:
        n = len(_rx(_REGISTER_RX).findall(text))
        if n >= 8:
            facts.register_dump = n
