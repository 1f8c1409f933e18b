"""The read side: account views, transfer history, and the JSON shapes published."""
