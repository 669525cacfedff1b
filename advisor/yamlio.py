"""YAML reading with positions: every problem can be reported as file:line:col.

Data comes from yaml-rs (a Rust YAML 1.2 parser: "1.20" rules and "10:00" strings as
YAML 1.2 says, duplicate keys refused), about 3x faster than PyYAML's libyaml loader,
which in turn is ~20x faster than ruamel.yaml's round-trip loader (27 ms per entry
here): together they decide whether `advisor validate` on 1,000 entries takes 30 s or
2 s. Positions are needed only for files with a problem, so the libyaml node tree
(every node keeps its start mark) is composed lazily, on the first position asked for;
a pydantic error location such as ('fixes', 2, 'before') then maps to a line and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml_rs import loads as _fast_loads
except ImportError:  # pragma: no cover - the libyaml path below gives the same data
    _fast_loads = None

try:  # the C parser; the pure-Python one gives the same nodes, only slower
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    col: int  # 1-based


def _pos(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class YamlDoc:
    path: Path
    _tree: Node | None  # the composed node tree, with marks (None: not composed yet)
    data: Any  # the document as plain dict/list/scalars
    text: str = ""

    @property
    def tree(self) -> Node | None:
        if self._tree is None and self.text:
            loader = _Loader(self.text)
            try:
                self._tree = loader.get_single_node()
            except yaml.YAMLError:
                self._tree = None
            finally:
                loader.dispose()
        return self._tree

    def position(self, loc: tuple[Any, ...], *, key: bool = False) -> Position:
        """Best position for a pydantic-style location.

        With key=True the position of the last key itself is returned (for an unknown
        key); otherwise the position of its value. A location that does not exist (a
        missing field) resolves to the deepest mapping that does exist.
        """
        node = self.tree
        if node is None:
            return Position(1, 1)
        pos = _first_key_pos(node)
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            if isinstance(node, MappingNode):
                found = None
                for knode, vnode in node.value:
                    if isinstance(knode, ScalarNode) and knode.value == str(part):
                        found = (knode, vnode)
                if found is None:
                    break
                pos = _pos(found[0]) if (key and last) else _pos(found[1])
                node = found[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                pos = _pos(node)
            else:
                break
        return pos


def _first_key_pos(node: Node) -> Position:
    if isinstance(node, MappingNode) and node.value:
        return _pos(node.value[0][0])
    return _pos(node)


class YamlLoadError(Exception):
    def __init__(self, path: Path, pos: Position, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.pos = pos
        self.message = message


# As yaml-rs's alias replay limit: a document that expands to more values than this
# through aliases is refused (700 bytes of nested aliases expand to 10^9 values).
MAX_EXPANDED_NODES = 1_000_000


def _children(n: Node) -> list[Node]:
    if isinstance(n, MappingNode):
        return [x for pair in n.value for x in pair]
    if isinstance(n, SequenceNode):
        return list(n.value)
    return []


def _check_expansion(node: Node, path: Path) -> None:
    """Refuse alias bombs and recursive aliases. An alias is its anchor's node object
    again, so sizes are counted once per node (iteratively, memoised by identity)."""
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        n, done = stack.pop()
        key = id(n)
        if done:
            open_.discard(key)
            size[key] = min(MAX_EXPANDED_NODES + 1, 1 + sum(size[id(c)] for c in _children(n)))
            continue
        if key in size:
            continue
        if key in open_:
            raise YamlLoadError(path, _pos(n), "invalid YAML: an alias refers to the value that contains "
                                               "it (a recursive structure); write the value out")
        open_.add(key)
        stack.append((n, True))
        stack.extend((c, False) for c in _children(n) if id(c) not in size)
    if size[id(node)] > MAX_EXPANDED_NODES:
        worst = node  # descend to the innermost value that alone expands too far
        while True:
            big = [c for c in _children(worst) if size[id(c)] > MAX_EXPANDED_NODES]
            if not big:
                break
            worst = big[0]
        raise YamlLoadError(path, _pos(worst), f"invalid YAML: aliases expand this value to more than "
                                               f"{MAX_EXPANDED_NODES:,} values (an alias bomb?); write the "
                                               "values out")


def _check_duplicates(node: Node, path: Path) -> None:
    """YAML allows a later duplicate key to win silently; we refuse it. Each node is
    visited once: an alias reuses its anchor's node, and revisiting those made a
    700-byte alias bomb cost 10x per level."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, MappingNode):
            seen: set[str] = set()
            for knode, vnode in n.value:
                if isinstance(knode, ScalarNode):
                    if knode.value in seen:
                        raise YamlLoadError(
                            path, _pos(knode),
                            f"duplicate key '{knode.value}' in this mapping; keep one of them",
                        )
                    seen.add(knode.value)
                stack.append(vnode)
        elif isinstance(n, SequenceNode):
            stack.extend(n.value)


def load_yaml(path: Path, text: str | None = None) -> YamlDoc:
    """Load one YAML file; raise YamlLoadError with a position on any problem."""
    text = _read_text(path, text)
    if _fast_loads is not None:
        try:
            return YamlDoc(path=path, _tree=None, data=_fast_loads(text), text=text)
        except Exception:
            pass  # let libyaml find the position and say what is wrong
    return _load_with_positions(path, text)


def _read_text(path: Path, text: str | None) -> str:
    if text is not None:
        return text.removeprefix("\ufeff")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlLoadError(path, Position(1, 1), f"cannot read file: {exc.strerror}") from None
    return yaml_text(path, raw)


def yaml_text(path: Path, raw: bytes) -> str:
    """A YAML file's bytes as text; YamlLoadError on the line of the first byte that is not UTF-8."""
    try:
        return decode_yaml(raw)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlLoadError(path, Position(line, 1), "file is not valid UTF-8; save it as UTF-8") from None


def decode_yaml(raw: bytes) -> str:
    """UTF-8, with or without the byte-order mark Windows editors add (YAML allows it; as
    text it became part of the first key: "unknown field '\\ufeff# yaml-...'")."""
    return raw.decode("utf-8-sig")


def _load_with_positions(path: Path, text: str) -> YamlDoc:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(path=path, _tree=None, data=None)
        _check_expansion(node, path)
        _check_duplicates(node, path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = (exc.problem or exc.context or "syntax error").strip()
        if exc.problem and exc.context and exc.context_mark is not None:
            cm = exc.context_mark
            problem += f" ({exc.context.strip()} that starts at line {cm.line + 1}, column {cm.column + 1})"
        raise YamlLoadError(path, pos, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlLoadError(path, Position(1, 1), f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return YamlDoc(path=path, _tree=node, data=data, text=text)
