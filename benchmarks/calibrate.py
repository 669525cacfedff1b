"""Measure what to embed for an entry, and where the semantic thresholds belong.

    .venv/bin/python benchmarks/calibrate.py

Queries come from two places, reported separately:
- leave-one-out symptoms: each symptom sentence of each entry is a query, matched against
  entry vectors built WITHOUT that sentence (so the answer is not in the index);
- the development corpus (corpus/dev): its prose items and its negatives.
For every entry-text variant it prints top-1/top-3 of the right entry and the cosine of
the best entry on positives versus negatives, which is what SEM_ONLY_MIN and
SEM_STRUCT_MIN in advisor/policy.py are set from.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.embed import load_embedder  # noqa: E402
from advisor.evaluate import labelled_items, strip_header  # noqa: E402
from advisor.kb import load_kb  # noqa: E402
from advisor.normalise import normalise_bytes  # noqa: E402
from advisor.parse import parse  # noqa: E402
from advisor.semantic import SemanticIndex, entry_passages, query_text  # noqa: E402

VARIANTS = ("short", "symptoms", "full", "multi")


def pct(xs: list[bool]) -> str:
    return f"{100 * sum(xs) / len(xs):5.1f}%" if xs else "  n/a"


def quantiles(xs: list[float]) -> str:
    if not xs:
        return "n/a"
    xs = sorted(xs)
    q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
    return f"min {xs[0]:.2f} p10 {q(0.1):.2f} median {statistics.median(xs):.2f} p90 {q(0.9):.2f} max {xs[-1]:.2f}"


def main() -> None:
    kb = load_kb()
    emb = load_embedder()
    ids = sorted(kb.entries)
    dev = labelled_items(ROOT / "corpus" / "dev")
    dev_q = []
    for item in dev:
        norm = normalise_bytes(strip_header(item.path.read_bytes()))
        facts = parse(norm.text)
        dev_q.append((item, "free-text" in facts.kinds, query_text(norm.text, facts)))
    dev_vecs = emb.encode([q for _, _, q in dev_q])

    for variant in VARIANTS:
        passages = {i: entry_passages(kb.entries[i], variant) for i in ids}

        rows = [i for i in ids for _ in passages[i]]
        texts = [p for i in ids for p in passages[i]]
        full = SemanticIndex(rows, emb.encode(texts), emb.model_id)
        loo_top1, loo_top3, loo_best = [], [], []
        for i in ids:
            for sym in kb.entries[i].symptoms:
                q = emb.encode([sym])[0]
                if variant == "multi":
                    # drop the passage that is this symptom; the others do not contain it
                    keep = [k for k, (r, t) in enumerate(zip(rows, texts, strict=True))
                            if not (r == i and t.endswith(sym))]
                    sc = SemanticIndex([rows[k] for k in keep], full.vectors[keep], emb.model_id).scores(q)
                else:  # single vector: re-embed only the held-out entry without the sentence
                    sc = full.scores(q)
                    sc[i] = float(emb.encode([passages[i][0].replace(sym, "")])[0] @ q)
                order = sorted(sc, key=lambda k: -sc[k])
                loo_top1.append(order[0] == i)
                loo_top3.append(i in order[:3])
                loo_best.append(sc[order[0]])
        # dev corpus
        prose_top1, prose_top3, pos_best, neg_best, struct_pos = [], [], [], [], []
        for (item, free, _), qv in zip(dev_q, dev_vecs, strict=True):
            sc = full.scores(qv)
            order = sorted(sc, key=lambda k: -sc[k])
            best = sc[order[0]]
            if not item.expected:
                print(f"    negative {item.path.name}: best {order[0]} {best:.2f} ({'prose' if free else 'log'})") if variant == "multi" else None
            if not item.expected:
                neg_best.append(best)
            elif free:
                prose_top1.append(order[0] in item.expected)
                prose_top3.append(any(o in item.expected for o in order[:3]))
                pos_best.append(best)
            else:
                struct_pos.append(best)
        print(f"\n== entry text variant: {variant}")
        print(f"  symptom leave-one-out: top-1 {pct(loo_top1)}  top-3 {pct(loo_top3)}  (n={len(loo_top1)})")
        print(f"  dev prose:             top-1 {pct(prose_top1)}  top-3 {pct(prose_top3)}  (n={len(prose_top1)})")
        print(f"  best cosine, symptom queries:  {quantiles(loo_best)}")
        print(f"  best cosine, dev prose:        {quantiles(pos_best)}")
        print(f"  best cosine, dev Go output:    {quantiles(struct_pos)}")
        print(f"  best cosine, dev negatives:    {quantiles(neg_best)}")


if __name__ == "__main__":
    main()
