"""Storage adapters around the pure engine core: the only engine modules that touch files."""
