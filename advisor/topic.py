"""Is a sentence about Go at all? Another ecosystem's vocabulary against Go's.

"JavaScript heap out of memory", "java.lang.OutOfMemoryError: GC overhead limit exceeded",
"pip install fails with MemoryError", "Kernel panic - not syncing" read like our failure
modes to an embedding model and share words with the knowledge base; what gives them away
is the vocabulary of their own ecosystem. Counted on the same tokens BM25 uses
(`advisor.lexical.tokenize`), so the check costs nothing extra and runs in linear time.
"""

from __future__ import annotations

from .regex import compile_re2

# Words that name another runtime, package manager or build tool (after tokenizing:
# lower case, plural stripped). Only words that a Go failure report would not use.
FOREIGN = frozenset("""
java jvm jdk jre javac kotlin scala groovy gradle maven tomcat springboot hibernate xmx
outofmemoryerror stackoverflowerror stackoverflowexception nullpointerexception classnotfoundexception
python python3 pip pip3 pipenv conda django flask pytest memoryerror traceback setuptool
javascript typescript npm yarn nodej webpack babel angular vue v8 deno
ruby php laravel perl
dotnet csharp nuget aspnetcore
rustc cargo
xcode initramf grub
timeunit threadpoolexecutor completablefuture arraylist springframework asyncio numpy panda
jedis redisson ioredis stackexchange servicestack ehcache hazelcast infinispan sidekiq celery gunicorn uwsgi
""".split())

# Phrases that are a foreign giveaway however they are tokenized.
FOREIGN_PHRASES = ("kernel panic", "not syncing", "node.js", ".net ", "c#", "system.string", "java.lang.")

# A qualified name in another ecosystem's style: a Java package (`io.grpc.Status`,
# `org.springframework.web`, `com.example.Cache`) or a .NET namespace (`System.Net.Http`,
# `Microsoft.Extensions.Caching`). Go writes import paths with slashes and qualifies
# with one package name, so neither form occurs in Go text.
_QUALIFIED = compile_re2(r"(?:^|[\s\"'`(])(?:(?:java|javax|jakarta|kotlinx?|androidx?|scala|com|org|io)\.[a-z]\w*\.\w"
                         r"|(?:System|Microsoft)\.[A-Z][a-z]\w*)")

# Source files name their language: `ttlCache.ts`, `Main.java`, `views.py`, `server.go`.
FOREIGN_EXTENSIONS = frozenset("java kt kts scala groovy py pyc js mjs cjs jsx ts tsx rb php cs swift".split())

# Words only a Go report uses.
GO = frozenset("""
go golang goroutine gomaxproc gogc gomemlimit godebug gctrace pprof cgo gopher
chan defer recover runtime.gc sync.pool sync.mutex sync.waitgroup sync.map
time.after time.ticker time.newticker http.client context.context resp.body.close
errgroup gin krato gorm
协程
""".split())

# A Go qualified identifier: a standard package (or cgo's `C`) and an exported name, as in
# `time.After`, `http.Client`, `C.CString`. Python's `time.sleep` and `json.loads` are
# lower case; Java's `Context.getX` starts with a class name.
_GO_QUALIFIED = compile_re2(r"\b(?:http|sync|time|context|io|os|net|bufio|bytes|strings|strconv|fmt|json|sql|runtime"
                            r"|reflect|unsafe|debug|atomic|signal|exec|filepath|ioutil|tls|url|errors|errgroup|pprof"
                            r"|C)\.[A-Z]\w*")


def ecosystem_votes(text: str, tokens: list[str]) -> tuple[int, int]:
    """(Go words, foreign words) in a text: a foreign majority means another ecosystem."""
    low = text.lower()
    foreign = sum(1 for t in tokens if t in FOREIGN) + sum(low.count(p) for p in FOREIGN_PHRASES)
    foreign += len(_QUALIFIED.findall(text))
    go = sum(1 for t in tokens if t in GO) + len(_GO_QUALIFIED.findall(text))
    for t in tokens:
        if "." in t and not t.startswith("["):
            ext = t.rsplit(".", 1)[1]
            foreign += ext in FOREIGN_EXTENSIONS
            go += ext == "go"
    return go, foreign


def foreign_dominates(text: str, tokens: list[str]) -> bool:
    go, foreign = ecosystem_votes(text, tokens)
    return foreign > go


# A pasted log line, as opposed to a typed sentence: a Go `log` timestamp, a `[component]`
# prefix followed by lower-case text ("[gin] listening on :3000", unlike an issue title's
# "[Bug] Crash on ..."), or an error chain ("Get "...": x509: certificate signed by unknown authority") that is
# not part of a longer sentence.
_LOG_LINE = compile_re2(r"^\s*(?:\d{4}[/-]\d\d[/-]\d\d[ T]\d\d:\d\d:\d\d|\[[a-z][\w.-]{0,19}\] [a-z])")
_HAN = compile_re2(r"\p{Han}")


def _log_line(line: str) -> bool:
    if _LOG_LINE.search(line):
        return True
    return line.count(": ") >= 2 and ". " not in line.strip() and not _HAN.search(line)


def looks_typed(text: str) -> bool:
    """True for what an engineer types (a title, a question, a few sentences); False for
    a paste of log lines that the parser found no Go structure in. Typed text gets the
    prose policy (three labelled candidates); pasted lines keep the rule-first policy."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return False
    return 2 * sum(1 for ln in lines if _log_line(ln)) < len(lines)
