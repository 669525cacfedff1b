"""Loading the knowledge base: once per process, from a cache keyed by content hash.

Parsing YAML with positions costs far more than a query; the validated models are
pickled under the build folder, keyed by a hash of every file the models come from, so
an edited entry always invalidates the cache (never stale) and an unchanged KB loads in
milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .errors import KnowledgeBaseError

if TYPE_CHECKING:  # the match path never imports pydantic: it reads a KbView
    from .models import FailureMode, Postmortem

# What --kb / Advisor.load(kb=...) accept: a folder, several, or None for the default.
KbSpec = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None

CACHE_VERSION = "4"  # 4: `now` steps may carry a demonstration (models.Step)
SHIPPED = "@shipped"  # names the bundled knowledge base in --kb and $ADVISOR_KB
APP_NAME = "go-failure-advisor"


def package_dir() -> Path:
    return Path(__file__).resolve().parent


def bundle_dir() -> Path:
    """Package data a wheel carries (the KB, the derived model, prebuilt caches); written
    by build_support/backend.py, absent in a source checkout."""
    return package_dir() / "_bundle"


def checkout_root() -> Path | None:
    """The source checkout this package runs from (editable install, `python -m advisor`),
    or None for an installed wheel."""
    root = package_dir().parent
    return root if (root / "pyproject.toml").is_file() and (root / "kb").is_dir() else None


def project_root() -> Path:
    """Where the project's own files live: the checkout, else the wheel's bundle."""
    return checkout_root() or bundle_dir()


def shipped_kb_root() -> Path:
    bundled = bundle_dir() / "kb"
    if (bundled / "failure-modes").is_dir():
        return bundled
    return (checkout_root() or package_dir().parent) / "kb"


def _expand(item: str | os.PathLike[str]) -> Path:
    text = os.fspath(item)
    if text == SHIPPED:
        return shipped_kb_root()
    return Path(text).expanduser()


def resolve_kb_roots(spec: KbSpec = None) -> list[Path]:
    """The knowledge bases to use, in order: the given paths (a path, or a list; the word
    `@shipped` stands for the bundled KB), else $ADVISOR_KB (os.pathsep-separated), else
    the bundled KB. Later KBs may override earlier entries, explicitly (`overrides:`)."""
    if spec is None:
        env = os.environ.get("ADVISOR_KB", "")
        items: list[str | os.PathLike[str]] = [p for p in env.split(os.pathsep) if p.strip()]
        if not items:
            return [shipped_kb_root().resolve()]
    elif isinstance(spec, (str, os.PathLike)):
        items = [spec]
    else:
        items = list(spec)
        if not items:
            return resolve_kb_roots(None)
    roots: list[Path] = []
    for item in items:
        root = _expand(item).resolve()
        if root not in roots:
            roots.append(root)
    return roots


def default_kb_root() -> Path:
    """The first of the default knowledge bases (see resolve_kb_roots)."""
    return resolve_kb_roots(None)[0]


def kb_name(root: Path) -> str:
    """How a KB is named in output: 'shipped' for the bundled one, else its folder
    (the repository's name for a <repo>/kb folder)."""
    if root.resolve() == shipped_kb_root().resolve():
        return "shipped"
    return root.parent.name if root.name == "kb" and root.parent.name else root.name


def cache_dir() -> Path:
    """Writable cache: $ADVISOR_CACHE, else build/cache in a checkout, else the user's
    cache directory (never site-packages)."""
    env = os.environ.get("ADVISOR_CACHE")
    if env:
        return Path(env)
    checkout = checkout_root()
    if checkout is not None:
        return checkout / "build" / "cache"
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def prebuilt_cache_dir() -> Path:
    """Read-only caches a wheel ships for its bundled KB (the embedding index, the match view)."""
    return bundle_dir() / "cache"


def find_cached(name: str) -> Path | None:
    """A cache file by name: the writable cache first, then the prebuilt one."""
    for folder in (cache_dir(), prebuilt_cache_dir()):
        path = folder / name
        if path.is_file():
            return path
    return None


@dataclass
class KbSource:
    """One knowledge base of a (possibly combined) KB."""

    name: str
    root: Path
    digest: str


@dataclass
class KnowledgeBase:
    root: Path  # the first KB's folder
    digest: str
    entries: dict[str, FailureMode]
    postmortems: dict[str, Postmortem] = field(default_factory=dict)
    # former id -> current id, for redirects and for `advisor show OLD-ID`
    former: dict[str, str] = field(default_factory=dict)
    sources: list[KbSource] = field(default_factory=list)
    # entry or postmortem id -> index into sources (absent: the first KB)
    origin: dict[str, int] = field(default_factory=dict)
    overridden: dict[str, str] = field(default_factory=dict)  # shipped id -> KB that replaced it

    def get(self, ident: str) -> FailureMode | None:
        return self.entries.get(ident) or self.entries.get(self.former.get(ident, ""))

    def source_of(self, ident: str) -> KbSource:
        if not self.sources:
            return KbSource(kb_name(self.root), self.root, self.digest)
        return self.sources[self.origin.get(ident, 0)]

    def kb_of(self, ident: str) -> str:
        """Name of the knowledge base an entry (or postmortem) comes from."""
        return self.source_of(ident).name

    def entry_dir(self, ident: str) -> Path:
        return self.source_of(ident).root / "failure-modes" / ident

    def citing_postmortems(self, ident: str) -> list[Postmortem]:
        return sorted(
            (p for p in self.postmortems.values() if ident in p.failure_modes),
            key=lambda p: p.date,
            reverse=True,
        )


def kb_digest(root: Path) -> str:
    """Hash of every file the models are built from (paths and bytes). Files are read
    through kbfiles: a symlink to /dev/zero or out of the KB is hashed as its refusal, so
    the validator (which runs on any new digest) reports it instead of this hanging."""
    from . import kbfiles

    h = hashlib.sha256(CACHE_VERSION.encode())
    found = kbfiles.discover(root)
    files = found.entries + found.postmortems + [p for p, _ in found.problems]
    registry = root / "published-ids.txt"
    if os.path.lexists(registry):
        files.append(registry)
    for p in sorted(files):
        h.update(str(p.relative_to(root)).encode())
        h.update(b"\0")
        try:
            h.update(kbfiles.read_bytes(p, root, kbfiles.MAX_YAML_BYTES))
        except kbfiles.UnsafeFile as exc:
            h.update(f"unsafe: {exc}".encode())
        h.update(b"\0")
    return h.hexdigest()[:20]


def combined_digest(roots: list[Path]) -> str:
    """One KB: its own digest (so a copied KB keeps its caches); several: a hash of theirs
    in order (the order decides overrides)."""
    digests = [kb_digest(r) for r in roots]
    if len(digests) == 1:
        return digests[0]
    h = hashlib.sha256(b"multi\0")
    for r, d in zip(roots, digests, strict=True):
        h.update(f"{kb_name(r)}\0{d}\0".encode())
    return h.hexdigest()[:20]


def _check_roots(roots: list[Path]) -> None:
    for root in roots:
        if not (root / "failure-modes").is_dir():
            raise KnowledgeBaseError(f"{root}: no knowledge base here (expected failure-modes/)")


def _build(roots: list[Path], digest: str) -> KnowledgeBase:
    from .validate import validate_tree

    tree, issues = validate_tree(roots)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        shown = "\n".join(i.format() for i in errors[:5])
        more = f"\n(and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise KnowledgeBaseError(
            f"the knowledge base has {len(errors)} error(s); run 'advisor validate':\n{shown}{more}",
            errors,
        )
    sources = [KbSource(kb_name(r), r, kb_digest(r) if len(roots) > 1 else digest) for r in roots]
    _unique_names(sources)
    kb = KnowledgeBase(root=roots[0], digest=digest, entries={}, sources=sources)
    # Files come KB by KB in the order given; the validator has refused every collision
    # that is not an explicit `overrides:`, so a later entry replaces only on purpose.
    for f in tree.entries:
        e = f.model
        replaced = getattr(e, "overrides", None)
        if replaced and replaced in kb.entries:
            kb.overridden[replaced] = sources[f.kb].name
            if replaced != e.id:
                del kb.entries[replaced]
                kb.former[replaced] = e.id
        kb.entries[e.id] = e  # type: ignore[union-attr]
        kb.origin[e.id] = f.kb  # type: ignore[union-attr]
    for f in tree.postmortems:
        kb.postmortems[f.model.id] = f.model  # type: ignore[union-attr]
        kb.origin.setdefault(f.model.id, f.kb)  # type: ignore[union-attr]
    kb.former.update({old: e.id for e in kb.entries.values() for old in e.former_ids})
    return kb


def _unique_names(sources: list[KbSource]) -> None:
    seen: dict[str, int] = {}
    for s in sources:
        n = seen.get(s.name, 0)
        seen[s.name] = n + 1
        if n:
            s.name = f"{s.name}-{n + 1}"


def load_kb(root: KbSpec = None, *, use_cache: bool = True) -> KnowledgeBase:
    """The one way to get the KB: one folder or several (see resolve_kb_roots), validated
    together; cached per process and on disk by content hash."""
    roots = resolve_kb_roots(root)
    _check_roots(roots)
    return _load_cached(tuple(roots), use_cache)


@lru_cache(maxsize=4)
def _load_cached(roots: tuple[Path, ...], use_cache: bool) -> KnowledgeBase:
    digest = combined_digest(list(roots))
    name = f"kb-{digest}.pickle"
    kb = _read_cache(find_cached(name), KnowledgeBase, digest, list(roots)) if use_cache else None
    if kb is None:
        kb = _build(list(roots), digest)
        if use_cache:
            _write_cache(cache_dir() / name, kb)
    return kb


def _read_cache(path: Path | None, cls: type, digest: str, roots: list[Path]):
    """A cached object of type cls for this digest, or None. A corrupt or incompatible
    cache is rebuilt, never trusted."""
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            obj = pickle.load(fh)
    except Exception:
        return None
    if not isinstance(obj, cls) or obj.digest != digest:
        return None
    sources = getattr(obj, "sources", None)
    if not isinstance(sources, list) or len(sources) != len(roots):
        return None
    # The digest covers contents, not locations: rebind to where the KBs are now.
    obj.root = roots[0]
    for s, r in zip(sources, roots, strict=True):
        s.root = r
    return obj


def _write_cache(path: Path, obj: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    except OSError:
        pass  # a read-only cache still works, just slower


# --------------------------------------------------------------------------- match view


@dataclass
class KbView:
    """The KB as plain data (entries as attribute namespaces), for the match path.

    Unpickling the pydantic models means importing pydantic and building every model
    class, about 70 ms of a 0.3 s budget for `advisor match --mode rules`. The matcher only
    reads attributes, so it gets this pydantic-free copy, cached next to the KB cache
    under the same content hash (never stale). It duck-types KnowledgeBase for
    `.root`, `.digest`, `.entries`, `.former`, `.get()`, `.entry_dir()` and `.kb_of()`.
    """

    root: Path
    digest: str
    entries: dict[str, Any]
    former: dict[str, str] = field(default_factory=dict)
    sources: list[KbSource] = field(default_factory=list)
    origin: dict[str, int] = field(default_factory=dict)

    get = KnowledgeBase.get
    source_of = KnowledgeBase.source_of
    kb_of = KnowledgeBase.kb_of
    entry_dir = KnowledgeBase.entry_dir


def _namespace(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{k: _namespace(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_namespace(v) for v in value]
    return value


def view_of(kb: KnowledgeBase) -> KbView:
    entries = {i: _namespace(e.model_dump(mode="json")) for i, e in kb.entries.items()}
    return KbView(root=kb.root, digest=kb.digest, entries=entries, former=dict(kb.former),
                  sources=[KbSource(s.name, s.root, s.digest) for s in kb.sources],
                  origin={i: n for i, n in kb.origin.items() if i in kb.entries})


def view_cache_name(digest: str) -> str:
    return f"view-{digest}.pickle"


def load_view(root: KbSpec = None, *, use_cache: bool = True) -> KbView:
    """The match path's KB: from its own cache (or the wheel's prebuilt one) when current,
    else built from load_kb()."""
    roots = resolve_kb_roots(root)
    _check_roots(roots)
    digest = combined_digest(roots)
    name = view_cache_name(digest)
    view = _read_cache(find_cached(name), KbView, digest, roots) if use_cache else None
    if view is None:
        view = view_of(load_kb(roots, use_cache=use_cache))
        if use_cache:
            _write_cache(cache_dir() / name, view)
    return view
