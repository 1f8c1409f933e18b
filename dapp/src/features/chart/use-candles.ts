/** Candles of a market and interval: history from REST, the current candle from the stream. */
import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import type { Candle, CandleInterval, CandleList } from "../../lib/api-types";
import { useOnResync, useStream } from "../../lib/use-stream";
import { mergeCandle } from "./candles";

/**
 * The candle list as REST has it. The stream keeps it current only while it is shown (its channel is unsubscribed
 * with the view), so a list shown again, after another interval, market or page, is read again:
 * the trades meanwhile would be missing from it and its last candle would keep its old close.
 */
export function candlesQuery(market: string, interval: CandleInterval) {
  return queryOptions({
    queryKey: ["candles", market, interval] as const,
    queryFn: async () =>
      (await api.get<CandleList>(`/v1/markets/${encodeURIComponent(market)}/candles`, { query: { interval } })).candles,
    // 0, not the app's 5 s: shown again a second later, it has missed that second's trades too. While it is shown,
    // being stale reads nothing (no polling, no refetch on window focus): the stream's messages keep it current.
    staleTime: 0,
  });
}

/** The candles of `market` at `interval`, with the stream's messages merged in while they are shown. */
export function useCandles(market: string, interval: CandleInterval) {
  const queryClient = useQueryClient();
  const options = candlesQuery(market, interval);
  const query = useQuery(options);
  useStream({ channel: "candles", market, interval }, (message) => {
    queryClient.setQueryData(options.queryKey, (list) => (list ? mergeCandle(list, message as unknown as Candle) : list));
  });
  useOnResync(() => void query.refetch());
  return query;
}
