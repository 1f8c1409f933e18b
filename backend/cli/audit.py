"""`hdex audit`: the independent auditor's door (the work is in `auditor`, which reads only the chain)."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from auditor.abi import DEFAULT_ABI_PATH
from auditor.checkpoint import CHECKPOINT_FILE
from auditor.errors import AuditError
from auditor.report import remove_report, summary, write_report
from auditor.run import AuditRequest, run_audit
from backend.cli.addresses import address_option


@click.command("audit")
@click.option("--rpc", "rpc_url", required=True, help="JSON-RPC URL of a node (an archive node for past blocks).")
@click.option("--exchange", required=True, callback=address_option, help="Address of the Exchange contract.")
@click.option(
    "--from-block",
    type=click.IntRange(min=0),
    default=None,
    help="First block; at or before the deployment for a complete audit [default: 0; with --resume the checkpoint's].",
)
@click.option("--to-block", type=click.IntRange(min=0), default=None, help="Last block (default: the head).")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("audit-report"),
    show_default=True,
    help="Directory for the JSON and HTML reports and the checkpoint.",
)
@click.option("--resume", is_flag=True, help="Carry on from the checkpoint in the report directory.")
@click.option(
    "--abi",
    "abi_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_ABI_PATH,
    show_default=True,
    help="The Exchange's build artifact or ABI file.",
)
@click.option(
    "--chunk-blocks",
    type=click.IntRange(min=1),
    default=2_000,
    show_default=True,
    help="Blocks per eth_getLogs query (and per checkpoint).",
)
def audit_command(
    rpc_url: str,
    exchange: str,
    from_block: int | None,
    to_block: int | None,
    report_dir: Path,
    resume: bool,
    abi_path: Path,
    chunk_blocks: int,
) -> None:
    """Rebuild every balance and re-verify every settlement from the chain alone; exit 1 on any discrepancy."""
    request = AuditRequest(rpc_url, exchange, report_dir, from_block, to_block, resume, abi_path, chunk_blocks)
    try:
        remove_report(report_dir)  # a run that stops early leaves no earlier run's report to be read as its own
        with _terminate_as_interrupt():
            result = run_audit(request, progress=lambda line: click.echo(f"audit: {line}", err=True))
    except AuditError as exc:
        click.echo(f"hdex audit: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM; click would say "Aborted!" and exit 1: discrepancies found
        click.echo(f"hdex audit: interrupted: {_checkpoint_left(report_dir)}", err=True)
        sys.exit(2)
    except Exception as exc:  # a fault of the auditor's own: one line, and exit 2 (1 means discrepancies)
        click.echo(f"hdex audit: the audit stopped on an unexpected {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
    json_path, html_path = write_report(result, report_dir)
    click.echo(summary(result))
    click.echo(f"report: {json_path} and {html_path}")
    sys.exit(0 if result.ok else 1)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (kill, a scheduler's stop) ends the run as Ctrl-C does, with the line saying where it stopped,
    instead of dying silently; the previous handler is restored after (the command also runs inside tests)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _checkpoint_left(report_dir: Path) -> str:
    """What an interrupted run leaves to carry on from: the last checkpoint (the chunk under way is not in it)."""
    path = report_dir / CHECKPOINT_FILE
    try:
        last_block = int(json.loads(path.read_text(encoding="utf-8"))["state"]["last_block"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"no report written and no checkpoint at {path} to resume from: audit again"
    return f"no report written; the checkpoint at {path} holds blocks up to {last_block}: carry on with --resume"
