import { describe, expect, it } from "vitest";
import type { Market } from "../../lib/api-types";
import { tokenAt } from "./wallet-balances";

const WETH = { address: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707", symbol: "WETH", decimals: 18 } as const;
const USDC = { address: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853", symbol: "USDC", decimals: 6 } as const;
const market = { name: "WETH-USDC", baseToken: WETH, quoteToken: USDC } as unknown as Market;

describe("the token at an address", () => {
  it("is one the markets trade, whatever the address's case", () => {
    expect(tokenAt([market], USDC.address.toLowerCase())).toEqual(USDC);
    expect(tokenAt([market], WETH.address.toUpperCase().replace("0X", "0x"))).toEqual(WETH);
  });

  it("is ether at the zero address, which no market lists (a withdrawal of the Exchange's ether)", () => {
    expect(tokenAt([market], "0x0000000000000000000000000000000000000000")).toEqual({
      address: "0x0000000000000000000000000000000000000000",
      symbol: "ETH",
      decimals: 18,
    });
  });

  it("is unknown for any other address", () => {
    expect(tokenAt([market], "0x00000000000000000000000000000000000000aa")).toBeUndefined();
  });
});
