import { describe, expect, it } from "vitest";
import { DEV_MARKET } from "../features/order-form/test-fixtures";
import type { Market } from "./api-types";
import { averagePrice, formatPrice, formatQuoteAmount } from "./market";

describe("a quote amount shown", () => {
  it("is exact, never rounded to the tick's digits, and has at least them", () => {
    expect(formatQuoteAmount(15_000_050n, DEV_MARKET, "en")).toBe("15.00005"); // 0.005 WETH at 3000.01
    expect(formatQuoteAmount(15_000_000n, DEV_MARKET, "en")).toBe("15.00");
    const wholeTick: Market = { ...DEV_MARKET, tickSize: "1000000" }; // a 1 USDC tick
    expect(formatQuoteAmount(500_000n, wholeTick, "en")).toBe("0.5"); // half a USDC, not "1"
  });
});

describe("an average price", () => {
  it("is the quote traded over the base traded, in the market's price units", () => {
    // 0.1 WETH bought for 300.05 USDC: 3,000.50 a WETH
    const average = averagePrice(100_000_000_000_000_000n, 300_050_000n, DEV_MARKET);
    expect(average).toBe(3_000_500_000n);
    expect(formatPrice(average, DEV_MARKET, "en")).toBe("3,000.50");
  });
});
