/**
 * The order book as the stream describes it: a snapshot, then deltas numbered by `seq`, each setting
 * one level's total quantity (0 removes it). A delta whose seq is not the next one means a message was
 * lost: the book is out of sync until a fresh snapshot arrives (the caller resubscribes).
 *
 * A snapshot holds the best `depth` levels of each side, while deltas come for every level: past a cut
 * snapshot's last price, a level that has not changed since is unknown. Such prices are not kept or shown, and
 * once too few known levels are left the caller asks for a fresh snapshot (`needsSnapshot`).
 */
import type { BookLevel, Side } from "../../lib/api-types";

export interface BookState {
  seq: number;
  /** price -> quantity, both base-unit decimal strings. */
  bids: ReadonlyMap<string, string>;
  asks: ReadonlyMap<string, string>;
  /** False between a detected gap and the next snapshot: deltas are ignored meanwhile. */
  synced: boolean;
  /** Per side, the worst price down to which every level is known (a snapshot cut at the depth: its last); null: all. */
  knownTo: Readonly<Record<Side, bigint | null>>;
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

/** `message` applied to `state`; `depth` is the subscription's, which tells whether a snapshot's side was cut. */
export function applyBookMessage(state: BookState | null, message: BookMessage, depth = Infinity): BookUpdate {
  if (message.type === "snapshot") {
    const cutAt = (levels: BookLevel[]) => (levels.length >= depth ? BigInt((levels[levels.length - 1] as BookLevel)[0]) : null);
    return {
      kind: "applied",
      state: {
        seq: message.seq,
        bids: new Map(message.bids),
        asks: new Map(message.asks),
        synced: true,
        knownTo: { buy: cutAt(message.bids), sell: cutAt(message.asks) },
      },
    };
  }
  if (!state || !state.synced || message.seq <= state.seq) return { kind: "ignored" };
  if (message.seq !== state.seq + 1) {
    return { kind: "gap", state: { ...state, synced: false }, expected: state.seq + 1, received: message.seq };
  }
  if (!isKnown(BigInt(message.price), message.side, state.knownTo[message.side])) return { kind: "applied", state: { ...state, seq: message.seq } };
  const key = message.side === "buy" ? "bids" : "asks";
  const levels = new Map(state[key]);
  if (BigInt(message.qty) === 0n) levels.delete(message.price);
  else levels.set(message.price, message.qty);
  return { kind: "applied", state: { ...state, [key]: levels, seq: message.seq } };
}

/** Whether `price` lies where every level of `side` is known (at or better than `knownTo`). */
function isKnown(price: bigint, side: Side, knownTo: bigint | null): boolean {
  return knownTo === null || (side === "buy" ? price >= knownTo : price <= knownTo);
}

/** Whether fewer than `shown` levels of a cut side are known: a fresh snapshot would show more. */
export function needsSnapshot(state: BookState, shown: number): boolean {
  return (state.knownTo.buy !== null && state.bids.size < shown) || (state.knownTo.sell !== null && state.asks.size < shown);
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
 * the orders in it. A bucket reaching past `knownTo` (`BookState.knownTo`) is left out: part of it is unknown.
 */
export function sortedLevels(
  levels: ReadonlyMap<string, string>,
  side: Side,
  step: bigint = 1n,
  limit = Infinity,
  knownTo: bigint | null = null,
): Level[] {
  const buckets = new Map<bigint, bigint>();
  for (const [priceText, qtyText] of levels) {
    const price = BigInt(priceText);
    const remainder = price % step;
    const bucket = remainder === 0n ? price : side === "buy" ? price - remainder : price - remainder + step;
    buckets.set(bucket, (buckets.get(bucket) ?? 0n) + BigInt(qtyText));
  }
  // A bid bucket holds [bucket, bucket + step), an ask bucket (bucket - step, bucket]: its own price is its worst
  for (const bucket of [...buckets.keys()]) if (!isKnown(bucket, side, knownTo)) buckets.delete(bucket);
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
