"""What to embed per entry: one vector vs the mean of chunk vectors vs the best passage.

    .venv/bin/python benchmarks/dense_chunks.py [--split tune]

MiniLM reads 256 word pieces; an entry's title, summary, aliases, symptoms and signatures
run to 300-850. Prints the embedding's own ranking (no rules, no BM25) on the on-topic
statements of corpus/prose for each variant of advisor/semantic.py, and how many entries
the single-vector "symptoms" text truncates. Tuning is done on the `tune` half only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tokenizers import Tokenizer  # noqa: E402

from advisor import semantic  # noqa: E402
from advisor.embed import default_model_path, load_embedder  # noqa: E402
from advisor.evaluate import labelled_items  # noqa: E402
from advisor.kb import load_kb  # noqa: E402

VARIANTS = ("short", "symptoms", "chunks", "multi")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="tune")
    args = ap.parse_args()
    kb = load_kb()
    emb = load_embedder()
    items = [i for i in labelled_items(ROOT / "corpus" / "prose", args.split) if i.expected]
    queries = emb.encode([i.text for i in items])
    tok = Tokenizer.from_file(str(default_model_path() / "tokenizer.json"))
    tok.no_truncation()
    full = sorted(len(tok.encode(semantic.entry_text(e, "symptoms")).ids) for e in kb.entries.values())
    print(f"'symptoms' text: {full[0]}-{full[-1]} word pieces, median {full[len(full) // 2]}; "
          f"{sum(n > 256 for n in full)} of {len(full)} entries exceed the 256-piece window")
    print(f"{len(items)} on-topic statements, split {args.split}")
    for variant in VARIANTS:
        semantic.ENTRY_TEXT_VARIANT = variant
        index = semantic.build_index(kb, emb, path=ROOT / "build" / "bench" / f"dense-{variant}.npz")
        t1 = t3 = 0
        for item, q in zip(items, queries, strict=True):
            scores = index.scores(q)
            order = sorted(scores, key=lambda i: -scores[i])
            t1 += item.right(order[0])
            t3 += any(item.right(i) for i in order[:3])
        rows = len(index.ids)
        print(f"{variant:<10} rows {rows:4}  top-1 {t1 / len(items):.3f}  top-3 {t3 / len(items):.3f}")


if __name__ == "__main__":
    main()
