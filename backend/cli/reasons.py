"""`--reason`, as the back office takes one: every privileged CLI change says why, as its API door requires."""

from __future__ import annotations

import click

MAX_REASON_CHARS = 500  # the back office's limit (its `Reason` fields), and what the audit log stores


def reason_text(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The reason stripped; refused (exit status 2, naming the option) when blank or over 500 characters, where
    it would be recorded empty or, on PostgreSQL, fail at the database after the command had begun."""
    text = value.strip()
    if not text:
        raise click.BadParameter("must say why", ctx, param)
    if len(text) > MAX_REASON_CHARS:
        raise click.BadParameter(f"at most {MAX_REASON_CHARS} characters (this one has {len(text)})", ctx, param)
    return text
