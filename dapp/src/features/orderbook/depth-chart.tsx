/** Cumulative depth: bids (left, green) and asks (right, red) as step areas around the spread. */
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { unitsToNumber } from "../../lib/format";
import { formatBaseAmount, formatPrice, priceDecimals } from "../../lib/market";
import type { Level } from "./book-state";

const WIDTH = 300;
const HEIGHT = 220;
const PAD = 4;

interface DepthChartProps {
  market: Market;
  bids: readonly Level[];
  asks: readonly Level[];
}

/** The SVG path of one side's cumulative step area, from its best level outwards. */
export function depthPath(levels: readonly Level[], x: (price: bigint) => number, y: (total: bigint) => number): string {
  const first = levels[0];
  if (!first) return "";
  let path = `M${x(first.price).toFixed(1)},${y(0n).toFixed(1)}`;
  let previousTotal = 0n;
  for (const level of levels) {
    path += ` L${x(level.price).toFixed(1)},${y(previousTotal).toFixed(1)} L${x(level.price).toFixed(1)},${y(level.total).toFixed(1)}`;
    previousTotal = level.total;
  }
  const last = levels[levels.length - 1] as Level;
  return `${path} L${x(last.price).toFixed(1)},${y(0n).toFixed(1)} Z`;
}

export function DepthChart({ market, bids, asks }: DepthChartProps) {
  const { t, locale } = useI18n();
  const low = bids.at(-1)?.price ?? asks[0]?.price;
  const high = asks.at(-1)?.price ?? bids[0]?.price;
  if (low === undefined || high === undefined) {
    return <p className="muted order-book__empty">{t("book.empty")}</p>;
  }
  const maxTotal = [bids.at(-1)?.total ?? 0n, asks.at(-1)?.total ?? 0n].reduce((a, b) => (a > b ? a : b), 1n);
  const decimals = priceDecimals(market);
  const lowNumber = unitsToNumber(low, decimals);
  const range = unitsToNumber(high, decimals) - lowNumber || 1;
  const x = (price: bigint) => PAD + ((unitsToNumber(price, decimals) - lowNumber) / range) * (WIDTH - 2 * PAD);
  const totalNumber = unitsToNumber(maxTotal, 0);
  const y = (total: bigint) => HEIGHT - PAD - (unitsToNumber(total, 0) / totalNumber) * (HEIGHT - 2 * PAD);

  const description = t("book.depthDescription", {
    bidDepth: formatBaseAmount(bids.at(-1)?.total ?? 0n, market, locale),
    askDepth: formatBaseAmount(asks.at(-1)?.total ?? 0n, market, locale),
    symbol: market.baseToken.symbol,
    low: formatPrice(low, market, locale),
    high: formatPrice(high, market, locale),
  });
  return (
    <figure className="depth-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={description} preserveAspectRatio="none">
        <path d={depthPath(bids, x, y)} className="depth-chart__bids" />
        <path d={depthPath(asks, x, y)} className="depth-chart__asks" />
      </svg>
      <figcaption className="depth-chart__axis">
        <span>{formatPrice(low, market, locale)}</span>
        <span>{formatPrice(high, market, locale)}</span>
      </figcaption>
    </figure>
  );
}
