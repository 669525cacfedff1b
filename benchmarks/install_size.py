"""How big is the runtime install? The wheel into a fresh virtual environment, no dev extras.

Builds the wheel from this checkout (or takes --wheel), installs it with its runtime
dependencies into a new venv the way `pip install` does by default (bytecode compiled), and
sums the installed files per distribution from each one's RECORD: files, and the bytecode
pip compiled for them. The target (issue 16) is the total with bytecode; `uv tool install`
and `pip install --no-compile` leave the smaller number. MB are 10^6 bytes.

    .venv/bin/python benchmarks/install_size.py [--wheel dist/go_failure_advisor-*.whl]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 150.0


def _wheel(dist: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "VIRTUAL_ENV"))}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(ROOT)], check=True, env=env)
    return next(dist.glob("go_failure_advisor-*.whl"))


def _install(wheel: Path, venv: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--disable-pip-version-check", str(wheel)], check=True)
    return next((venv / "lib").glob("python3*/site-packages"))


def sizes(site: Path) -> dict[str, tuple[int, int]]:
    """{distribution: (bytes of its files, bytes of its compiled bytecode)} from RECORD."""
    out = {}
    for info in site.glob("*.dist-info"):
        name = info.name.split("-")[0]  # "numpy-2.4.6.dist-info" -> "numpy"
        files = code = 0
        with (info / "RECORD").open(newline="") as fh:
            for row in csv.reader(fh):
                path = (site / row[0]).resolve() if row else None
                if path is None or not path.is_file():
                    continue
                if path.suffix == ".pyc":
                    code += path.stat().st_size
                else:
                    files += path.stat().st_size
        out[name] = (files, code)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help="measure this wheel instead of building one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or _wheel(Path(tmp) / "dist")
        site = _install(wheel, Path(tmp) / "venv")
        table = sizes(site)
        everything = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        wheel_mb = wheel.stat().st_size / 1e6
    listed = sum(f + c for f, c in table.values())
    code = sum(c for _, c in table.values())
    print(f"{'distribution':<26} {'files MB':>9} {'bytecode MB':>12} {'total MB':>9}")
    for name, (f, c) in sorted(table.items(), key=lambda kv: -sum(kv[1])):
        print(f"{name:<26} {f / 1e6:9.2f} {c / 1e6:12.2f} {(f + c) / 1e6:9.2f}")
    print(f"{'(not in any RECORD)':<26} {max(everything - listed, 0) / 1e6:9.2f}")
    print(f"site-packages: {everything / 1e6:.1f} MB with bytecode, {(everything - code) / 1e6:.1f} MB without; "
          f"target {TARGET_MB:.0f} MB, ratio {everything / 1e6 / TARGET_MB:.2f}")
    print(f"wheel: {wheel.name}, {wheel_mb:.1f} MB")


if __name__ == "__main__":
    main()
