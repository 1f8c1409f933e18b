import { describe, expect, it } from "vitest";
import { movesBalances } from "../balances/account-api";
import { noticeFor, refreshesDeposits } from "./account-notices";

const order = (event: string, extra: Record<string, unknown> = {}) => ({
  channel: "account",
  type: "order",
  event,
  status: event === "triggered" ? "open" : event,
  hash: "0xabc",
  market: "WETH-USDC",
  side: "buy",
  reason: null,
  order: { baseAmount: "100000000000000000", limitPrice: "3000000000" },
  ...extra,
});

describe("noticeFor", () => {
  it("gives fills no notice of their own: ./fill-notices gathers them per order", () => {
    expect(noticeFor({ channel: "account", type: "fill", id: "7", liquidity: "maker", side: "sell", market: "WETH-USDC", baseAmount: "5" })).toBeNull();
  });

  it("announces order state changes that happen later: triggered, filled, expired, cancelled by the exchange", () => {
    expect(noticeFor(order("triggered"))?.title).toBe("notify.triggered");
    expect(noticeFor(order("filled"))?.title).toBe("notify.filled");
    expect(noticeFor(order("expired"))?.title).toBe("notify.expired");
    expect(noticeFor(order("cancelled", { reason: "ioc_remainder" }))).toMatchObject({
      title: "notify.cancelled",
      values: { reason: "ioc_remainder" },
    });
  });

  it("tells a filled order's average price, not its signed limit (a market order's worst price)", () => {
    const marketBuy = order("filled", {
      filled: "100000000000000000",
      filledQuote: "300000000", // 0.1 WETH for 300 USDC: 3,000 on average, under the 3,300 worst price signed
      order: { baseAmount: "100000000000000000", limitPrice: "3300000000" },
    });
    const notice = noticeFor(marketBuy);
    expect(notice).toMatchObject({
      body: "notify.filledBody",
      amounts: { market: "WETH-USDC", base: "100000000000000000", quote: "300000000" },
    });
    expect(notice?.amounts?.price).toBeUndefined();
  });

  it("tells no price for a filled order whose traded quote it is not told, rather than its signed limit", () => {
    const notice = noticeFor(order("filled"));
    expect(notice).toMatchObject({ body: "notify.filledBodyNoPrice", amounts: { market: "WETH-USDC", base: "100000000000000000" } });
    expect(notice?.amounts?.price).toBeUndefined();
  });

  it("stays quiet about orders just placed or cancelled by the user here", () => {
    expect(noticeFor(order("open"))).toBeNull();
    expect(noticeFor(order("cancelled", { reason: "cancelled_by_user" }))).toBeNull();
  });

  it("announces a failed settlement with its reason, not a successful one", () => {
    expect(noticeFor({ channel: "account", type: "settlement", fill: "9", status: "settled" })).toBeNull();
    expect(noticeFor({ channel: "account", type: "settlement", fill: "9", status: "failed", reason: "not settled: x" })).toMatchObject({
      key: "settlement:9:failed",
      kind: "error",
      values: { reason: "not settled: x" },
    });
  });

  it("follows a withdrawal: relayed and completed with the transaction, failed with the reason in words", () => {
    const step = (status: string, extra: Record<string, unknown> = {}) =>
      noticeFor({ channel: "account", type: "withdrawal", hash: "0xw", status, txHash: "0xt", failure: null, ...extra });
    expect(step("accepted")).toBeNull();
    expect(step("relayed")).toMatchObject({ key: "withdrawal:0xw:relayed", title: "notify.withdrawalRelayed", txHash: "0xt" });
    expect(step("completed")).toMatchObject({ kind: "success", title: "notify.withdrawalCompleted" });
    expect(step("failed", { failure: "expired" })).toMatchObject({ kind: "error", title: "notify.withdrawalFailed", body: "funds.failure.other" });
    // the relayer's code never reaches the person: blocked_by_screening:wallet was shown as it is
    const blocked = step("failed", { failure: "blocked_by_screening:wallet+recipient" });
    expect(blocked).toMatchObject({ kind: "error", body: "funds.failure.screening" });
    expect(JSON.stringify(blocked)).not.toContain("blocked_by_screening");
  });

  it("says what a withdrawal took out when the server says it, and only the transaction when it does not", () => {
    const step = (status: string, extra: Record<string, unknown> = {}) =>
      noticeFor({ channel: "account", type: "withdrawal", hash: "0xw", status, txHash: "0xt", failure: null, ...extra });
    const told = { token: "0xToken", amount: "1500000000000000000" };
    for (const status of ["relayed", "completed"]) {
      expect(step(status, told)).toMatchObject({ body: "notify.withdrawalAmount", tokenAmount: { token: "0xToken", units: told.amount }, txHash: "0xt" });
      expect(step(status)).not.toHaveProperty("tokenAmount"); // a server from before it: the transaction is the body
      expect(step(status, { ...told, amount: "1.5" })).not.toHaveProperty("tokenAmount"); // never a decimal guessed at
    }
  });

  it("ignores balance moves: credits are announced from the deposits list", () => {
    expect(noticeFor({ channel: "account", type: "balance", token: "0x1", total: "1" })).toBeNull();
  });
});

describe("a deposit made final", () => {
  // the indexer tells it also to a wallet that never traded, whose balances the engine announces nothing of
  const credit = { channel: "account", type: "deposit", status: "final", token: "0x1", amount: "5", txHash: "0xab" };

  it("reads the deposits list again (its credit raises the notice) and the balances", () => {
    expect(refreshesDeposits(credit)).toBe(true);
    expect(movesBalances(credit)).toBe(true);
    expect(noticeFor(credit)).toBeNull(); // one notice, from the list, as for a deposit made here
  });

  it("is not read into other messages: an order's change reads neither again", () => {
    const order = { channel: "account", type: "order", event: "placed", hash: "0x1" };
    expect(refreshesDeposits(order)).toBe(false);
    expect(movesBalances(order)).toBe(false);
  });
});

describe("an escape-hatch withdrawal made final", () => {
  // the engine books none: without it the page kept showing the claimed money on the exchange
  const exit = { channel: "account", type: "exit", status: "final", token: "0x1", amount: "5", txHash: "0xab" };

  it("reads the balances again, not the deposits list, and raises no notice (the wallet saw its transaction mined)", () => {
    expect(movesBalances(exit)).toBe(true);
    expect(refreshesDeposits(exit)).toBe(false);
    expect(noticeFor(exit)).toBeNull();
  });
});
