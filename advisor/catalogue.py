"""The catalogue of the Go runtime's fatal messages: `kb/runtime-messages.yaml`.

Every message the runtime of a supported release can die with (see
`catalogue_extract`), the releases whose source prints it, where, and what it means
here: the failure-mode entry it belongs to, or `none` with a one-line meaning for the
failures this knowledge base does not cover. Entries' rules name catalogue ids
(`catalogue: [fatal/concurrent-map-writes]`) instead of copying the runtime's strings;
the advisor reads the catalogue to say what a message means when no entry covers it,
and which releases could have printed a paste.

The YAML is generated (`advisor catalogue regenerate`, catalogue_build.py); only
`failure_mode` and `meaning` are written by people, and regeneration keeps them.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import KnowledgeBaseError
from .kb import _write_cache, cache_dir, shipped_kb_root

HOLE = "…"  # where the runtime inserts a value
KINDS = ("fatal", "panic", "print", "signal", "cgo")
CATALOGUE_FILE = "runtime-messages.yaml"
NONE = "none"  # failure_mode of a message no entry covers
PREFIX = {"fatal": "fatal error: ", "panic": "panic: ", "print": "", "signal": "", "cgo": ""}


def minor(release: str) -> str:
    """'1.21.13' -> '1.21'."""
    return ".".join(release.split(".")[:2])


def minor_key(v: str) -> tuple[int, int]:
    a, b = v.split(".")[:2]
    return int(a), int(b)


def compress(minors: list[str]) -> str:
    """['1.21', '1.22', '1.24'] -> '1.21-1.22, 1.24'."""
    vs = sorted(set(minors), key=minor_key)
    runs: list[list[str]] = []
    for v in vs:
        if runs and minor_key(v)[1] == minor_key(runs[-1][-1])[1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def expand(spec: str) -> tuple[str, ...]:
    """'1.21-1.22, 1.24' -> ('1.21', '1.22', '1.24')."""
    out: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        a, b = minor_key(lo), minor_key(hi or lo)
        out += [f"{a[0]}.{m}" for m in range(a[1], b[1] + 1)]
    return tuple(out)


@dataclass
class CatalogueMessage:
    id: str
    kind: str  # fatal, panic, print, signal, cgo
    text: str  # as printed after the kind's prefix; HOLE where the runtime inserts a value
    releases: tuple[str, ...]  # minor versions whose source prints it
    source: list[str] = field(default_factory=list)  # "runtime/proc.go checkdead"
    platforms: list[str] = field(default_factory=list)  # only printed there (file suffix)
    failure_mode: str | None = None  # entry id, NONE, or None while unclassified
    meaning: str | None = None

    @property
    def printed(self) -> str:
        return PREFIX[self.kind] + self.text

    @property
    def literal(self) -> bool:
        return HOLE not in self.text

    def body_regex(self) -> str:
        """RE2 for the text (without the kind's prefix); each HOLE matches one value."""
        return ".+?".join(re.escape(p) for p in self.text.split(HOLE))


@dataclass
class Catalogue:
    releases: tuple[str, ...]  # full releases it was generated from, oldest first
    messages: list[CatalogueMessage]
    digest: str = ""
    root: Path | None = None

    def __post_init__(self) -> None:
        self.by_id = {m.id: m for m in self.messages}
        self.by_text = {(m.kind, m.text): m for m in self.messages}

    def __getstate__(self) -> dict:
        """Pickled as plain tuples: unpickling 1,300 objects costs a cold `advisor match`
        more than the tuples it is built from."""
        rows = [(m.id, m.kind, m.text, m.releases, tuple(m.source), tuple(m.platforms), m.failure_mode, m.meaning)
                for m in self.messages]
        return {"releases": self.releases, "digest": self.digest, "root": self.root, "rows": rows}

    def __setstate__(self, state: dict) -> None:
        self.releases, self.digest, self.root = state["releases"], state["digest"], state["root"]
        self.messages = [CatalogueMessage(i, k, t, r, list(src), list(pl), fm, mn)
                         for i, k, t, r, src, pl, fm, mn in state["rows"]]
        self.__post_init__()

    @property
    def minors(self) -> tuple[str, ...]:
        return tuple(minor(r) for r in self.releases)

    def rule_regex(self, ids: list[str]) -> str:
        """One RE2 pattern for a rule's `catalogue:` ids, matching the lines the runtime prints.

        fatal: after 'fatal error: ' (a fatal error cannot be recovered: the runtime always
        prints it) or 'panic: ' (releases before 1.8 panicked with some of these texts). panic: the text anywhere on a line, because panics are recovered and
        logged by servers and frameworks ('http: panic serving …: runtime error: …').
        print, cgo, signal: at the start of a line or after a collector's prefix such as
        'remote: ' (a signal also inside '[signal …]').
        Raises KeyError for an unknown id (the validator reports it first)."""
        parts: dict[str, list[str]] = {}
        for ident in ids:
            m = self.by_id[ident]
            parts.setdefault(m.kind, []).append(m.body_regex())
        out = []
        end = r"(?:\W|$)"
        for kind, bodies in parts.items():
            alt = "|".join(sorted(set(bodies)))
            if kind == "fatal":
                out.append(rf"(?:fatal error|panic): (?:{alt}){end}")
            elif kind == "panic":
                out.append(rf"(?:^|\W)(?:{alt}){end}")
            elif kind == "signal":
                out.append(rf"(?:^|\s|\[signal )(?:{alt})(?:\s|\]|$)")
            else:
                out.append(rf"(?:^|\s)(?:{alt}){end}")
        return "|".join(f"(?:{p})" for p in out)

    def unclassified(self) -> list[CatalogueMessage]:
        return [m for m in self.messages if not m.failure_mode or (m.failure_mode == NONE and not m.meaning)]


# --------------------------------------------------------------------------- reading


def catalogue_path(kb_root: Path | None = None) -> Path:
    """The KB's own catalogue, else the bundled one (a KB without one still gets answers)."""
    if kb_root is not None and (kb_root / CATALOGUE_FILE).is_file():
        return kb_root / CATALOGUE_FILE
    return shipped_kb_root() / CATALOGUE_FILE


def load_catalogue(kb_root: Path | None = None) -> Catalogue:
    path = catalogue_path(kb_root).resolve()
    if not path.is_file():
        raise KnowledgeBaseError(f"{path}: no runtime message catalogue; run 'advisor catalogue regenerate'")
    return _load(path)


@lru_cache(maxsize=4)
def _load(path: Path) -> Catalogue:
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:20]
    cache = cache_dir() / f"catalogue-{digest}.pickle"
    cat = _read_cached(cache, digest)
    if cat is None:
        cat = parse_catalogue(raw.decode("utf-8"), path)
        cat.digest = digest
        _write_cache(cache, cat)
    return cat


def _read_cached(path: Path, digest: str) -> Catalogue | None:
    """The pickled catalogue for this digest, or None; a corrupt or old cache is rebuilt."""
    try:
        with path.open("rb") as fh:
            cat = pickle.load(fh)
    except Exception:
        return None
    return cat if isinstance(cat, Catalogue) and cat.digest == digest else None


def parse_catalogue(text: str, path: Path) -> Catalogue:
    from .yamlio import load_yaml

    data = load_yaml(path, text).data
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise KnowledgeBaseError(f"{path}:1:1: expected a mapping with 'releases' and 'messages'")
    msgs = []
    for i, m in enumerate(data["messages"]):
        try:
            msgs.append(CatalogueMessage(
                id=m["id"], kind=m["kind"], text=m["text"], releases=expand(str(m["releases"])),
                source=list(m.get("source") or []), platforms=list(m.get("platforms") or []),
                failure_mode=m.get("failure_mode"), meaning=m.get("meaning"),
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise KnowledgeBaseError(f"{path}: messages[{i}]: malformed ({exc}); regenerate it") from None
    return Catalogue(tuple(str(r) for r in data.get("releases") or ()), msgs, root=path.parent)
