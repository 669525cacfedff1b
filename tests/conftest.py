from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "kb"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINIMAL_ENTRY = (FIXTURES / "validator" / "minimal-entry.yaml").read_text()


def minimal_entry(ident: str = "x", repro: str | None = None) -> str:
    """The validator's minimal entry under another id. With `repro` (the YAML lines inside a
    repro section), its detection command also runs against the reproducer's output, as the
    validator requires of every entry with a reproducer."""
    text = MINIMAL_ENTRY.replace("id: minimal-entry", f"id: {ident}")
    if repro is None:
        return text
    text = text.replace("    not_run: Needs a cluster.\n", "    run:\n      on: output\n"
                        "      input: kubectl logs --previous POD\n      look_for_pattern: '^panic: something'\n")
    return text.replace("match:", f"repro:\n{repro}match:")
ADVISOR = [sys.executable, "-m", "advisor"]


def run_advisor(*args: str, input: bytes | None = None, cwd: Path | None = None,
                env: dict[str, str] | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [*ADVISOR, *args], input=input, capture_output=True, cwd=cwd or ROOT,
        env=full_env, timeout=timeout,
    )


@pytest.fixture(scope="session")
def kb():
    from advisor.kb import load_kb

    return load_kb(KB)
