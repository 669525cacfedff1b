"""What the runtime's own messages say about a paste: which ones it contains (by the
catalogue), which Go releases could have printed it, and an honest answer when the
failure is one no entry covers.

The policy, applied after the rules and embeddings ranked the entries:

- When the lines that say what the process died of (`fatal error:`, `panic:` with a
  runtime message, `runtime/cgo:`, a bare `SIGABRT: abort`) are all catalogued as `none`
  and no catalogued message points at an entry, only candidates with decisive evidence
  survive. Anything else (a frame that resembles a rule, a similar-sounding entry) is a
  guess, and the advisor abstains with `no-matching-entry` and says what the message
  means instead.
- The catalogue's meaning travels in the result's `explanation` whenever such a message
  is present, abstaining or not.
- The inferred release range puts each match's version notes for that range first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import NONE, Catalogue, compress, load_catalogue, minor_key
from .errors import KnowledgeBaseError
from .facts import Facts
from .goversion import VersionInference, combine, infer
from .runtime_messages import MessageHit, MessageIndex, identify

_INDEXES: dict[str, MessageIndex] = {}


def suggestion(category: str = "crash") -> str:
    return ("No entry in this knowledge base covers this failure. If it cost you time, add one: "
            f"advisor new <id> --category {category} (see CONTRIBUTING.md).")


@dataclass
class RuntimeContext:
    hits: list[MessageHit] = field(default_factory=list)
    versions: VersionInference = field(default_factory=lambda: combine([]))
    unexplained: bool = False  # died of messages no entry covers, and nothing points at one

    @property
    def outside(self) -> list[MessageHit]:
        return [h for h in self.hits if h.message.failure_mode == NONE and (h.killer or h.message.kind == "print")]

    def explanation(self) -> dict | None:
        """The `explanation` object of the JSON result (null when no message is outside the KB)."""
        outside = [h for h in self.outside if h.killer] or self.outside
        if not outside or (not self.unexplained and not any(h.killer for h in outside)):
            return None
        head = outside[0]
        m = head.message
        return {
            "message": head.text,
            "line": head.line,
            "catalogue_id": m.id,
            "failure_mode": None,
            "meaning": m.meaning,
            "releases": compress(list(m.releases)),
            "source": m.source,
            "suggestion": suggestion(),
            "also": [{"line": h.line, "message": h.text, "catalogue_id": h.message.id, "meaning": h.message.meaning}
                     for h in outside[1:4]],
        }


def _index(cat: Catalogue) -> MessageIndex:
    ix = _INDEXES.get(cat.digest)
    if ix is None:
        ix = _INDEXES[cat.digest] = MessageIndex(cat)
    return ix


def analyse(facts: Facts, text: str, kb_root: Path | None) -> RuntimeContext:
    """Catalogue hits, release range and the abstention verdict for one parsed paste."""
    try:
        cat = load_catalogue(kb_root)
    except KnowledgeBaseError:
        cat = None  # a KB without a catalogue still gets rule matches, just no explanations
    hits = identify(facts, _index(cat)) if cat is not None else []
    versions = infer(facts, text, hits, cat)
    killers = [h for h in hits if h.killer]
    unexplained = bool(killers) and all(not h.classified for h in killers) and not any(h.classified for h in hits)
    return RuntimeContext(hits, versions, unexplained)


def keep_candidate(ctx: RuntimeContext, decisive: bool) -> bool:
    """A candidate survives an unexplained runtime failure only on decisive evidence."""
    return decisive or not ctx.unexplained


def ordered_notes(entry, versions: VersionInference) -> list[dict]:
    """The entry's go_versions notes, those for the paste's release range first.

    A note applies when its release lies inside the range, or is the last change before
    the range starts (the behaviour the printing release still has)."""
    notes = list(getattr(getattr(entry, "go_versions", None), "notes", None) or [])
    if not notes:
        return []
    if versions.range is None:
        return [{"version": n.version, "note": n.note, "applies": None} for n in notes]
    lo, hi = versions.lo, versions.hi
    minors = [minor_key(n.version)[1] for n in notes]
    before = [v for v in minors if lo is not None and v < lo]
    last_before = max(before) if before else None
    out = []
    for n, v in zip(notes, minors, strict=True):
        inside = (lo is None or v >= lo) and (hi is None or v < hi)
        applies = inside or (v == last_before)
        out.append({"version": n.version, "note": n.note, "applies": applies})
    first = sorted((d for d in out if d["applies"]), key=lambda d: -minor_key(d["version"])[1])
    return first + [d for d in out if not d["applies"]]
