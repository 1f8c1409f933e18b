import { describe, expect, it } from "vitest";
import type { OrderView } from "./account-orders";
import { cancelAllFloor } from "./cancel-all-floor";

const WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const OTHER = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";

function openOrder(nonce: bigint, maker: `0x${string}` = WALLET): OrderView {
  return { order: { maker, nonce: nonce.toString() } } as OrderView;
}

describe("the nonce floor of cancel all on-chain", () => {
  it("is the API's next nonce when the app knows of nothing higher", () => {
    expect(cancelAllFloor(WALLET, 42n, [openOrder(40n), openOrder(41n)], null)).toBe(42n);
  });

  it("stays above every open order shown when the API answers too low (a lagging replica, a dishonest operator)", () => {
    expect(cancelAllFloor(WALLET, 5n, [openOrder(40n), openOrder(41n), openOrder(7n)], null)).toBe(42n);
  });

  it("stays above every nonce this app handed out for signing, one in doubt or not yet shown included", () => {
    expect(cancelAllFloor(WALLET, 5n, [openOrder(40n)], 57n)).toBe(57n);
  });

  it("counts only the wallet's own orders", () => {
    expect(cancelAllFloor(WALLET, 42n, [openOrder(1_000n, OTHER)], null)).toBe(42n);
  });
});
