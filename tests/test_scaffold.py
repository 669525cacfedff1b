"""`advisor new`: the scaffold refuses bad or taken ids, and every unfilled field is reported
by `advisor validate` at its own file:line:col; the Go stubs compile and are gofmt-clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from advisor.errors import UsageError
from advisor.scaffold import render_entry, scaffold

from .conftest import KB, run_advisor

REQUIRED_UNFILLED = {
    "title", "severity", "summary", "go_versions.since", "signatures", "now", "impact",
    "symptoms", "detection", "mechanism", "causes", "fixes", "repro.shows",
    "repro.expect_output", "match.rules", "references", "owners",
}


@pytest.fixture
def empty_kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "failure-modes").mkdir(parents=True)
    return root


def test_new_creates_the_folder(empty_kb: Path):
    proc = run_advisor("new", "widget-leak", "--category", "goroutine-leak", "--kb", str(empty_kb))
    assert proc.returncode == 0, proc.stderr.decode()
    folder = empty_kb / "failure-modes" / "widget-leak"
    for rel in ("entry.yaml", "repro/main.go", "fixed/main.go", "samples/README.md"):
        assert (folder / rel).is_file(), rel
    text = (folder / "entry.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert "id: widget-leak\n" in text and "category: goroutine-leak\n" in text
    assert "does NOT validate yet" in text
    assert "# source: <URL or command>" in (folder / "samples" / "README.md").read_text()
    assert "created" in proc.stderr.decode() and "advisor validate" in proc.stderr.decode()


def test_validate_reports_every_unfilled_field_with_its_position(empty_kb: Path):
    assert run_advisor("new", "widget-leak", "-c", "memory", "--kb", str(empty_kb)).returncode == 0
    entry = empty_kb / "failure-modes" / "widget-leak" / "entry.yaml"
    lines = entry.read_text().splitlines()
    proc = run_advisor("validate", "--kb", str(empty_kb))
    assert proc.returncode == 1
    out = proc.stdout.decode().splitlines()
    assert "Traceback" not in proc.stderr.decode()
    reported = set()
    for line in out:
        m = re.match(r"^(kb/failure-modes/widget-leak/entry\.yaml):(\d+):(\d+): field '([\w.\[\]]+)'", line)
        assert m, line
        field, lineno, col = m.group(4), int(m.group(2)), int(m.group(3))
        # the position points at the unfilled value of that very key
        key = field.rsplit(".", 1)[-1]
        assert re.match(rf"^\s*{re.escape(key)}:", lines[lineno - 1]), (line, lines[lineno - 1])
        assert col > len(key)
        reported.add(field)
    assert reported == REQUIRED_UNFILLED


def test_owner_option_fills_owners(empty_kb: Path):
    proc = run_advisor("new", "widget-leak", "-c", "crash", "--owner", "@team-a", "--owner", "bob",
                       "--kb", str(empty_kb))
    assert proc.returncode == 0
    assert 'owners: ["@team-a", "bob"]' in (empty_kb / "failure-modes/widget-leak/entry.yaml").read_text()
    out = run_advisor("validate", "--kb", str(empty_kb)).stdout.decode()
    assert "'owners'" not in out


@pytest.mark.parametrize("bad", ["Nil-Map", "nil_map", "-nil", "nil--map", "nil-", "ünïcode", "a" * 81, ""])
def test_new_refuses_ids_outside_the_pattern(empty_kb: Path, bad: str):
    proc = run_advisor("new", "-c", "crash", "--kb", str(empty_kb), "--", bad)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.startswith("advisor: ") and err.count("\n") == 1, err
    assert not any((empty_kb / "failure-modes").iterdir())


def test_new_refuses_an_existing_id_in_the_real_kb():
    before = sorted(p.name for p in (KB / "failure-modes").iterdir())
    proc = run_advisor("new", "concurrent-map-writes", "-c", "crash")
    assert proc.returncode == 2
    assert "already used" in proc.stderr.decode()
    assert sorted(p.name for p in (KB / "failure-modes").iterdir()) == before


def test_new_refuses_a_former_id(empty_kb: Path):
    d = empty_kb / "failure-modes" / "renamed-entry"
    d.mkdir()
    (d / "entry.yaml").write_text("id: renamed-entry\nformer_ids: [old-name]\n")
    with pytest.raises(UsageError, match="already used.*former_ids"):
        scaffold(empty_kb, "old-name", "crash")


def test_new_refuses_unknown_category_and_missing_kb(tmp_path: Path, empty_kb: Path):
    proc = run_advisor("new", "fine-id", "-c", "explosions", "--kb", str(empty_kb))
    assert proc.returncode == 2 and "unknown category" in proc.stderr.decode()
    proc = run_advisor("new", "fine-id", "-c", "crash", "--kb", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "no knowledge base" in proc.stderr.decode()


def test_modeline_points_at_the_schema_from_the_bundled_kb():
    text = render_entry("x-y", "crash", [], KB / "failure-modes" / "x-y")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../../schemas/failure-mode.schema.json"


@pytest.mark.slow
@pytest.mark.go
@pytest.mark.xdist_group("go")
def test_go_stubs_build_and_are_gofmt_clean(empty_kb: Path, tmp_path: Path):
    from advisor.repro import find_go, go_env

    made = scaffold(empty_kb, "widget-leak", "crash")
    go = str(find_go())
    env = go_env()
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, env=env).stdout.strip()
    gofmt = Path(goroot) / "bin" / "gofmt"
    for variant in ("repro", "fixed"):
        work = tmp_path / variant
        shutil.copytree(made.folder / variant, work)
        (work / "go.mod").write_text("module stub\n\ngo 1.21\n")
        proc = subprocess.run([go, "build", "-o", str(work / "prog"), "."], cwd=work,
                              capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        run = subprocess.run([str(work / "prog")], capture_output=True, text=True, timeout=30)
        assert run.returncode == 0 and "stub" in run.stdout
        fmt = subprocess.run([str(gofmt), "-l", str(work / "main.go")], capture_output=True, text=True)
        assert fmt.returncode == 0 and fmt.stdout == "", fmt.stdout + fmt.stderr


# ------------------------------------------------------------------ the pull-request workflow files


def _yaml(path: Path):
    import yaml

    return yaml.safe_load(path.read_text())


def test_published_pre_commit_hook_runs_advisor_validate():
    from .conftest import ROOT

    hooks = _yaml(ROOT / ".pre-commit-hooks.yaml")
    hook = next(h for h in hooks if h["id"] == "advisor-validate")
    assert hook["entry"] == "advisor validate"
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
    assert hook["language"] == "python"
    # what the hook runs from a repository root, with its default args
    proc = run_advisor("validate", *hook["args"], cwd=ROOT)
    assert proc.returncode == 0, proc.stdout.decode()[-2000:]


def test_repo_pre_commit_config_hooks_exist():
    from .conftest import ROOT

    config = _yaml(ROOT / ".pre-commit-config.yaml")
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"advisor-validate", "schema-fresh", "codeowners-fresh", "gofmt", "ruff"} <= set(hooks)
    assert hooks["advisor-validate"]["pass_filenames"] is False
    assert "gofmt" in hooks["gofmt"]["entry"] and ".venv/bin/go env GOROOT" in hooks["gofmt"]["entry"]
    for h in hooks.values():
        exe = h["entry"].split()[0]
        if exe.startswith(".venv/"):
            assert (ROOT / exe).exists(), exe
    # the advisor subcommands the hooks call exist and accept their options
    for args in (("schema", "--help"), ("export", "codeowners", "--help"), ("validate", "--help")):
        assert run_advisor(*args).returncode == 0, args


def test_pre_commit_files_pass_pre_commit_own_validation():
    from .conftest import ROOT

    try:
        import pre_commit  # noqa: F401  (a dev dependency)
    except ImportError:
        pytest.skip("pre-commit is not installed in this environment")
    import sys

    for cmd, f in (("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml")):
        proc = subprocess.run([sys.executable, "-m", "pre_commit", cmd, f], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_validate_test_build_and_deploy():
    from .conftest import ROOT

    pr = _yaml(ROOT / ".github" / "workflows" / "pr.yml")
    assert "pull_request" in pr[True]  # YAML 1.1 reads the key `on` as true
    runs = "\n".join(s.get("run", "") for job in pr["jobs"].values() for s in job["steps"])
    assert "make test" in runs and "mkdocs build --strict" in runs and "advisor validate" in runs
    pages = _yaml(ROOT / ".github" / "workflows" / "pages.yml")
    assert pages[True]["push"]["branches"] == ["main"]
    assert pages["permissions"]["pages"] == "write" and pages["permissions"]["id-token"] == "write"
    steps = [s for job in pages["jobs"].values() for s in job["steps"]]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    build = "\n".join(s.get("run", "") for s in steps)
    assert "mkdocs build --strict" in build
    artifact = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert f"--site-dir {artifact['with']['path']}" in build


def test_pr_template_and_contributing_guide():
    from .conftest import ROOT

    template = (ROOT / ".github" / "pull_request_template.md").read_text()
    assert template.count("- [ ]") >= 8 and "# source:" in template
    guide = (ROOT / "CONTRIBUTING.md").read_text()
    for must in ("advisor new", "# source:", "advisor review", "advisor eval", "decisive", "pre-commit"):
        assert must in guide, must
    # every advisor command the guide shows (in code) exists
    commands = set(re.findall(r"(?:\.venv/bin/|`)advisor ([a-z][a-z-]+)", guide))
    assert {"new", "review", "eval", "match", "export", "serve"} <= commands
    help_text = run_advisor("--help").stdout.decode()
    listed = set(re.findall(r"^│ ([a-z][a-z-]+)\s", help_text, re.M))
    assert commands <= listed, commands - listed
