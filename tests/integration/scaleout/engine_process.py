"""The engine process of the scale-out tests: the API application with the command stream on, over a
database the test prepared (`exchange_fixtures.prepare`), serving until it is stopped or killed.

Run from the repository root: `python -m tests.integration.scaleout.engine_process SETTINGS_JSON PORT`.
"""

from __future__ import annotations

import json
import sys

import uvicorn

from backend.api.app import create_app
from backend.bootstrap import bootstrap
from backend.settings import load_settings


def main() -> None:
    settings = load_settings(_env_file=None, **json.loads(sys.argv[1]))
    uvicorn.run(
        create_app(bootstrap(settings)), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", lifespan="on"
    )


if __name__ == "__main__":
    main()
