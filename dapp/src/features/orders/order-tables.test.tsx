import { describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { DEV_MARKET } from "../order-form/test-fixtures";
import { ordersKey, type OrderView } from "./account-orders";
import { OpenOrdersTable, OrderHistoryTable } from "./order-tables";

// A connected wallet (the provider cannot connect without a browser; hoisted, as vi.mock runs before the imports).
const { TRADER } = vi.hoisted(() => ({ TRADER: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" as const }));
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, TRADER),
);

const PLACED = Date.UTC(2026, 0, 5, 9, 0);
const CLOSED = Date.UTC(2026, 0, 7, 16, 30);

const FILLED: OrderView = {
  hash: "0x01", event: "filled", clientOrderId: null, market: DEV_MARKET.name, side: "buy", status: "filled", reason: null,
  filled: "1000000000000000000", remaining: "0", timeInForce: "GTC", createdAt: PLACED, updatedAt: CLOSED,
  order: {
    maker: TRADER, baseToken: DEV_MARKET.baseToken.address, quoteToken: DEV_MARKET.quoteToken.address, side: "0",
    baseAmount: "1000000000000000000", limitPrice: "2000000000", triggerPrice: "0", maxFeeRate: "2000", nonce: "1",
    expiry: "1800000000", flags: "0",
  },
};

/** The first row of the order history, by column header. */
function historyShown(): Record<string, string> {
  const markup = providedMarkup(<OrderHistoryTable markets={new Map([[DEV_MARKET.name, DEV_MARKET]])} />, [
    [[...ordersKey(TRADER), "closed"], { pages: [{ orders: [FILLED], next: null }], pageParams: [null] }],
  ]);
  const headers = [...markup.matchAll(/<th\b[^>]*>(.*?)<\/th>/g)].map((header) => header[1] ?? "");
  const row = /<tbody\b[^>]*>.*?<tr\b[^>]*>(.*?)<\/tr>/.exec(markup)?.[1] ?? "";
  const cells = [...row.matchAll(/<td\b[^>]*>(.*?)<\/td>/g)].map((cell) => cell[1] ?? "");
  return Object.fromEntries(headers.map((header, index) => [header, cells[index] ?? ""]));
}

describe("the order history", () => {
  it("shows when each order was placed and when it closed, placed first", () => {
    const shown = historyShown();
    const local = (ms: number) => new Intl.DateTimeFormat("en", { dateStyle: "short", timeStyle: "medium" }).format(ms);
    expect(Object.keys(shown).slice(0, 2)).toEqual(["Placed", "Closed"]);
    expect(shown["Placed"]).toBe(local(PLACED));
    expect(shown["Closed"]).toBe(local(CLOSED));
    expect(shown).not.toHaveProperty("Time");
  });
});

describe("the open orders", () => {
  it("show the price, amount and filled right after the market and side: on a phone they are in view without a swipe", () => {
    const open: OrderView = { ...FILLED, event: "placed", status: "open", filled: "250000000000000000", remaining: "750000000000000000" };
    const onChain = { pending: null, voided: new Set<string>(), error: null, cancel: () => undefined };
    const markup = providedMarkup(<OpenOrdersTable markets={new Map([[DEV_MARKET.name, DEV_MARKET]])} onChain={onChain} />, [
      [[...ordersKey(TRADER), "open"], [open]],
    ]);
    const headers = [...markup.matchAll(/<th\b[^>]*>(.*?)<\/th>/g)].map((header) => header[1] ?? "");
    expect(headers).toEqual(["Market", "Side", "Price", "Amount", "Filled", "Trigger", "Type", "Time in force", "Placed", "Action"]);
  });
});
