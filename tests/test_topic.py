"""The ecosystem vote of advisor/topic.py: words and qualified names that say which
runtime a typed text is about."""

from __future__ import annotations

import pytest

from advisor.lexical import tokenize
from advisor.topic import ecosystem_votes


def votes(text: str) -> tuple[int, int]:
    return ecosystem_votes(text, tokenize(text))


@pytest.mark.parametrize("text", [
    "io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED after 30 seconds",
    "the stack trace ends in org.apache.http.impl.conn.PoolingHttpClientConnectionManager",
    "System.Net.Http.HttpRequestException when the pool is exhausted",
    "Microsoft.Extensions.Caching.Memory keeps every entry",
    "timeouts from the Jedis pool under load",
])
def test_another_ecosystems_names_outvote_go(text):
    go, foreign = votes(text)
    assert foreign > go


@pytest.mark.parametrize("text", [
    "time.NewTicker in a loop is never stopped",
    "every C.CString we pass to the library leaks",
    "s.mu.Lock() is held while calling out; see github.com/org/repo/pkg and go.uber.org/zap",
    "the service sets net.ipv4.ip_local_port_range and still runs out of ports",
])
def test_go_names_are_not_foreign(text):
    go, foreign = votes(text)
    assert foreign == 0


def test_go_qualified_identifiers_count_as_go_and_pythons_do_not():
    assert votes("resp.Body is never closed after http.Get")[0] >= 1
    assert votes("time.sleep(3) then json.loads the body")[0] == 0


def test_every_listed_word_is_spelled_as_the_tokenizer_emits_it():
    """The lists are compared with tokens (lower case, plural stripped): a word spelled
    otherwise ("gomaxprocs" for the token "gomaxproc") would never be counted."""
    from advisor.topic import FOREIGN, GO

    assert [w for w in sorted(GO | FOREIGN) if tokenize(w) != [w] and w not in tokenize(w)] == []
