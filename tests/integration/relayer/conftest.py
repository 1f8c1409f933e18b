"""The whole hybrid loop (chain, API with its engine, indexer, relayer) for relayer tests that need real work."""

from ..e2e.test_hybrid_loop import loop  # noqa: F401  (the fixture, shared rather than copied)
