"""The trading tables as the CLI and the relayer use them: markets, fills to settle."""
