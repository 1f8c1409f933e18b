"""`hdex api`: serve a stateless API replica in front of an engine process (issue 17; `backend.api.replica`)."""

from __future__ import annotations

import logging
import sys

import click

from backend.log import configure_logging
from backend.settings import get_settings

log = logging.getLogger(__name__)


@click.command("api")
def api_command() -> None:
    """Serve an API replica on HDEX_API_HOST:HDEX_API_PORT until Ctrl-C: orders go to the engine process over
    the Redis command stream (HDEX_REDIS_URL), every other request to HDEX_ENGINE_URL. Run any number."""
    from backend.api.replica import create_replica_app
    from backend.api.server import ApiServer

    settings = get_settings()
    if settings.engine_url is None or settings.redis_url is None:
        click.echo("hdex api: set HDEX_ENGINE_URL (the engine process) and HDEX_REDIS_URL (its orders)", err=True)
        sys.exit(2)
    configure_logging(settings.log_level, settings.log_format)
    url = f"http://{settings.api_host}:{settings.api_port}"

    def announce() -> None:
        log.info("HDEX API replica is up", extra={"url": url, "engine": settings.engine_url})

    ApiServer(create_replica_app(settings), settings, on_listening=announce).run()
