/**
 * A price picked somewhere on the page (a book level, a trade) for the order form to take.
 * `id` grows with every pick, so picking the same price twice still reaches the form.
 */
import type { Side } from "./api-types";
import { createStore, useStore } from "./store";

export interface PriceSelection {
  market: string;
  /** limitPrice units (quote base units per 1e18 base base-units), as a decimal string. */
  price: string;
  /** The side of the book the level was on: a click on an ask suggests a buy. */
  bookSide: Side | null;
  id: number;
}

const store = createStore<PriceSelection | null>(null);
let nextId = 1;

export function selectPrice(market: string, price: string, bookSide: Side | null = null): void {
  store.set({ market, price, bookSide, id: nextId++ });
}

/** The latest picked price (null until one is picked). */
export function usePriceSelection(): PriceSelection | null {
  return useStore(store);
}
