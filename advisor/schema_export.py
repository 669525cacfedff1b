"""JSON Schema files generated from the pydantic models (draft-07, for editors)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .kb import project_root
from .models import FailureMode, Postmortem

SCHEMAS: dict[str, type[BaseModel]] = {
    "failure-mode.schema.json": FailureMode,
    "postmortem.schema.json": Postmortem,
}


def _draft07(model: type[BaseModel]) -> dict[str, Any]:
    # The YAML language server only partly understands 2020-12, so emit draft-07:
    # `definitions` instead of `$defs`, refs rewritten to match.
    schema = model.model_json_schema(ref_template="#/definitions/{model}", by_alias=True)
    defs = schema.pop("$defs", None)
    out: dict[str, Any] = {"$schema": "http://json-schema.org/draft-07/schema#"}
    out.update(schema)
    if defs:
        out["definitions"] = defs
    return out


def render_schemas() -> dict[str, str]:
    return {
        name: json.dumps(_draft07(model), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        for name, model in SCHEMAS.items()
    }


def schema_dir() -> Path:
    return project_root() / "schemas"


def stale_schemas(directory: Path | None = None) -> list[str]:
    directory = directory or schema_dir()
    stale = []
    for name, text in render_schemas().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def write_schemas(directory: Path | None = None) -> list[Path]:
    directory = directory or schema_dir()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
