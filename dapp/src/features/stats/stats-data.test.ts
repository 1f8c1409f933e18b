import { describe, expect, it } from "vitest";
import { dayTime } from "../../components/ui";
import { newestFirst, rangeOf, totalsByQuote, tradesPerDay, volumeSeries, type MarketDay, type VolumeDay } from "./stats-data";

function row(day: string, market: string, trades: number, quoteVolume: string): MarketDay {
  return {
    day, market, base: market.split("-")[0] as string, quote: "USDC", baseDecimals: 18, quoteDecimals: 6, trades, traders: 2,
    baseVolume: "1000000000000000000", quoteVolume, takerBuyBase: "0", takerSellBase: "0", makerFeeBase: "0",
    makerFeeQuote: "0", takerFeeBase: "0", takerFeeQuote: "0",
  };
}

describe("the public statistics' shaping", () => {
  it("puts each UTC day at its midnight in seconds", () => {
    expect(dayTime("2026-12-02")).toBe(Date.UTC(2026, 11, 2) / 1000);
  });

  it("asks for the last n days up to today, both ends included", () => {
    expect(rangeOf(7, Date.UTC(2026, 11, 2, 23, 59))).toEqual({ from: "2026-11-26", to: "2026-12-02" });
    expect(rangeOf(1, Date.UTC(2026, 0, 1, 0, 0))).toEqual({ from: "2026-01-01", to: "2026-01-01" });
  });

  it("draws one volume series per market, in quote tokens, oldest day first", () => {
    const series = volumeSeries([row("2026-12-02", "WETH-USDC", 2, "6000000000"), row("2026-12-01", "WETH-USDC", 1, "1500000"), row("2026-12-02", "WBTC-USDC", 1, "7")]);
    expect(series.map((s) => s.name)).toEqual(["WBTC-USDC", "WETH-USDC"]);
    expect(series[1]?.points).toEqual([
      { time: dayTime("2026-12-01"), value: 1.5 },
      { time: dayTime("2026-12-02"), value: 6000 },
    ]);
    expect(series[0]?.points[0]?.value).toBeCloseTo(0.000007);
  });

  it("adds the trades of every market per day", () => {
    expect(tradesPerDay([row("2026-12-02", "A-USDC", 2, "0"), row("2026-12-01", "A-USDC", 1, "0"), row("2026-12-02", "B-USDC", 3, "0")])).toEqual([
      { time: dayTime("2026-12-01"), value: 1 },
      { time: dayTime("2026-12-02"), value: 5 },
    ]);
  });

  it("totals amounts exactly, beyond what a float can hold", () => {
    const big = "123456789012345678901234567890";
    const days: VolumeDay[] = [
      { day: "2026-12-01", quoteToken: "0xU", quote: "USDC", quoteDecimals: 6, trades: 2, quoteVolume: big },
      { day: "2026-12-02", quoteToken: "0xU", quote: "USDC", quoteDecimals: 6, trades: 1, quoteVolume: "9" },
      { day: "2026-12-02", quoteToken: "0xD", quote: "DAI", quoteDecimals: 18, trades: 4, quoteVolume: "5" },
    ];
    expect(totalsByQuote(days)).toEqual([
      { quote: "DAI", decimals: 18, volume: 5n, trades: 4 },
      { quote: "USDC", decimals: 6, volume: 123456789012345678901234567899n, trades: 3 },
    ]);
  });

  it("lists the table newest day first, then by market", () => {
    const rows = newestFirst([row("2026-12-01", "B-USDC", 1, "0"), row("2026-12-02", "B-USDC", 1, "0"), row("2026-12-02", "A-USDC", 1, "0")]);
    expect(rows.map((r) => `${r.day} ${r.market}`)).toEqual(["2026-12-02 A-USDC", "2026-12-02 B-USDC", "2026-12-01 B-USDC"]);
  });
});
