"""A knowledge base whose every text field attacks the docs site (issue 12, "the site escapes
everything it did not write").

`write_hostile_kb(dest)` copies two real entries (one with an alert, one with a diagram)
and a postmortem, then appends an attack to every string the schema and the validator
accept: script tags, event-handler attributes, `javascript:` links in Markdown (inline,
reference, entity-encoded, autolink), attribute and `</title>` breakouts, attr_list
`{onclick=...}`, fence attributes, and a sample file whose *name* is markup. A field whose
pattern refuses the attack (ids, URLs, versions, alert names, enums) keeps its value; the
refusals are found by asking the real validator, so new checks (owners as handles, build
flag allow-lists) are respected without editing this file.

Every attack either calls `alert()` (a dialog the browser test listens for), sets
`window.__fm_pwned`, or creates an element of class/id `fm-pwned`; none may survive.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from advisor.yamlio import load_yaml

ENTRIES = ("concurrent-map-writes", "container-oom-killed")
FORMER_IDS = ("map-race-fatal", "cmw")  # the first entry was renamed: old links must redirect
MODELINE = "# yaml-language-server: $schema=../../../schemas/failure-mode.schema.json\n"
PM_MODELINE = "# yaml-language-server: $schema=../../schemas/postmortem.schema.json\n"

ATTACKS = (
    '<script>window.__fm_pwned=1;alert("script")</script>',
    '<img src=x onerror="window.__fm_pwned=1;alert(\'img\')" class="fm-pwned">',
    '"><svg onload=alert("svg") class=fm-pwned id=fm-pwned>',
    "' onmouseover='alert(1)' data-x='",
    '[click me](javascript:alert("md-link"))',
    '[entity](&#106;avascript:alert("entity"))',
    '[tab](java\tscript:alert("tab"))',
    '<a href="javascript:alert(\'a\')" class="fm-pwned">a</a>',
    '**bold**{onmouseover="alert(\'attr\')" .fm-pwned #fm-pwned}',
    '![i](javascript:alert("img-md"))',
    '<javascript:alert("autolink")>',
    '</title><script>alert("title")</script>',
    '&lt;img src=x onerror=alert("entity-html") class=fm-pwned&gt;',
    '[ref][r]\n\n[r]: javascript:alert("ref")',
    '```{.text onclick="alert(\'fence\')"}\nfenced\n```',
    '<iframe srcdoc="<script>alert(\'srcdoc\')</script>"></iframe>',
    '`code` <style>body{display:none}</style> {{ 7*7 }} {% raw %}',
)
# Regexes must still compile (RE2); the attack rides as an alternative.
REGEX_ATTACK = '|<img src=x onerror=alert("regex") class=fm-pwned>'
DIAGRAM_ATTACK = ('flowchart LR\n  A["<img src=x onerror=alert(\'mermaid\')>"] --> B["<script>alert(1)</script>"]\n'
                  '  click A "javascript:alert(\'mermaid-click\')"\n')
SAMPLE_NAME = 'public-x"><img src=x onerror=alert(\'sample\') class=fm-pwned>.log'

Path_ = tuple[Any, ...]


def _strings(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "match":  # rules are never rendered; their regexes must stay valid
                continue
            yield from _strings(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, (*path, i))
    elif isinstance(node, str):
        yield path


def _get(node: Any, path: Path_) -> Any:
    for p in path:
        node = node[p]
    return node


def _set(node: Any, path: Path_, value: Any) -> None:
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def _attack(data: dict, offset: int) -> dict:
    out = copy.deepcopy(data)
    for n, path in enumerate(_strings(data)):
        value = _get(data, path)
        if path[-1] == "expect_output":
            _set(out, path, value + REGEX_ATTACK)
        elif path[-2:-1] == ("run",) and path[-1] == "input":
            continue  # must stay a part of the (attacked) command; the runner reads it, no page shows it
        else:
            _set(out, path, f"{value} {ATTACKS[(n + offset) % len(ATTACKS)]}")
    if "diagram" in out or "mechanism" in out:
        out["diagram"] = DIAGRAM_ATTACK
    return out


def _paths_by_line(text: str) -> dict[int, Path_]:
    """1-based line -> path of the scalar (or key) that starts there."""
    found: dict[int, Path_] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                found.setdefault(k.start_mark.line + 1, (*path, k.value))
                walk(v, (*path, k.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, i))
        else:
            for line in range(node.start_mark.line + 1, node.end_mark.line + 2):
                found.setdefault(line, path)

    walk(yaml.compose(text), ())
    return found


def _dump(data: dict, modeline: str) -> str:
    return modeline + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)


def write_hostile_kb(dest: Path, source: Path) -> Path:
    """Write the hostile KB under dest (a new folder) from the real KB at source; returns dest."""
    from advisor.validate import validate_tree

    (dest / "failure-modes").mkdir(parents=True)
    (dest / "postmortems").mkdir()
    originals: dict[Path, tuple[dict, dict, str]] = {}
    for n, ident in enumerate(ENTRIES):
        folder = dest / "failure-modes" / ident
        shutil.copytree(source / "failure-modes" / ident, folder)
        data = load_yaml(folder / "entry.yaml").data  # the project's loader: `on:` is a key, not YAML 1.1 true
        data["related"] = [r for r in data.get("related") or [] if r in ENTRIES]
        data["former_ids"] = list(FORMER_IDS) if n == 0 else []
        originals[folder / "entry.yaml"] = (data, _attack(data, n), MODELINE)
        sample = next(iter(sorted((folder / "samples").glob("*.log"))))
        (folder / "samples" / SAMPLE_NAME).write_text(
            "# source: hostile test fixture\n" + ATTACKS[0] + "\n" + sample.read_text(encoding="utf-8"),
            encoding="utf-8")
    pm_src = sorted((source / "postmortems").glob("*.yaml"))[0]
    pm = load_yaml(pm_src).data
    pm["failure_modes"] = list(ENTRIES)
    for item in pm.get("action_items") or []:
        if item.get("failure_mode") not in ENTRIES:
            item["failure_mode"] = ENTRIES[0]
    originals[dest / "postmortems" / pm_src.name] = (pm, _attack(pm, 3), PM_MODELINE)

    for _ in range(6):  # put back what the validator refuses, until it accepts the rest
        for path, (_, attacked, modeline) in originals.items():
            path.write_text(_dump(attacked, modeline), encoding="utf-8")
        _, issues = validate_tree(dest)
        errors = [i for i in issues if i.severity == "error"]
        if not errors:
            return dest
        for issue in errors:
            candidates = {(base / issue.path).resolve() for base in (dest, dest.parent, Path.cwd())}
            match = next((p for p in originals if p.resolve() in candidates), None)
            if match is None:
                raise AssertionError(f"hostile KB: unexpected validation error {issue.format()}")
            original, attacked, _ = originals[match]
            at = _paths_by_line(match.read_text(encoding="utf-8")).get(issue.line)
            if at is None:
                raise AssertionError(f"hostile KB: cannot place {issue.format()}")
            try:
                _set(attacked, at, copy.deepcopy(_get(original, at)))
            except (KeyError, IndexError, TypeError):
                raise AssertionError(f"hostile KB: cannot revert {issue.format()}") from None
    raise AssertionError(f"hostile KB still invalid: {[i.format() for i in errors]}")
