"""Validator checks between entries and the runtime message catalogue.

- every `catalogue:` id in an entry's rules names a message of the catalogue;
- the message is classified as that entry in the KB's own catalogue (a rule cannot
  claim a message the catalogue gives to another entry or to `none`);
- every message of the KB's own catalogue is classified: an entry id that exists, or
  `none` with a meaning.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from .catalogue import CATALOGUE_FILE, NONE, Catalogue, catalogue_path, load_catalogue
from .errors import KnowledgeBaseError
from .models import FailureMode
from .validate import Issue, Tree, TreeCheck, _at, _entry_ids_any, _rel


class CatalogueCheck(TreeCheck):
    name = "catalogue"

    def finalize(self, tree: Tree) -> Iterable[Issue]:
        own = (tree.root / CATALOGUE_FILE).is_file()
        path = catalogue_path(tree.root)
        uses = any(isinstance(f.model, FailureMode) and any(r.catalogue for r in f.model.match.rules)
                   for f in tree.entries)
        if not own and not uses:
            return
        try:
            cat = load_catalogue(tree.root)
        except KnowledgeBaseError as exc:
            yield Issue(_rel(path, tree.root), 1, 1, str(exc).split(": ", 1)[-1], check=self.name)
            return
        yield from self._rules(tree, cat, own)
        if own:
            yield from self._classification(tree, cat, path)

    def _rules(self, tree: Tree, cat: Catalogue, own: bool) -> Iterable[Issue]:
        for f in tree.entries:
            m = f.model
            if not isinstance(m, FailureMode):
                continue
            for i, rule in enumerate(m.match.rules):
                for j, ident in enumerate(rule.catalogue or ()):
                    loc = ("match", "rules", i, "catalogue", j)
                    msg = cat.by_id.get(ident)
                    if msg is None:
                        close = difflib.get_close_matches(ident, list(cat.by_id), n=1, cutoff=0.7)
                        hint = f"; did you mean '{close[0]}'?" if close else "; see kb/runtime-messages.yaml"
                        yield _at(f, loc, f"field 'match.rules[{i}].catalogue[{j}]': no runtime message "
                                  f"'{ident}' in the catalogue{hint}", self.name)
                    elif own and msg.failure_mode != m.id:
                        yield _at(f, loc, f"field 'match.rules[{i}].catalogue[{j}]': the catalogue classifies "
                                  f"'{ident}' as '{msg.failure_mode or 'unclassified'}', not '{m.id}'; change "
                                  f"its failure_mode in {CATALOGUE_FILE} or drop it from this rule", self.name)

    def _classification(self, tree: Tree, cat: Catalogue, path: Path) -> Iterable[Issue]:
        ids = _entry_ids_any(tree)
        named: set[tuple[str, str]] = set()  # (entry id, catalogue id) some rule names
        for f in tree.entries:
            if isinstance(f.model, FailureMode):
                named |= {(f.model.id, c) for r in f.model.match.rules for c in (r.catalogue or ())}
        valid = {f.model.id for f in tree.entries if isinstance(f.model, FailureMode)}
        rel = _rel(path, tree.root)
        lines = _id_lines(path)
        for msg in cat.messages:
            line = lines.get(msg.id, 1)
            if not msg.failure_mode:
                yield Issue(rel, line, 5, f"runtime message '{msg.id}' is not classified: set failure_mode to "
                            "the entry it belongs to, or to none with a one-line meaning", check=self.name)
            elif msg.failure_mode == NONE and not msg.meaning:
                yield Issue(rel, line, 5, f"runtime message '{msg.id}' is classified none without a meaning: "
                            "add 'meaning:' (what it means, one line)", check=self.name)
            elif msg.failure_mode != NONE and msg.failure_mode not in ids:
                close = difflib.get_close_matches(msg.failure_mode, sorted(ids), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                yield Issue(rel, line, 5, f"runtime message '{msg.id}': no failure mode with id "
                            f"'{msg.failure_mode}'{hint}", check=self.name)
            elif msg.failure_mode in valid and (msg.failure_mode, msg.id) not in named:
                yield Issue(rel, line, 5, f"runtime message '{msg.id}' is classified as '{msg.failure_mode}' but "
                            f"no rule of that entry names it; add it to a 'catalogue:' rule in "
                            f"failure-modes/{msg.failure_mode}/entry.yaml", check=self.name)


def _id_lines(path: Path) -> dict[str, int]:
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.startswith("  - id: "):
            out[line[8:].strip()] = n
    return out
