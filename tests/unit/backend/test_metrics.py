"""What a process that just started exports before anything happened in it: what Prometheus scrapes from a fresh
`hdex worker` or API process must not page anyone, and must let the rules see the first event."""

from __future__ import annotations

import math
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

from backend.paths import PROJECT_ROOT

_FRESH_SCRAPE = "import backend.metrics, prometheus_client; print(prometheus_client.generate_latest().decode())"


def fresh_samples() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The samples a new process's metrics say, before any /health, engine stop or sync (its own interpreter: this
    one's metrics were set by other tests)."""
    text = subprocess.run(
        [sys.executable, "-c", _FRESH_SCRAPE], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_process_that_never_checked_the_database_does_not_say_it_is_down() -> None:
    # a worker serves no /health: a 0 here pages HdexDatabaseDown (critical) for every worker, forever
    value = fresh_samples()[("hdex_database_up", ())]
    assert math.isnan(value)


def test_a_process_exports_each_engine_stop_reason_and_sync_failure_kind_at_0_before_the_first() -> None:
    # a series born at 1 has no increase(): the first stop would not fire HdexEngineHostStopped
    samples = fresh_samples()
    for reason in ("storage", "lease_lost"):
        assert samples[("hdex_engine_host_stops_total", (("reason", reason),))] == 0
    for kind in ("database", "unexpected"):
        assert samples[("hdex_engine_sync_failures_total", (("kind", kind),))] == 0
