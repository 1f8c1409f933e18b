import { describe, expect, it } from "vitest";
import { applyBookMessage, needsSnapshot, sortedLevels, spread, type BookState } from "./book-state";

const snapshot = {
  type: "snapshot" as const,
  seq: 10,
  bids: [["2990000000", "500"], ["2997000000", "200"]] as [string, string][],
  asks: [["3003010000", "100"]] as [string, string][],
};

function applied(state: BookState | null, message: Parameters<typeof applyBookMessage>[1], depth?: number): BookState {
  const update = applyBookMessage(state, message, depth);
  if (update.kind !== "applied") throw new Error(`expected applied, got ${update.kind}`);
  return update.state;
}

describe("applyBookMessage", () => {
  it("starts from a snapshot and applies the next delta as the level's new total", () => {
    const book = applied(applied(null, snapshot), { type: "delta", seq: 11, side: "buy", price: "2997000000", qty: "700" });
    expect(book.seq).toBe(11);
    expect(book.bids.get("2997000000")).toBe("700");
  });

  it("removes a level whose quantity drops to zero", () => {
    const book = applied(applied(null, snapshot), { type: "delta", seq: 11, side: "sell", price: "3003010000", qty: "0" });
    expect(book.asks.size).toBe(0);
  });

  it("ignores deltas before the first snapshot and deltas the snapshot already holds", () => {
    expect(applyBookMessage(null, { type: "delta", seq: 3, side: "buy", price: "1", qty: "1" }).kind).toBe("ignored");
    const book = applied(null, snapshot);
    expect(applyBookMessage(book, { type: "delta", seq: 10, side: "buy", price: "1", qty: "1" }).kind).toBe("ignored");
  });

  it("reports a jump in seq as a gap and ignores deltas until a fresh snapshot", () => {
    const book = applied(null, snapshot);
    const gap = applyBookMessage(book, { type: "delta", seq: 13, side: "buy", price: "1", qty: "1" });
    expect(gap).toMatchObject({ kind: "gap", expected: 11, received: 13 });
    if (gap.kind !== "gap") return;
    expect(gap.state.synced).toBe(false);
    expect(gap.state.bids).toEqual(book.bids); // the last levels stay on screen meanwhile
    expect(applyBookMessage(gap.state, { type: "delta", seq: 14, side: "buy", price: "1", qty: "1" }).kind).toBe("ignored");
    const fresh = applied(gap.state, { ...snapshot, seq: 20 });
    expect([fresh.synced, fresh.seq]).toEqual([true, 20]);
  });

  it("does not change the state it was given", () => {
    const book = applied(null, snapshot);
    applied(book, { type: "delta", seq: 11, side: "buy", price: "2997000000", qty: "1" });
    expect(book.bids.get("2997000000")).toBe("200");
  });
});

describe("sortedLevels", () => {
  const bids = new Map([["2990000000", "500"], ["2997000000", "200"], ["2995550000", "50"]]);
  const asks = new Map([["3003010000", "100"], ["3009990000", "5"]]);

  it("puts the best level first with running totals", () => {
    expect(sortedLevels(bids, "buy")).toEqual([
      { price: 2997000000n, qty: 200n, total: 200n },
      { price: 2995550000n, qty: 50n, total: 250n },
      { price: 2990000000n, qty: 500n, total: 750n },
    ]);
    expect(sortedLevels(asks, "sell").map((l) => l.price)).toEqual([3003010000n, 3009990000n]);
  });

  it("groups bids down and asks up so a bucket never looks better than its orders", () => {
    expect(sortedLevels(bids, "buy", 10_000_000n).map((l) => [l.price, l.qty])).toEqual([
      [2990000000n, 750n],
    ]);
    expect(sortedLevels(asks, "sell", 1_000_000n).map((l) => [l.price, l.qty])).toEqual([
      [3004000000n, 100n],
      [3010000000n, 5n],
    ]);
  });

  it("keeps at most `limit` levels", () => {
    expect(sortedLevels(bids, "buy", 1n, 2)).toHaveLength(2);
  });

  it("measures the spread and mid between the best levels", () => {
    expect(spread(sortedLevels(bids, "buy"), sortedLevels(asks, "sell"))).toEqual({ spread: 6010000n, mid: 3000005000n });
    expect(spread([], sortedLevels(asks, "sell"))).toBeNull();
  });
});

describe("a book cut at the subscription's depth", () => {
  // The book holds bids at 3000, 2999 and 2998; a depth-2 snapshot shows the first two, and deltas come for every level
  const cut = { type: "snapshot" as const, seq: 20, bids: [["3000", "1"], ["2999", "1"]] as [string, string][], asks: [] };

  function after(...deltas: { price: string; qty: string }[]): BookState {
    let book = applied(null, cut, 2);
    for (const [index, delta] of deltas.entries()) book = applied(book, { type: "delta", seq: 21 + index, side: "buy", ...delta }, 2);
    return book;
  }

  it("shows no level past the snapshot's last, where a level that did not change is unknown", () => {
    const book = after({ price: "3000", qty: "0" }, { price: "2990", qty: "5" });
    const levels = sortedLevels(book.bids, "buy", 1n, Infinity, book.knownTo.buy);
    expect(levels.map((level) => level.price)).toEqual([2999n]); // not 2990 with 2998 missing before it
  });

  it("keeps a grouped bucket only when every price in it is known", () => {
    const book = after({ price: "3000", qty: "0" });
    expect(sortedLevels(book.bids, "buy", 10n, Infinity, book.knownTo.buy)).toEqual([]); // 2990..2999: 2990..2998 unknown
  });

  it("asks for a fresh snapshot once fewer levels are known than are shown", () => {
    expect(needsSnapshot(after(), 2)).toBe(false);
    expect(needsSnapshot(after({ price: "3000", qty: "0" }), 2)).toBe(true);
  });

  it("knows every level of a side the snapshot did not cut", () => {
    const book = applied(null, snapshot, 50);
    expect(book.knownTo).toEqual({ buy: null, sell: null });
    expect(needsSnapshot(applied(book, { type: "delta", seq: 11, side: "sell", price: "3003010000", qty: "0" }, 50), 50)).toBe(false);
  });
});
