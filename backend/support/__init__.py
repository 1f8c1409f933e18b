"""The support desk: tickets a wallet opens (with an optional attachment), staff's public replies and internal
notes, status moves, saved replies and the desk's daily figures. `rules` holds the pure rules, `tickets` and
`saved_replies` the database work inside a unit of work, `desk` the use cases the API calls."""
