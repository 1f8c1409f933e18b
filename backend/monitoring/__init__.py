"""Monitoring over time (issue 14): the jobs that watch the operator (gas, settlement, indexer, reconciliation,
screening lists), the markets' price feeds and the users' money flows (AML), and raise alerts."""
