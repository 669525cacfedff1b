from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "kb"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
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
