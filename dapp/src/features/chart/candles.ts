/** Candle lists (oldest first) and their drawing form. */
import type { Candle, CandleInterval, Market } from "../../lib/api-types";
import { unitsToNumber } from "../../lib/format";
import { priceDecimals } from "../../lib/market";

/**
 * `candle` merged into `list` (oldest first, one per start): the same start replaces (a live candle
 * grows), a newer one is appended, an older one takes its place in order. The list is not modified.
 */
export function mergeCandle(list: readonly Candle[], candle: Candle): Candle[] {
  const last = list[list.length - 1];
  if (!last || candle.start > last.start) return [...list, candle];
  if (candle.start === last.start) return [...list.slice(0, -1), candle];
  const index = list.findIndex((c) => c.start >= candle.start);
  const next = [...list];
  if (list[index]?.start === candle.start) next[index] = candle;
  else next.splice(index, 0, candle);
  return next;
}

/** Each interval's length in milliseconds: candles start on its multiples (UTC). */
export const INTERVAL_MS: Record<CandleInterval, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "4h": 14_400_000,
  "1d": 86_400_000,
};

export interface Bar {
  /** Epoch seconds (lightweight-charts' UTCTimestamp). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface VolumeBar {
  time: number;
  value: number;
  rising: boolean;
}

/** An interval without trades (the API sends no candle for it): lightweight-charts' whitespace, drawn as nothing. */
export interface Gap {
  time: number;
}

/**
 * Prices as human numbers for the chart only (amounts that are signed never pass through here). An interval
 * without trades between two candles becomes a `Gap`: the chart spaces bars by position, so without it the candles
 * on either side of a quiet hour would stand next to each other as if no time had passed.
 */
export function toBars(candles: readonly Candle[], market: Market): { bars: (Bar | Gap)[]; volumes: (VolumeBar | Gap)[] } {
  const decimals = priceDecimals(market);
  const bars: (Bar | Gap)[] = [];
  const volumes: (VolumeBar | Gap)[] = [];
  let previous: Candle | undefined;
  for (const candle of candles) {
    if (previous) {
      const size = INTERVAL_MS[candle.interval];
      for (let start = previous.start + size; start < candle.start; start += size) {
        bars.push({ time: Math.floor(start / 1000) });
        volumes.push({ time: Math.floor(start / 1000) });
      }
    }
    previous = candle;
    const time = Math.floor(candle.start / 1000);
    const open = unitsToNumber(candle.open, decimals);
    const close = unitsToNumber(candle.close, decimals);
    bars.push({ time, open, high: unitsToNumber(candle.high, decimals), low: unitsToNumber(candle.low, decimals), close });
    volumes.push({ time, value: unitsToNumber(candle.baseVolume, market.baseToken.decimals), rising: close >= open });
  }
  return { bars, volumes };
}
