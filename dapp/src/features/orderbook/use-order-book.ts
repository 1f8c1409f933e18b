/** The live book of a market: snapshot and deltas from the stream, a resubscribe on every `seq` gap. */
import { useEffect, useRef, useState } from "react";
import { stream, type ChannelParams } from "../../lib/stream-client";
import { useStream } from "../../lib/use-stream";
import { applyBookMessage, type BookMessage, type BookState } from "./book-state";

export const BOOK_DEPTH = 50;

export interface OrderBook {
  book: BookState | null;
}

export function useOrderBook(market: string): OrderBook {
  const params: ChannelParams = { channel: "book", market, depth: BOOK_DEPTH };
  const state = useRef<BookState | null>(null);
  const [view, setView] = useState<OrderBook>({ book: null });
  const frame = useRef<number | null>(null);

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
    const update = applyBookMessage(state.current, message as unknown as BookMessage);
    if (update.kind === "ignored") return;
    state.current = update.state;
    if (update.kind === "gap") stream.resubscribe(params);
    // Many deltas can arrive per frame: render the book at most once per frame.
    frame.current ??= requestAnimationFrame(() => {
      frame.current = null;
      setView({ book: state.current });
    });
  });

  return view;
}
