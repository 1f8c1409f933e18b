import { describe, expect, it } from "vitest";
import type { Candle, Market } from "../../lib/api-types";
import { mergeCandle, toBars } from "./candles";

function candle(start: number, close: string): Candle {
  return { interval: "1m", start, open: "1", high: close, low: "1", close, baseVolume: "1", quoteVolume: "1", trades: 1 };
}

describe("mergeCandle", () => {
  const list = [candle(60_000, "1"), candle(120_000, "2")];

  it("replaces the live candle when its interval is the last one", () => {
    const merged = mergeCandle(list, candle(120_000, "5"));
    expect(merged.map((c) => [c.start, c.close])).toEqual([[60_000, "1"], [120_000, "5"]]);
  });

  it("appends a candle of a new interval", () => {
    expect(mergeCandle(list, candle(180_000, "3")).map((c) => c.start)).toEqual([60_000, 120_000, 180_000]);
  });

  it("puts an older candle in order, replacing one with the same start", () => {
    expect(mergeCandle(list, candle(0, "0")).map((c) => c.start)).toEqual([0, 60_000, 120_000]);
    expect(mergeCandle(list, candle(60_000, "9")).map((c) => c.close)).toEqual(["9", "2"]);
    expect(mergeCandle([candle(0, "0"), candle(120_000, "2")], candle(60_000, "1")).map((c) => c.start)).toEqual([0, 60_000, 120_000]);
  });

  it("starts a list from nothing and leaves the given list untouched", () => {
    expect(mergeCandle([], candle(0, "1"))).toHaveLength(1);
    mergeCandle(list, candle(180_000, "3"));
    expect(list).toHaveLength(2);
  });
});

describe("toBars", () => {
  // WETH-USDC: prices in USDC units per 1e18 WETH units, so 3000 USDC is 3000 * 1e6
  const market = { baseToken: { decimals: 18 }, quoteToken: { decimals: 6 } } as Market;
  const at = (start: number, close: string): Candle => ({ ...candle(start, close), interval: "1m", open: close, low: close });

  it("keeps an interval without trades as a gap on the time axis, not as the next candle", () => {
    const { bars, volumes } = toBars([at(60_000, "3000000000"), at(240_000, "3010000000")], market);
    expect(bars.map((bar) => [bar.time, "close" in bar ? bar.close : null])).toEqual([
      [60, 3000],
      [120, null],
      [180, null],
      [240, 3010],
    ]);
    expect(volumes.map((bar) => [bar.time, "value" in bar])).toEqual([
      [60, true],
      [120, false],
      [180, false],
      [240, true],
    ]);
  });

  it("adds nothing between adjacent intervals", () => {
    const { bars } = toBars([at(0, "1000000"), at(60_000, "1000000")], market);
    expect(bars.map((bar) => bar.time)).toEqual([0, 60]);
  });
});
