/**
 * The live book of a market: snapshot and deltas from the stream, a resubscribe on every `seq` gap, and on a book
 * so eaten into that fewer than `BOOK_LEVELS_SHOWN` levels of a side are known (see book-state).
 */
import { useEffect, useRef, useState } from "react";
import { stream, type ChannelParams } from "../../lib/stream-client";
import { useStream } from "../../lib/use-stream";
import { applyBookMessage, needsSnapshot, type BookMessage, type BookState } from "./book-state";

/** Levels per side the panel shows at most (the depth chart's). */
export const BOOK_LEVELS_SHOWN = 50;
/** Levels per side asked for: more than are shown, so that levels taken seldom call for a fresh snapshot. */
export const BOOK_DEPTH = 4 * BOOK_LEVELS_SHOWN;

export interface OrderBook {
  book: BookState | null;
}

export function useOrderBook(market: string): OrderBook {
  const params: ChannelParams = { channel: "book", market, depth: BOOK_DEPTH };
  const state = useRef<BookState | null>(null);
  const [view, setView] = useState<OrderBook>({ book: null });
  const frame = useRef<number | null>(null);
  const refreshing = useRef(false); // a fresh snapshot was asked for and has not come yet

  useEffect(() => {
    state.current = null;
    setView({ book: null });
    return () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [market]);

  useStream(params, (message) => {
    if (message.market !== market) return;
    const update = applyBookMessage(state.current, message as unknown as BookMessage, BOOK_DEPTH);
    if (update.kind === "ignored") return;
    state.current = update.state;
    if (message.type === "snapshot") refreshing.current = false;
    if (update.kind === "gap") stream.resubscribe(params);
    else if (!refreshing.current && needsSnapshot(update.state, BOOK_LEVELS_SHOWN)) {
      refreshing.current = true;
      stream.resubscribe(params);
    }
    // Many deltas can arrive per frame: render the book at most once per frame.
    frame.current ??= requestAnimationFrame(() => {
      frame.current = null;
      setView({ book: state.current });
    });
  });

  return view;
}
