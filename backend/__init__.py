"""HDEX backend: API, domain services, matching engine, ledger, settings and persistence."""
