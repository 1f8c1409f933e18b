import "./messages";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import StatsPage, { watchUtcDay } from "./stats-page";

const ROW = {
  day: "2026-12-01", market: "WETH-USDC", base: "WETH", quote: "USDC", baseDecimals: 18, quoteDecimals: 6, trades: 3,
  traders: 2, baseVolume: "1000000000000000000", quoteVolume: "2000000000", takerBuyBase: "0", takerSellBase: "0",
  makerFeeBase: "0", makerFeeQuote: "0", takerFeeBase: "0", takerFeeQuote: "0",
};

describe("the statistics page", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks for the 30 days up to today, UTC", () => {
    vi.setSystemTime(Date.parse("2026-12-01T23:59:00Z"));
    const range = { from: "2026-11-02", to: "2026-12-01" };
    const markup = providedMarkup(<StatsPage />, [[["stats", "markets", range], { ...range, days: [ROW] }]]);
    expect(markup).toContain("WETH-USDC");
  });

  it("says one trade, not one trades, in a period's totals", () => {
    vi.setSystemTime(Date.parse("2026-12-01T12:00:00Z"));
    const range = { from: "2026-11-02", to: "2026-12-01" };
    const volume = (trades: number, quote: string) => ({ day: "2026-12-01", quoteToken: quote, quote, quoteDecimals: 6, trades, quoteVolume: "1000000" });
    const markup = providedMarkup(<StatsPage />, [[["stats", "volume", range], { ...range, days: [volume(1, "USDC"), volume(3, "DAI")] }]]);
    expect(markup).toContain("volume in USDC, 1 trade<");
    expect(markup).toContain("volume in DAI, 3 trades<");
  });

  it("says over each plot that a period had no trades, once its days are read, and not while they load", () => {
    vi.setSystemTime(Date.parse("2026-12-01T12:00:00Z"));
    const range = { from: "2026-11-02", to: "2026-12-01" };
    const overlays = (markup: string) => markup.match(/class="daily-chart__overlay"/g)?.length ?? 0;
    expect(overlays(providedMarkup(<StatsPage />, [[["stats", "markets", range], { ...range, days: [] }]]))).toBe(2);
    expect(overlays(providedMarkup(<StatsPage />, [[["stats", "markets", range], { ...range, days: [ROW] }]]))).toBe(0);
    expect(overlays(providedMarkup(<StatsPage />))).toBe(0);
  });

  it("moves on to the new day when a page left open passes UTC midnight", () => {
    vi.setSystemTime(Date.parse("2026-12-01T23:59:30Z"));
    const days: string[] = [];
    const stop = watchUtcDay((day) => days.push(day), 60_000);
    vi.advanceTimersByTime(60_000);
    expect(days).toEqual(["2026-12-02"]);
    vi.advanceTimersByTime(5 * 60_000); // the same day: nothing new
    expect(days).toEqual(["2026-12-02"]);
    stop();
    vi.advanceTimersByTime(86_400_000);
    expect(days).toEqual(["2026-12-02"]);
  });
});
