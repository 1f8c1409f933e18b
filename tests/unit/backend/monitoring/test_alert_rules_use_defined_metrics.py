"""The Prometheus rules (ops/prometheus/alerts.yml) name only metrics HDEX exports: a renamed or removed metric
would otherwise leave a rule that never fires, silently."""

from __future__ import annotations

import re

import yaml
from prometheus_client.metrics import MetricWrapperBase

import backend.metrics
from backend.paths import PROJECT_ROOT

RULES = PROJECT_ROOT / "ops" / "prometheus" / "alerts.yml"
_SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created")}


def exported_names() -> set[str]:
    """Every series name backend/metrics.py's metrics expose on `GET /metrics`."""
    names: set[str] = set()
    for metric in vars(backend.metrics).values():
        if isinstance(metric, MetricWrapperBase):
            kind, name = metric._type, metric._name
            names.update([name] if kind == "gauge" else [name + suffix for suffix in _SUFFIXES[kind]])
    return names


def rule_metric_names() -> set[str]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    exprs = [rule["expr"] for group in document["groups"] for rule in group["rules"]]
    return {name for expr in exprs for name in re.findall(r"\bhdex_[a-z0-9_]+\b", expr)}


def test_every_metric_an_alert_rule_uses_is_one_backend_metrics_defines() -> None:
    used = rule_metric_names()
    assert len(used) >= 20  # the pattern finds the rules' metrics (a broken one would find none and pass)
    assert used - exported_names() == set()


def test_the_check_tells_a_defined_metric_from_an_undefined_one() -> None:
    names = exported_names()
    assert {"hdex_operator_balance_wei", "hdex_http_requests_total", "hdex_http_request_seconds_bucket"} <= names
    assert "hdex_operator_balance" not in names and "hdex_http_requests" not in names
