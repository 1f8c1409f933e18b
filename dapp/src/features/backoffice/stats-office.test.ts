import { describe, expect, it } from "vitest";
import { dayTime } from "../../components/ui";
import { activeSeries, csvLink, feeSeries, feeTotals, funnelShares, lastDays, rangeProblem, retentionShares, weekColumns, type FeeRow } from "./stats-office";

const fee = (day: string, token: string, symbol: string, decimals: number, total: string): FeeRow => ({
  day, market: "WETH-USDC", token, symbol, decimals, makerFee: "0", takerFee: total, total,
});

describe("the staff statistics' shaping", () => {
  it("checks a range before asking for it", () => {
    expect(rangeProblem({ from: "2026-12-01", to: "2026-12-02" })).toBeNull();
    expect(rangeProblem({ from: "2026-12-03", to: "2026-12-02" })).toBe("order");
    expect(rangeProblem({ from: "", to: "2026-12-02" })).toBe("date");
    expect(rangeProblem({ from: "2026-02-30x", to: "2026-12-02" })).toBe("date");
    // at most 731 days, first and last included, as the server counts them
    expect(rangeProblem({ from: "2024-12-02", to: "2026-12-02" })).toBeNull();
    expect(rangeProblem({ from: "2024-12-01", to: "2026-12-02" })).toBe("span");
    expect(lastDays(30, Date.UTC(2026, 11, 2, 12))).toEqual({ from: "2026-11-03", to: "2026-12-02" });
  });

  it("links each table's CSV export for the range", () => {
    expect(csvLink("cohorts", { from: "2026-11-01", to: "2026-12-02" })).toBe("/v1/staff/stats/cohorts?from=2026-11-01&to=2026-12-02&format=csv");
  });

  it("draws DAU, WAU and MAU as three series", () => {
    const rows = [
      { day: "2026-12-01", newWallets: 1, dau: 1, wau: 1, mau: 1, connected: 0, signedIn: 0, deposited: 0, traded: 0 },
      { day: "2026-12-02", newWallets: 2, dau: 2, wau: 3, mau: 3, connected: 0, signedIn: 0, deposited: 0, traded: 0 },
    ];
    const series = activeSeries(rows, { dau: "D", wau: "W", mau: "M" });
    expect(series.map((s) => s.name)).toEqual(["D", "W", "M"]);
    expect(series[1]?.points).toEqual([{ time: dayTime("2026-12-01"), value: 1 }, { time: dayTime("2026-12-02"), value: 3 }]);
  });

  it("gives each funnel step its share of the first, and nothing divided by zero", () => {
    expect(funnelShares([{ step: "seen", wallets: 4 }, { step: "connected", wallets: 3 }, { step: "traded", wallets: 1 }]).map((s) => s.share)).toEqual([1, 0.75, 0.25]);
    expect(funnelShares([{ step: "seen", wallets: 0 }, { step: "traded", wallets: 0 }]).map((s) => s.share)).toEqual([0, 0]);
  });

  it("turns cohorts into retention shares with as many week columns as the longest", () => {
    const cohorts = [{ week: "2026-11-23", size: 4, retained: [4, 2, 1] }, { week: "2026-11-30", size: 0, retained: [0] }];
    expect(retentionShares(cohorts[0]!)).toEqual([1, 0.5, 0.25]);
    expect(retentionShares(cohorts[1]!)).toEqual([0]);
    expect(weekColumns(cohorts)).toBe(3);
  });

  it("plots fee revenue per token per day and totals it exactly", () => {
    const rows = [fee("2026-12-01", "0xU", "USDC", 6, "1500000"), fee("2026-12-01", "0xU", "USDC", 6, "500000"), fee("2026-12-02", "0xW", "WETH", 18, "99999999999999999999999")];
    const series = feeSeries(rows);
    expect(series.map((s) => s.name)).toEqual(["USDC", "WETH"]);
    expect(series[0]?.points).toEqual([{ time: dayTime("2026-12-01"), value: 2 }]);
    expect(feeTotals(rows)).toEqual([
      { symbol: "USDC", decimals: 6, total: 2000000n },
      { symbol: "WETH", decimals: 18, total: 99999999999999999999999n },
    ]);
  });
});
