import { describe, expect, it } from "vitest";
import { DEV_MARKET } from "../features/order-form/test-fixtures";
import type { Market } from "./api-types";
import { formatQuoteAmount } from "./market";

describe("a quote amount shown", () => {
  it("is exact, never rounded to the tick's digits, and has at least them", () => {
    expect(formatQuoteAmount(15_000_050n, DEV_MARKET, "en")).toBe("15.00005"); // 0.005 WETH at 3000.01
    expect(formatQuoteAmount(15_000_000n, DEV_MARKET, "en")).toBe("15.00");
    const wholeTick: Market = { ...DEV_MARKET, tickSize: "1000000" }; // a 1 USDC tick
    expect(formatQuoteAmount(500_000n, wholeTick, "en")).toBe("0.5"); // half a USDC, not "1"
  });
});
