"""Multisig client: build, sign, collect and execute Custody transactions."""
