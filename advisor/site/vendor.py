"""Fetch mermaid.min.js from the npm registry into build/vendor/ (never committed).

    python -m advisor.site.vendor [--version 11]

The site draws an entry's `diagram` only when this file exists; otherwise the diagram is
shown as source. Either way the site loads nothing from a CDN. Needs `npm` and the
registry; the build itself never does.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from advisor.kb import project_root


def vendor(version: str = "11", dest: Path | None = None) -> Path:
    dest = dest or project_root() / "build" / "vendor" / "mermaid.min.js"
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("npm not found: install Node.js, or leave diagrams shown as source")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([npm, "pack", f"mermaid@{version}", "--silent"], cwd=tmp,
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise SystemExit(f"npm pack mermaid@{version} failed: {out.stderr.strip()[-500:]}")
        tgz = next(Path(tmp).glob("mermaid-*.tgz"))
        with tarfile.open(tgz) as tar:
            member = tar.getmember("package/dist/mermaid.min.js")
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", default="11", help="mermaid major or exact version (default 11)")
    args = ap.parse_args(argv)
    path = vendor(args.version)
    print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
