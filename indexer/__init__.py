"""Chain watcher: deposits, withdrawals and settlements from Exchange events into the ledger."""
