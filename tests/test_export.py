"""`advisor export`: the Prometheus rules file passes `promtool check rules`, its alerts
carry runbook links and fire as designed (`promtool test rules`), and the committed
.github/CODEOWNERS is exactly what the entries' owners generate."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from advisor.config import entry_url
from advisor.export import (
    GENERIC_ALERTS,
    GENERIC_GROUP,
    advisor_url,
    codeowners,
    duplicate_alert_names,
    prometheus_rules,
    rule_groups,
)

from .conftest import KB, ROOT, run_advisor


def promtool() -> str:
    """promtool from Debian's prometheus package (scripts/install-system-deps.sh installs it).

    Missing on a developer's machine: skip, saying how to get it. Missing in CI: fail.
    """
    found = shutil.which("promtool")
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail("promtool is missing in CI; scripts/install-system-deps.sh must install "
                    "Debian's prometheus package")
    pytest.skip("promtool not installed (run 'make system-deps' or apt-get install prometheus)")


def test_export_writes_rules_with_runbook_links(tmp_path: Path, kb):
    out = tmp_path / "rules.yml"
    proc = run_advisor("export", "prometheus-rules", "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    doc = yaml.safe_load(out.read_text())
    alerts = [(e.id, a) for e in kb.entries.values() for a in e.alerts]
    rules = [r for g in doc["groups"] if g["name"] != GENERIC_GROUP for r in g["rules"]]
    assert len(rules) == len(alerts) > 0
    by_name = {(r["labels"]["failure_mode"], r["alert"]): r for r in rules}
    for ident, a in alerts:
        r = by_name[(ident, a.name)]
        assert r["expr"] == a.expr.strip()
        assert r["labels"]["severity"] == a.severity
        assert r["annotations"]["runbook_url"] == entry_url(ident)
        assert r["annotations"]["runbook_url"].endswith(f"/failure-modes/{ident}/")
        assert r["annotations"]["summary"] == a.summary.strip()
        if a.for_:
            assert r["for"] == a.for_
    # generic alerts link to the advisor, not to a guessed entry
    generic = next(g for g in doc["groups"] if g["name"] == GENERIC_GROUP)["rules"]
    assert [r["alert"] for r in generic] == [a[0] for a in GENERIC_ALERTS]
    for r in generic:
        assert r["annotations"]["runbook_url"] == advisor_url()
        assert "failure_mode" not in r["labels"]
    # one group per category, named after it
    for g in doc["groups"]:
        if g["name"] == GENERIC_GROUP:
            continue
        cat = g["name"].removeprefix("go-failure-modes-")
        assert {kb.entries[r["labels"]["failure_mode"]].category.value for r in g["rules"]} == {cat}


def test_export_to_stdout_equals_the_library(kb):
    proc = run_advisor("export", "prometheus-rules")
    assert proc.returncode == 0
    assert proc.stdout.decode() == prometheus_rules(kb)


def test_export_rejects_an_unwritable_path(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = run_advisor("export", "prometheus-rules", "-o", str(blocker / "sub" / "rules.yml"))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.splitlines()[-1].startswith("advisor: ") and "cannot write" in err
    assert "Traceback" not in err


def test_promtool_check_rules(tmp_path: Path, kb):
    tool = promtool()
    out = tmp_path / "go-failure-modes.rules.yml"
    out.write_text(prometheus_rules(kb))
    proc = subprocess.run([tool, "check", "rules", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    n = sum(len(e.alerts) for e in kb.entries.values()) + len(GENERIC_ALERTS)
    assert f"SUCCESS: {n} rules found" in proc.stdout


def _alert(kb, ident: str | None, name: str) -> dict:
    """One exported rule; ident None for a generic alert."""
    for g in rule_groups(kb):
        for r in g["rules"]:
            if r["alert"] == name and r["labels"].get("failure_mode") == ident:
                return r
    pytest.fail(f"{ident or 'the generic group'} no longer defines alert {name}; update this unit test")


def test_one_definition_per_alert_name(kb):
    assert duplicate_alert_names(kb) == {}


def test_no_entry_alert_fires_on_an_exit_status_alone(kb):
    """Exit status 2 is every panic and every fatal error: only the generic alert, which
    sends people to the advisor, may fire on it."""
    for e in kb.entries.values():
        for a in e.alerts:
            assert "last_terminated_exitcode" not in a.expr, f"{e.id}: {a.name}"


def test_promtool_unit_tests_fire_the_alerts_as_designed(tmp_path: Path, kb):
    """Time series in, alerts (with labels and runbook_url) out, on the real exported file."""
    tool = promtool()
    rules = tmp_path / "rules.yml"
    rules.write_text(prometheus_rules(kb))
    fds = _alert(kb, "too-many-open-files", "GoProcessFdsNearLimit")
    leak = _alert(kb, None, "GoGoroutinesGrowing")
    fatal = _alert(kb, None, "GoProcessFatalExit")
    oom = _alert(kb, "container-oom-killed", "GoContainerOOMKilled")

    def expected(rule: dict, **labels: str) -> dict:
        return {"exp_labels": {**rule["labels"], **labels}, "exp_annotations": rule["annotations"]}

    tests = {
        "rule_files": [rules.name],
        "evaluation_interval": "1m",
        "tests": [
            {   # 95 % of the descriptor limit for 20 minutes: fires once `for` has passed
                "interval": "1m",
                "input_series": [
                    {"series": 'process_open_fds{job="api",instance="a:9090"}', "values": "950x20"},
                    {"series": 'process_max_fds{job="api",instance="a:9090"}', "values": "1000x20"},
                    {"series": 'process_open_fds{job="api",instance="b:9090"}', "values": "100x20"},
                    {"series": 'process_max_fds{job="api",instance="b:9090"}', "values": "1000x20"},
                ],
                "alert_rule_test": [
                    {"eval_time": "1m", "alertname": "GoProcessFdsNearLimit", "exp_alerts": []},
                    {"eval_time": "15m", "alertname": "GoProcessFdsNearLimit",
                     "exp_alerts": [expected(fds, job="api", instance="a:9090")]},
                ],
            },
            {   # goroutines: +60 a minute for three hours (a leak) next to a flat service
                "interval": "1m",
                "input_series": [
                    {"series": 'go_goroutines{job="api",instance="a:9090"}', "values": "1000+60x180"},
                    {"series": 'go_goroutines{job="api",instance="b:9090"}', "values": "5000x180"},
                ],
                "alert_rule_test": [
                    {"eval_time": "30m", "alertname": "GoGoroutinesGrowing", "exp_alerts": []},
                    {"eval_time": "150m", "alertname": "GoGoroutinesGrowing",
                     "exp_alerts": [expected(leak, job="api", instance="a:9090")]},
                ],
            },
            {   # a restart with exit 2 pages with the advisor link; an OOM kill (137) does
                # not, and gets its own entry's alert instead
                "interval": "1m",
                "input_series": [
                    {"series": 'kube_pod_container_status_restarts_total{namespace="n",pod="a",container="c"}',
                     "values": "0 0 1 1 1"},
                    {"series": 'kube_pod_container_status_last_terminated_exitcode{namespace="n",pod="a",container="c"}',
                     "values": "2 2 2 2 2"},
                    {"series": 'kube_pod_container_status_restarts_total{namespace="n",pod="b",container="c"}',
                     "values": "0 0 1 1 1"},
                    {"series": 'kube_pod_container_status_last_terminated_exitcode{namespace="n",pod="b",container="c"}',
                     "values": "137 137 137 137 137"},
                    {"series": 'kube_pod_container_status_last_terminated_reason{namespace="n",pod="b",container="c",reason="OOMKilled"}',
                     "values": "1 1 1 1 1"},
                ],
                "alert_rule_test": [
                    {"eval_time": "3m", "alertname": "GoProcessFatalExit",
                     "exp_alerts": [expected(fatal, namespace="n", pod="a", container="c")]},
                    {"eval_time": "3m", "alertname": "GoContainerOOMKilled",
                     "exp_alerts": [expected(oom, namespace="n", pod="b", container="c")]},
                ],
            },
        ],
    }
    test_file = tmp_path / "alerts.test.yml"
    test_file.write_text(yaml.safe_dump(tests, sort_keys=False))
    proc = subprocess.run([tool, "test", "rules", test_file.name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_committed_codeowners_is_generated(kb):
    committed = ROOT / ".github" / "CODEOWNERS"
    assert committed.is_file(), "run: advisor export codeowners -o .github/CODEOWNERS"
    assert committed.read_text() == codeowners(kb), (
        ".github/CODEOWNERS is stale; run: advisor export codeowners -o .github/CODEOWNERS")


def test_codeowners_lists_every_entry_with_its_owners(kb):
    text = codeowners(kb)
    for ident, e in kb.entries.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"/kb/failure-modes/{ident}/ "))
        for o in e.owners:
            assert o.lstrip("@") in line
    proc = run_advisor("export", "codeowners", "--kb", str(KB))
    assert proc.returncode == 0 and proc.stdout.decode() == text
