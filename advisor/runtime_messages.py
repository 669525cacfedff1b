"""Find the runtime's own messages in a paste, by the catalogue.

Each candidate line (`fatal error: …`, `panic: …`, `runtime: …`, `SIGSEGV: …`,
`[signal SIGSEGV: …]`, `runtime/cgo: …`, indented or not) is reduced to the catalogue's
form and looked up: first exactly (a dictionary), then, for messages with inserted
values, through one RE2 set per kind, compiled only when a line needs it. When several
messages match, the most specific one (most literal characters) wins, so
`index out of range [5] with length 3` is not reported as `index out of range [5]`.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

from .catalogue import NONE, Catalogue, CatalogueMessage
from .facts import Facts
from .regex import compile_re2

# A line -> (kind, body). Leading tabs are kept by the parser for chained panics
# ("\tfatal error: ..."), so the prefix may follow whitespace; a collector prefix that
# normalisation left in place may precede it.
_PREFIX = r"^(?:.*?[\s\]>|])?"
_LINE = compile_re2(
    _PREFIX + r"(fatal error|panic): (.+)$"
    r"|" + _PREFIX + r"(runtime(?:/cgo)?: .+|fatal: .+|unexpected fault address .+|signal arrived during .+|non-Go code .+)$"
    r"|" + _PREFIX + r"\[signal (SIG[A-Z0-9]+: [^\]]*?)(?: code=[^\]]*)?\]$"
    r"|" + _PREFIX + r"(SIG[A-Z0-9]+: [a-z][^\n]*)$"
)
_PANIC_SUFFIX = (" [recovered, repanicked]", " [recovered]")
MAX_CANDIDATES = 500  # lines looked up per paste: the runtime prints a handful


@dataclass
class MessageHit:
    line: int
    text: str  # the line as pasted (stripped)
    message: CatalogueMessage
    standalone_signal: bool = False  # "SIGABRT: abort" on its own line: the process died of it

    @property
    def classified(self) -> bool:
        return self.message.failure_mode not in (None, NONE)

    @property
    def killer(self) -> bool:
        """A line that says what the process died of (not a detail or a signal note)."""
        return self.message.kind in ("fatal", "panic", "cgo") or self.standalone_signal


class MessageIndex:
    """Lookup structures over one catalogue; build once per process.

    Messages with inserted values are indexed by their literal start ('runtime error:
    index out of range ['), so a line is tried only against the few whose start it
    shares, each pattern compiled the first time it is needed: a paste costs
    microseconds here, not the compilation of a thousand patterns."""

    def __init__(self, cat: Catalogue) -> None:
        self.cat = cat
        self._prefixed: dict[str, list[tuple[str, CatalogueMessage]]] = {}
        for m in cat.messages:
            if not m.literal:
                self._prefixed.setdefault(m.kind, []).append((m.text.split("…", 1)[0], m))
        self._compiled: dict[str, re2._Regexp] = {}

    def _regex(self, m: CatalogueMessage):
        rx = self._compiled.get(m.id)
        if rx is None:
            rx = self._compiled[m.id] = compile_re2("^" + m.body_regex())
        return rx

    def lookup(self, kind: str, body: str) -> CatalogueMessage | None:
        exact = self.cat.by_text.get((kind, body))
        if exact is not None:
            return exact
        found = [m for prefix, m in self._prefixed.get(kind, ()) if body.startswith(prefix)
                 and self._regex(m).search(body)]
        if not found:
            return None
        # the most specific: most literal characters ('... with length …' over '[…]'); a
        # pattern matches a prefix of the line, since the runtime may print more after it
        return max(found, key=lambda m: (len(m.text.replace("…", "")), -len(m.text)))

    def identify_line(self, text: str) -> tuple[CatalogueMessage, bool] | None:
        m = _LINE.search(text)
        if m is None:
            return None
        if m.group(1):
            kind = "fatal" if m.group(1) == "fatal error" else "panic"
            body = m.group(2).strip()
            if kind == "panic":
                for suffix in _PANIC_SUFFIX:
                    body = body.removesuffix(suffix)
                body = body.removeprefix("runtime error: runtime error: ")  # never printed; defensive
            found = self.lookup(kind, body)
            if found is None and kind == "panic":  # old releases panicked with some throw texts
                found = self.lookup("fatal", body.removeprefix("fatal error: "))
            return (found, False) if found else None
        if m.group(3):
            body = m.group(3).strip()
            found = self.lookup("print", body) or self.lookup("cgo", body)
            return (found, False) if found else None
        body = (m.group(4) or m.group(5) or "").strip()
        found = self.lookup("signal", body)
        return (found, bool(m.group(5))) if found else None


def identify(facts: Facts, index: MessageIndex) -> list[MessageHit]:
    """Every catalogue message in the paste's non-dump lines, in line order."""
    hits: list[MessageHit] = []
    looked = 0
    for text, (line_no, _count) in facts.lines.items():
        if not text or len(text) > 2000 or not _maybe(text):
            continue
        looked += 1
        if looked > MAX_CANDIDATES:
            break
        found = index.identify_line(text)
        if found is not None:
            msg, standalone = found
            hits.append(MessageHit(line_no, text.strip(), msg, standalone))
    hits.sort(key=lambda h: h.line)
    return hits


def _maybe(text: str) -> bool:
    """Cheap pre-filter before the regex: words every candidate line contains (a frame
    such as 'runtime.gopark(...)' has none of them)."""
    return ("error: " in text or "panic: " in text or "runtime: " in text or "runtime/cgo: " in text
            or "SIG" in text or "fatal: " in text or "fault address" in text or "signal arrived" in text
            or "non-Go code" in text)
