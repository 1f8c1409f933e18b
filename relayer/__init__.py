"""Turns matched trades and approved withdrawals into screened, signed, tracked transactions."""
