/**
 * The public statistics as the page draws them: the API's rows (amounts as decimal strings of base units)
 * turned into plot points per UTC day and table rows. Pure: tested without a browser.
 */
import { dayTime, type DailyPoint as Point, type DailySeries as Series } from "../../components/ui";
import { unitsToNumber } from "../../lib/format";

export interface MarketDay {
  day: string;
  market: string;
  base: string;
  quote: string;
  baseDecimals: number;
  quoteDecimals: number;
  trades: number;
  traders: number;
  baseVolume: string;
  quoteVolume: string;
  takerBuyBase: string;
  takerSellBase: string;
  makerFeeBase: string;
  makerFeeQuote: string;
  takerFeeBase: string;
  takerFeeQuote: string;
}

export interface VolumeDay {
  day: string;
  quoteToken: string;
  quote: string;
  quoteDecimals: number;
  trades: number;
  quoteVolume: string;
}


export const PERIODS = [7, 30, 90] as const;
export type Period = (typeof PERIODS)[number];

const DAY_MS = 86_400_000;

/** The UTC day of an instant (ms). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The request range of the last `days` days up to today (UTC), both ends included. */
export function rangeOf(days: number, nowMs: number): { from: string; to: string } {
  return { from: utcDay(nowMs - (days - 1) * DAY_MS), to: utcDay(nowMs) };
}

function byTime(points: Point[]): Point[] {
  return points.sort((a, b) => a.time - b.time);
}

/** One series per market: its quote volume per day, in quote tokens (for the plot only: never for money). */
export function volumeSeries(rows: readonly MarketDay[]): Series[] {
  const markets = new Map<string, Point[]>();
  for (const row of rows) {
    const points = markets.get(row.market) ?? [];
    points.push({ time: dayTime(row.day), value: unitsToNumber(row.quoteVolume, row.quoteDecimals) });
    markets.set(row.market, points);
  }
  return [...markets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, points]) => ({ name, points: byTime(points) }));
}

/** Trades per day over every market. */
export function tradesPerDay(rows: readonly MarketDay[]): Point[] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.day, (totals.get(row.day) ?? 0) + row.trades);
  return byTime([...totals.entries()].map(([day, value]) => ({ time: dayTime(day), value })));
}

/** The period's totals per quote token: volume (base units, exact) and trades. */
export function totalsByQuote(rows: readonly VolumeDay[]): { quote: string; decimals: number; volume: bigint; trades: number }[] {
  const totals = new Map<string, { quote: string; decimals: number; volume: bigint; trades: number }>();
  for (const row of rows) {
    const total = totals.get(row.quoteToken) ?? { quote: row.quote, decimals: row.quoteDecimals, volume: 0n, trades: 0 };
    total.volume += BigInt(row.quoteVolume);
    total.trades += row.trades;
    totals.set(row.quoteToken, total);
  }
  return [...totals.values()].sort((a, b) => a.quote.localeCompare(b.quote));
}

/** Rows newest day first, then by market: the table's order. */
export function newestFirst(rows: readonly MarketDay[]): MarketDay[] {
  return [...rows].sort((a, b) => b.day.localeCompare(a.day) || a.market.localeCompare(b.market));
}
