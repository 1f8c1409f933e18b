"""Statistics: daily rollups per market, per token and of users, computed incrementally by the worker."""
