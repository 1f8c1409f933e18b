"""Risk and AML rules and their records (issue 14): withdrawal pauses, travel-rule data, the AML rules and
their thresholds. Stores and rules only; the jobs that run them over time are `backend.monitoring`'s."""
