"""The site's Accuracy page, rendered at build time from the committed eval results.

The numbers come from `corpus/eval-results.json`, written on purpose by
`advisor eval corpus/dev corpus/prose --split test --write corpus/eval-results.json`
(never at build time: a site build must not run the model over hundreds of items). This
module only turns that JSON into Markdown; mkdocs_hooks.py registers the page.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

RESULTS = Path("corpus") / "eval-results.json"
PAGE = "accuracy.md"
SYSTEM_NAMES = {
    "advisor": "advisor",
    "minilm-one-line": "baseline: MiniLM cosine, one line per entry",
    "bm25": "baseline: BM25 alone",
}
GROUP_NOTES = {
    "samples": "every entry's own real output (the KB's regression set: each must rank its entry first)",
    "near-misses": "look-alike output that must *not* rank the entry it resembles first",
    "dev": "real Go output from public issues, kept apart from the samples (`corpus/dev`)",
    "prose": "problem statements as people type them, held-out half (`corpus/prose`)",
}


def load(project_dir: Path) -> dict | None:
    try:
        return json.loads((project_dir / RESULTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _cell(text: str) -> str:
    return html.escape(str(text)).replace("|", "&#124;")


def _group_table(systems: dict) -> list[str]:
    rows = ["| system | items | right first | right in top 3 | off-topic turned away | look-alikes kept out |",
            "|---|---:|---:|---:|---:|---:|"]
    for name in sorted(systems, key=lambda n: list(SYSTEM_NAMES).index(n) if n in SYSTEM_NAMES else 99):
        m = systems[name]
        label = SYSTEM_NAMES.get(name, name)
        label = f"**{label}**" if name == "advisor" else _cell(label)
        rows.append(f"| {label} | {m['items']} | {_pct(m['top1'])} | {_pct(m['top3'])} | "
                    f"{_pct(m['turned_away'])} | {_pct(m['near_miss_ok'])} |")
    return rows


def _label_table(results: dict) -> list[str]:
    rows = ["| inputs | `high` right | `medium` right | `low` right |", "|---|---:|---:|---:|"]
    for group, systems in results["groups"].items():
        labels = systems.get("advisor", {}).get("labels")
        if not labels or group == "near-misses":
            continue
        cells = [f"{_pct(v['precision'])} of {v['shown']}" if v["shown"] else "–"
                 for v in (labels[k] for k in ("high", "medium", "low"))]
        rows.append(f"| {_cell(group)} | " + " | ".join(cells) + " |")
    return rows


def render(results: dict | None) -> str:
    """Markdown for the Accuracy page (a short notice when no results are committed)."""
    out = ["# Accuracy", ""]
    if not results:
        out += ["No evaluation results are committed yet. Run "
                "`advisor eval corpus/dev corpus/prose --split test --write corpus/eval-results.json`.", ""]
        return "\n".join(out)
    out += [
        "How often the advisor names the right failure mode, measured on real inputs it was not "
        "tuned on, each number beside two naive baselines run on the same items, so it says what "
        "the design adds. Measured "
        f"{_cell(results.get('generated', '?'))} on knowledge base `{_cell(results.get('kb_digest', '?'))}` "
        f"({_cell(results.get('mode', 'hybrid'))} mode).",
        "",
        "- **right first / in top 3**: the right entry is the first answer / among the first three.",
        "- **off-topic turned away**: for text that is not about a Go failure (another "
        "language's error, CI chatter), the advisor abstained; for typed prose, offering only "
        "`low` leads also counts.",
        "- Prose is scored on the held-out half of the statements; thresholds and weights were "
        "set on the other half.",
        "",
    ]
    for group, systems in results["groups"].items():
        out += [f"## {_cell(group)}", ""]
        base = group.split(" (")[0]
        if base in GROUP_NOTES:
            note = GROUP_NOTES[base] + (" — Chinese statements only" if group.endswith("(zh)") else "")
            out += [note[0].upper() + note[1:] + ".", ""]
        out += _group_table(systems) + [""]
    out += [
        "## What the confidence labels promise",
        "",
        "Every candidate the advisor showed, counted by its label: how often it was the right entry. "
        "`high` should be right practically always; `medium` usually; `low` is a lead worth reading "
        "(for prose three candidates are always offered, so most `low` ones are the runners-up).",
        "",
        *_label_table(results),
        "",
        "Reproduce: `advisor eval corpus/dev corpus/prose --split test` (add `--misses` to list every miss).",
        "",
    ]
    return "\n".join(out)
