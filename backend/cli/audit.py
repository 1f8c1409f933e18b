"""`hdex audit`: the independent auditor's door (the work is in `auditor`, which reads only the chain)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from auditor.abi import DEFAULT_ABI_PATH
from auditor.errors import AuditError
from auditor.report import remove_report, summary, write_report
from auditor.run import AuditRequest, run_audit


@click.command("audit")
@click.option("--rpc", "rpc_url", required=True, help="JSON-RPC URL of a node (an archive node for past blocks).")
@click.option("--exchange", required=True, help="Address of the Exchange contract.")
@click.option(
    "--from-block",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="First block; at or before the deployment for a complete audit.",
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
    from_block: int,
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
        result = run_audit(request, progress=lambda line: click.echo(f"audit: {line}", err=True))
    except AuditError as exc:
        click.echo(f"hdex audit: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # a fault of the auditor's own: one line, and exit 2 (1 means discrepancies)
        click.echo(f"hdex audit: the audit stopped on an unexpected {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
    json_path, html_path = write_report(result, report_dir)
    click.echo(summary(result))
    click.echo(f"report: {json_path} and {html_path}")
    sys.exit(0 if result.ok else 1)
