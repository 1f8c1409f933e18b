"""Use cases the doors call: order entry and withdrawal requests."""
