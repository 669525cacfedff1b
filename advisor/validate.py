"""The validator: every schema and cross-reference problem of the whole KB in one run.

Checks are small classes. `FileCheck.validate(doc, model)` looks at one file;
`TreeCheck.finalize(kb)` looks across files (duplicate ids, dangling references,
removed ids). Each returns `Issue`s that carry file, line, column and a message
written for the contributor who has to fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2
from pydantic import BaseModel, ValidationError

from . import kbfiles
from .issues import Issue
from .models import FailureMode, Postmortem
from .regex import compile_re2, rule_patterns
from .yamlio import Position, YamlDoc, YamlLoadError, load_yaml, yaml_text

MODELINE_PREFIX = "# yaml-language-server: $schema="
PUBLISHED_IDS_FILE = "published-ids.txt"


@dataclass
class LoadedFile:
    """A KB file after parsing: the YAML (with positions) and the model, if valid."""

    path: Path
    rel: str
    doc: YamlDoc | None
    model: BaseModel | None
    kb: int = 0  # index of its knowledge base in Tree.roots


@dataclass
class Tree:
    root: Path
    entries: list[LoadedFile]
    postmortems: list[LoadedFile]
    roots: list[Path] = field(default_factory=list)  # every KB, in order (root is the first)
    base: Path | None = None  # paths are shown relative to this folder

    def __post_init__(self) -> None:
        self.roots = self.roots or [self.root]


# --------------------------------------------------------------------------- pydantic errors


def _expected_from_ctx(err: dict[str, Any]) -> str:
    ctx = err.get("ctx") or {}
    expected = ctx.get("expected", "")
    # pydantic writes "'critical', 'high', 'medium' or 'low'"
    return expected.replace("'", "").replace(" or ", ", ")


_TYPE_WORDS = {
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "(document)"


def _entry_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """A pydantic location as the file spells it: without validator-function and
    union-tag parts ('function-after[...]', 'tag:step')."""
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith(("function-", "tag:"))))


def pydantic_message(err: dict[str, Any], model: type[BaseModel]) -> tuple[str, bool]:
    """Turn one pydantic error into a sentence; second value: point at the key, not value."""
    loc = _entry_loc(err["loc"])
    name = _field_name(loc)
    etype = err["type"]
    value = err.get("input")
    if etype == "missing":
        return f"field '{name}' is required; add it", False
    if etype == "extra_forbidden":
        key = loc[-1] if loc else "?"
        known = _known_fields(model, loc[:-1])
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known fields: {', '.join(sorted(known))}"
        return f"unknown field '{name}'{hint}", True
    if etype in ("enum", "literal_error"):
        return f"field '{name}': must be one of {_expected_from_ctx(err)}", False
    if etype == "string_too_short":
        return f"field '{name}': must not be empty", False
    if etype == "too_short":
        n = (err.get("ctx") or {}).get("min_length", 1)
        return f"field '{name}': needs at least {n} item{'s' if n != 1 else ''}", False
    if etype == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        return f"field '{name}': {value!r} does not match the required pattern {pattern}", False
    if etype == "string_type" and isinstance(value, float):
        return (
            f"field '{name}': must be a string, but YAML read the number {value!r}; "
            "quote it (\"1.20\" unquoted reads as 1.2)",
            False,
        )
    if etype == "string_type" and isinstance(value, (bool, int, dt.date)):
        return (
            f"field '{name}': must be a string, but YAML read {value!r} as "
            f"{type(value).__name__}; put the text in quotes",
            False,
        )
    if etype == "string_type" and isinstance(value, dict) and len(value) == 1:
        return (
            f"field '{name}': must be a string, but YAML read a mapping because the text "
            "contains ': '; put the whole text in quotes",
            False,
        )
    if etype in _TYPE_WORDS:
        return f"field '{name}': must be {_TYPE_WORDS[etype]}, not {type(value).__name__}", False
    if etype == "value_error":
        msg = err["msg"].removeprefix("Value error, ")
        return (f"field '{name}': {msg}" if loc else msg), False
    if etype in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"field '{name}': {err['msg'].lower()}", False
    return f"field '{name}': {err['msg']}", False


def _known_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the (nested) model at loc, for 'did you mean'."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        info = fields.get(part)
        if info is None:
            return []
        current = _inner_model(info.annotation)
        if current is None:
            return []
    names = []
    for fname, info in getattr(current, "model_fields", {}).items():
        names.append(info.alias or fname)
    return names


def _inner_model(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------- loading


def _rel(path: Path, root: Path, base: Path | None = None) -> str:
    """path as shown in messages: relative to the KB's parent (or base), else absolute. A
    symlink at its end is not followed (a link to /dev/zero is reported where it is)."""
    here = Path(os.path.abspath(path))
    anchor_dirs = [Path(os.path.abspath(base)), base.resolve()] if base is not None else \
        [Path(os.path.abspath(root)).parent, root.resolve().parent]
    if anchor_dirs[-1] == Path(anchor_dirs[-1].anchor):  # KBs with nothing in common but "/"
        return str(here)
    for folder in anchor_dirs:
        try:
            return str(here.relative_to(folder))
        except ValueError:
            continue
    try:
        return str(path.resolve().relative_to(anchor_dirs[-1]))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def display_base(roots: Sequence[Path]) -> Path | None:
    """For several KBs, the folder their paths are shown relative to: the deepest common
    one, so `kb/...` of two repositories cannot be confused. None for one KB."""
    if len(roots) < 2:
        return None
    return Path(os.path.commonpath([str(r.resolve().parent) for r in roots]))


def _read_yaml(path: Path, root: Path | None) -> YamlDoc:
    """Read through kbfiles (no symlink out of the KB, no device, a size limit), then parse."""
    if root is None:
        return load_yaml(path)
    try:
        raw = kbfiles.read_bytes(path, root, kbfiles.MAX_YAML_BYTES)
    except kbfiles.UnsafeFile as exc:
        raise YamlLoadError(path, Position(1, 1), f"this file {exc}") from None
    return load_yaml(path, yaml_text(path, raw))


def parse_file(
    path: Path, model: type[BaseModel], rel: str, issues: list[Issue], root: Path | None = None
) -> LoadedFile:
    try:
        doc = _read_yaml(path, root)
    except YamlLoadError as exc:
        issues.append(Issue(rel, exc.pos.line, exc.pos.col, exc.message, check="yaml"))
        return LoadedFile(path, rel, None, None)
    if not isinstance(doc.data, dict):
        issues.append(Issue(rel, 1, 1, "the file must hold one YAML mapping of fields"))
        return LoadedFile(path, rel, doc, None)
    try:
        obj = model.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            msg, at_key = pydantic_message(err, model)
            loc = _entry_loc(err["loc"])
            pos = doc.position(loc, key=at_key)
            issues.append(Issue(rel, pos.line, pos.col, msg))
        return LoadedFile(path, rel, doc, None)
    return LoadedFile(path, rel, doc, obj)


def discover(root: Path) -> tuple[list[Path], list[Path]]:
    found = kbfiles.discover(root)
    return found.entries, found.postmortems


def load_tree(root: Path | Sequence[Path], issues: list[Issue]) -> Tree:
    """Parse every file of one KB, or of several in order (LoadedFile.kb says which).
    Files read through kbfiles: a symlink out of the KB, a loop or a device is an issue,
    never skipped silently."""
    roots = [root] if isinstance(root, Path) else list(root)
    base = display_base(roots)
    entries: list[LoadedFile] = []
    pms: list[LoadedFile] = []
    for n, r in enumerate(roots):
        found = kbfiles.discover(r)
        for path, reason in found.problems:
            what = "folder" if path.name != "entry.yaml" and path.suffix != ".yaml" else "file"
            issues.append(Issue(_rel(path, r, base), 1, 1, f"this {what} {reason}", check="files"))
        for p in found.entries:
            entries.append(parse_file(p, FailureMode, _rel(p, r, base), issues, r))
            entries[-1].kb = n
        for p in found.postmortems:
            pms.append(parse_file(p, Postmortem, _rel(p, r, base), issues, r))
            pms[-1].kb = n
    return Tree(roots[0], entries, pms, roots=roots, base=base)


# --------------------------------------------------------------------------- checks


class FileCheck:
    name = "file"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:  # pragma: no cover - interface
        return ()


class TreeCheck:
    name = "tree"

    def finalize(self, tree: Tree) -> Iterable[Issue]:  # pragma: no cover - interface
        return ()


def _at(f: LoadedFile, loc: tuple[Any, ...], message: str, check: str, key: bool = False) -> Issue:
    pos = f.doc.position(loc, key=key) if f.doc else Position(1, 1)
    return Issue(f.rel, pos.line, pos.col, message, check=check)


class ModelineCheck(FileCheck):
    name = "modeline"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:
        if f.doc is None or not f.doc.text:
            return  # unreadable or empty: already reported
        first = f.doc.text.split("\n", 1)[0]
        if not first.startswith(MODELINE_PREFIX):
            schema = "failure-mode" if f.path.name == "entry.yaml" else "postmortem"
            yield Issue(
                f.rel,
                1,
                1,
                f"first line must be the editor modeline '{MODELINE_PREFIX}"
                f"<relative path>/schemas/{schema}.schema.json'",
                check=self.name,
            )


class IdMatchesFolderCheck(FileCheck):
    name = "id-folder"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:
        m = f.model
        if isinstance(m, FailureMode) and m.id != f.path.parent.name:
            yield _at(
                f, ("id",),
                f"field 'id': '{m.id}' differs from its folder '{f.path.parent.name}'; "
                "ids are permanent, so rename the folder or list the old id in former_ids",
                self.name,
            )
        if isinstance(m, Postmortem):
            if m.id != f.path.stem:
                yield _at(f, ("id",), f"field 'id': '{m.id}' differs from the file name "
                          f"'{f.path.stem}'", self.name)
            elif not m.id.startswith(m.date.isoformat()):
                yield _at(f, ("date",), f"field 'date': {m.date} does not match the id's date "
                          f"prefix '{m.id[:10]}'", self.name)


class PatternCheck(FileCheck):
    """Every regex must compile under RE2, the linear-time engine the advisor runs."""

    name = "pattern"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:
        m = f.model
        if not isinstance(m, FailureMode):
            return
        seen: set[str] = set()
        for i, rule in enumerate(m.match.rules):
            if rule.id in seen:
                yield _at(f, ("match", "rules", i, "id"),
                          f"field 'match.rules[{i}].id': '{rule.id}' is used twice in this entry",
                          self.name)
            seen.add(rule.id)
            for loc, pattern in rule_patterns(rule):
                yield from self._compile(f, ("match", "rules", i) + loc, pattern, rule.ignore_case)
            for req in rule.requires:
                if req not in {r.id for r in m.match.rules} or req == rule.id:
                    yield _at(f, ("match", "rules", i, "requires"),
                              f"field 'match.rules[{i}].requires': no other rule '{req}' "
                              "in this entry", self.name)
        for i, pattern in enumerate(m.match.exclude):
            yield from self._compile(f, ("match", "exclude", i), pattern, False)
        if m.repro is not None:
            yield from self._compile(f, ("repro", "expect_output"), m.repro.expect_output, False)

    def _compile(self, f: LoadedFile, loc: tuple[Any, ...], pattern: str, icase: bool) -> Iterable[Issue]:
        try:
            compile_re2(pattern, icase)
        except re2.error as exc:
            reason = exc.args[0] if exc.args else exc
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            yield _at(f, loc, f"field '{_field_name(loc)}': regex does not compile under RE2 "
                      f"({reason}); RE2 has no backreferences or lookaround", self.name)


class ReproFilesCheck(FileCheck):
    name = "repro-files"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:
        m = f.model
        if not isinstance(m, FailureMode) or m.repro is None:
            return
        root = f.path.parent.parent.parent
        folder = f.rel.rsplit("/", 1)[0] if "/" in f.rel else "."
        for sub in ("repro", "fixed"):
            prog = f.path.parent / sub / "main.go"
            if not os.path.lexists(prog):
                yield _at(f, ("repro",), f"field 'repro': {sub}/main.go does not exist next to "
                          "this entry; add the program or remove the repro section", self.name)
            # `advisor repro` copies these into its build: none may lead out of the KB
            for src in kbfiles.names(f.path.parent / sub):
                reason = kbfiles.problem(src, root, kbfiles.MAX_SOURCE_BYTES)
                if reason is not None:
                    yield Issue(f"{folder}/{sub}/{src.name}", 1, 1, f"this file {reason}", check=self.name)


class SampleHeaderCheck(FileCheck):
    """Samples are real output; the header must say where each one came from."""

    name = "samples"

    def validate(self, f: LoadedFile) -> Iterable[Issue]:
        if not isinstance(f.model, FailureMode):
            return
        root = f.path.parent.parent.parent
        folder = f.rel.rsplit("/", 1)[0] if "/" in f.rel else "."
        for sub in ("samples", "near-misses", "recorded"):
            for sample in kbfiles.names(f.path.parent / sub):
                if sample.suffix != ".log":
                    continue
                rel = f"{folder}/{sub}/{sample.name}"
                try:
                    head = kbfiles.read_bytes(sample, root, kbfiles.MAX_SAMPLE_BYTES, head=4096)
                except kbfiles.UnsafeFile as exc:
                    yield Issue(rel, 1, 1, f"this sample {exc}", check=self.name)
                    continue
                head = head.decode("utf-8", "replace")
                if not any(line.lower().startswith("# source:") for line in head.splitlines()[:15]):
                    yield Issue(rel, 1, 1, "sample needs a '# source: ...' header line naming "
                                "where the output came from", check=self.name)


def _where(f: LoadedFile, loc: tuple[Any, ...]) -> str:
    pos = f.doc.position(loc) if f.doc else Position(1, 1)
    return f"{f.rel}:{pos.line}:{pos.col}"


class DuplicateIdCheck(TreeCheck):
    """Ids (and former ids) are unique across every KB in use; a later KB may reuse an
    earlier KB's id only with `overrides:` naming it (checked by OverridesCheck)."""

    name = "duplicate-id"

    def finalize(self, tree: Tree) -> Iterable[Issue]:
        first: dict[str, tuple[LoadedFile, tuple[Any, ...]]] = {}
        for f in tree.entries:
            m = f.model
            if not isinstance(m, FailureMode):
                continue
            for loc, ident in [(("id",), m.id)] + [
                (("former_ids", i), x) for i, x in enumerate(m.former_ids)
            ]:
                if ident not in first:
                    first[ident] = (f, loc)
                    continue
                other, other_loc = first[ident]
                if other is f:
                    continue
                if loc == ("id",) and m.overrides == ident and other.kb < f.kb:
                    first[ident] = (f, loc)  # the explicit replacement
                    continue
                if other.kb == f.kb:
                    yield _at(f, loc, f"id '{ident}' is already used by {other.rel}; "
                              "ids (and former ids) must be unique", self.name)
                else:  # another KB: say exactly where, and how to replace it on purpose
                    yield _at(f, loc, f"id '{ident}' is already used by {_where(other, other_loc)}; "
                              f"to replace that entry on purpose, add 'overrides: {ident}'; "
                              "otherwise choose another id", self.name)
        seen: dict[str, LoadedFile] = {}
        for f in tree.postmortems:
            if isinstance(f.model, Postmortem):
                if f.model.id in seen:
                    yield _at(f, ("id",), f"postmortem id '{f.model.id}' is already used by "
                              f"{_where(seen[f.model.id], ('id',))}", self.name)
                seen.setdefault(f.model.id, f)


class OverridesCheck(TreeCheck):
    """`overrides: X` must name an entry of an earlier KB: a replacement is always said."""

    name = "overrides"

    def finalize(self, tree: Tree) -> Iterable[Issue]:
        earlier: dict[str, int] = {}
        for f in tree.entries:
            m = f.model
            if not isinstance(m, FailureMode):
                continue
            target = m.overrides
            if target is not None and earlier.get(target, f.kb) >= f.kb:
                where = ("its own knowledge base" if target in earlier else "no knowledge base")
                yield _at(f, ("overrides",), f"field 'overrides': '{target}' is an entry of "
                          f"{where} listed before this one; overrides replaces an entry of an "
                          "earlier KB (e.g. --kb @shipped --kb ./kb)", self.name)
            earlier.setdefault(m.id, f.kb)


def _entry_ids(tree: Tree) -> set[str]:
    return {f.model.id for f in tree.entries if isinstance(f.model, FailureMode)}


def _entry_ids_any(tree: Tree) -> set[str]:
    """Ids of entries, including invalid ones, so one bad entry does not cascade."""
    ids = _entry_ids(tree)
    for f in tree.entries:
        if f.model is None:
            ids.add(f.path.parent.name)
    return ids


class ReferenceCheck(TreeCheck):
    name = "references"

    def finalize(self, tree: Tree) -> Iterable[Issue]:
        ids = _entry_ids_any(tree)
        for f in tree.entries:
            m = f.model
            if not isinstance(m, FailureMode):
                continue
            for i, rid in enumerate(m.related):
                if rid == m.id:
                    yield _at(f, ("related", i), f"field 'related[{i}]': an entry cannot be "
                              "related to itself", self.name)
                elif rid not in ids:
                    yield _at(f, ("related", i), self._missing("related", i, rid, ids), self.name)
        for f in tree.postmortems:
            m = f.model
            if not isinstance(m, Postmortem):
                continue
            for i, rid in enumerate(m.failure_modes):
                if rid not in ids:
                    yield _at(f, ("failure_modes", i),
                              self._missing("failure_modes", i, rid, ids), self.name)
            for i, item in enumerate(m.action_items):
                if item.failure_mode and item.failure_mode not in ids:
                    yield _at(f, ("action_items", i, "failure_mode"),
                              self._missing(f"action_items[{i}].failure_mode", None,
                                            item.failure_mode, ids), self.name)

    @staticmethod
    def _missing(field_: str, i: int | None, rid: str, ids: set[str]) -> str:
        name = f"{field_}[{i}]" if i is not None else field_
        close = difflib.get_close_matches(rid, sorted(ids), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"field '{name}': no failure mode with id '{rid}'{hint}"


class RemovedIdCheck(TreeCheck):
    """Runbook links are permanent: every id ever published must still resolve."""

    name = "removed-id"

    def finalize(self, tree: Tree) -> Iterable[Issue]:
        live = _entry_ids_any(tree)
        for f in tree.entries:
            if isinstance(f.model, FailureMode):
                live.update(f.model.former_ids)
                if f.model.overrides:
                    live.add(f.model.overrides)
        for root in tree.roots:
            yield from self._check(root, tree, live)

    def _check(self, root: Path, tree: Tree, live: set[str]) -> Iterable[Issue]:
        registry = root / PUBLISHED_IDS_FILE
        if not os.path.lexists(registry):
            return
        rel = _rel(registry, root, tree.base)
        try:
            text = kbfiles.read_bytes(registry, root, kbfiles.MAX_YAML_BYTES).decode("utf-8", "replace")
        except kbfiles.UnsafeFile as exc:
            yield Issue(rel, 1, 1, f"this file {exc}", check=self.name)
            return
        for n, line in enumerate(text.splitlines(), 1):
            ident = line.split("#", 1)[0].strip()
            if ident and ident not in live:
                yield Issue(rel, n, 1, f"published id '{ident}' has no entry and no entry lists "
                            "it in former_ids; its runbook links would break. Restore it or add "
                            "it to the renamed entry's former_ids", check=self.name)


FILE_CHECKS: list[FileCheck] = [
    ModelineCheck(), IdMatchesFolderCheck(), PatternCheck(), ReproFilesCheck(), SampleHeaderCheck(),
]
TREE_CHECKS: list[TreeCheck] = [DuplicateIdCheck(), OverridesCheck(), ReferenceCheck(), RemovedIdCheck()]

from .catalogue_check import CatalogueCheck  # noqa: E402 - it subclasses TreeCheck above

TREE_CHECKS.append(CatalogueCheck())


def validate_tree(root: Path | Sequence[Path], only: Iterable[Path] | None = None) -> tuple[Tree, list[Issue]]:
    """Validate one KB, or several together (in order). Cross-file checks always see
    every file of every KB."""
    issues: list[Issue] = []
    tree = load_tree(root, issues)
    from .advice_checks import CHECKS as advice_checks  # imports this module: not at the top

    for f in tree.entries + tree.postmortems:
        for check in FILE_CHECKS + advice_checks:
            issues.extend(check.validate(f))
    for tcheck in TREE_CHECKS:
        issues.extend(tcheck.finalize(tree))
    if only is not None:
        # Report only on the files asked about (and their samples); the cross-file checks
        # still ran against the whole tree so a dangling reference is never missed.
        prefixes = []
        for p in only:
            owner = next((r for r in tree.roots if p.resolve().is_relative_to(r.resolve())), tree.root)
            rel = _rel(p, owner, tree.base)
            prefixes.append(rel.rsplit("/", 1)[0] + "/" if p.name == "entry.yaml" else rel)
        issues = [i for i in issues if any(i.path.startswith(w) for w in prefixes)]
    issues.sort(key=lambda i: (i.path, i.line, i.col, i.message))
    return tree, issues


def resolve_paths(paths: Sequence[Path], kb_roots: Sequence[Path]) -> tuple[list[Path], list[Path] | None]:
    """Turn `advisor validate PATH...` into (KB roots, files to report on).

    KB folders among the paths are validated (together, in order). An entry or postmortem
    file is reported on within its KB: with every KB in use when it lies in one of them (so
    collisions and overrides are checked), else with the KB its location shows."""
    from .errors import UsageError

    if not paths:
        return list(kb_roots), None
    in_use = [r.resolve() for r in kb_roots]
    roots: list[Path] = []
    files: list[Path] = []
    needs_in_use = False
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or folder")
        p = p.resolve()
        if p.is_dir() and (p / "failure-modes").is_dir():
            roots.append(p)
            continue
        if p.is_dir() and (p / "entry.yaml").is_file():
            p = p / "entry.yaml"
        if p.is_dir():
            raise UsageError(f"{p}: not an entry folder or a knowledge base (no entry.yaml, no failure-modes/)")
        files.append(p)
        if any(p.is_relative_to(r) for r in in_use):
            needs_in_use = True
            continue
        # kb/failure-modes/<id>/entry.yaml or kb/postmortems/<x>.yaml
        guess = p.parent.parent.parent if p.name == "entry.yaml" else p.parent.parent
        if (guess / "failure-modes").is_dir():
            roots.append(guess)
        elif not roots:
            raise UsageError("cannot tell which knowledge base these files belong to; pass --kb")
    if needs_in_use:
        roots = in_use + roots
    unique: list[Path] = []
    for r in roots:
        if r not in unique:
            unique.append(r)
    return unique, files or None
