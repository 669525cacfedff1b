"""A team's knowledge base beside the shipped one: validated, matched, listed and built together.

The fixture tests/fixtures/acme-runbooks/kb is laid out as a team repository's kb/ (see
docs/team-knowledge-base.md): two entries of its own and one that replaces the shipped
`too-many-open-files` on purpose (`overrides:`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import Advisor
from advisor.errors import KnowledgeBaseError
from advisor.kb import load_kb, resolve_kb_roots, shipped_kb_root

from .conftest import FIXTURES, KB, run_advisor

TEAM = FIXTURES / "acme-runbooks" / "kb"
BOTH = os.pathsep.join(["@shipped", str(TEAM)])
EMFILE = b"http: Accept error: accept tcp [::]:8080: accept4: too many open files; retrying in 5ms\n"
# PostgreSQL's refusal as lib/pq prints it (server message of SQLSTATE 53300, postmaster.c)
PG = b"pq: FATAL: sorry, too many clients already (SQLSTATE 53300)\n"


def _team_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "acme" / "kb"
    shutil.copytree(TEAM, dest)
    return dest


def test_kb_paths_resolve_in_order_with_the_shipped_kb_by_name(monkeypatch):
    monkeypatch.setenv("ADVISOR_KB", BOTH)
    assert resolve_kb_roots() == [shipped_kb_root().resolve(), TEAM.resolve()]
    assert resolve_kb_roots([TEAM, "@shipped"]) == [TEAM.resolve(), KB.resolve()]
    monkeypatch.delenv("ADVISOR_KB")
    assert resolve_kb_roots() == [KB.resolve()]


def test_two_kbs_validate_together_from_env_and_repeated_option():
    proc = run_advisor("validate", env={"ADVISOR_KB": BOTH})
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    proc = run_advisor("validate", "--kb", "@shipped", "--kb", str(TEAM))
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()


def test_a_colliding_id_without_overrides_is_reported_at_both_positions(tmp_path):
    team = _team_copy(tmp_path)
    entry = team / "failure-modes" / "too-many-open-files" / "entry.yaml"
    entry.write_text(re.sub(r"(?m)^overrides: .*\n", "", entry.read_text()))
    proc = run_advisor("validate", "--kb", "@shipped", "--kb", str(team), cwd=tmp_path)
    assert proc.returncode == 1
    out = proc.stdout.decode().strip().splitlines()
    assert len(out) == 1, out
    # reported where the second one is, naming where the first one is; with several KBs,
    # paths are shown relative to the deepest folder they share (absolute when that is "/")
    base = Path(os.path.commonpath([str(KB.resolve().parent), str(team.resolve().parent)]))

    def shown(path: Path) -> str:
        return str(path if base == Path("/") else path.resolve().relative_to(base))

    assert out[0].startswith(f"{shown(entry)}:2:5: id 'too-many-open-files' is already used by "
                             f"{shown(KB / 'failure-modes/too-many-open-files/entry.yaml')}:2:5; ")
    assert "add 'overrides: too-many-open-files'" in out[0]
    with pytest.raises(KnowledgeBaseError):
        load_kb(["@shipped", team], use_cache=False)


def test_overrides_must_name_an_earlier_kb(tmp_path):
    team = _team_copy(tmp_path)
    proc = run_advisor("validate", "--kb", str(team), "--kb", "@shipped", cwd=tmp_path)
    assert proc.returncode == 1
    text = proc.stdout.decode()
    assert "field 'overrides': 'too-many-open-files' is an entry of no knowledge base listed before" in text
    # and on its own the team KB cannot override anything
    entry = team / "failure-modes" / "postgres-too-many-clients" / "entry.yaml"
    entry.write_text(entry.read_text() + "overrides: grpc-message-too-large\n")
    proc = run_advisor("validate", "--kb", "@shipped", "--kb", str(team), cwd=tmp_path)
    assert proc.returncode == 1
    assert "'grpc-message-too-large' is an entry of its own knowledge base" in proc.stdout.decode()


def test_matches_come_from_both_kbs_and_say_which():
    adv = Advisor.load(kb=["@shipped", TEAM], mode="rules")
    over = adv.match(EMFILE).matches[0]
    assert (over.id, over.kb) == ("too-many-open-files", "acme-runbooks")
    assert over.title.startswith("Too many open files (Acme:")
    pg = adv.match(PG).matches[0]
    assert (pg.id, pg.kb) == ("postgres-too-many-clients", "acme-runbooks")
    shipped = adv.match(b"fatal error: concurrent map writes\n").as_dict()["matches"][0]
    assert (shipped["id"], shipped["kb"]) == ("concurrent-map-writes", "shipped")
    # the CLI prints the same object
    proc = run_advisor("match", "--json", "--mode", "rules", "-", input=EMFILE, env={"ADVISOR_KB": BOTH})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["matches"][0] == over.as_dict()


def test_without_the_team_kb_the_shipped_entry_answers():
    m = Advisor.load(mode="rules").match(EMFILE).matches[0]
    assert (m.id, m.kb) == ("too-many-open-files", "shipped")
    assert not m.title.startswith("Too many open files (Acme:")


def test_list_and_show_name_the_kb():
    proc = run_advisor("list", "--category", "network", env={"ADVISOR_KB": BOTH, "COLUMNS": "250"})
    assert proc.returncode == 0
    rows = {line.split()[0]: line.split()[-1] for line in proc.stdout.decode().splitlines()[1:]}
    assert rows["postgres-too-many-clients"] == rows["too-many-open-files"] == "acme-runbooks"
    assert rows["dns-resolution-failure"] == "shipped"
    proc = run_advisor("show", "grpc-message-too-large", env={"ADVISOR_KB": BOTH, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "from the acme-runbooks knowledge base" in proc.stdout.decode()


def test_an_override_under_a_new_id_keeps_the_old_id_as_a_redirect(tmp_path):
    team = _team_copy(tmp_path)
    old = team / "failure-modes" / "too-many-open-files"
    new = team / "failure-modes" / "acme-fd-exhaustion"
    old.rename(new)
    entry = new / "entry.yaml"
    entry.write_text(entry.read_text().replace("id: too-many-open-files", "id: acme-fd-exhaustion"))
    kb = load_kb(["@shipped", team], use_cache=False)
    assert "too-many-open-files" not in kb.entries
    assert kb.get("too-many-open-files").id == "acme-fd-exhaustion"
    assert kb.former["too-many-open-files"] == "acme-fd-exhaustion"


@pytest.mark.slow
@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_a_team_repository_builds_one_site_of_both_kbs(tmp_path):
    # The documented layout: the team's repository holds its kb/ and a mkdocs.yml of its own
    # settings; `advisor site build` there builds the shipped and the team's entries together.
    repo = tmp_path / "acme-runbooks"
    shutil.copytree(TEAM, repo / "kb")
    (repo / "mkdocs.yml").write_text("site_name: Acme runbooks\nsite_url: https://runbooks.acme.example/\n")
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_KB"}
    env.update(NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    proc = subprocess.run([sys.executable, "-m", "advisor", "site", "build"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    dest = repo / "site" / "failure-modes"
    page = (dest / "too-many-open-files" / "index.html").read_text()
    assert "Acme: raise LimitNOFILE" in page
    assert "From the acme-runbooks knowledge base" in page
    assert "replaces the entry <code>too-many-open-files</code>" in page
    assert '<link rel="canonical" href="https://runbooks.acme.example/failure-modes/too-many-open-files/">' in page
    team_page = (dest / "postgres-too-many-clients" / "index.html").read_text()
    assert "From the acme-runbooks knowledge base" in team_page and "- Acme runbooks</title>" in team_page
    shipped = (dest / "concurrent-map-writes" / "index.html").read_text()
    assert "From the shipped knowledge base" in shipped
