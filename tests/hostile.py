"""Hostile input shapes, generated rather than collected.

Three users:

- tests/test_linear_time.py: `regex_shapes(pattern)` derives worst cases from a regex's own
  syntax tree, the way ReDoS finders do: for every repetition, the text that leads up to
  it, then one of its bodies repeated n times, then a character that breaks the match
  (the exponential and polynomial backtracking shapes); every delimiter the pattern
  mentions as a long run and as nested pairs; the pattern's own minimal match with its
  last character cut, repeated (the near-miss that restarts at every position).
- tests/test_hostile_input.py: hypothesis strategies (`hostile_texts`) that assemble whole
  pastes from the same kind of pieces plus Go-shaped fragments, for the parser and the
  normaliser.
- benchmarks/hostile_bench.py: `PASTE_SHAPES`, whole inputs at any size, for throughput.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable, Iterator
from re import _constants as C  # noqa: N812 - the names sre uses
from re import _parser as sre

from hypothesis import strategies as st

# ----------------------------------------------------------------------- regex worst cases

_CATEGORY_CHAR = {
    C.CATEGORY_DIGIT: "1", C.CATEGORY_NOT_DIGIT: "a", C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_SPACE: "a", C.CATEGORY_WORD: "a", C.CATEGORY_NOT_WORD: " ",
    C.CATEGORY_LINEBREAK: "\n", C.CATEGORY_NOT_LINEBREAK: "a",
}
# Characters tried for a negated class, in order: the first one the class accepts is used.
_FILLERS = "a1 x.:/_-\t"
_PAIRS = [("(", ")"), ("[", "]"), ("{", "}"), ("<", ">"), ('"', '"'), ("'", "'"), ("`", "`")]
_BREAKERS = ("!", "\n")
BOUNDED = 64  # repetitions with at most this many iterations are not pumped


def _in_class(items: list, ch: str) -> bool:
    """Does the IN node's item list accept ch (ignoring case folding)?"""
    negate = bool(items) and items[0][0] is C.NEGATE
    hit = False
    for op, av in items[1:] if negate else items:
        if op is C.LITERAL and chr(av) == ch:
            hit = True
        elif op is C.RANGE and av[0] <= ord(ch) <= av[1]:
            hit = True
        elif op is C.CATEGORY:
            probe = re.compile({
                C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
                C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
            }.get(av, r"[^\n]"))
            hit = hit or bool(probe.fullmatch(ch))
    return hit != negate


def _item_chars(items: list) -> list[str]:
    """One character per item of an IN node: a literal, a range's start, a category's example."""
    out: list[str] = []
    for op, av in items:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.RANGE:
            out.append(chr(av[0]))
        elif op is C.CATEGORY:
            out.append(_CATEGORY_CHAR.get(av, "a"))
    return out


def _class_members(items: list) -> list[str]:
    """A few characters the IN node accepts: every literal and range start, or fillers."""
    if items and items[0][0] is C.NEGATE:
        return [c for c in _FILLERS if _in_class(items, c)][:2]
    return list(dict.fromkeys(_item_chars(items)))


def _one(op, av) -> str:
    """A minimal string that the single node (op, av) matches."""
    if op is C.LITERAL:
        return chr(av)
    if op is C.NOT_LITERAL:
        return "a" if chr(av) != "a" else "b"
    if op is C.ANY:
        return "a"
    if op is C.IN:
        members = _class_members(av)
        return members[0] if members else "a"
    if op is C.CATEGORY:
        return _CATEGORY_CHAR.get(av, "a")
    if op is C.SUBPATTERN:
        return witness(av[-1])
    if op is C.BRANCH:
        return witness(av[1][0])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, _, body = av
        return witness(body) * lo
    if op is C.ATOMIC_GROUP:
        return witness(av)
    if op is C.GROUPREF_EXISTS:
        return witness(av[1])
    return ""  # AT, ASSERT, ASSERT_NOT, GROUPREF: zero width here


def witness(items) -> str:
    return "".join(_one(op, av) for op, av in items)


def _children(op, av) -> list[list]:
    if op is C.SUBPATTERN:
        return [av[-1]]
    if op is C.BRANCH:
        return list(av[1])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        return [av[2]]
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [av[1]]
    if op is C.ATOMIC_GROUP:
        return [av]
    if op is C.GROUPREF_EXISTS:
        return [x for x in av[1:] if x is not None]
    return []


def _walk(items) -> Iterator[tuple]:
    for node in items:
        yield node
        for child in _children(*node):
            yield from _walk(child)


def _prefix(items, target) -> str | None:
    """The text leading up to node `target` (by identity), or None if it is not in items."""
    acc = ""
    for node in items:
        if node is target:
            return acc
        for child in _children(*node):
            inner = _prefix(child, target)
            if inner is not None:
                return acc + inner
        acc += _one(*node)
    return None


def _pumps(body) -> list[str]:
    """Fragments one iteration of a repetition can consume: the body and each alternative."""
    out = [witness(body)]
    if len(body) == 1:
        op, av = body[0]
        if op is C.SUBPATTERN:
            return _pumps(av[-1])
        if op is C.BRANCH:
            out += [witness(alt) for alt in av[1]]
        if op is C.IN:
            out += _class_members(av)[:6]
    return [p for p in dict.fromkeys(out) if p]


def _interesting_chars(items) -> list[str]:
    chars: list[str] = []
    for op, av in _walk(items):
        if op in (C.LITERAL, C.NOT_LITERAL):
            chars.append(chr(av))
        elif op is C.IN:
            chars += _item_chars([x for x in av if x[0] is not C.NEGATE])
        elif op is C.CATEGORY:
            chars.append(_CATEGORY_CHAR.get(av, "a"))
    chars += ["a", " ", "\n"]
    return list(dict.fromkeys(c for c in chars if c.isprintable() or c in " \t\n"))


Shape = tuple[str, Callable[[int], str]]  # (name, length -> text of about that length)


def _scaled(name: str, head: str, unit: str, tail: str) -> Shape:
    def make(length: int) -> str:
        n = max(1, (length - len(head) - len(tail)) // max(1, len(unit)))
        return head + unit * n + tail
    return name, make


def regex_shapes(pattern: re.Pattern[str], seeds: tuple[str, ...] = ()) -> list[Shape]:
    """Worst-case inputs for one regex, each a function of the wanted length."""
    tree = sre.parse(pattern.pattern, pattern.flags)
    items = list(tree)
    shapes: dict[str, Shape] = {}

    def add(shape: Shape) -> None:
        shapes.setdefault(shape[0], shape)

    for node in _walk(items):
        op, av = node
        # a bounded repetition (\d{1,12}) cannot run away by itself; an enclosing one is pumped
        if op not in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) or av[1] < BOUNDED:
            continue
        head = _prefix(items, node) or ""
        for pump in _pumps(av[2]) + list(seeds):
            for brk in _BREAKERS:
                add(_scaled(f"pump {head!r}+{pump!r}*n+{brk!r}", head, pump, brk))
            # the whole lead-in again at every step: a scan restarting at each occurrence
            add(_scaled(f"({head!r}+{pump!r})*n", "", head + pump, ""))
    chars = _interesting_chars(items)
    for c in chars:
        add(_scaled(f"run {c!r}*n", "", c, ""))
    for o, c in _PAIRS:
        if o in chars or c in chars:
            add(_nested(o, c))
            add(_scaled(f"repeated {o}a{c}", "", o + "a" + c, ""))
            add(_scaled(f"unclosed {o}a", "", o + "a", ""))
    full = witness(items)
    if len(full) > 1:
        add(_scaled("near-miss repeated", "", full[:-1], ""))
        add(_scaled("near-miss lines", "", full[:-1] + "\n", ""))
        add(_scaled("matches repeated", "", full, ""))
    for seed in seeds:
        add(_scaled(f"seed {seed!r}*n", "", seed, ""))
    return list(shapes.values())


def _nested(o: str, c: str) -> Shape:
    def make(length: int) -> str:
        n = max(1, length // 2)
        return o * n + c * n
    return f"nested {o}*n{c}*n", make


# ----------------------------------------------------------------------- growth

HANG_SECONDS = 3.0  # one call on the small input; exponential backtracking never ends


class Hang(Exception):
    """One call took far longer than linear growth allows (it was interrupted)."""


def _alarm(signum, frame):
    raise Hang


def _per_call(fn, text, min_batch: float) -> float:
    """CPU seconds of this thread per call, over a batch of at least min_batch seconds.
    Thread CPU time, not wall time: other processes on a loaded machine do not count."""
    loops = 1
    while True:
        start = time.thread_time()
        for _ in range(loops):
            fn(text)
        took = time.thread_time() - start
        if took >= min_batch or loops >= 1 << 16:
            return took / loops
        loops *= 2 if took > min_batch / 4 else 8


def growth(fn, make: Callable[[int], str], small: int, factor: int, *, batches: int = 1,
           min_batch: float = 3e-4, max_ratio: float | None = None) -> float:
    """How much longer fn takes on make(small * factor) than on make(small), scaled to the
    actual lengths so that linear growth gives about `factor`. Small and large runs
    alternate; the minimum of each counts. Raises Hang when one call on the small input
    takes HANG_SECONDS of CPU, or one on the large input four times what max_ratio
    (default 4 * factor) allows: a timer, so an exponential case never runs to its end."""
    max_ratio = max_ratio or 4 * factor
    a, b = make(small), make(small * factor)
    # a CPU-time timer (SIGVTALRM): a loaded machine delays the call but never trips it
    previous = signal.signal(signal.SIGVTALRM, _alarm)
    try:
        signal.setitimer(signal.ITIMER_VIRTUAL, HANG_SECONDS)
        start = time.thread_time()
        fn(a)
        first = time.thread_time() - start
        signal.setitimer(signal.ITIMER_VIRTUAL, max(1.0, 4 * max_ratio * first))
        fn(b)
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        t_a = t_b = float("inf")
        for _ in range(batches):
            t_a = min(t_a, _per_call(fn, a, min_batch))
            t_b = min(t_b, _per_call(fn, b, min_batch))
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
    return (t_b / max(t_a, 1e-9)) * (len(a) / len(b)) * factor


# ----------------------------------------------------------------------- whole pastes

GO_FRAGMENTS = [
    "goroutine 1 [running]:\n", "goroutine 18 [chan send, 37 minutes]:\n", "main.f(", "main.(*T).M(",
    "{a}", "{0x1, 0x2}", "0xc000012345, ", "...)", ")\n", "\t/app/main.go:42 +0x1d\n",
    "created by main.start in goroutine 1\n", "panic: ", "fatal error: ", "[signal SIGSEGV: ",
    "gc 1 @0.1s 2%: ", " ms cpu, ", "4->4->1 MB, ", "5 MB goal", " (forced)", "SCHED 0ms: ",
    "exit status ", "WARNING: DATA RACE\n", "java.lang.", "  at ", " (", ".js:", ".cs:line ",
    "goroutine profile: total 3\n", "1 @ 0x1 0x2\n", "#\t0x1\tmain.f+0x1\t/a.go:1\n",
    "2024-01-02T03:04:05Z ", "Jan 02 03:04:05 host unit[1]: ", "> ", "```", '{"log":"', '"}',
    "\x1b[31m", "\x1b]", "\r\n", "\n\n", "    ", "(", ")", "{", "}", "[", "]", "\\", '"',
]


def hostile_texts(max_units: int = 400) -> st.SearchStrategy[str]:
    """Pastes built from Go-shaped fragments and delimiters: some repeated many times
    (runs, nesting, near-misses), some mixed at random."""
    fragment = st.sampled_from(GO_FRAGMENTS) | st.text(min_size=1, max_size=6)
    repeated = st.tuples(st.lists(fragment, min_size=1, max_size=4),
                         st.integers(min_value=1, max_value=max_units)).map(lambda t: "".join(t[0]) * t[1])
    nested = st.tuples(st.sampled_from(_PAIRS), st.integers(1, max_units)).map(
        lambda t: t[0][0] * t[1] + t[0][1] * t[1])
    part = repeated | nested | fragment
    return st.lists(part, min_size=1, max_size=12).map("".join)


def scale(text: str, length: int) -> str:
    """The text repeated (never cut in the middle of a repetition) to about `length` chars."""
    return text * max(1, length // max(1, len(text)))


# Whole-input shapes for the throughput benchmark: name -> (length -> text).
PASTE_SHAPES: dict[str, Callable[[int], str]] = {
    "parse _ARGS {a} (issue #1)": lambda n: "goroutine 1 [running]:\nmain.f(" + scale("{a}", n) + " x\n",
    "normalise '(' run (issue #2)": lambda n: scale("(", n) + ")\n",
    "one long line of 'a'": lambda n: scale("a", n) + "\n",
    "one long line of spaces": lambda n: "gc 1 @0.1s 2%: 1 ms cpu, 4->4->1 MB, 5 MB goal" + scale(" ", n) + "x\n",
    "nested () / {} / []": lambda n: "main.f(" + scale("({[", n // 2) + scale("]})", n // 2) + "\n",
    "unclosed frames": lambda n: scale("main.f(0x1, {a}\n", n),
    "goroutine headers only": lambda n: scale("goroutine 1 [running]:\n", n),
    "distinct stacks": lambda n: "".join(
        f"goroutine {i} [select]:\nmain.f{i}(0x{i:x})\n\t/app/f{i}.go:{i} +0x1\n\n" for i in range(n // 80)),
    "gctrace near-misses": lambda n: scale("gc 1 @0.1s 2%: 0.1 ms cpu, 0.1 ms cpu, 0.1 ms cpu,", n) + "\n",
    "java.lang. repeated": lambda n: scale("java.lang.", n) + "\n",
    "node ' at x (' repeated": lambda n: "  at " + scale("x (", n) + "\n",
    "JSON nested deep": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "JSON log lines": lambda n: scale('{"log":"goroutine 1 [running]:\\n"}\n', n),
    "ANSI escapes unterminated": lambda n: scale("\x1b]", n) + "\n",
    "prefixes without a newline": lambda n: scale("2024-01-02T03:04:05Z ", n) + "\n",
    "e-mail quoting": lambda n: scale("> ", n) + "\n",
    "random Go-ish fragments": lambda n: scale("".join(GO_FRAGMENTS), n),
}
