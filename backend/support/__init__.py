"""The support desk (tickets, replies, saved replies) and the help center's articles."""
