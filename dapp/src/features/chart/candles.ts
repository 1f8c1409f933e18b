/** Candle lists (oldest first) and their drawing form. */
import type { Candle, Market } from "../../lib/api-types";
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

/** Prices as human numbers for the chart only (amounts that are signed never pass through here). */
export function toBars(candles: readonly Candle[], market: Market): { bars: Bar[]; volumes: VolumeBar[] } {
  const decimals = priceDecimals(market);
  const bars: Bar[] = [];
  const volumes: VolumeBar[] = [];
  for (const candle of candles) {
    const time = Math.floor(candle.start / 1000);
    const open = unitsToNumber(candle.open, decimals);
    const close = unitsToNumber(candle.close, decimals);
    bars.push({ time, open, high: unitsToNumber(candle.high, decimals), low: unitsToNumber(candle.low, decimals), close });
    volumes.push({ time, value: unitsToNumber(candle.baseVolume, market.baseToken.decimals), rising: close >= open });
  }
  return { bars, volumes };
}
