import { describe, expect, it } from "vitest";
import type { Trade } from "../../lib/api-types";
import { prependTrades } from "./trade-list";

function trade(id: number, time: number): Trade {
  return { id: String(id), market: "WETH-USDC", price: "1", baseAmount: "1", quoteAmount: "1", takerSide: "buy", maker: "0x", taker: "0x", status: "unsettled", time };
}

describe("prependTrades", () => {
  it("puts new trades first, drops ones already listed and keeps the newest", () => {
    const list = [trade(2, 200), trade(1, 100)];
    expect(prependTrades(list, [trade(3, 300), trade(2, 200)]).map((t) => t.id)).toEqual(["3", "2", "1"]);
    expect(prependTrades(list, [trade(3, 300)], 2).map((t) => t.id)).toEqual(["3", "2"]);
  });

  it("returns the same list when nothing is new", () => {
    const list = [trade(1, 100)];
    expect(prependTrades(list, [trade(1, 100)])).toBe(list);
  });
});
