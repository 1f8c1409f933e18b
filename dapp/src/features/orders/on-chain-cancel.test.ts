import { decodeFunctionData, encodeFunctionData } from "viem";
import { describe, expect, it } from "vitest";
import { exchangeAbi } from "../../lib/exchange-abi";
import { AlreadyVoidedOnChain, contractOrder, raiseFloorCall } from "./on-chain-cancel";

// An order as GET /v1/accounts/{address}/orders shows it: every number a decimal string.
const shown = {
  maker: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  baseToken: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  quoteToken: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  side: "1",
  baseAmount: "100000000000000000",
  limitPrice: "1930000000",
  triggerPrice: "0",
  maxFeeRate: "2000",
  nonce: "18446744073709551615",
  expiry: "1767225600",
  flags: "4",
} as const;

describe("cancel on-chain", () => {
  it("sends the order exactly as signed, in the contract's types, the largest uint64 nonce intact", () => {
    const data = encodeFunctionData({ abi: exchangeAbi, functionName: "cancelOrders", args: [[contractOrder(shown)]] });
    // cancelOrders((address,address,address,uint8,uint128,uint256,uint256,uint32,uint64,uint64,uint32)[])
    expect(data.slice(0, 10)).toBe("0x67f49897");
    const { args } = decodeFunctionData({ abi: exchangeAbi, data });
    expect(args[0]).toEqual([
      {
        ...shown,
        side: 1,
        baseAmount: 100_000_000_000_000_000n,
        limitPrice: 1_930_000_000n,
        triggerPrice: 0n,
        maxFeeRate: 2000,
        nonce: 18_446_744_073_709_551_615n,
        expiry: 1_767_225_600n,
        flags: 4,
      },
    ]);
  });

  it("raises the nonce floor to the next nonce, and sends nothing when the floor is there already", () => {
    const data = raiseFloorCall(42n, 41n);
    expect(data.slice(0, 10)).toBe("0x2248b366"); // raiseNonceFloor(uint64)
    expect(decodeFunctionData({ abi: exchangeAbi, data }).args).toEqual([42n]);
    // the contract would revert NonceFloorNotRaised: a second click before HDEX has seen the first
    expect(() => raiseFloorCall(42n, 42n)).toThrow(AlreadyVoidedOnChain);
    expect(() => raiseFloorCall(7n, 42n)).toThrow(AlreadyVoidedOnChain);
  });
});
