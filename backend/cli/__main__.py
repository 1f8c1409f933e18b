"""`python -m backend.cli` is `hdex`."""

from backend.cli import main

main()
