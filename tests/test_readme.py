"""The README's commands, run: the README cannot drift from the command line.

Every line of a ```sh block that runs `advisor` (or `.venv/bin/advisor`, alone or at the end
of a pipeline) is run with bash in a scratch folder holding copies of kb/, corpus/, the
team-KB fixture and tests/fixtures/readme/* (the files the examples name), with $ADVISOR_KB
pointing at the scratch kb/ so commands that write (`new`, `repro --save`, `export -o`)
write there. A command passes when it exits 0 (or 1 for match, eval and review, which use
1 for "nothing matched" and "findings") without a traceback. Directives in HTML comments
before a block: `readme-test: live: CMD` (only its subcommand and options are checked
against --help) and `readme-test: skip: CMD (why)`. See "The README is tested" in README.md.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT

pytestmark = [pytest.mark.slow]

FINDINGS_OK = {"match", "eval", "review"}  # exit 1 is a documented result for these
ADVISOR = re.compile(r"(?:^|\|\s*|\s)(?:\S*/)?advisor(?=\s|$)")


@dataclass
class Example:
    line: int
    command: str
    mode: str  # "run", "live" or "skip"


def strip_comment(line: str) -> str:
    """The command without its trailing `# comment` (a # after whitespace, outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def examples(text: str) -> list[Example]:
    out: list[Example] = []
    directives: dict[str, str] = {}
    in_block = False
    for n, raw in enumerate(text.splitlines(), 1):
        m = re.match(r"<!--\s*readme-test:\s*(live|skip):\s*(.*?)\s*-->", raw.strip())
        if m:
            cmd = re.sub(r"\s*\(.*\)\s*$", "", m.group(2))
            directives[cmd] = m.group(1)
            continue
        if raw.startswith("```"):
            in_block = not in_block and raw.strip() in ("```sh", "```bash", "```console")
            continue
        if not in_block:
            continue
        cmd = strip_comment(raw.strip())
        if cmd and ADVISOR.search(cmd):
            out.append(Example(n, cmd, directives.get(cmd, "run")))
    return out


EXAMPLES = examples((ROOT / "README.md").read_text(encoding="utf-8"))


def _subcommand(cmd: str) -> list[str]:
    """['match', '--json', ...]: the words after the advisor program in the last pipeline part."""
    part = cmd.split("|")[-1]
    words = shlex.split(part)
    i = next(i for i, w in enumerate(words) if w == "advisor" or w.endswith("/advisor"))
    return words[i + 1:]


def test_the_readme_has_examples_and_directives_name_real_lines():
    assert len(EXAMPLES) >= 15
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = [m.group(1) for line in text.splitlines()
             if (m := re.match(r"<!--\s*readme-test:\s*(?:live|skip):\s*(.*?)\s*-->", line.strip()))]
    commands = {e.command for e in EXAMPLES}
    for d in named:
        assert re.sub(r"\s*\(.*\)\s*$", "", d) in commands, f"directive names no README command: {d}"


def _scratch(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".*")
    shutil.copytree(ROOT / "kb", work / "kb", ignore=ignore)
    shutil.copytree(ROOT / "corpus", work / "corpus", ignore=ignore)
    shutil.copytree(FIXTURES / "acme-runbooks", work / "tests" / "fixtures" / "acme-runbooks", ignore=ignore)
    for f in (FIXTURES / "readme").iterdir():
        if f.name != "README.md":
            shutil.copy(f, work / f.name)
    (work / ".venv").symlink_to(Path(sys.prefix))
    return work


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"L{e.line}" for e in EXAMPLES])
def test_readme_command(example: Example, tmp_path: Path):
    args = _subcommand(example.command)
    if example.mode == "skip":
        pytest.skip(f"README line {example.line} is marked skip")
    work = _scratch(tmp_path)
    # The cache is the checkout's (keyed by content: the scratch kb/ is the same KB).
    env = dict(os.environ, ADVISOR_KB=str(work / "kb"), COLUMNS="200",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if example.mode == "live":
        sub = [a for a in args if not a.startswith("-")][:1]
        proc = subprocess.run([sys.executable, "-m", "advisor", *sub, "--help"], env=env, cwd=work,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        for opt in (a.split("=")[0] for a in args if a.startswith("--")):
            assert opt in proc.stdout, f"README line {example.line}: {opt} is not an option of {sub}"
        return
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", example.command], env=env, cwd=work,
                          capture_output=True, text=True, timeout=600)
    allowed = {0, 1} if args and args[0] in FINDINGS_OK else {0}
    detail = f"README line {example.line}: {example.command}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr, detail
    assert proc.returncode in allowed, f"exit {proc.returncode}; {detail}"
    if args and args[0] == "match" and proc.returncode == 0:
        assert proc.stdout.strip(), detail
