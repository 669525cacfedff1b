"""Regenerate profile_pb2.py from profile.proto with protoc from grpcio-tools (a dev extra).

    python -m advisor.pprof.generate          # rewrite profile_pb2.py
    python -m advisor.pprof.generate --check  # exit 1 if the committed module is stale

protoc comes from the PyPI package grpcio-tools, pinned in pyproject.toml, so every
contributor and CI generate byte-identical code without a system protoc. The generated
module needs the `protobuf` runtime at least as new as the protoc that wrote it (it checks
this itself at import), which is why the runtime dependency's floor follows the pin.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO = HERE / "profile.proto"
MODULE = HERE / "profile_pb2.py"


def generate() -> str:
    """The module text protoc writes for profile.proto today."""
    try:
        from grpc_tools import protoc
    except ImportError:
        raise SystemExit("grpcio-tools is not installed: pip install -e '.[dev]'") from None
    with tempfile.TemporaryDirectory() as out:
        rc = protoc.main(["protoc", f"-I{HERE}", f"--python_out={out}", str(PROTO)])
        if rc != 0:
            raise SystemExit(f"protoc failed with status {rc}")
        return (Path(out) / "profile_pb2.py").read_text(encoding="utf-8")


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        if MODULE.read_text(encoding="utf-8") != text:
            print(f"{MODULE}: stale; run: python -m advisor.pprof.generate", file=sys.stderr)
            return 1
        return 0
    MODULE.write_text(text, encoding="utf-8")
    print(f"wrote {MODULE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
