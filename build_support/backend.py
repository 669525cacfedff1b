"""PEP 517 backend: setuptools, plus the package data a working install needs.

The knowledge base stays at the top of the repository (kb/, where contributors edit it);
a wheel carries it, and what the advisor needs to run offline, under `advisor/_bundle/`:

    advisor/_bundle/kb/...           every file of kb/ (entries, samples, reproducers, postmortems)
    advisor/_bundle/mkdocs.yml       the site's configuration (its site_url makes the runbook links)
    advisor/_bundle/docs, site-overrides   the site's pages and theme, for `advisor site`
    advisor/_bundle/model/...        float16 all-MiniLM-L6-v2 (build_support/model_weights.py)
    advisor/_bundle/cache/...        the shipped KB's match view, embedding and BM25 indexes, prebuilt

so an installed advisor never writes next to itself (its cache is the user's cache folder)
and answers its first query as fast as its hundredth. Editable installs (`make setup`) read
kb/ from the checkout and the model from build/model/ (`make setup` derives it).

The extra build requirements (numpy, safetensors for the weights and the index;
pydantic, yaml-rs, PyYAML, google-re2 to load the KB; pip to fetch the weights' wheel without
its torch dependency) are asked for only by wheel builds.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  (re-exported hooks)
    build_sdist,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUNDLE = "advisor/_bundle"
_MODEL_REQUIRES = ["pip>=23", "numpy>=1.26", "safetensors>=0.4"]
_INDEX_REQUIRES = ["pydantic>=2.7,<3", "yaml-rs>=0.1.6", "PyYAML>=6.0",
                   "google-re2>=1.1", "platformdirs>=3"]
_SKIP_PARTS = {"__pycache__", ".DS_Store"}


def get_requires_for_build_wheel(config_settings=None):
    return (_setuptools.get_requires_for_build_wheel(config_settings)
            + _MODEL_REQUIRES + _INDEX_REQUIRES)


def get_requires_for_build_editable(config_settings=None):
    # Nothing extra: an editable install reads kb/ in place, and `make` derives build/model
    # with the environment's own numpy once the dependencies are in (a build environment
    # with numpy would cost a fresh machine ~10 s more).
    return _setuptools.get_requires_for_build_editable(config_settings)


def _derive_model(dest: Path) -> Path:
    sys.path.insert(0, str(HERE))
    try:
        from model_weights import derive
    finally:
        sys.path.remove(str(HERE))
    return derive(dest, ROOT / "build" / "model-src")


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
    model = _derive_model(ROOT / "build" / "model")
    with tempfile.TemporaryDirectory() as tmp:
        caches = _prebuild_caches(model, Path(tmp))
        files = list(_tree_files(ROOT / "kb", f"{BUNDLE}/kb"))
        files.append((ROOT / "mkdocs.yml", f"{BUNDLE}/mkdocs.yml"))
        # the site's pages and theme overrides, for `advisor site` in a team's repository
        files += _tree_files(ROOT / "docs", f"{BUNDLE}/docs")
        files += _tree_files(ROOT / "site-overrides", f"{BUNDLE}/site-overrides")
        files += _tree_files(model, f"{BUNDLE}/model")
        files += [(p, f"{BUNDLE}/cache/{p.name}") for p in caches]
        _append_to_wheel(Path(wheel_directory) / name, files)
    return name


def _tree_files(folder: Path, prefix: str):
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") or p in _SKIP_PARTS for p in rel.parts):
            yield path, f"{prefix}/{rel.as_posix()}"


def _prebuild_caches(model: Path, out: Path) -> list[Path]:
    """The shipped KB's match view and embedding index, made by the advisor's own code from
    this source tree (so they are keyed exactly as the installed advisor will look them up)."""
    os.environ["ADVISOR_CACHE"] = str(out)
    sys.path.insert(0, str(ROOT))
    try:
        from advisor import lexical, semantic
        from advisor.embed import PACKAGED_MODEL_NAME, NumpyMiniLM
        from advisor.kb import load_view

        view = load_view(ROOT / "kb")
        embedder = NumpyMiniLM(model, name=PACKAGED_MODEL_NAME)  # also caches the tokenizer
        # every index a query may read: Go output (the default variant) and typed prose
        for variant in dict.fromkeys([semantic.ENTRY_TEXT_VARIANT, semantic.PROSE_TEXT_VARIANT]):
            semantic.load_index(view, embedder, rebuild=True, variant=variant)
        lexical.load_index(view)
    finally:
        sys.path.remove(str(ROOT))
        del os.environ["ADVISOR_CACHE"]
    # the full pydantic KB pickle is left out: it is tied to the pydantic version installed
    return sorted(p for p in out.iterdir() if p.name.startswith(("view-", "index-", "lexical-", "tokenizer-")))


def _record_line(arcname: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [arcname, f"sha256={digest}", str(len(data))]


def _append_to_wheel(wheel: Path, files: list[tuple[Path, str]]) -> None:
    """Add files to a built wheel and rewrite its RECORD (the wheel spec's hash list)."""
    tmp = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        record_name = next(n for n in src.namelist() if n.endswith(".dist-info/RECORD"))
        rows = [r for r in csv.reader(io.StringIO(src.read(record_name).decode())) if r and r[0] != record_name]
        for item in src.infolist():
            if item.filename != record_name:
                dst.writestr(item, src.read(item.filename))
        for path, arcname in files:
            data = path.read_bytes()
            info = zipfile.ZipInfo(arcname, date_time=(2020, 2, 2, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
            rows.append(_record_line(arcname, data))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows(rows)
        writer.writerow([record_name, "", ""])
        dst.writestr(record_name, out.getvalue())
    tmp.replace(wheel)
