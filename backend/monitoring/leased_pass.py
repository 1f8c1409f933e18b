"""The lease a monitoring job's passes run under (the monitor's operator pass, the AML job)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from backend.db.leased_loop import LeasedLoop

log = logging.getLogger(__name__)

T = TypeVar("T")

# `LeasedLoop.fence`: renews the job's lease inside the session's transaction, just before its commit; once another
# copy holds the lease, LeaseTakenOver and nothing of the transaction commits.
LeaseFence = Callable[[Session], None]

# Outlasts a pass Celery lets finish (task_time_limit 120 s); a lease that lapses in a longer pass lets a second
# copy in, and the first pass's commit is then refused (`LeaseFence`).
MIN_TTL_S = 120.0


def monitoring_loop(
    job: str,
    lease: str,
    session_factory: sessionmaker[Session],
    step: Callable[[], T],
    interval_s: float,
    data_dir: Path,
    on_standby: Callable[[], None] = lambda: None,
) -> LeasedLoop[T]:
    """`step` every `interval_s` while this process holds `lease`. Any exception of a pass (the database away, a
    check's bug) is logged with its traceback and the next pass runs on time: its cursors did not move, so nothing
    is skipped, and a job ended by one bad pass would raise no alert again (a stop shows only in
    HdexMonitorNotRunning). The backoff capped at the interval keeps "on time": neither sooner (hammering a sick
    node) nor later (blind for longer)."""
    return LeasedLoop(
        job,
        lease,
        session_factory,
        step,
        ttl_s=max(MIN_TTL_S, interval_s * 3),
        interval_s=interval_s,
        retry_on=(Exception,),
        on_fault=lambda exc: log.error(f"{job} pass failed", exc_info=exc),
        max_backoff_s=interval_s,
        data_dir=data_dir,
        on_standby=on_standby,
    )
