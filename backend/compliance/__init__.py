"""Compliance: address screening before anything is submitted, with an audit trail.

One interface (`Screener`) combines providers: the local sanctions lists (OFAC SDN importers),
an on-chain oracle with `isSanctioned(address)`, and the operator's deny-list. Every decision is
written to an append-only audit table.
"""
