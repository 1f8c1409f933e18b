"""Order-entry rules: plain Python, no I/O, no framework."""
