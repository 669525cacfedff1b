"""Extract every fatal message the Go runtime can print from a release's `src/` tree.

What counts as a message (each becomes one catalogue entry per distinct text):

- `fatal`: the string passed to `throw(...)` or `fatal(...)` in the runtime, in
  `internal/runtime/*`, and in every package that links to them (`sync`, `internal/sync`,
  `crypto/rand`, ... found by their body-less `func fatal(string)` declarations). Printed
  as `fatal error: <text>`.
- `panic`: `panic(plainError(...))`, `errorString(...)` values (printed with the
  `runtime error: ` prefix), string-literal `panic("...")` in the runtime and `sync`
  packages, the bounds-check formats of `runtime/error.go`, and the type-assertion error.
  Printed as `panic: <text>`.
- `print`: lines the runtime prints before it dies (`print("runtime: ...")`), such as
  `runtime: failed to create new OS thread (have 7 already; errno=11)`.
- `signal`: the signal names of the runtime's signal tables (`SIGSEGV: segmentation violation`).
- `cgo`: the C side of `runtime/cgo` (`runtime/cgo: pthread_create failed: ...`).

Arguments that are not string literals become `…` in the text, so
`print("runtime: program exceeds ", n, "-thread limit\\n")` is
`runtime: program exceeds …-thread limit`. This is a source scanner, not a Go parser: it
understands string literals, parentheses and `+`, which is all these call sites use; a
call it cannot read is skipped and counted, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import HOLE, KINDS  # noqa: F401 - re-exported for the extractor's users
from .regex import compile_re2, linear

# Prefixes of print() output that are messages (the rest of print() is dump formatting:
# register names, "sp=", hex values).
PRINT_PREFIXES = ("runtime: ", "runtime/cgo: ", "fatal: ", "unexpected fault address", "signal arrived during",
                  "non-Go code")

# Packages scanned for panic literals, errorString/plainError values and prints.
CORE_DIRS = ("runtime", "runtime/cgo", "sync", "internal/sync")
CORE_TREES = ("internal/runtime",)

_GOOS = {"aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl",
         "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos"}
_GOARCH = {"386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le",
           "riscv64", "s390x", "wasm", "sparc64", "ppc64x", "mipsx", "mips64x"}

_SOURCE = "the Go runtime's source"
_HOLES = linear(re.compile(f"{HOLE}(?:\\s*{HOLE})++"), reads=_SOURCE)  # a run of holes becomes one
_XY = linear(re.compile(r"%[xy]"), reads=_SOURCE)
_FUNC = linear(re.compile(r"^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)"), reads=_SOURCE)
# RE2: the words before a C function's name are given back one by one (a backtracking
# record per character on Python's engine); the catalogue reads whole source trees.
_C_FUNC = compile_re2(r"^(?:[A-Za-z_]\w*[\s*]+)*([A-Za-z_]\w*)\s*\([^;]*$")
_VAR = linear(re.compile(r"^var\s+(\w+)"), reads=_SOURCE)
_NOT_RUNTIME = linear(re.compile(r"^(?://go:build ignore|package main)\b", re.M), reads=_SOURCE)
_LINKED = linear(re.compile(r"^func\s+(fatal|throw)\(\w*\s*string\)\s*$", re.M), reads=_SOURCE)
_CALL = linear(re.compile(r"(?<![\w.])(throw|fatal|print|println|panic|plainError|errorString)\("), reads=_SOURCE)
_SIGTAB = compile_re2(r"\{\s*[^{}\n]*,\s*\"(SIG[A-Z0-9]+: [^\"]+)\"\s*\}")  # RE2: "{" + spaces was cubic
_FMT_VAR = linear(re.compile(r"^var (boundsErrorFmts?|boundsNegErrorFmts?) = \[\.\.\.\]string\{"), reads=_SOURCE)
_FMT_ITEM = linear(re.compile(r"^\s*[\w.]+:\s*\"((?:[^\"\\]++|\\.)*+)\","), reads=_SOURCE)
_C_CALL = linear(re.compile(r"\b(fatalf|fprintf)\(\s*(?:stderr\s*,\s*)?\"((?:[^\"\\]++|\\.)*+)\""), reads=_SOURCE)
# flags possessive: "%000..." was quadratic ('0' is a flag and a digit). Not RE2: the RE2
# binding's sub() garbles a non-ASCII replacement such as the hole.
_C_FORMAT = linear(re.compile(r"%[-+ #0]*+\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?[diouxXeEfgGcspn]"), reads=_SOURCE)
_C_KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "else", "do"}
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'", "r": "\r", "a": "\a", "0": "\0"}


@dataclass(frozen=True)
class Site:
    file: str  # relative to src/, e.g. "runtime/proc.go"
    function: str
    line: int


@dataclass
class Message:
    kind: str
    text: str
    sites: list[Site] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.text


@dataclass
class Extraction:
    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    skipped: int = 0  # call sites whose argument was not readable (e.g. a variable)
    files: int = 0

    def add(self, kind: str, text: str, site: Site) -> None:
        text = _clean(text)
        if not _worth_keeping(text):
            return
        m = self.messages.get((kind, text))
        if m is None:
            m = self.messages[(kind, text)] = Message(kind, text)
        if len(m.sites) < 12:
            m.sites.append(site)


def platform_of(file: str) -> str | None:
    """'runtime/os_windows.go' -> 'windows'; None when the file builds everywhere."""
    stem = Path(file).stem
    parts = stem.split("_")[1:]
    if parts and parts[-1] == "test":
        return None
    found = [p for p in parts[-2:] if p in _GOOS or p in _GOARCH]
    return "/".join(found) if found else None


# --------------------------------------------------------------------------- Go literals


def _read_string(src: str, i: int) -> tuple[str, int] | None:
    """The Go string literal starting at src[i] ('"' or '`'): (value, index after it)."""
    q = src[i]
    if q == "`":
        j = src.find("`", i + 1)
        return (src[i + 1:j], j + 1) if j > 0 else None
    out: list[str] = []
    j = i + 1
    while j < len(src):
        c = src[j]
        if c == "\\" and j + 1 < len(src):
            nxt = src[j + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                j += 2
                continue
            if nxt in "xu" and j + 3 < len(src):
                width = 2 if nxt == "x" else 4
                try:
                    out.append(chr(int(src[j + 2:j + 2 + width], 16)))
                    j += 2 + width
                    continue
                except ValueError:
                    return None
            return None
        if c == '"':
            return "".join(out), j + 1
        if c == "\n":
            return None
        out.append(c)
        j += 1
    return None


def _call_args(src: str, i: int) -> tuple[list[str], int] | None:
    """Split the argument list of the call whose '(' is at src[i-1]: top-level pieces."""
    depth, j, start = 1, i, i
    args: list[str] = []
    while j < len(src):
        c = src[j]
        if c in "\"`":
            r = _read_string(src, j)
            if r is None:
                return None
            j = r[1]
            continue
        if c == "'":
            k = src.find("'", j + 1 if src[j + 1:j + 2] != "\\" else j + 3)
            j = k + 1 if k > 0 else j + 1
            continue
        if c == "/" and src[j:j + 2] == "//":
            k = src.find("\n", j)
            j = k if k > 0 else len(src)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(src[start:j])
                return [a for a in (x.strip() for x in args) if a], j + 1
        elif c == "," and depth == 1:
            args.append(src[start:j])
            start = j + 1
        j += 1
    return None


def _expr_text(expr: str, consts: dict[str, str] | None = None) -> str | None:
    """A concatenation of literals and values -> text with HOLE for each value.

    `consts` maps names the file assigns a single string literal (`text := "..."`) to it.
    None when the expression holds no string literal at all (a bare variable)."""
    parts: list[str] = []
    saw_literal = False
    for piece in _split_plus(expr):
        piece = piece.strip()
        if consts and piece in consts:
            parts.append(consts[piece])
            saw_literal = True
            continue
        if piece[:1] in "\"`":
            r = _read_string(piece, 0)
            if r is not None and r[1] == len(piece):
                parts.append(r[0])
                saw_literal = True
                continue
        if piece.startswith(("plainError(", "errorString(")):
            inner = _call_args(piece, piece.index("(") + 1)
            if inner and len(inner[0]) == 1:
                t = _expr_text(inner[0][0], consts)
                if t is not None:
                    parts.append(t)
                    saw_literal = True
                    continue
        parts.append(HOLE)
    return "".join(parts) if saw_literal else None


def _split_plus(expr: str) -> list[str]:
    out, depth, start, j = [], 0, 0, 0
    while j < len(expr):
        c = expr[j]
        if c in "\"`":
            r = _read_string(expr, j)
            if r is None:
                return [expr]
            j = r[1]
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "+" and depth == 0:
            out.append(expr[start:j])
            start = j + 1
        j += 1
    out.append(expr[start:])
    return out


def _clean(text: str) -> str:
    text = text.strip("\n")
    text = _HOLES.sub(HOLE, text)
    return text.rstrip()


def _worth_keeping(text: str) -> bool:
    """At least four letters of its own beyond a 'runtime: ' style prefix."""
    body = text
    for prefix in ("runtime error: ", "runtime/cgo: ", "runtime: "):
        if body.startswith(prefix):
            body = body[len(prefix):]
            break
    if body in ("runtime/cgo:", "runtime:"):
        return False
    return sum(c.isalpha() for c in body.replace(HOLE, "")) >= 4


# --------------------------------------------------------------------------- scanners


def _functions(lines: list[str], c_source: bool = False) -> list[str]:
    """Name of the enclosing top-level function for every line (best effort)."""
    names, current = [], ""
    rx = _C_FUNC if c_source else _FUNC
    for ln in lines:
        if ln[:1].isalpha() or ln[:1] == "_":
            m = rx.match(ln)
            if m and (not c_source or m.group(1) not in _C_KEYWORDS):
                current = m.group(1)
            elif not c_source and ln.startswith(("var ", "const ", "type ")):
                v = _VAR.match(ln)
                current = f"var {v.group(1)}" if v else "package var"
        names.append(current)
    return names


def _line_starts(src: str) -> list[int]:
    starts = [0]
    i = src.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = src.find("\n", i + 1)
    return starts


def _line_of(starts: list[int], pos: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo  # 0-based


_STRING_VAR = linear(re.compile(r"^\s*(?:const\s+|var\s+)?([A-Za-z_]\w*)\s*:?=\s*\"((?:[^\"\\]++|\\.)*+)\"\s*$"), reads=_SOURCE)


def _string_consts(lines: list[str]) -> dict[str, str]:
    """Names assigned exactly one string literal in the file (`text := "panic while ..."`)."""
    seen: dict[str, set[str]] = {}
    for ln in lines:
        m = _STRING_VAR.match(ln)
        if m:
            r = _read_string('"' + m.group(2) + '"', 0)
            if r is not None:
                seen.setdefault(m.group(1), set()).add(r[0])
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1 and k not in ("s", "msg")}


def scan_go_file(ex: Extraction, path: Path, rel: str, *, core: bool) -> None:
    """Calls in one Go file. `core`: also panic literals, error values and prints."""
    src = path.read_text(encoding="utf-8", errors="replace")
    if _NOT_RUNTIME.search(src[:4000]):
        return  # code generators (package main, //go:build ignore) are not in any binary
    lines = src.split("\n")
    funcs = _functions(lines)
    starts = _line_starts(src)
    consts = _string_consts(lines)
    for m in _CALL.finditer(src):
        name = m.group(1)
        if not core and name not in ("throw", "fatal"):
            continue
        ln = _line_of(starts, m.start())
        before = src[starts[ln]:m.start()]
        if "//" in before or before.rstrip().endswith("func"):
            continue  # a comment, or the declaration `func throw(s string)` itself
        parsed = _call_args(src, m.end())
        if parsed is None:
            ex.skipped += 1
            continue
        args, _ = parsed
        site = Site(rel, funcs[ln], ln + 1)
        _add_call(ex, name, args, site, consts)
    if core:
        _scan_tables(ex, lines, rel, funcs)


def _add_call(ex: Extraction, name: str, args: list[str], site: Site, consts: dict[str, str]) -> None:
    if name in ("throw", "fatal"):
        text = _expr_text(args[0], consts) if len(args) == 1 else None
        if text is None:
            ex.skipped += 1
        else:
            ex.add("fatal", text, site)
    elif name == "panic":
        if len(args) == 1 and args[0][:1] in "\"`":
            text = _expr_text(args[0], consts)
            if text is not None:
                ex.add("panic", text, site)
        # panic(plainError(..)) / panic(errorString(..)) are found by their own calls
    elif name == "plainError" and len(args) == 1:
        text = _expr_text(args[0], consts)
        if text is not None:
            ex.add("panic", text, site)
    elif name == "errorString" and len(args) == 1:
        text = _expr_text(args[0], consts)
        if text is not None:
            ex.add("panic", "runtime error: " + text, site)
    elif name in ("print", "println"):
        pieces = [(_expr_text(a, consts) or HOLE) for a in args]
        text = (" " if name == "println" else "").join(pieces).split("\n", 1)[0]
        if text.startswith(PRINT_PREFIXES):
            ex.add("print", text, site)


def _scan_tables(ex: Extraction, lines: list[str], rel: str, funcs: list[str]) -> None:
    """Signal tables, bounds-error formats and the type-assertion error of runtime/error.go."""
    in_fmt = False
    in_assert = False
    for i, ln in enumerate(lines):
        site = Site(rel, funcs[i], i + 1)
        for m in _SIGTAB.finditer(ln):
            ex.add("signal", m.group(1), Site(rel, "sigtable", i + 1))
        if _FMT_VAR.match(ln):
            in_fmt = True
            continue
        if in_fmt:
            if ln.startswith("}"):
                in_fmt = False
                continue
            fm = _FMT_ITEM.match(ln)
            if fm:
                text = _XY.sub(HOLE, _read_string('"' + fm.group(1) + '"', 0)[0])
                ex.add("panic", "runtime error: " + text, Site(rel, "boundsError.Error", i + 1))
        if ln.startswith("func (e *TypeAssertionError) Error()"):
            in_assert = True
        elif in_assert and ln.startswith("}"):
            in_assert = False
        elif in_assert and '"interface conversion: "' in ln:
            _add_assertion(ex, lines, i, site)


def _add_assertion(ex: Extraction, lines: list[str], i: int, site: Site) -> None:
    expr = lines[i].split("=", 1)[-1] if ":=" in lines[i] else lines[i].replace("return", "", 1)
    if expr.rstrip().endswith("+") and i + 1 < len(lines):
        expr = expr.rstrip() + " " + lines[i + 1].strip()
    text = _expr_text(expr.strip())
    if text:
        ex.add("panic", text, site)


def scan_c_file(ex: Extraction, path: Path, rel: str) -> None:
    src = path.read_text(encoding="utf-8", errors="replace")
    lines = src.split("\n")
    funcs = _functions(lines, c_source=True)
    for i, ln in enumerate(lines):
        for m in _C_CALL.finditer(ln):
            r = _read_string('"' + m.group(2) + '"', 0)
            if r is None:
                continue
            text = _C_FORMAT.sub(HOLE, r[0]).split("\n", 1)[0]
            if m.group(1) == "fatalf":
                text = "runtime/cgo: " + text
            elif not text.startswith(("runtime/cgo: ", "runtime: ")):
                continue
            ex.add("cgo", text, Site(rel, funcs[i], i + 1))


# --------------------------------------------------------------------------- tree walk


def _go_files(folder: Path) -> Iterator[Path]:
    for p in sorted(folder.glob("*.go")):
        if not p.name.endswith("_test.go"):
            yield p


def linked_packages(src: Path) -> list[str]:
    """Packages outside the runtime that declare a body-less throw/fatal (linked to the runtime's)."""
    found = set()
    for top in ("crypto", "internal", "sync", "os", "net", "reflect", "unique", "weak", "iter"):
        base = src / top
        if not base.is_dir():
            continue
        for p in base.rglob("*.go"):
            if p.name.endswith("_test.go") or "testdata" in p.parts or "vendor" in p.parts:
                continue
            try:
                head = p.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if ("func fatal(" in head or "func throw(" in head) and _LINKED.search(head):
                found.add(str(p.parent.relative_to(src)))
    return sorted(found)


def _core_dirs(src: Path) -> list[str]:
    dirs = [d for d in CORE_DIRS if (src / d).is_dir()]
    for tree in CORE_TREES:
        base = src / tree
        if base.is_dir():
            dirs += sorted(str(p.relative_to(src)) for p in base.rglob("*") if p.is_dir()
                           and "testdata" not in p.parts and any(p.glob("*.go")))
    return dirs


def extract_tree(src: Path) -> Extraction:
    """Every message of one release's src/ folder."""
    if not (src / "runtime" / "panic.go").is_file():
        raise FileNotFoundError(f"{src}: not a Go src/ folder (no runtime/panic.go)")
    ex = Extraction()
    core = _core_dirs(src)
    for d in core:
        for p in _go_files(src / d):
            scan_go_file(ex, p, str(p.relative_to(src)), core=True)
            ex.files += 1
    for d in linked_packages(src):
        if d in core:
            continue
        for p in _go_files(src / d):
            scan_go_file(ex, p, str(p.relative_to(src)), core=False)
            ex.files += 1
    cgo = src / "runtime" / "cgo"
    for p in sorted(cgo.glob("*.c")):
        scan_c_file(ex, p, str(p.relative_to(src)))
        ex.files += 1
    return ex


def messages_of(ex: Extraction) -> Iterable[Message]:
    return sorted(ex.messages.values(), key=lambda m: (KINDS.index(m.kind), m.text))
