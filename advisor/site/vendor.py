"""Fetch the browser libraries the site and its tests use from the npm registry into build/vendor/.

    python -m advisor.site.vendor            # every package below that is missing
    python -m advisor.site.vendor --force    # fetch again

- mermaid (mermaid.min.js): draws an entry's `diagram`; without it diagrams are shown as
  source. Only pages with a diagram load it (assets/javascripts/mermaid-loader.js).
- axe-core (axe.min.js): the accessibility engine the browser tests run on the built
  site (colour contrast in both schemes). Never part of the site.

Nothing is committed (build/ is ignored) and nothing comes from a CDN. Needs `npm` and
the registry; the site build itself never does.
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

# name -> (version range, file inside the npm tarball, file name under build/vendor/)
PACKAGES = {
    "mermaid": ("11", "package/dist/mermaid.min.js", "mermaid.min.js"),
    "axe-core": ("4", "package/axe.min.js", "axe.min.js"),
}


def vendor_dir() -> Path:
    return project_root() / "build" / "vendor"


def vendor(name: str = "mermaid", version: str | None = None, dest: Path | None = None) -> Path:
    """Download one package with `npm pack` and copy its browser build to `dest`."""
    default_version, member_path, file_name = PACKAGES[name]
    dest = dest or vendor_dir() / file_name
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit(f"npm not found: install Node.js to vendor {name}")
    spec = f"{name}@{version or default_version}"
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp,
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise SystemExit(f"npm pack {spec} failed: {out.stderr.strip()[-500:]}")
        tgz = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tgz) as tar:
            data = tar.extractfile(tar.getmember(member_path)).read()  # type: ignore[union-attr]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="fetch even if the file exists")
    ap.add_argument("packages", nargs="*", metavar="PACKAGE",
                    help=f"which ({', '.join(PACKAGES)}; default all)")
    args = ap.parse_args(argv)
    unknown = [p for p in args.packages if p not in PACKAGES]
    if unknown:
        ap.error(f"unknown package {unknown[0]!r} (choose from {', '.join(PACKAGES)})")
    for name in args.packages or list(PACKAGES):
        path = vendor_dir() / PACKAGES[name][2]
        if path.is_file() and not args.force:
            print(f"{path} (present)")
            continue
        path = vendor(name)
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
