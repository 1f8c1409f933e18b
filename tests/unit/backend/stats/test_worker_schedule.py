"""The Celery beat schedule runs the statistics rollup every HDEX_STATS_INTERVAL_S, on the jobs queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.entrypoints.worker import JOBS_QUEUE, make_celery
from backend.settings import SettingsError, load_settings


def test_the_rollup_is_scheduled_at_the_stats_interval(tmp_path: Path) -> None:
    app = make_celery("memory://", tmp_path, stats_interval_s=42.0)
    assert app.conf.beat_schedule["stats-rollup"] == {"task": "hdex.stats.rollup", "schedule": 42.0}
    assert "hdex.stats.rollup" in app.tasks
    assert app.conf.task_default_queue == JOBS_QUEUE


def test_the_interval_defaults_to_a_minute_and_refuses_nonsense(tmp_path: Path) -> None:
    assert load_settings(_env_file=None, data_dir=tmp_path).stats_interval_s == 60.0
    with pytest.raises(SettingsError, match="HDEX_STATS_INTERVAL_S"):
        load_settings(_env_file=None, data_dir=tmp_path, stats_interval_s=0)
    with pytest.raises(SettingsError, match="HDEX_RATE_LIMIT_STATS_EVENTS"):
        load_settings(_env_file=None, data_dir=tmp_path, rate_limit_stats_events="lots")
