"""The report as one self-contained HTML page: tables and inline SVG charts drawn here (no script, no fetch)."""

from __future__ import annotations

from html import escape

from auditor.run import AuditResult
from auditor.state import Point

WIDTH, HEIGHT, PAD = 640, 180, 36
MAX_BARS = 60

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
td.num{text-align:right;font-family:ui-monospace,monospace}.bad{background:#fde2e2}.ok{color:#146c2e}
.fail{color:#a4161a}figure{margin:1rem 0}svg{border:1px solid #ddd;background:#fff}
"""


def render_html(result: AuditResult) -> str:
    """The whole page."""
    counts = result.state.counts
    verdict = (
        '<p class="ok"><strong>OK</strong>: no discrepancy.</p>'
        if result.ok
        else f'<p class="fail"><strong>{len(result.discrepancies)} discrepancies</strong> found.</p>'
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>HDEX audit of {escape(result.exchange)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Audit of Exchange {escape(result.exchange)}</h1>",
        f"<p>Chain {result.chain_id}, blocks {result.from_block} to {result.to_block}. Rebuilt from the "
        "chain alone: events, settle and withdraw calldata and contract views. Amounts in token base units.</p>",
        verdict,
        _table("What was checked", ["check", "count"], [[escape(k), str(v)] for k, v in sorted(counts.items())],
               numeric={1}),
        _findings(result),
        _table("Solvency per token (at the last block)", ["token", "held", "owed (rebuilt)", "owed (balanceOf)", ""],
               [[escape(s.token), str(s.held), str(s.owed_rebuilt), str(s.owed_contract),
                 "solvent" if s.solvent else "INSOLVENT"] for s in result.solvency],
               numeric={1, 2, 3}, bad=[not s.solvent for s in result.solvency]),
        _charts(result.state.series),
        _table("Balances: rebuilt from events and the contract's balanceOf",
               ["wallet", "token", "rebuilt", "balanceOf"],
               [[escape(b.wallet), escape(b.token), str(b.rebuilt), str(b.contract)] for b in result.balances],
               numeric={2, 3}, bad=[b.rebuilt != b.contract for b in result.balances]),
        "</body></html>",
    ]  # fmt: skip
    return "\n".join(parts)


def _findings(result: AuditResult) -> str:
    rows = [
        [escape(f.kind), "discrepancy" if f.failing else "note", str(f.block or ""), escape(f.tx_hash or ""),
         escape(f.message)]
        for f in result.findings
    ]  # fmt: skip
    if not rows:
        return "<h2>Findings</h2><p>None.</p>"
    return _table("Findings", ["kind", "severity", "block", "transaction", "what"], rows,
                  bad=[f.failing for f in result.findings])  # fmt: skip


def _table(
    caption: str,
    headers: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
    bad: list[bool] | None = None,
) -> str:
    numeric = numeric or set()
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        css = " class='bad'" if bad and bad[index] else ""
        cells = "".join(f"<td class='num'>{c}</td>" if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr{css}>{cells}</tr>")
    return (
        f"<h2>{escape(caption)}</h2><table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _charts(series: list[Point]) -> str:
    """One chart per token: the total owed over blocks (line) and the quote volume traded (bars)."""
    tokens = sorted({t for p in series for t in (*p.owed, *p.volume)})
    if not series:
        return "<h2>Balances and volume over blocks</h2><p>No balance moved in the range.</p>"
    figures = [_chart(token, series) for token in tokens]
    return "<h2>Balances and volume over blocks</h2>" + "".join(figures)


def _chart(token: str, series: list[Point]) -> str:
    first, last = series[0].block, series[-1].block
    span = max(1, last - first)

    def x(block: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (block - first) / span

    owed = [(p.block, p.owed[token]) for p in series if token in p.owed]
    top = max([a for _, a in owed] or [0]) or 1
    inner = HEIGHT - 2 * PAD

    def y(amount: int, scale: int) -> float:
        return HEIGHT - PAD - inner * amount / scale  # display only: money stays integer everywhere else

    # Volume summed into at most MAX_BARS buckets of blocks, so a long range stays readable.
    buckets: dict[int, int] = {}
    width = max(1, -(-(span + 1) // MAX_BARS))
    for p in series:
        if p.volume.get(token):
            bucket = (p.block - first) // width
            buckets[bucket] = buckets.get(bucket, 0) + p.volume[token]
    volume_top = max(buckets.values() or [0]) or 1
    bar = max(1.0, (WIDTH - 2 * PAD) * width / (span + 1) - 1)
    bars = "".join(
        f"<rect x='{x(first + b * width):.1f}' y='{y(v, volume_top):.1f}' width='{bar:.1f}' "
        f"height='{HEIGHT - PAD - y(v, volume_top):.1f}' fill='#9ecae1'><title>blocks from {first + b * width}: "
        f"volume {v}</title></rect>"
        for b, v in sorted(buckets.items())
    )
    steps: list[str] = []
    for index, (block, amount) in enumerate(owed):
        if index:
            steps.append(f"{x(block):.1f},{y(owed[index - 1][1], top):.1f}")
        steps.append(f"{x(block):.1f},{y(amount, top):.1f}")
    line = f"<polyline points='{' '.join(steps)}' fill='none' stroke='#08519c' stroke-width='2'/>"
    title = f"Token {token}: total owed (line, max {top}) and quote volume (bars, max {volume_top if buckets else 0})"
    label_id = f"chart-{escape(token)}"
    axes = (
        f"<line x1='{PAD}' y1='{HEIGHT - PAD}' x2='{WIDTH - PAD}' y2='{HEIGHT - PAD}' stroke='#555'/>"
        f"<text x='{PAD}' y='{HEIGHT - PAD / 3:.0f}' font-size='11'>block {first}</text>"
        f"<text x='{WIDTH - PAD}' y='{HEIGHT - PAD / 3:.0f}' font-size='11' text-anchor='end'>block {last}</text>"
    )
    return (
        f"<figure><svg role='img' aria-labelledby='{label_id}' width='{WIDTH}' height='{HEIGHT}' "
        f"viewBox='0 0 {WIDTH} {HEIGHT}' xmlns='http://www.w3.org/2000/svg'><title id='{label_id}'>{escape(title)}"
        f"</title>{bars}{line}{axes}</svg><figcaption>{escape(title)}</figcaption></figure>"
    )
