"""The knowledge base covers the taxonomy (ids are a contract) to the agreed bar."""

from __future__ import annotations

from urllib.parse import urlparse

from advisor.kb import load_kb

from .conftest import KB

# ../shared/taxonomy.md: permanent ids; runbook links and alerts point at them.
TAXONOMY = {
    "crash": ["nil-pointer-dereference", "index-out-of-range", "closed-channel-misuse", "concurrent-map-writes",
              "integer-divide-by-zero", "failed-type-assertion", "nil-map-assignment", "unrecovered-goroutine-panic",
              "all-goroutines-asleep-deadlock", "stack-overflow-infinite-recursion", "cgo-segfault",
              "unsafe-pointer-misuse", "data-race", "sync-primitive-misuse", "runtime-out-of-memory",
              "container-oom-killed", "thread-exhaustion"],
    "goroutine-leak": ["goroutine-leak-channel-block", "goroutine-leak-context-not-propagated",
                       "timer-ticker-not-stopped", "handler-goroutine-detached-from-request",
                       "goroutine-closure-capture", "goroutine-leak-lock-wait", "unclosed-http-response-body"],
    "memory": ["sync-pool-misuse", "unbounded-map-or-slice-growth", "cgo-c-heap-leak", "subslice-memory-retention",
               "gc-thrashing-near-memory-limit"],
    "runtime": ["frequent-stop-the-world-diagnostics", "sigquit-goroutine-dump", "blocking-syscall-starvation",
                "explicit-runtime-gc-calls"],
    "network": ["http-client-no-timeout", "connection-pool-exhaustion", "too-many-open-files",
                "dns-resolution-failure", "tls-handshake-timeout", "context-deadline-cascade"],
}
# taxonomy ids that the seed article covers: their entries carry its Chinese terms
NEW_IN_TAXONOMY = {"nil-map-assignment", "all-goroutines-asleep-deadlock", "stack-overflow-infinite-recursion",
                   "sync-primitive-misuse", "goroutine-leak-lock-wait", "unclosed-http-response-body",
                   "subslice-memory-retention", "gc-thrashing-near-memory-limit"}
PRIMARY_HOSTS = {"go.dev", "pkg.go.dev", "golang.org", "tip.golang.org", "kubernetes.io", "docs.kernel.org",
                 "man7.org", "www.kernel.org"}


def test_every_taxonomy_id_exists_in_its_category():
    kb = load_kb(KB)
    for category, ids in TAXONOMY.items():
        for ident in ids:
            assert ident in kb.entries, f"missing taxonomy entry {ident}"
            assert kb.entries[ident].category.value == category, ident


def test_every_taxonomy_id_is_published_and_permanent():
    published = {ln.split("#")[0].strip() for ln in (KB / "published-ids.txt").read_text().splitlines()}
    for ids in TAXONOMY.values():
        assert set(ids) <= published


def test_entries_carry_a_reproducer_chinese_aliases_and_primary_references():
    kb = load_kb(KB)
    for ident, e in kb.entries.items():
        assert e.repro is not None, f"{ident}: no reproducer"
        if ident not in NEW_IN_TAXONOMY:
            assert any("\u4e00" <= ch <= "\u9fff" for a in e.aliases for ch in a), f"{ident}: no Chinese alias"
        for ref in e.references:
            host = urlparse(ref.url).netloc
            ok = host in PRIMARY_HOSTS or ref.url.startswith("https://github.com/golang/")
            assert ok, f"{ident}: reference {ref.url} is not a primary source"
