"""schemas/*.json are generated from the models and must never drift from them."""

from __future__ import annotations

import json

from advisor.schema_export import render_schemas, stale_schemas

from .conftest import KB, ROOT, run_advisor


def test_committed_schemas_are_fresh():
    assert stale_schemas() == [], "run 'advisor schema --write' and commit schemas/"


def test_schema_check_command_detects_staleness(tmp_path, monkeypatch):
    proc = run_advisor("schema", "--check")
    assert proc.returncode == 0


def test_schemas_are_draft07_and_forbid_unknown_keys():
    for name, text in render_schemas().items():
        schema = json.loads(text)
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        assert "$defs" not in text
        assert schema["additionalProperties"] is False, name


def test_every_kb_file_has_the_modeline_pointing_at_an_existing_schema():
    files = list(KB.glob("failure-modes/*/entry.yaml")) + list(KB.glob("postmortems/*.yaml"))
    assert files
    for f in files:
        first = f.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first.startswith("# yaml-language-server: $schema="), f
        target = (f.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file() and target.parent == ROOT / "schemas", f
