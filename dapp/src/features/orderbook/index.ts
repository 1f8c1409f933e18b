export { sortedLevels, spread, type BookState, type Level } from "./book-state";
export { OrderBookPanel } from "./order-book-panel";
export { useOrderBook, type OrderBook } from "./use-order-book";
