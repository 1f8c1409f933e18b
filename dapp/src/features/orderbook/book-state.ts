/**
 * The order book as the stream describes it: a snapshot, then deltas numbered by `seq`, each setting
 * one level's total quantity (0 removes it). A delta whose seq is not the next one means a message was
 * lost: the book is out of sync until a fresh snapshot arrives (the caller resubscribes).
 */
import type { BookLevel, Side } from "../../lib/api-types";

export interface BookState {
  seq: number;
  /** price -> quantity, both base-unit decimal strings. */
  bids: ReadonlyMap<string, string>;
  asks: ReadonlyMap<string, string>;
  /** False between a detected gap and the next snapshot: deltas are ignored meanwhile. */
  synced: boolean;
}

export type BookMessage =
  | { type: "snapshot"; seq: number; bids: BookLevel[]; asks: BookLevel[] }
  | { type: "delta"; seq: number; side: Side; price: string; qty: string };

export type BookUpdate =
  | { kind: "applied"; state: BookState }
  /** Already contained in the state (a delta from before the snapshot, a duplicate). */
  | { kind: "ignored" }
  /** A lost message: resubscribe; `state` keeps the last levels, marked out of sync. */
  | { kind: "gap"; state: BookState; expected: number; received: number };

export function applyBookMessage(state: BookState | null, message: BookMessage): BookUpdate {
  if (message.type === "snapshot") {
    return {
      kind: "applied",
      state: { seq: message.seq, bids: new Map(message.bids), asks: new Map(message.asks), synced: true },
    };
  }
  if (!state || !state.synced || message.seq <= state.seq) return { kind: "ignored" };
  if (message.seq !== state.seq + 1) {
    return { kind: "gap", state: { ...state, synced: false }, expected: state.seq + 1, received: message.seq };
  }
  const key = message.side === "buy" ? "bids" : "asks";
  const levels = new Map(state[key]);
  if (BigInt(message.qty) === 0n) levels.delete(message.price);
  else levels.set(message.price, message.qty);
  return { kind: "applied", state: { ...state, [key]: levels, seq: message.seq } };
}

export interface Level {
  price: bigint;
  qty: bigint;
  /** Sum of quantities from the best level to this one. */
  total: bigint;
}

/**
 * Levels best first (bids high to low, asks low to high), merged into buckets of `step` price units
 * when `step` is above the tick: bids round down, asks round up, so a bucket never looks better than
 * the orders in it.
 */
export function sortedLevels(levels: ReadonlyMap<string, string>, side: Side, step: bigint = 1n, limit = Infinity): Level[] {
  const buckets = new Map<bigint, bigint>();
  for (const [priceText, qtyText] of levels) {
    const price = BigInt(priceText);
    const remainder = price % step;
    const bucket = remainder === 0n ? price : side === "buy" ? price - remainder : price - remainder + step;
    buckets.set(bucket, (buckets.get(bucket) ?? 0n) + BigInt(qtyText));
  }
  const sorted = [...buckets].sort(([a], [b]) => (side === "buy" ? (a > b ? -1 : a < b ? 1 : 0) : a < b ? -1 : a > b ? 1 : 0));
  let total = 0n;
  return sorted.slice(0, limit === Infinity ? undefined : limit).map(([price, qty]) => {
    total += qty;
    return { price, qty, total };
  });
}

/** Best ask - best bid, and the mid price, in price units (null when a side is empty). */
export function spread(bids: readonly Level[], asks: readonly Level[]): { spread: bigint; mid: bigint } | null {
  const bid = bids[0];
  const ask = asks[0];
  if (!bid || !ask) return null;
  return { spread: ask.price - bid.price, mid: (ask.price + bid.price) / 2n };
}
