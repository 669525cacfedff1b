"""Advice that has been run: every knob demonstration and every detection command with
`run:` is executed against the entry's real reproducer and must show what the entry
says (advisor/verify.py). One test per entry, so the runs of one reproducer are shared."""

from __future__ import annotations

import pytest

from advisor.kb import load_kb
from advisor.verify import demonstrations, verify_entry

from .conftest import KB

ENTRIES = sorted(
    i for i, e in load_kb(KB).entries.items()
    if e.repro is not None and (any(d.run for d in e.detection) or any(demonstrations(e)))
)


@pytest.mark.slow
@pytest.mark.go
@pytest.mark.xdist_group("go")
@pytest.mark.parametrize("ident", ENTRIES)
def test_entry_advice_shows_what_it_says(kb, ident):
    outcomes = verify_entry(kb, ident)
    assert outcomes, f"{ident}: nothing to run"
    failed = [o.line() for o in outcomes if not o.ok]
    assert not failed, "\n".join(failed)
