"""`advisor eval`: how often the advisor names the right entry, beside naive baselines.

Labelled items come from:
- every entry's own `samples/*.log` (expected: that entry first) and `near-misses/*.log`
  (expected: that entry NOT first);
- any folder with a `labels.tsv`. Two shapes, told apart by the header:
  `file<TAB>expected[<TAB>acceptable]` (one log file per row, like corpus/dev and
  corpus/forms), or `id<TAB>split<TAB>lang<TAB>expected<TAB>acceptable<TAB>source<TAB>text`
  (the statement inline, like corpus/prose). `-` means "must abstain" / "none".

Each folder is a group; prose groups are also reported per language. Every group is run
through the advisor and two baselines on the same items, so each number says what the
design adds: MiniLM cosine against one line per entry (no rules, no thresholds) and BM25
alone. Per confidence label we count how often a candidate with that label was right.
"""

from __future__ import annotations

import csv
import datetime as _dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, UsageError
from .kb import KbView, KnowledgeBase, project_root
from .match import Advisor

LABELS = ("high", "medium", "low")
_PROSE_COLUMNS = ("id", "split", "lang", "expected", "acceptable", "source", "text")


@dataclass
class Item:
    name: str
    expected: list[str]  # empty: the advisor must turn it away
    acceptable: list[str] = field(default_factory=list)
    forbidden_top: str | None = None  # near-miss: this id must not be first
    source: str = "samples"
    path: Path | None = None  # a log file, or None for an inline statement
    text: str | None = None
    split: str = ""
    lang: str = ""

    @property
    def prose(self) -> bool:
        return self.text is not None

    def data(self) -> bytes:
        if self.text is not None:
            return self.text.encode("utf-8")
        assert self.path is not None
        return strip_header(self.path.read_bytes())

    def right(self, ident: str) -> bool:
        return ident in self.expected or ident in self.acceptable


@dataclass
class Outcome:
    item: Item
    got: list[str]
    abstained: bool
    confidences: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def positive(self) -> bool:
        return bool(self.item.expected) and not self.item.forbidden_top

    @property
    def top1(self) -> bool:
        if self.item.forbidden_top:
            return not self.got or self.got[0] != self.item.forbidden_top
        if not self.item.expected:
            return self.turned_away
        return bool(self.got) and self.item.right(self.got[0])

    @property
    def top3(self) -> bool:
        if not self.positive:
            return self.top1
        return any(self.item.right(g) for g in self.got[:3])

    @property
    def abstain_or_low(self) -> bool:
        """Abstained, or offered only 'low' leads: issue 11's target for Go failures no
        entry covers (logs too, where turned_away counts abstention only)."""
        return self.abstained or (bool(self.confidences) and all(c == "low" for c in self.confidences))

    @property
    def turned_away(self) -> bool:
        """Abstained; for prose also "offered only leads" (every candidate labelled low)."""
        if self.abstained:
            return True
        return self.item.prose and bool(self.confidences) and all(c == "low" for c in self.confidences)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def summary(self) -> dict[str, dict]:
        """Metrics per group (and per language inside prose groups)."""
        out: dict[str, dict] = {}
        for group, mine in _groups(self.outcomes).items():
            out[group] = metrics(mine)
        return out

    def confusions(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.top1]


def _groups(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.item.source, []).append(o)
        if o.item.prose and o.item.lang and o.item.lang != "en":
            groups.setdefault(f"{o.item.source} ({o.item.lang})", []).append(o)
    return groups


def _rate(items: list[Outcome], attr: str) -> float | None:
    return round(sum(1 for o in items if getattr(o, attr)) / len(items), 4) if items else None


def metrics(outcomes: list[Outcome]) -> dict:
    pos = [o for o in outcomes if o.positive]
    neg = [o for o in outcomes if not o.item.expected and not o.item.forbidden_top]
    near = [o for o in outcomes if o.item.forbidden_top]
    labels: dict[str, dict] = {}
    judged = [o for o in outcomes if not o.item.forbidden_top]  # a near-miss has no right answer
    for label in LABELS:
        shown = [(o, g) for o in judged for g, c in zip(o.got, o.confidences, strict=False) if c == label]
        right = sum(1 for o, g in shown if o.item.right(g))
        labels[label] = {"shown": len(shown), "right": right,
                         "precision": round(right / len(shown), 4) if shown else None}
    return {
        "items": len(outcomes), "positives": len(pos),
        "top1": _rate(pos, "top1"), "top3": _rate(pos, "top3"),
        "negatives": len(neg), "turned_away": _rate(neg, "turned_away"),
        "abstain_or_low": _rate(neg, "abstain_or_low"),
        "near_misses": len(near), "near_miss_ok": _rate(near, "top1"),
        "labels": labels,
    }


# --------------------------------------------------------------------------- items


def strip_header(data: bytes) -> bytes:
    """Drop the '# source: ...' comment header that every sample file starts with."""
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and i < 20 and lines[i].startswith(b"# "):
        i += 1
    return b"\n".join(lines[i:])


def sample_items(kb: KnowledgeBase | KbView) -> list[Item]:
    items = []
    for ident in sorted(kb.entries):
        d = kb.entry_dir(ident)
        for p in sorted((d / "samples").glob("*.log")):
            items.append(Item(p.name, [ident], path=p, source="samples"))
        for p in sorted((d / "near-misses").glob("*.log")):
            items.append(Item(p.name, [], forbidden_top=ident, path=p, source="near-misses"))
    return items


def _ids(cell: str) -> list[str]:
    cell = cell.strip()
    return [] if cell in ("-", "") else [x.strip() for x in cell.split(",") if x.strip()]


def labelled_items(folder: Path, split: str | None = None) -> list[Item]:
    """The items of a folder with a labels.tsv (either shape; see the module docstring)."""
    labels = folder / "labels.tsv"
    if not labels.is_file():
        raise UsageError(f"{folder}: no labels.tsv (columns: file, expected ids or -)")
    rows: list[tuple[int, list[str]]] = []
    with labels.open(encoding="utf-8") as fh:
        for n, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if row and row[0] and not row[0].startswith("#"):
                rows.append((n, row))
    header = rows[0][1] if rows and rows[0][1][0] in ("file", "id") else None
    if header is not None:
        rows = rows[1:]
    if header is not None and "text" in header:
        items = _prose_items(labels, folder.name, header, rows)
        return [i for i in items if split in (None, "all", i.split)]
    items = []
    for n, row in rows:
        if len(row) < 2:
            raise UsageError(f"{labels}:{n}:1: expected two tab-separated columns: file, expected ids")
        acceptable = _ids(row[2]) if len(row) > 2 else []
        items.append(Item(row[0], _ids(row[1]), acceptable, path=folder / row[0], source=folder.name))
    return items


def _prose_items(labels: Path, source: str, header: list[str], rows: list[tuple[int, list[str]]]) -> list[Item]:
    missing = [c for c in _PROSE_COLUMNS if c not in header]
    if missing:
        raise UsageError(f"{labels}:1:1: missing column(s) {', '.join(missing)}")
    col = {c: header.index(c) for c in _PROSE_COLUMNS}
    items = []
    for n, row in rows:
        if len(row) != len(header):
            raise UsageError(f"{labels}:{n}:1: expected {len(header)} tab-separated columns, found {len(row)}")
        items.append(Item(row[col["id"]], _ids(row[col["expected"]]), _ids(row[col["acceptable"]]),
                          source=source, text=row[col["text"]], split=row[col["split"]],
                          lang=row[col["lang"]]))
    return items


def collect(kb: KnowledgeBase | KbView, folders: Iterable[Path], *, samples: bool = True,
            split: str | None = None) -> list[Item]:
    items = sample_items(kb) if samples else []
    for folder in folders:
        if not folder.is_dir():
            raise UsageError(f"{folder}: not a folder")
        items += labelled_items(folder, split)
    if not items:
        raise UsageError("nothing to evaluate")
    return items


# --------------------------------------------------------------------------- running

Ranker = Callable[[bytes], tuple[list[str], list[str], bool]]  # ids, labels, abstained


def advisor_ranker(advisor: Advisor, top: int = 5) -> Ranker:
    def rank(data: bytes) -> tuple[list[str], list[str], bool]:
        result = advisor.match_bytes(data, top=top)
        return [m.id for m in result.matches], [m.confidence for m in result.matches], result.abstained

    return rank


def run_ranker(rank: Ranker, items: list[Item]) -> Report:
    report = Report()
    for item in items:
        try:
            got, conf, abstained = rank(item.data())
            report.outcomes.append(Outcome(item, got, abstained, conf))
        except InputError as exc:
            report.outcomes.append(Outcome(item, [], True, error=str(exc)))
        except OSError as exc:
            report.outcomes.append(Outcome(item, [], True, error=f"cannot read: {exc.strerror}"))
    return report


def run(advisor: Advisor, items: list[Item], top: int = 5) -> Report:
    return run_ranker(advisor_ranker(advisor, top), items)


def evaluate(kb: KnowledgeBase | KbView, items: list[Item], mode: str = "hybrid",
             baselines: bool = True, model: str | None = None) -> dict:
    """The advisor and (optionally) the baselines on the same items, as one JSON-able dict."""
    from .baselines import baseline_rankers

    systems = {"advisor": run(Advisor(kb, mode=mode, model=model), items)}
    if baselines:
        for name, ranker in baseline_rankers(kb, model).items():
            systems[name] = run_ranker(ranker, items)
    groups: dict[str, dict] = {}
    for name, report in systems.items():
        for group, m in report.summary().items():
            groups.setdefault(group, {})[name] = m
    return {
        "generated": _dt.date.today().isoformat(),
        "kb_digest": kb.digest,
        "mode": mode,
        "splits": sorted({i.split for i in items if i.split}),
        "groups": groups,
        "confusions": [_confusion(o) for o in systems["advisor"].confusions()],
    }


def _where(item: Item) -> str:
    if item.path is None:
        return f"{item.source}:{item.name}"
    try:  # paths inside the project are shown relative to it (the results file is committed)
        return str(item.path.resolve().relative_to(project_root()))
    except ValueError:
        return str(item.path)


def _confusion(o: Outcome) -> dict:
    return {"item": _where(o.item),
            "expected": o.item.expected, "acceptable": o.item.acceptable,
            "not_first": o.item.forbidden_top, "got": o.got[:3], "confidence": o.confidences[:3],
            "error": o.error}


def fmt_rate(value: float | None, of: int | None = None) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" + (f" of {of}" if of is not None else "")


# --------------------------------------------------------------------------- presentation

SYSTEMS = ("advisor", "minilm-one-line", "bm25")


SHORT = {"minilm-one-line": "minilm"}


def table(results: dict):
    """A rich Table: one row per group and system, the advisor first."""
    from rich.table import Table

    t = Table(title=f"advisor eval ({results['mode']}"
              + (f", prose split {'+'.join(results['splits'])}" if results.get("splits") else "") + ")",
              box=None, pad_edge=False)
    t.caption = ("pos: items with a right answer; neg: off-topic items, away: share turned away; "
                 "near: look-alikes, kept: share not ranked first")
    for col in ("group", "system", "pos", "top-1", "top-3", "neg", "away", "near", "kept"):
        t.add_column(col, no_wrap=True, justify="left" if col in ("group", "system") else "right")
    for group, systems in results["groups"].items():
        for name in sorted(systems, key=lambda n: SYSTEMS.index(n) if n in SYSTEMS else 99):
            m = systems[name]
            t.add_row(group if name == "advisor" else "", SHORT.get(name, name),
                      str(m["positives"]), fmt_rate(m["top1"]), fmt_rate(m["top3"]),
                      str(m["negatives"]), fmt_rate(m["turned_away"]),
                      str(m["near_misses"]), fmt_rate(m["near_miss_ok"]))
    return t


def label_table(results: dict):
    """How often the advisor's candidates were right, per confidence label."""
    from rich.table import Table

    t = Table(title="advisor candidates that were right, by confidence label", box=None, pad_edge=False)
    for col in ("group", *LABELS):
        t.add_column(col, no_wrap=True, justify="left" if col == "group" else "right")
    for group, systems in results["groups"].items():
        m = systems.get("advisor")
        if m is None or not m["items"] or m["near_misses"] == m["items"]:
            continue  # near-misses have no right answer to count
        t.add_row(group, *(fmt_rate(m["labels"][k]["precision"], m["labels"][k]["shown"]) for k in LABELS))
    return t


def miss_lines(results: dict) -> list[str]:
    out = []
    for c in results["confusions"]:
        want = f"not {c['not_first']}" if c["not_first"] else (",".join(c["expected"]) or "turned away")
        got = ", ".join(f"{g} ({conf})" if conf else g
                        for g, conf in zip(c["got"], c["confidence"] + [""] * 3, strict=False)) or "abstained"
        out.append(f"miss {c['item']}: expected {want}; got {got}" + (f" ({c['error']})" if c["error"] else ""))
    return out


def samples_failed(results: dict) -> bool:
    """The entries' own samples are a contract: each must rank its entry first."""
    return any(c["item"].endswith(".log") and ("/samples/" in c["item"])
               for c in results["confusions"])
