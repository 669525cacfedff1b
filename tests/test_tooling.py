"""The repository's own automation and the shell integration, checked like code.

- .github/workflows/*.yml pass actionlint (expression types, unknown keys, deprecated action
  runtimes); the pre-commit files are checked by tests/test_scaffold.py with pre-commit's
  own validators.
- `advisor --install-completion` installs a completion that completes, in bash and zsh.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

BIN = Path(sys.executable).parent


def test_workflows_pass_actionlint():
    actionlint = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -e '.[dev]')")
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    proc = subprocess.run([actionlint, "-no-color", *map(str, workflows)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _shell_env(home: Path) -> dict[str, str]:
    return dict(os.environ, HOME=str(home), PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                ZDOTDIR=str(home))


def test_bash_completion_installs_and_completes(tmp_path: Path):
    env = _shell_env(tmp_path)
    # "; true" keeps bash as the parent process, which is how the shell is detected
    proc = subprocess.run(["bash", "-c", "advisor --install-completion; true"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert "bash completion installed" in proc.stdout, proc.stdout + proc.stderr
    script = ("source ~/.bashrc; COMP_WORDS=(advisor ma); COMP_CWORD=1; _advisor_completion advisor; "
              "printf '%s\\n' \"${COMPREPLY[@]}\"; COMP_WORDS=(advisor match --mo); COMP_CWORD=2; "
              "_advisor_completion advisor; printf '%s\\n' \"${COMPREPLY[@]}\"")
    out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60).stdout
    assert out.split() == ["match", "--mode", "--model"]


def test_zsh_completion_installs_and_completes(tmp_path: Path):
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed (scripts/install-system-deps.sh installs it)")
    env = _shell_env(tmp_path)
    proc = subprocess.run(["zsh", "-c", "advisor --install-completion; true"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert "zsh completion installed" in proc.stdout, proc.stdout + proc.stderr
    # A new zsh loads it: advisor's completer is the installed function.
    proc = subprocess.run(["zsh", "-c", "source ~/.zshrc; print -r -- ${_comps[advisor]}"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "_advisor", proc.stdout + proc.stderr
    # and that function's protocol answers with the subcommands
    out = subprocess.run(["advisor"], env=dict(env, _ADVISOR_COMPLETE="complete_zsh",
                                               _TYPER_COMPLETE_ARGS="advisor ma"),
                         capture_output=True, text=True, timeout=60).stdout
    assert '"match":' in out and "_arguments" in out


def test_xdist_groups_keep_their_tests_on_one_worker(tmp_path):
    """`make test` runs `pytest -n 2 --dist loadgroup`, and the `go` and `site` tests share
    build folders (a reproducer's build and pprof address file, the built site): each group
    must run on one worker. pytest 9.2 with pytest-xdist 3.8 silently stopped grouping."""
    (tmp_path / "test_grouped.py").write_text(
        "import os, pytest\n"
        "@pytest.mark.xdist_group('shared')\n"
        "@pytest.mark.parametrize('i', range(8))\n"
        "def test_grouped(i):\n"
        "    print('WORKER', os.environ['PYTEST_XDIST_WORKER'])\n"
        "@pytest.mark.parametrize('i', range(8))\n"
        "def test_free(i):\n"
        "    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
                           "-p", "no:cacheprovider", "-rA", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    workers = {line.split()[0] for line in proc.stdout.splitlines() if "test_grouped[" in line
               and line.startswith("[gw")}
    assert len(workers) == 1, proc.stdout[-2000:]
