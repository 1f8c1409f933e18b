"""What commands that touch the database start from: settings, a migrated database, the container."""

from __future__ import annotations

from backend.bootstrap import Container, bootstrap
from backend.db import migrate
from backend.log import configure_logging
from backend.settings import get_settings


def database_container(*, logs: bool = False) -> Container:
    """The container on the configured database, migrated to head first (so a fresh one works).

    `logs`: structured log lines on stderr, for services and long operations; one-shot commands that
    print their own answer leave them off.
    """
    settings = get_settings()
    if logs:
        configure_logging(settings.log_level, settings.log_format)
    migrate.upgrade(settings.effective_database_url)
    return bootstrap(settings)
