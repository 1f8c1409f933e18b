"""Text read from a proposal file (or a node's answer) made safe to print: it reaches a signer's terminal, which
obeys the escape sequences in it."""

from __future__ import annotations


def printable(text: str) -> str:
    """`text` with every character Python's repr would escape (ESC and the other control characters, bidirectional
    overrides, line breaks) written as repr writes it (`\\x1b`, `\\u202e`, `\\n`): a planted file could otherwise
    clear the signer's screen and print a line of success that never happened."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)
