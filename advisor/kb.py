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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .errors import KnowledgeBaseError

if TYPE_CHECKING:  # the match path never imports pydantic: it reads a KbView
    from .models import FailureMode, Postmortem

CACHE_VERSION = "3"  # 3: `now` steps may carry a demonstration (models.Step)


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def default_kb_root() -> Path:
    env = os.environ.get("ADVISOR_KB")
    return Path(env) if env else project_root() / "kb"


def cache_dir() -> Path:
    env = os.environ.get("ADVISOR_CACHE")
    return Path(env) if env else project_root() / "build" / "cache"


@dataclass
class KnowledgeBase:
    root: Path
    digest: str
    entries: dict[str, FailureMode]
    postmortems: dict[str, Postmortem] = field(default_factory=dict)
    # former id -> current id, for redirects and for `advisor show OLD-ID`
    former: dict[str, str] = field(default_factory=dict)

    def get(self, ident: str) -> FailureMode | None:
        return self.entries.get(ident) or self.entries.get(self.former.get(ident, ""))

    def entry_dir(self, ident: str) -> Path:
        return self.root / "failure-modes" / ident

    def citing_postmortems(self, ident: str) -> list[Postmortem]:
        return sorted(
            (p for p in self.postmortems.values() if ident in p.failure_modes),
            key=lambda p: p.date,
            reverse=True,
        )


def kb_digest(root: Path) -> str:
    """Hash of every file the models are built from (paths and bytes)."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    files = sorted(root.glob("failure-modes/*/entry.yaml")) + sorted(root.glob("postmortems/*.yaml"))
    registry = root / "published-ids.txt"
    if registry.is_file():
        files.append(registry)
    for p in files:
        h.update(str(p.relative_to(root)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:20]


def _build(root: Path, digest: str) -> KnowledgeBase:
    from .validate import validate_tree

    tree, issues = validate_tree(root)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        shown = "\n".join(i.format() for i in errors[:5])
        more = f"\n(and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise KnowledgeBaseError(
            f"the knowledge base has {len(errors)} error(s); run 'advisor validate':\n{shown}{more}",
            errors,
        )
    entries = {f.model.id: f.model for f in tree.entries}  # type: ignore[union-attr]
    pms = {f.model.id: f.model for f in tree.postmortems}  # type: ignore[union-attr]
    former = {old: e.id for e in entries.values() for old in e.former_ids}
    return KnowledgeBase(root=root, digest=digest, entries=entries, postmortems=pms, former=former)


def load_kb(root: Path | None = None, *, use_cache: bool = True) -> KnowledgeBase:
    """The one way to get the KB. Validated; cached per process and on disk by content hash."""
    root = (root or default_kb_root()).resolve()
    if not (root / "failure-modes").is_dir():
        raise KnowledgeBaseError(f"{root}: no knowledge base here (expected failure-modes/)")
    return _load_cached(root, use_cache)


@lru_cache(maxsize=4)
def _load_cached(root: Path, use_cache: bool) -> KnowledgeBase:
    digest = kb_digest(root)
    path = cache_dir() / f"kb-{digest}.pickle"
    kb = _read_cache(path, KnowledgeBase, digest, root) if use_cache else None
    if kb is None:
        kb = _build(root, digest)
        if use_cache:
            _write_cache(path, kb)
    return kb


def _read_cache(path: Path, cls: type, digest: str, root: Path):
    """A cached object of type cls for this digest, or None. A corrupt or incompatible
    cache is rebuilt, never trusted."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            obj = pickle.load(fh)
    except Exception:
        return None
    if not isinstance(obj, cls) or obj.digest != digest:
        return None
    obj.root = root
    return obj


def _write_cache(path: Path, obj: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    except OSError:
        pass  # a read-only checkout still works, just slower


# --------------------------------------------------------------------------- match view


@dataclass
class KbView:
    """The KB as plain data (entries as attribute namespaces), for the match path.

    Unpickling the pydantic models means importing pydantic and building every model
    class, about 70 ms of a 0.3 s budget for `advisor match --mode rules`. The matcher only
    reads attributes, so it gets this pydantic-free copy, cached next to the KB cache
    under the same content hash (never stale). It duck-types KnowledgeBase for
    `.root`, `.digest`, `.entries`, `.former` and `.get()`.
    """

    root: Path
    digest: str
    entries: dict[str, Any]
    former: dict[str, str] = field(default_factory=dict)

    get = KnowledgeBase.get
    entry_dir = KnowledgeBase.entry_dir


def _namespace(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{k: _namespace(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_namespace(v) for v in value]
    return value


def view_of(kb: KnowledgeBase) -> KbView:
    entries = {i: _namespace(e.model_dump(mode="json")) for i, e in kb.entries.items()}
    return KbView(root=kb.root, digest=kb.digest, entries=entries, former=dict(kb.former))


def load_view(root: Path | None = None, *, use_cache: bool = True) -> KbView:
    """The match path's KB: from its own cache when current, else built from load_kb()."""
    root = (root or default_kb_root()).resolve()
    if not (root / "failure-modes").is_dir():
        raise KnowledgeBaseError(f"{root}: no knowledge base here (expected failure-modes/)")
    digest = kb_digest(root)
    path = cache_dir() / f"view-{digest}.pickle"
    view = _read_cache(path, KbView, digest, root) if use_cache else None
    if view is None:
        view = view_of(load_kb(root, use_cache=use_cache))
        if use_cache:
            _write_cache(path, view)
    return view
