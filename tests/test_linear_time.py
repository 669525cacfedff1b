"""Untrusted text is handled in linear time: the guarantee, checked on every pattern.

Every module of the `advisor` package is imported; every compiled Python `re` pattern in
it (module globals, class attributes, and inside their dicts, lists and tuples) and every
inline `re.search(r"...")`-style call in its source must be registered with
`advisor.regex.linear()`, or be RE2 (which cannot backtrack and needs no test). Each
registered pattern is run on worst cases generated from its own syntax tree
(tests/hostile.py) at two sizes, 16x apart; the time must grow about 16x, not 256x
(quadratic) or without bound (exponential: a timer stops it). Ratios of thread CPU time,
not wall times, so a loaded machine does not fail it; a suspicious ratio is measured
again, longer, before it is believed.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import tracemalloc
from pathlib import Path

import pytest

import advisor
from advisor.regex import LINEAR_PATTERNS, LinearPattern, pattern_key

from .hostile import Hang, growth, regex_shapes

PACKAGE = Path(advisor.__file__).parent
SMALL, FACTOR = 2_000, 16  # characters of the small input; the large one is FACTOR times longer
MAX_RATIO = FACTOR * 4  # linear is ~16x; quadratic is ~256x
# Python's engine keeps a backtracking record per iteration of a repeated group: linear
# time, but 130 bytes a character made one 16 MB line cost 1 GB. Peak memory of one call
# on the large input, per character of it, must stay below this.
MAX_BYTES_PER_CHAR = 4


def _modules() -> list[str]:
    names = ["advisor"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="advisor."):
        if not info.name.endswith(".__main__"):  # importing it runs the CLI
            names.append(info.name)
    return sorted(names)


def _import_all() -> list:
    """Every module of the package. A module that can only be imported after another (an
    import cycle entered from the wrong side) is retried once the others are in."""
    pending, modules = _modules(), []
    for _ in range(3):
        failed = []
        for name in pending:
            try:
                modules.append(importlib.import_module(name))
            except ImportError:
                failed.append(name)
        if not failed:
            return modules
        pending = failed
    for name in pending:
        importlib.import_module(name)  # raise the real error
    return modules


def _patterns_in(value, depth: int = 0):
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 3 and isinstance(value, dict):
        for v in value.values():
            yield from _patterns_in(v, depth + 1)
    elif depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _patterns_in(v, depth + 1)


def compiled_patterns() -> dict[tuple[str, int], str]:
    """Every compiled `re` pattern reachable from the package's modules -> where it lives."""
    found: dict[tuple[str, int], str] = {}
    for module in _import_all():
        name = module.__name__
        for attr, value in vars(module).items():
            holders = [(attr, value)]
            if isinstance(value, type) and value.__module__ == name:
                holders += [(f"{attr}.{k}", v) for k, v in vars(value).items()]
            for where, v in holders:
                for p in _patterns_in(v):
                    if isinstance(p.pattern, str):
                        found.setdefault(pattern_key(p), f"{name}.{where}")
    return found


_RE_CALLS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def inline_patterns() -> tuple[dict[tuple[str, int], str], list[str]]:
    """`re.<fn>(<literal>, ...)` calls in the source -> location; and calls whose pattern is
    built at run time (which the test cannot see, so they are refused outright)."""
    found: dict[tuple[str, int], str] = {}
    dynamic: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "regex.py" and path.parent == PACKAGE:
            continue  # the register itself compiles what it is given
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                   for a in n.names if a.name == "re"}
        # re.compile(<built pattern>) handed straight to linear() is registered when the
        # module is imported, and compiled_patterns() sees it there
        registered = {id(n.args[0]) for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args
                      and getattr(n.func, "id", getattr(n.func, "attr", "")) == "linear"}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in aliases
                    and node.func.attr in _RE_CALLS and node.args):
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                if not (node.func.attr == "compile" and id(node) in registered):
                    dynamic.append(where)
                continue
            flags = 0
            flag_node = _flags_arg(node)
            if flag_node is not None:
                flags = eval(compile(ast.Expression(flag_node), where, "eval"), {"re": re})  # noqa: S307
            found.setdefault(pattern_key(re.compile(arg.value, flags)), where)
    return found, dynamic


def _flags_arg(call: ast.Call):
    fn = call.func.attr
    pos = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "findall": 2, "finditer": 2,
           "split": 3, "sub": 4, "subn": 4}[fn]
    for kw in call.keywords:
        if kw.arg == "flags":
            return kw.value
    return call.args[pos] if len(call.args) > pos else None


def test_every_python_regex_is_registered_or_re2():
    found = compiled_patterns()
    inline, dynamic = inline_patterns()
    for key, where in inline.items():
        found.setdefault(key, where)
    missing = sorted(f"{where}: r{key[0]!r}" for key, where in found.items() if key not in LINEAR_PATTERNS)
    assert not missing, (
        "Python `re` patterns that may read untrusted text must run on RE2 (advisor.regex.compile_re2) "
        "or be registered with advisor.regex.linear() so this test checks them (CONTRIBUTING.md, "
        "'Regular expressions'):\n  " + "\n  ".join(missing))
    assert not dynamic, ("`re` called with a pattern built at run time, which the linear-time test cannot "
                         "check; compile it at module level and register it with linear():\n  "
                         + "\n  ".join(dynamic))
    assert len(found) >= 20  # the discovery itself works (parse.py alone has more)


# ----------------------------------------------------------------------- the growth check


def _apply(lp: LinearPattern):
    rx = lp.pattern
    if lp.use == "match":
        return rx.match
    return lambda text: sum(1 for _ in rx.finditer(text))


def check_linear(lp: LinearPattern) -> str | None:
    """The first shape on which the pattern grows faster than linearly, described; or None."""
    fn = _apply(lp)
    seen: set[str] = set()
    for name, make in regex_shapes(lp.pattern, lp.seeds):
        probe = make(64)
        if probe in seen:
            continue
        seen.add(probe)
        try:
            ratio = growth(fn, make, SMALL, FACTOR)
            if MAX_RATIO / 2 < ratio < 4 * MAX_RATIO:  # a quick look, then a careful one
                ratio = growth(fn, make, SMALL, FACTOR, batches=5, min_batch=2e-3)
        except Hang:
            return (f"{name}: no answer in time on {SMALL} characters, or on {FACTOR}x that "
                    "(exponential or polynomial backtracking)")
        if ratio > MAX_RATIO:
            return f"{name}: {FACTOR}x longer input took {ratio:.0f}x longer"
        per_char = peak_memory(fn, make(SMALL * FACTOR)) / (SMALL * FACTOR)
        if per_char > MAX_BYTES_PER_CHAR:
            return (f"{name}: {per_char:.0f} bytes of memory per input character (a possessive "
                    "quantifier, *+ or ++, stops the engine recording backtracking points)")
    return None


def peak_memory(fn, text: str) -> int:
    tracemalloc.start()
    try:
        fn(text)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _registered_ids() -> list[str]:
    compiled_patterns()  # import every module so that every registration has run
    return sorted(f"{k[0]!r}/{k[1]}" for k in LINEAR_PATTERNS)


@pytest.mark.parametrize("key", _registered_ids())
def test_registered_pattern_grows_linearly_on_worst_cases(key):
    lp = next(v for k, v in LINEAR_PATTERNS.items() if f"{k[0]!r}/{k[1]}" == key)
    bad = check_linear(lp)
    assert bad is None, f"r{lp.pattern.pattern!r} (reads {lp.reads}) is not linear: {bad}"


# ----------------------------------------------------------------------- the test tests itself


@pytest.mark.parametrize("pattern, flags", [
    (r"\((?:[^()\n]|\{[^}\n]*\})*\)$", re.M),  # parse.py's _ARGS before the fix: exponential
    (r"^\s*[\w./*()\[\]-]+\([^)]*$", 0),  # normalise.py's _OPEN_CALL before the fix: quadratic
    (r"^gc \d+ [^\n]*?(\(forced\))?[ \t]*$", re.M),  # a trailing-space quadratic
    (r"\bjava\.lang\.[\w.$]*(?:Error|Exception)\b", 0),  # restarts at every occurrence
])
def test_the_check_catches_known_backtracking_patterns(pattern, flags):
    lp = LinearPattern(re.compile(pattern, flags), "search", (), "test")
    assert check_linear(lp)


def test_the_check_catches_memory_per_character():
    # linear in time, but 130 bytes of backtracking records per character
    lp = LinearPattern(re.compile(r"\((?:[^(){}\n]|\{[^{}\n]*\})*\)$", re.M), "search", (), "test")
    assert "bytes of memory" in (check_linear(lp) or "")


def test_the_check_passes_a_linear_pattern():
    lp = LinearPattern(re.compile(r"^goroutine (\d+) \[([^\]\n]*)\]:$", re.M), "search", (), "test")
    assert check_linear(lp) is None
